package io.github.multiprocessing4j.internal.sync;

/**
 * Layout of a process-shared event ({@code ProcessEvent}) in its segment.
 *
 * <pre>
 *  0               8               16              24
 *  +---------------+---------------+---------------+
 *  | flag          | sets          | waiters       |
 *  +---------------+---------------+---------------+
 *
 *  flag  1 while the event is set, 0 while it is clear
 *  sets  how many times set() found the event clear and set it: a waiter that sees it change
 *        returns true even when the event was cleared again before it looked at the flag
 *  waiters the processes with a thread waiting long for the event (a {@link WaiterBoard} of two
 *        seats): set() rings them
 * </pre>
 */
public final class EventDescriptor {
    public static final int FLAG = 0;
    public static final int SETS = 8;
    public static final int WAITERS = 16;
    /** Bytes an event takes. */
    public static final int SIZE = WAITERS + WaiterBoard.TWO_SEATS;

    private EventDescriptor() {
    }
}
