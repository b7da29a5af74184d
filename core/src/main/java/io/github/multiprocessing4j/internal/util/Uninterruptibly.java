package io.github.multiprocessing4j.internal.util;

import java.util.concurrent.CountDownLatch;

/**
 * Waits that an interrupt does not end, for the few places where giving up is not an option (a
 * reaper settling a child, a boot waiting for its own identity, an exit hook). The interrupt is
 * not lost: the thread's interrupt status is set again when the wait is over.
 */
public final class Uninterruptibly {
    private Uninterruptibly() {
    }

    /** Waits until {@code latch} reaches zero. */
    public static void await(CountDownLatch latch) {
        boolean interrupted = false;
        while (true) {
            try {
                latch.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits until {@code thread} has ended. */
    public static void join(Thread thread) {
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
