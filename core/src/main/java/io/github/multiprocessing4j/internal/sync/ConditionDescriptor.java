package io.github.multiprocessing4j.internal.sync;

/**
 * Layout of a process-shared condition ({@code ProcessCondition}) in its segment: a header, then
 * a table of waiter slots ({@link SlotDescriptor} layout).
 *
 * <pre>
 *  0               8               16              24              32
 *  +---------------+---------------+---------------+---------------+
 *  | next arrival  | passed on     | sleepers                      |
 *  +---------------+---------------+---------------+---------------+
 *  | slot 0: token | ticks         | state         | arrival       |
 *  +---------------+---------------+---------------+---------------+
 *  | slot 1 ...                                                    |
 *  +---------------------------------------------------------------+
 *  | ... slot SLOTS - 1                                            |
 *  +---------------------------------------------------------------+
 *
 *  next arrival  numbers the waiters in the order they begin to wait (signal() wakes the lowest)
 *  passed on     how many signals were passed on from a waiter that died before it woke
 *  sleepers      the processes with a thread waiting long (a {@link WaiterBoard} of four seats):
 *                a signal rings them
 *  slot token    the waiting thread's {@link Owner} token; 0 when the slot is free
 *  slot state    {@link #WAITER_STATE}: {@link #WAITING}, {@link #SIGNALLED}, or 0 (leaving, or free)
 *  slot arrival  {@link #WAITER_ARRIVAL}: the waiter's arrival number
 * </pre>
 */
public final class ConditionDescriptor {
    public static final int NEXT_ARRIVAL = 0;
    public static final int PASSED_ON = 8;
    public static final int SLEEPERS = 16;
    public static final int SLOTS_BASE = 32;
    /** How many threads may wait on one condition at once. */
    public static final int SLOTS = 126;
    /** Bytes a condition takes (within one 4 KiB page). */
    public static final int SIZE = SLOTS_BASE + SLOTS * SlotDescriptor.SIZE;

    /** The word of a waiter's slot that holds its state: the slot's stake. */
    public static final int WAITER_STATE = SlotDescriptor.STAKE;
    /** The word of a waiter's slot that holds its arrival number. */
    public static final int WAITER_ARRIVAL = SlotDescriptor.ARRIVAL;

    /** Slot state: the waiter waits. */
    public static final long WAITING = 1;
    /** Slot state: a signal was delivered to the waiter, which has not taken it yet. */
    public static final long SIGNALLED = 2;

    private ConditionDescriptor() {
    }
}
