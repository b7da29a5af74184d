package io.github.multiprocessing4j.redis.internal.sync;

import java.util.concurrent.TimeUnit;

/**
 * How a cluster lock or semaphore waits: try on the server, and while that fails, block on the
 * object's notification list ({@code BLPOP}) for a slice, then try again.
 *
 * <p>Implementation notes. A release pushes a notification, so a waiter wakes at once instead of
 * polling; but a holder that dies never releases, so every slice is bounded: by
 * {@link #MAX_SLICE_MILLIS} and by the time the attempt said the blocking lease has left, so a
 * lapsed lease is seen as soon as it lapses. A notification consumed by a waiter that then fails
 * to get the object is not passed on: the next release pushes another, and the other waiters look
 * again at their next slice anyway. The block is {@link
 * io.github.multiprocessing4j.redis.internal.connection.Server#callBlocking} (through {@code
 * ClusterHandle.awaitNotification}) and the attempt a retried call, so a wait rides out a restart
 * of the server (up to the cluster's timeout of unreachability); an interrupt is seen within the
 * watchdog's period while blocked, and after the attempt when it came while the attempt waited for
 * the server. A wait that ignores interrupts ({@code lock()}) keeps the interrupt and sets it
 * again on return.
 */
final class WaitLoop {
    /** The longest a waiter blocks between two looks: bounds how late an interrupt is seen. */
    static final long MAX_SLICE_MILLIS = 100;

    /** One try on the server. */
    interface Attempt {
        /**
         * @return positive when it succeeded; otherwise minus the milliseconds until the lease in
         *     the way lapses (0 or -1 when unknown)
         */
        long tryOnce();
    }

    /** Blocks on the notification list for up to {@code millis}. */
    interface Block {
        void await(long millis) throws InterruptedException;
    }

    private WaitLoop() {
    }

    /**
     * Tries until it succeeds or {@code timeoutNanos} (negative: forever) has passed.
     *
     * @return the successful attempt's result, or 0 on timeout
     * @throws InterruptedException when {@code interruptible} and the thread is interrupted before
     *     an attempt succeeded; when not interruptible, the interrupt status is set again on return
     */
    static long run(long timeoutNanos, boolean interruptible, Attempt attempt, Block block) throws InterruptedException {
        long start = System.nanoTime();
        boolean interrupted = false;
        try {
            while (true) {
                long result = attempt.tryOnce();
                if (result > 0) {
                    return result;
                }
                if (Thread.interrupted()) {
                    if (interruptible) {
                        throw new InterruptedException();
                    }
                    interrupted = true;
                }
                long leftMillis = timeoutNanos < 0 ? Long.MAX_VALUE
                        : TimeUnit.NANOSECONDS.toMillis(timeoutNanos - (System.nanoTime() - start));
                if (timeoutNanos >= 0 && leftMillis <= 0) {
                    return 0;
                }
                long slice = Math.min(leftMillis, MAX_SLICE_MILLIS);
                if (result < -1) {
                    slice = Math.min(slice, -result + 1); // look again right after the lease in the way lapses
                }
                try {
                    block.await(Math.max(1, slice));
                } catch (InterruptedException e) {
                    if (interruptible) {
                        throw e;
                    }
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** {@link #run} for a wait that an interrupt does not end. */
    static long runUninterruptibly(long timeoutNanos, Attempt attempt, Block block) {
        try {
            return run(timeoutNanos, false, attempt, block);
        } catch (InterruptedException e) {
            throw new AssertionError("an uninterruptible wait was interrupted", e);
        }
    }
}
