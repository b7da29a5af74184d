package io.github.multiprocessing4j.internal.sync;

import io.github.multiprocessing4j.internal.shm.SharedSegment;

import static io.github.multiprocessing4j.internal.sync.EventDescriptor.ONE_SET;
import static io.github.multiprocessing4j.internal.sync.EventDescriptor.SET;
import static io.github.multiprocessing4j.internal.sync.EventDescriptor.STATE;

/**
 * A flag in shared memory that threads of any process can wait for: the algorithm behind
 * {@code ProcessEvent}. Layout: {@link EventDescriptor}.
 *
 * <p>Implementation notes. The flag and a count of the times {@link #set()} changed it from
 * clear to set share one word, changed by compare-and-set. A waiter notes the word, then polls it
 * ({@link Wait}): it returns when the flag is set or the word has moved (only a set() moves a
 * clear word), so that, as in Python, a waiter that was waiting when the event was set returns
 * true even if the event was cleared again before it looked; a wait that lasts sits on the
 * event's {@link WaiterBoard}, which {@link #set()} rings. (Until 2026-12-05 the count was a
 * word of its own, raised after the flag: a set() whose flag a waiter had already seen and
 * cleared could raise it during that waiter's next wait, which returned true with the event
 * never set: a ping-pong of two events between two processes lost step within thousands of
 * rounds.) Nothing is held, so there is nothing to recover when a process dies and the wait has
 * no liveness check.
 */
public final class RobustEvent {
    private final SharedSegment segment;
    private final WaiterBoard waiters;

    /** @param segment the event's segment ({@link EventDescriptor} layout at offset 0, zero-filled: clear) */
    public RobustEvent(SharedSegment segment) {
        this.segment = segment;
        this.waiters = new WaiterBoard(segment, EventDescriptor.WAITERS, WaiterBoard.TWO_SEATS);
    }

    /** Sets the flag, releasing every waiter (those waiting long are rung). Never blocks. */
    public void set() {
        while (true) {
            long state = segment.getLongVolatile(STATE);
            if ((state & SET) != 0) {
                return;
            }
            if (segment.compareAndSetLong(STATE, state, state + ONE_SET)) {
                waiters.ring();
                return;
            }
        }
    }

    /** Clears the flag. Never blocks. */
    public void clear() {
        while (true) {
            long state = segment.getLongVolatile(STATE);
            if ((state & SET) == 0 || segment.compareAndSetLong(STATE, state, state & ~SET)) {
                return;
            }
        }
    }

    /** @return whether the flag is set (a snapshot) */
    public boolean isSet() {
        return (segment.getLongVolatile(STATE) & SET) != 0;
    }

    /**
     * Waits until the flag is set, at most {@code timeoutNanos} (forever when negative); returns
     * at once when it is set already.
     *
     * @return true when the flag was set (now, or at some moment while this thread waited),
     *     false on timeout
     * @throws InterruptedException when the thread is interrupted before or while waiting
     */
    public boolean await(long timeoutNanos) throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        long seen = segment.getLongVolatile(STATE);
        return (seen & SET) != 0 || Wait.interruptiblyFor(timeoutNanos, new StateChange(segment, seen), null,
                waiters) != null;
    }

    /**
     * A wait's attempt: {@code TRUE} once the state is no longer {@code seen} (set, or cleared and
     * set again). A class, not a lambda: see {@link Wait}'s class notes.
     */
    private record StateChange(SharedSegment segment, long seen) implements Wait.Attempt<Boolean, RuntimeException> {
        @Override
        public Boolean attempt() {
            return segment.getLongVolatile(STATE) != seen ? Boolean.TRUE : null;
        }
    }
}
