package io.github.multiprocessing4j.internal.sync;

import java.util.concurrent.locks.LockSupport;

/**
 * How a thread waits for a word in shared memory to change when no one can wake it: spin
 * briefly, then yield, then park for growing intervals up to a bound. The pause of {@link Wait}.
 *
 * <p>Implementation notes. Processes cannot wake each other's threads from Java 17 (no futex),
 * so a waiter polls. For its first {@value #SPIN_NANOS} ns a wait spins, so that an answer that
 * comes within microseconds (a queue's round trip, a lock held briefly) is seen at once; then it
 * yields until {@value #BUSY_NANOS} ns, which lets the process it waits for run on a busy
 * machine; parking comes after, since a park costs 50 µs or more (the kernel's timer slack). A
 * young wait parks for up to {@link #MAX_PARK_NANOS} between looks; once a wait has parked for
 * {@link #LONG_WAIT_NANOS} in all it parks {@link #LONG_WAIT_PARK_NANOS} between looks, which
 * keeps a waiter that waits for seconds at 50 wake-ups a second, at the price of up to that much
 * delay (4% of the wait at worst) in noticing a release after a long wait. Measured: 10 processes
 * blocked on one lock cost 18% of a core with 2 ms pauses only, about 6% with the long-wait
 * pause (LockRobustnessTest). One instance per waiting call; not thread-safe.
 */
final class Backoff {
    /** How long a wait spins before it yields: a message answered within it is caught at once. */
    private static final long SPIN_NANOS = 20_000;
    /** How long a wait spins and yields in all before it parks. */
    private static final long BUSY_NANOS = 100_000;
    private static final long MIN_PARK_NANOS = 20_000;
    /** The longest pause between two looks at the shared word while the wait is young. */
    static final long MAX_PARK_NANOS = 2_000_000;
    /** How long a wait parks in all before it counts as a long one. */
    static final long LONG_WAIT_NANOS = 500_000_000;
    /** The pause between two looks once the wait is long. */
    static final long LONG_WAIT_PARK_NANOS = 20_000_000;

    private long start;
    private boolean parking;
    private long park = MIN_PARK_NANOS;
    private long parked;

    /** Waits a little, more the longer the wait has lasted. Returns early when interrupted. */
    void pause() {
        if (!busy()) {
            LockSupport.parkNanos(park);
            grow(park);
        }
    }

    /** Waits a little, but not past {@code deadline} ({@link System#nanoTime()} based). */
    void pauseUntil(long deadline) {
        if (!busy()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return;
            }
            long pause = Math.min(park, left);
            LockSupport.parkNanos(pause);
            grow(pause);
        }
    }

    /** Spins or yields while the wait is in its busy phase; false once it is time to park. */
    private boolean busy() {
        if (parking) {
            return false;
        }
        long now = System.nanoTime();
        if (start == 0) {
            start = now;
        }
        long waited = now - start;
        if (waited < SPIN_NANOS) {
            Thread.onSpinWait();
            return true;
        }
        if (waited < BUSY_NANOS) {
            Thread.yield();
            return true;
        }
        parking = true;
        return false;
    }

    /** Counts a pause and chooses the next: doubling up to the young bound, then the long-wait one. */
    private void grow(long pausedNanos) {
        parked += pausedNanos;
        park = parked >= LONG_WAIT_NANOS ? LONG_WAIT_PARK_NANOS : Math.min(MAX_PARK_NANOS, park * 2);
    }
}
