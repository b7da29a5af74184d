package io.github.multiprocessing4j.internal.util;

import java.util.concurrent.CountDownLatch;

/**
 * Waits for JVM objects that an interrupt does not end, for the few places where giving up is
 * not an option (a reaper settling a child, a boot waiting for its own identity, an exit hook).
 * The interrupt is not lost: the thread's interrupt status is set again when the wait is over.
 * (Waits for shared memory have their own loop, {@code internal.sync.Wait}.)
 */
public final class Uninterruptibly {
    private Uninterruptibly() {
    }

    /** A wait that an interrupt ends. */
    @FunctionalInterface
    public interface InterruptibleWait {
        void await() throws InterruptedException;
    }

    // The two below are on a child JVM's boot path: anonymous classes, not method references,
    // because the first lambda a JVM links loads the lambda machinery (tens of milliseconds of a
    // cold start, even with class-data sharing).

    /** Waits until {@code latch} reaches zero. */
    public static void await(CountDownLatch latch) {
        run(new InterruptibleWait() {
            @Override
            public void await() throws InterruptedException {
                latch.await();
            }
        });
    }

    /** Waits until {@code thread} has ended. */
    public static void join(Thread thread) {
        run(new InterruptibleWait() {
            @Override
            public void await() throws InterruptedException {
                thread.join();
            }
        });
    }

    /**
     * Makes {@code wait} again each time an interrupt ends it, until it returns normally; then
     * sets the interrupt status again when there was an interrupt.
     */
    public static void run(InterruptibleWait wait) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    wait.await();
                    return;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
