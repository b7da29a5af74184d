package io.github.multiprocessing4j.spi;

import java.io.Serializable;

/**
 * Where a {@link io.github.multiprocessing4j.ProcessSemaphore}'s or
 * {@link io.github.multiprocessing4j.ProcessBoundedSemaphore}'s permits live.
 */
public interface SemaphoreBackend extends Serializable {
    /** @return whether a release above the initial number of permits is refused, fixed for the backend's life */
    boolean bounded();

    /** @return whether a permit was available and is now taken; never waits */
    boolean tryAcquire();

    /**
     * Takes a permit, waiting at most {@code timeoutNanos} (negative: as long as it takes).
     *
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

    /** @return how many permits are available now (a snapshot) */
    int availablePermits();

    /** @return how many permits came back from holders that died holding them */
    long reclaimed();

    /** Ends this semaphore's name: see {@link io.github.multiprocessing4j.ProcessSemaphore#close()}. */
    void close();
}
