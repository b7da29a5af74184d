package io.github.multiprocessing4j.internal.sync;

import io.github.multiprocessing4j.internal.shm.Backoff;

/**
 * One wait of one thread for something in shared memory, with an optional deadline and a
 * period for checking whether the processes it waits on are alive: the loop that the
 * primitives share. One instance per waiting call; not thread-safe.
 *
 * <pre>{@code
 * Wait wait = new Wait(timeoutNanos);
 * while (!done()) {
 *     if (wait.expired()) return false;
 *     wait.pause();
 *     if (wait.livenessCheckDue()) recoverFromTheDead();
 * }
 * }</pre>
 */
public final class Wait {
    /** How long a waiter waits between two checks of other processes' liveness. */
    public static final long LIVENESS_CHECK_NANOS = 250_000_000;

    private final long timeoutNanos;
    private final long deadline;
    private final Backoff backoff = new Backoff();
    private long nextCheck;

    /** @param timeoutNanos how long the wait may last; negative for ever */
    public Wait(long timeoutNanos) {
        long start = System.nanoTime();
        this.timeoutNanos = timeoutNanos;
        this.deadline = start + timeoutNanos;
        this.nextCheck = start + LIVENESS_CHECK_NANOS;
    }

    /** @return whether the wait has a deadline and it has passed */
    public boolean expired() {
        return timeoutNanos >= 0 && System.nanoTime() - deadline >= 0;
    }

    /** Waits a little ({@link Backoff}), never past the deadline. Returns early when interrupted. */
    public void pause() {
        if (timeoutNanos >= 0) {
            backoff.pauseUntil(deadline);
        } else {
            backoff.pause();
        }
    }

    /** @return true once every {@link #LIVENESS_CHECK_NANOS}: time to look for dead processes */
    public boolean livenessCheckDue() {
        long now = System.nanoTime();
        if (now - nextCheck < 0) {
            return false;
        }
        nextCheck = now + LIVENESS_CHECK_NANOS;
        return true;
    }
}
