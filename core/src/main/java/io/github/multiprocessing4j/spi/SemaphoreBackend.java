package io.github.multiprocessing4j.spi;

import java.io.Serializable;

/**
 * Where a {@link io.github.multiprocessing4j.ProcessSemaphore}'s or
 * {@link io.github.multiprocessing4j.ProcessBoundedSemaphore}'s permits live.
 */
public interface SemaphoreBackend extends Serializable {
    /**
     * Tells whether a release above the initial number of permits is refused.
     *
     * @return whether the semaphore is bounded, fixed for the backend's life
     */
    boolean bounded();

    /**
     * Takes a permit if one is available; never waits.
     *
     * @return whether a permit was available and is now taken
     */
    boolean tryAcquire();

    /**
     * Takes a permit, waiting at most {@code timeoutNanos} (negative: as long as it takes).
     *
     * @param timeoutNanos how long to wait at most, in nanoseconds: negative waits as long as it
     *     takes, zero does not wait
     * @return whether a permit was taken (false only on timeout)
     * @throws InterruptedException when interrupted before a permit was taken; none is then taken
     */
    boolean acquire(long timeoutNanos) throws InterruptedException;

    /**
     * Gives a permit back.
     *
     * @throws IllegalStateException when a bounded semaphore would go above its bound
     * @throws IllegalMonitorStateException when the permit given back was a lease that had lapsed
     */
    void release();

    /** {@return how many permits are available now (a snapshot)} */
    int availablePermits();

    /** {@return how many permits came back from holders that died holding them} */
    long reclaimed();

    /**
     * Ends this semaphore's name: see {@code close()} of
     * {@link io.github.multiprocessing4j.ProcessSemaphore}.
     */
    void close();
}
