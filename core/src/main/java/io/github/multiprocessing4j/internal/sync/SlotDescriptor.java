package io.github.multiprocessing4j.internal.sync;

/**
 * Layout of one slot of a {@link SlotTable}: a record, in shared memory, of a thread or process
 * that takes part in a primitive (a condition's waiter, a semaphore's holder, a barrier's
 * waiting party), so that the others can tell when it has died.
 *
 * <pre>
 *  0               8               16              24              32
 *  +---------------+---------------+---------------+---------------+
 *  | token         | start         | stake         | arrival       |
 *  +---------------+---------------+---------------+---------------+
 *
 *  token    0 when the slot is free; else who took it (an {@link Owner} token). Taken by
 *           compare-and-set from 0, given back by writing 0 (release).
 *  start    the start of the token's process ({@link Owner#start}: its start ticks tagged with
 *           its pid), written right after the token (0 while unknown: then the token counts as
 *           alive while its pid exists)
 *  stake    what the participant has in the primitive, which the others must know when it
 *           dies: read and cleared in one atomic step by whoever frees a dead participant's
 *           slot, and the tag of a consistent read ({@link SlotTable#isDeadWith}). Each
 *           primitive names it in its own descriptor: a condition waiter's state, the permits
 *           a semaphore holder holds, a barrier party's generation (in the low half; the high
 *           half checks the token, start and arrival written with it: {@link SlotTable#write}),
 *           the taskDone()s a joinable queue's consumer made.
 *  arrival  the order in which participants came, for a primitive that serves them in that
 *           order (a condition's waiters); when a barrier's party arrived ({@code System.nanoTime});
 *           0 where unused
 * </pre>
 */
public final class SlotDescriptor {
    public static final int TOKEN = 0;
    public static final int START = 8;
    public static final int STAKE = 16;
    public static final int ARRIVAL = 24;
    /** Bytes a slot takes. */
    public static final int SIZE = 32;

    private SlotDescriptor() {
    }
}
