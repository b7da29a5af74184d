package io.github.multiprocessing4j.spi;

import java.io.Serializable;

/**
 * Where the items of a {@link io.github.multiprocessing4j.ProcessQueue} (or a
 * {@link io.github.multiprocessing4j.ProcessSimpleQueue}) live. The backend encodes an item when
 * it is put and decodes it when it is taken, so an item that cannot be encoded fails the put
 * ({@link IllegalArgumentException} naming its class) and leaves the queue unchanged. Items are
 * never null (the public type checks). Timeouts are in nanoseconds: negative waits as long as it
 * takes, zero does not wait.
 */
public interface QueueBackend extends Serializable {
    /**
     * Puts an item, waiting up to {@code timeoutNanos} for room in a bounded queue; not ended by
     * an interrupt.
     *
     * @param item the item, never null
     * @param timeoutNanos how long to wait for room at most, in nanoseconds: negative waits as long
     *     as it takes, zero does not wait
     * @return false when the queue stayed full for the whole timeout
     * @throws IllegalArgumentException when the item cannot be encoded
     * @throws IllegalStateException when the queue is closed
     */
    boolean put(Object item, long timeoutNanos);

    /**
     * Puts an item as {@link #put} does, but an interrupt ends the wait for room. This default
     * waits in slices of {@link #put} of up to 10 ms each, looking at the interrupt status
     * between them (so an interrupt is seen within 10 ms, and the item is encoded again for each
     * slice); a backend that can wait interruptibly itself overrides it.
     *
     * @param item the item, never null
     * @param timeoutNanos how long to wait for room at most, in nanoseconds: negative waits as long
     *     as it takes, zero does not wait
     * @return false when the queue stayed full for the whole timeout
     * @throws InterruptedException when the thread was interrupted before or while it waited for
     *     room; nothing was put
     * @throws IllegalArgumentException when the item cannot be encoded
     * @throws IllegalStateException when the queue is closed
     */
    default boolean putInterruptibly(Object item, long timeoutNanos) throws InterruptedException {
        long slice = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(10);
        long deadline = System.nanoTime() + timeoutNanos;
        while (true) {
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            long left = timeoutNanos < 0 ? slice : Math.min(slice, deadline - System.nanoTime());
            if (put(item, Math.max(0, left))) {
                return true;
            }
            if (timeoutNanos >= 0 && deadline - System.nanoTime() <= 0) {
                return false;
            }
        }
    }

    /**
     * Takes the oldest item, waiting up to {@code timeoutNanos} for one.
     *
     * @param timeoutNanos how long to wait for an item at most, in nanoseconds: negative waits as
     *     long as it takes, zero does not wait
     * @return the item, or null when none came within the timeout
     * @throws InterruptedException when the thread is interrupted while waiting; nothing is taken
     * @throws IllegalStateException when the queue is closed and empty
     */
    Object take(long timeoutNanos) throws InterruptedException;

    /**
     * Takes the oldest item without waiting for one, and without looking at the thread's
     * interrupt status.
     *
     * @return the item, or null when the queue is empty
     * @throws IllegalStateException when the queue is closed and empty
     */
    Object poll();

    /**
     * Counts the items the queue holds; never blocks for longer than the medium takes to answer.
     *
     * @return how many items the queue holds (a snapshot)
     */
    long size();

    /** {@return the bound: the most items the queue holds at once, 0 when unbounded} */
    long maxSize();

    /** {@return whether the queue was closed, by any process} */
    boolean isClosed();

    /** Closes the queue for everyone: see {@link io.github.multiprocessing4j.ProcessQueue#close()}. */
    void close();
}
