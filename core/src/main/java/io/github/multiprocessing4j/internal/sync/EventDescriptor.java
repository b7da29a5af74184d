package io.github.multiprocessing4j.internal.sync;

/**
 * Layout of a process-shared event ({@code ProcessEvent}) in its segment.
 *
 * <pre>
 *  0               8               16
 *  +---------------+---------------+
 *  | flag          | sets          |
 *  +---------------+---------------+
 *
 *  flag  1 while the event is set, 0 while it is clear
 *  sets  how many times set() found the event clear and set it: a waiter that sees it change
 *        returns true even when the event was cleared again before it looked at the flag
 * </pre>
 */
public final class EventDescriptor {
    public static final int FLAG = 0;
    public static final int SETS = 8;
    /** Bytes an event takes. */
    public static final int SIZE = 16;

    private EventDescriptor() {
    }
}
