package io.github.multiprocessing4j.internal.shm;

import java.util.concurrent.locks.LockSupport;

/**
 * How a thread waits for a word in shared memory to change when no one can wake it: spin
 * briefly, then yield, then park for growing intervals up to a bound.
 *
 * <p>Implementation notes. Processes cannot wake each other's threads from Java 17 (no futex),
 * so a waiter polls. A lock held for a few microseconds is caught while spinning; a waiter that
 * waits for seconds parks for {@link #MAX_PARK_NANOS} between looks, which keeps an idle waiter
 * at a few hundred wake-ups a second (well under 1% of a core), at the price of up to that much
 * delay in noticing a release after a long wait. One instance per waiting call; not thread-safe.
 */
public final class Backoff {
    private static final int SPINS = 200;
    private static final int YIELDS = 20;
    private static final long MIN_PARK_NANOS = 20_000;
    /** The longest pause between two looks at the shared word. */
    public static final long MAX_PARK_NANOS = 2_000_000;

    private int round;
    private long park = MIN_PARK_NANOS;

    /** Waits a little, more the longer the wait has lasted. Returns early when interrupted. */
    public void pause() {
        if (round < SPINS) {
            Thread.onSpinWait();
        } else if (round < SPINS + YIELDS) {
            Thread.yield();
        } else {
            LockSupport.parkNanos(park);
            park = Math.min(MAX_PARK_NANOS, park * 2);
        }
        round++;
    }

    /** Waits a little, but not past {@code deadline} ({@link System#nanoTime()} based). */
    public void pauseUntil(long deadline) {
        if (round >= SPINS + YIELDS) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return;
            }
            LockSupport.parkNanos(Math.min(park, left));
            park = Math.min(MAX_PARK_NANOS, park * 2);
            round++;
            return;
        }
        pause();
    }
}
