package io.github.multiprocessing4j.internal.sync;

/**
 * Layout of one slot of a {@link SlotTable}: a record, in shared memory, of a thread or process
 * that takes part in a primitive (a condition's waiter, a semaphore's holder, a barrier's
 * waiting party), so that the others can tell when it has died.
 *
 * <pre>
 *  0               8               16              24              32
 *  +---------------+---------------+---------------+---------------+
 *  | token         | ticks         | value A       | value B       |
 *  +---------------+---------------+---------------+---------------+
 *
 *  token    0 when the slot is free; else who took it (an {@link Owner} token). Taken by
 *           compare-and-set from 0, given back by writing 0 (release).
 *  ticks    the start ticks of the token's process, written right after the token (0 while
 *           unknown: then the token counts as alive while its pid exists)
 *  value A  the primitive's own: a condition's waiting state, a semaphore holder's permit
 *           count, a barrier party's generation
 *  value B  the primitive's own: a condition waiter's arrival number; otherwise unused
 * </pre>
 */
public final class SlotDescriptor {
    public static final int TOKEN = 0;
    public static final int TICKS = 8;
    public static final int VALUE_A = 16;
    public static final int VALUE_B = 24;
    /** Bytes a slot takes. */
    public static final int SIZE = 32;

    private SlotDescriptor() {
    }
}
