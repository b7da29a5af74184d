package io.github.multiprocessing4j.internal.sync;

import io.github.multiprocessing4j.internal.shm.SharedSegment;

import static io.github.multiprocessing4j.internal.sync.EventDescriptor.FLAG;
import static io.github.multiprocessing4j.internal.sync.EventDescriptor.SETS;

/**
 * A flag in shared memory that threads of any process can wait for: the algorithm behind
 * {@code ProcessEvent}. Layout: {@link EventDescriptor}.
 *
 * <p>Implementation notes. The flag is one word; beside it a counter of the times
 * {@link #set()} changed it from clear to set. A waiter notes the counter, then polls both
 * ({@link Wait}): it returns when the flag is set or the counter has moved, so that, as in
 * Python, a waiter that was waiting when the event was set returns true even if the event was
 * cleared again before it looked; a wait that lasts sits on the event's {@link WaiterBoard}, which
 * {@link #set()} rings. Nothing is held, so there is nothing to recover when a process
 * dies and the wait has no liveness check.
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
        if (segment.compareAndSetLong(FLAG, 0, 1)) {
            segment.getAndAddLong(SETS, 1);
            waiters.ring();
        }
    }

    /** Clears the flag. Never blocks. */
    public void clear() {
        segment.setLongVolatile(FLAG, 0);
    }

    /** @return whether the flag is set (a snapshot) */
    public boolean isSet() {
        return segment.getLongVolatile(FLAG) != 0;
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
        long sets = segment.getLongVolatile(SETS);
        return isSet() || Wait.interruptibly(timeoutNanos, () -> isSet() || segment.getLongVolatile(SETS) != sets, null,
                waiters);
    }
}
