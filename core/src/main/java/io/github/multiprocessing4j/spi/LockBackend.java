package io.github.multiprocessing4j.spi;

import java.io.Serializable;

/**
 * Where a {@link io.github.multiprocessing4j.ProcessLock}'s or
 * {@link io.github.multiprocessing4j.ProcessRLock}'s state lives. A holding belongs to the
 * calling thread: acquiring and releasing are per thread, as for
 * {@link java.util.concurrent.locks.ReentrantLock}.
 */
public interface LockBackend extends Serializable {
    /**
     * Tells whether the holder may acquire again, as a {@code ProcessRLock}'s may.
     *
     * @return whether the lock is re-entrant, fixed for the backend's life
     */
    boolean reentrant();

    /**
     * Acquires without waiting.
     *
     * @return whether the calling thread now holds the lock
     * @throws IllegalStateException when a non-re-entrant lock is acquired again by its holder
     */
    boolean tryAcquire();

    /**
     * Acquires, waiting at most {@code timeoutNanos} (negative: as long as it takes).
     *
     * @param timeoutNanos how long to wait at most, in nanoseconds: negative waits as long as it
     *     takes, zero does not wait
     * @return whether the calling thread now holds the lock (false only on timeout)
     * @throws InterruptedException when interrupted before it got the lock, which is then not held
     * @throws IllegalStateException as {@link #tryAcquire()}
     */
    boolean acquire(long timeoutNanos) throws InterruptedException;

    /**
     * Acquires, waiting as long as it takes; an interrupt does not end the wait (the thread's
     * interrupt status is set again on return).
     *
     * @throws IllegalStateException as {@link #tryAcquire()}
     */
    void acquireUninterruptibly();

    /**
     * Releases one hold of the calling thread.
     *
     * @throws IllegalMonitorStateException when the calling thread does not hold the lock, or
     *     held it but lost it (a lapsed lease)
     */
    void release();

    /** {@return whether the calling thread holds the lock, as far as this process knows} */
    boolean isHeldByCurrentThread();

    /** {@return how many times the calling thread holds the lock (0 when it does not)} */
    int holdCount();

    /** {@return whether any thread of any process holds the lock (a snapshot)} */
    boolean isLocked();

    /**
     * Returns the fencing token of the calling thread's current holding.
     *
     * @return the token: strictly greater than the token of every earlier holding of the same lock
     * @throws IllegalMonitorStateException when the calling thread does not hold the lock
     */
    long fencingToken();

    /** {@return how many times the lock was taken from a holder that died (or lost its lease) holding it} */
    long takeovers();

    /**
     * Ends this lock's name: see {@code close()} of
     * {@link io.github.multiprocessing4j.ProcessLock}.
     */
    void close();
}
