package io.github.multiprocessing4j.internal.sync;

/**
 * Layout of a process-shared event ({@code ProcessEvent}) in its segment.
 *
 * <pre>
 *  0               8
 *  +---------------+----------------------------+
 *  | state         | waiters                    |
 *  +---------------+----------------------------+
 *
 *  state    bit 0: 1 while the event is set, 0 while it is clear; bits 1-63: how many times
 *           set() found the event clear and set it. One word, so that a waiter that sees it
 *           change knows a set() came while it waited, even when the event was cleared again
 *           before it looked (two words once let a set() that a waiter had already seen move
 *           the count after that waiter's clear(), waking its next wait for nothing)
 *  waiters  the processes with a thread waiting long for the event (a {@link WaiterBoard} of two
 *           seats): set() rings them
 * </pre>
 */
public final class EventDescriptor {
    public static final int STATE = 0;
    public static final int WAITERS = 8;
    /** Bytes an event takes. */
    public static final int SIZE = WAITERS + WaiterBoard.TWO_SEATS;
    /** The bit of {@link #STATE} that says the event is set. */
    public static final long SET = 1;
    /** What a set() adds to {@link #STATE}: one to the count, and the flag. */
    public static final long ONE_SET = 2 | SET;

    private EventDescriptor() {
    }
}
