package io.github.multiprocessing4j;

import io.github.multiprocessing4j.internal.statics.StaticShared;
import io.github.multiprocessing4j.spi.LockBackend;

import java.util.Objects;

/**
 * A mutual-exclusion lock shared by the processes of a tree (and by the threads of each):
 * Python's {@code multiprocessing.Lock}, also a full {@link java.util.concurrent.locks.Lock}.
 *
 * <pre>{@code
 * ProcessLock mutex = new ProcessLock();
 * ChildProcess buyer = new ChildProcess(() -> {
 *     mutex.acquire();          // the child uses the very same lock
 *     try { buy(); } finally { mutex.release(); }
 * });
 * }</pre>
 *
 * <p>The lock is a handle to shared memory: capture it in a child's target, or send it to
 * another process of the tree, and both use the same lock. It is not re-entrant: acquiring it
 * again from the thread that holds it throws {@link IllegalStateException} instead of
 * deadlocking ({@link ProcessRLock} is re-entrant). Only the holding thread may release it.
 *
 * <p>Python's {@code with lock:} is {@code try (var held = lock.hold()) { ... }}: {@link #hold()}
 * acquires the lock and returns a {@link Holding} whose close releases it. Try-with-resources on
 * the lock itself, {@code try (lock) { ... }}, is not that: {@link #close()} acquires nothing and
 * only ends this process's use of the lock (Python's per-process {@code close()}), so it excludes
 * no one; {@link #unlink()} ends the lock for every process.
 *
 * <p>Unlike CPython's lock, it survives the death of its holder: when the process that holds it
 * dies (SIGKILL included), a waiting process takes it over within a second, and the takeover is
 * logged (WARNING, with the dead process's pid). What the dead holder was doing under the lock
 * may be half done; the new holder decides.
 *
 * <p>Every holding has a {@linkplain #fencingToken() fencing token}: a number that grows with
 * every holding, to pass to the resources the lock guards.
 *
 * <p><b>Named locks for unrelated programs.</b> {@link #named ProcessLock.named("ledger")} is the
 * lock called {@code ledger} on this machine: every program of the same user that names it gets
 * the same lock, whether or not the programs are related or use processes of their own (as a
 * POSIX named semaphore, {@code sem_open}, which CPython leaves to third-party modules). The first
 * to name it creates it, free. It behaves as every {@code ProcessLock}, holder-death recovery
 * included: a program killed while it holds the lock is taken over from by a waiter of any other
 * program. It is the file {@code /dev/shm/mp4j-named-lock+NAME}, which no block of
 * {@link SharedMemory#createNamed} ever is; it outlives the programs until
 * {@link #unlinkNamed}, and {@link #close()} on it does nothing.
 *
 * <p>A lock made {@linkplain #over over} another backend keeps its state there and follows that
 * backend's rules: a cluster's lock ({@code Cluster.lock(name)} in {@code multiprocessing4j-redis})
 * is a lease on a Redis server, taken over when its holder stops renewing it, and its Javadoc
 * says how that differs from the above.
 *
 * <p>Blocking: {@link #acquire()}, {@link #lock()} and {@link #hold()} wait as long as it takes
 * and are not ended by an interrupt (the thread's interrupt status is kept);
 * {@link #acquire(java.time.Duration)}, {@link #hold(java.time.Duration)},
 * {@link #tryLock(long, java.util.concurrent.TimeUnit)} and {@link #lockInterruptibly()} end
 * with {@link InterruptedException} when interrupted, the lock then not held; {@link #tryLock()}
 * and {@link #release()} never block.
 *
 * <p>Implementation notes. Waiting costs little CPU: a waiter spins briefly, then parks for
 * growing intervals of up to 2 ms between looks at the lock, and 20 ms once it has waited half a
 * second; every 250 ms it checks whether the holder's process is alive. The algorithm is
 * {@code internal.sync.RobustMutex}.
 */
public final class ProcessLock extends SharedMutexLock {
    private static final long serialVersionUID = 1L;

    /**
     * Creates a lock, free, in the calling process's tree.
     *
     * <p>Made by a static initialiser, it is the tree's: see
     * <a href="package-summary.html#static-fields">static fields</a>.
     */
    public ProcessLock() {
        super(StaticShared.resolve("ProcessLock", () -> new LocalLock("lock", false), LocalLock::close),
                ProcessUse.ofNew("ProcessLock"));
    }

    private ProcessLock(LockBackend backend) {
        super(backend, ProcessUse.ofBackend("ProcessLock"));
    }

    /** A handle read from another process's message ({@link HandleWire}). */
    ProcessLock(LocalLock backend, ProcessUse use) {
        super(backend, use);
    }

    /**
     * Returns the lock called {@code name} on this machine, creating it, free, when there is none:
     * see "Named locks" above. Every program of the same user that calls it with the same name
     * gets the same lock; two that call it at once for a name that does not exist yet get the one
     * lock a single one of them made. The lock lives, past the end of every program that used it,
     * until {@link #unlinkNamed} removes it. Never blocks for long (opens, perhaps creates, and maps
     * a small file). The handle travels to children as any lock's does.
     *
     * @param name the lock's name: 1 to 200 characters among ASCII letters, digits, '.', '_' and
     *     '-'; a lock and a {@linkplain SharedMemory#createNamed named block} of the same name are
     *     different objects
     * @return the lock
     * @throws IllegalArgumentException when the name is not valid
     * @throws IllegalStateException when a file of that lock's name exists but is no lock of this
     *     version of the library (another size)
     * @throws java.io.UncheckedIOException when the lock cannot be created or mapped (a full or
     *     read-only {@code /dev/shm})
     */
    public static ProcessLock named(String name) {
        return new ProcessLock(LocalLock.named(name, false));
    }

    /**
     * Removes the lock called {@code name} from the machine: {@link #named} makes a new, free lock
     * of that name from now on. Handles that exist, in this program or others, keep the old lock
     * (as after a POSIX {@code sem_unlink}), so programs that go on using the name would no longer
     * exclude each other (a program that still has a handle even gets the old lock from
     * {@code named} again while its handles are reachable): unlink a name only when every program
     * is done with it. Idempotent: a name
     * with no lock is left as it is. Never blocks.
     *
     * @param name the lock's name
     * @throws IllegalArgumentException when the name is not valid (see {@link #named})
     */
    public static void unlinkNamed(String name) {
        LocalLock.unlinkNamed(name);
    }

    /**
     * Makes a lock whose state lives in {@code backend} (for implementers of backends; see
     * {@link io.github.multiprocessing4j.spi}). Its methods then block, fail and travel as the
     * backend documents.
     *
     * @param backend where the lock's state lives; not re-entrant
     * @return the lock
     * @throws IllegalArgumentException when the backend is re-entrant
     */
    public static ProcessLock over(LockBackend backend) {
        return new ProcessLock(checked(Objects.requireNonNull(backend, "backend"), false));
    }
}
