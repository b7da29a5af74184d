package io.github.multiprocessing4j;

import io.github.multiprocessing4j.spi.SemaphoreBackend;

import java.io.Serializable;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

/**
 * What {@link ProcessSemaphore} and {@link ProcessBoundedSemaphore} share: a counting semaphore
 * in shared memory ({@code LocalSemaphore}) whose permits come back when a process dies holding
 * them, or in the {@linkplain SemaphoreBackend backend} it was made over (a cluster's semaphore
 * lives on a Redis server).
 */
abstract class SharedSemaphore implements Serializable, Unlinkable {
    private static final long serialVersionUID = 1L;

    private final SemaphoreBackend semaphore;
    /** This handle's use in this process. */
    private final ProcessUse use;

    SharedSemaphore(SemaphoreBackend backend, ProcessUse use) {
        this.semaphore = backend;
        this.use = use;
    }

    /** A new semaphore in shared memory, after checking {@code value}. */
    static SemaphoreBackend local(String kind, int value, boolean bounded) {
        if (value < 0) {
            throw new IllegalArgumentException("a semaphore's initial value must not be negative, not " + value);
        }
        return new LocalSemaphore(kind, value, bounded);
    }

    /** @return {@code backend}, checked to be bounded or not as the caller needs */
    static SemaphoreBackend checked(SemaphoreBackend backend, boolean bounded) {
        if (backend.bounded() != bounded) {
            throw new IllegalArgumentException("a " + (bounded ? "ProcessBoundedSemaphore needs a bounded" : "ProcessSemaphore needs an unbounded")
                    + " backend: " + backend);
        }
        return backend;
    }

    /**
     * Takes a permit, waiting as long as it takes for one; Python's {@code acquire()}. While it
     * waits, it gives back every ~250 ms the permits of processes that died holding them.
     *
     * @throws InterruptedException when the thread is interrupted before or while waiting; no
     *     permit is taken then
     */
    public void acquire() throws InterruptedException {
        open().acquire(-1);
    }

    /**
     * Takes a permit, waiting at most {@code timeout}; Python's {@code acquire(timeout=...)}.
     *
     * @param timeout how long to wait; zero or negative does not wait
     * @return true when a permit was taken, false on timeout
     * @throws InterruptedException when the thread is interrupted before or while waiting; no
     *     permit is taken then
     */
    public boolean acquire(Duration timeout) throws InterruptedException {
        return open().acquire(ProcessQueue.nanos(timeout));
    }

    /**
     * Takes a permit, waiting as long as it takes, and returns a holding whose close gives it
     * back: Python's {@code with semaphore:} is {@code try (var held = semaphore.hold()) { ... }}.
     * Waits as {@link #acquire()} does, so an interrupt ends the wait. Not the same as
     * try-with-resources on the semaphore itself, whose {@link #close()} takes no permit and ends
     * this process's use of the semaphore.
     *
     * @return the holding of one permit, to close when done
     * @throws InterruptedException when the thread is interrupted before or while waiting; no
     *     permit is taken then
     */
    public Holding hold() throws InterruptedException {
        acquire();
        return new Holding(this::release);
    }

    /**
     * Takes a permit, waiting at most {@code timeout}, and returns a holding whose close gives it
     * back, as {@link #hold()}; unlike {@link #acquire(Duration)}, running out of time is an
     * exception, so that the block is not entered.
     *
     * @param timeout how long to wait; zero or negative does not wait
     * @return the holding of one permit, to close when done
     * @throws TimeoutException when no permit was taken within the time
     * @throws InterruptedException when the thread is interrupted before or while waiting; no
     *     permit is taken then
     */
    public Holding hold(Duration timeout) throws InterruptedException, TimeoutException {
        if (!acquire(timeout)) {
            throw new TimeoutException("no permit was taken within " + timeout + ": " + this);
        }
        return new Holding(this::release);
    }

    /**
     * Takes a permit if one is available, without waiting for one; Python's
     * {@code acquire(False)}. Never blocks.
     *
     * @return true when a permit was available and is now taken
     */
    public boolean tryAcquire() {
        return open().tryAcquire();
    }

    /**
     * Gives a permit back; Python's {@code release()}. Any thread of any process may release,
     * not only one that acquired. Never blocks.
     *
     * @throws IllegalStateException for a {@link ProcessBoundedSemaphore} that already has its
     *     initial number of permits
     * @throws IllegalMonitorStateException (over a backend with leases, a cluster's semaphore) when
     *     the permit given back was a lease that had lapsed (see that backend)
     */
    public void release() {
        semaphore.release(); // giving back what was taken: allowed on a closed handle
    }

    /** {@return how many permits are available now} A snapshot; Python's {@code get_value()}. */
    public int availablePermits() {
        return open().availablePermits();
    }

    /** {@return how many permits were given back from processes that died holding them} */
    public long reclaimed() {
        return open().reclaimed();
    }

    /**
     * Ends this process's use of the semaphore through this handle (Python's {@code close()}): its
     * further use here throws {@link IllegalStateException}; the other processes keep using
     * it. It neither takes nor gives back a permit: {@code try (semaphore) { ... }} would
     * limit no one. To hold a permit for a block, write {@code try (var held = semaphore.hold()) { ... }}
     * ({@link #hold()}). {@link #release()} still works on a closed handle. Its shared memory goes now when no other process can have it (this handle was
     * made here, outside a static initialiser, and never sent to another process), else with
     * {@link #unlink()} or when the last process of its tree ends: which processes hold a shared
     * object is not tracked. Idempotent; never blocks. (A handle made {@code over} another backend: its
     * {@code close()} is that backend's {@code close()}, as the backend documents.)
     */
    @Override
    public void close() {
        if (use.close()) {
            semaphore.close();
        }
    }

    /**
     * Removes the semaphore's name from the tree, for every process (as
     * {@link SharedMemory#unlink()}): handles that exist keep working until they are closed, and
     * the memory goes when the last of them is gone; handles received or deserialized afterwards
     * fail with {@link IllegalStateException}. Works on a closed handle; idempotent; never
     * blocks. (An object over another backend: as that backend documents for its
     * {@code close()}.)
     */
    @Override
    public void unlink() {
        semaphore.close();
    }

    /**
     * @return the state, for an operation through this handle
     * @throws IllegalStateException when this handle was closed in this process
     */
    private SemaphoreBackend open() {
        use.checkOpen();
        return semaphore;
    }

    /** @return where the permits live */
    SemaphoreBackend backend() {
        return semaphore;
    }

    /** @return this handle's use in this process */
    ProcessUse use() {
        return use;
    }

    /**
     * Describes the semaphore for logs and debuggers: its class, where its permits live, and how
     * many are available (a snapshot).
     *
     * @return the description
     */
    @Override
    public String toString() {
        return getClass().getSimpleName() + "(" + semaphore
                + (use.isClosed() ? ", closed in this process)" : ", " + availablePermits() + " permits)");
    }
}
