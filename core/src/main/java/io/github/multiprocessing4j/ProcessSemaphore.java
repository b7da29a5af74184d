package io.github.multiprocessing4j;

import io.github.multiprocessing4j.internal.statics.StaticShared;
import io.github.multiprocessing4j.spi.SemaphoreBackend;

import java.util.Objects;

/**
 * A counting semaphore shared by the processes of a tree (and by the threads of each): Python's
 * {@code multiprocessing.Semaphore}.
 *
 * <pre>{@code
 * ProcessSemaphore slots = new ProcessSemaphore(3);   // at most 3 at a time
 * ChildProcess worker = new ChildProcess(() -> {
 *     slots.acquire();
 *     try { work(); } finally { slots.release(); }
 * });
 * }</pre>
 *
 * <p>It is a handle to shared memory: capture it in a child's target, or send it to another
 * process of the tree, and both use the same semaphore. Any thread of any process may release a
 * permit, acquired or not; {@code release()} never fails ({@link ProcessBoundedSemaphore} checks
 * its bound).
 *
 * <p>Python's {@code with semaphore:} is {@code try (var held = semaphore.hold()) { ... }}:
 * {@link #hold()} takes a permit and returns a {@link Holding} whose close gives it back.
 * Try-with-resources on the semaphore itself is not that: {@link #close()} takes no permit and
 * only ends this process's use of the semaphore; {@link #unlink()} ends it for every process.
 *
 * <p>Unlike CPython's semaphore, permits held by a process that dies (SIGKILL included) come
 * back: a waiter that finds no permit looks every ~250 ms for processes that died holding some,
 * gives their permits back and logs it (WARNING, with the dead process's pid). A process's
 * holding is what it acquired and did not release; when permits are released by a process other
 * than the one that acquired them, the releaser's count, else any holder's, goes down. Holdings
 * of up to 126 processes at once are tracked.
 *
 * <p>Blocking: {@link #acquire()}, {@link #acquire(java.time.Duration)}, {@link #hold()} and
 * {@link #hold(java.time.Duration)} wait for a permit and end with {@link InterruptedException}
 * when interrupted, no permit taken then;
 * {@link #tryAcquire()} and {@link #release()} never block.
 *
 * <p>Implementation notes. Waiting costs little CPU: a waiter spins briefly, then parks for
 * growing intervals of up to 2 ms between looks, and 20 ms once it has waited half a second. The
 * algorithm is {@code internal.sync.RobustSemaphore}.
 */
public final class ProcessSemaphore extends SharedSemaphore {
    private static final long serialVersionUID = 1L;

    /**
     * Creates a semaphore with {@code value} permits in the calling process's tree.
     *
     * <p>Made by a static initialiser, it is the tree's: see
     * <a href="package-summary.html#static-fields">static fields</a>.
     *
     * @param value the number of permits it starts with; not negative
     * @throws IllegalArgumentException when {@code value} is negative
     */
    public ProcessSemaphore(int value) {
        super(StaticShared.resolve("ProcessSemaphore", () -> local("semaphore", value, false), SemaphoreBackend::close),
                ProcessUse.ofNew("ProcessSemaphore"));
    }

    private ProcessSemaphore(SemaphoreBackend backend) {
        super(backend, ProcessUse.ofBackend("ProcessSemaphore"));
    }

    /** A handle read from another process's message ({@link HandleWire}). */
    ProcessSemaphore(LocalSemaphore backend, ProcessUse use) {
        super(backend, use);
    }

    /**
     * Makes a semaphore whose permits live in {@code backend} (for implementers of backends; see
     * {@link io.github.multiprocessing4j.spi}). Its methods then block, fail and travel as the
     * backend documents.
     *
     * @param backend where the permits live; an unbounded one
     * @return the semaphore
     * @throws IllegalArgumentException unless the backend is an unbounded one
     */
    public static ProcessSemaphore over(SemaphoreBackend backend) {
        return new ProcessSemaphore(checked(Objects.requireNonNull(backend, "backend"), false));
    }

    /**
     * Creates a semaphore with one permit (Python's default).
     *
     * <p>Made by a static initialiser, it is the tree's: see
     * <a href="package-summary.html#static-fields">static fields</a>.
     */
    public ProcessSemaphore() {
        this(1);
    }
}
