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
abstract class SharedSemaphore implements Serializable, AutoCloseable {
    private static final long serialVersionUID = 1L;

    private final SemaphoreBackend semaphore;

    SharedSemaphore(SemaphoreBackend backend) {
        this.semaphore = backend;
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
        semaphore.acquire(-1);
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
        return semaphore.acquire(Math.max(0, timeout.toNanos()));
    }

    /**
     * Takes a permit, waiting as long as it takes, and returns a holding whose close gives it
     * back: Python's {@code with semaphore:} is {@code try (var held = semaphore.hold()) { ... }}.
     * Waits as {@link #acquire()} does, so an interrupt ends the wait. Not the same as
     * try-with-resources on the semaphore itself, whose {@link #close()} takes no permit and ends
     * the semaphore.
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
        return semaphore.tryAcquire();
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
        semaphore.release();
    }

    /** {@return how many permits are available now} A snapshot; Python's {@code get_value()}. */
    public int availablePermits() {
        return semaphore.availablePermits();
    }

    /** {@return how many permits were given back from processes that died holding them} */
    public long reclaimed() {
        return semaphore.reclaimed();
    }

    /**
     * Removes the semaphore's name from the tree. Processes that already use it keep using it.
     * Without a close it lives until every process of its tree has ended. (A semaphore over
     * another backend: as that backend documents.)
     *
     * <p>It neither takes nor gives back a permit: {@code try (semaphore) { ... }} would limit no
     * one and end the semaphore for the processes that get it later. To hold a permit for a block,
     * write {@code try (var held = semaphore.hold()) { ... }} ({@link #hold()}).
     */
    @Override
    public void close() {
        semaphore.close();
    }

    /**
     * Describes the semaphore for logs and debuggers: its class, where its permits live, and how
     * many are available (a snapshot).
     *
     * @return the description
     */
    @Override
    public String toString() {
        return getClass().getSimpleName() + "(" + semaphore + ", " + availablePermits() + " permits)";
    }
}
