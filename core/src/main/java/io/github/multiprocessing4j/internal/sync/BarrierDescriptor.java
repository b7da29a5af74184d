package io.github.multiprocessing4j.internal.sync;

/**
 * Layout of a process-shared barrier ({@code ProcessBarrier}) in its segment: a header, then one
 * slot per party ({@link SlotDescriptor} layout), indexed by arrival index.
 *
 * <pre>
 *  0               8               16              24              32
 *  +---------------+---------------+---------------+---------------+
 *  | state         | parties       | dead parties  | sleepers      |
 *  +---------------+---------------+---------------+---------------+
 *  | slot 0: token | ticks         | generation+1  | (unused)      |
 *  +---------------+---------------+---------------+---------------+
 *  | ... slot parties - 1                                          |
 *  +---------------------------------------------------------------+
 *
 *  state         one word, changed only by compare-and-set:
 *                  bits  0..31  arrivals in the current generation ({@code parties} while the
 *                               last party runs the barrier action: the generation trips)
 *                  bit   32     {@link #BROKEN}: the current generation is broken
 *                  bit   33     {@link #PREVIOUS_BROKEN}: the previous generation ended broken
 *                               (by reset()), not by its last party arriving
 *                  bits 34..63  the generation, counting (modulo 2^30) trips and resets
 *  parties       how many parties trip the barrier
 *  dead parties  how many times the barrier was broken because a waiting party had died
 *  sleepers      the processes with a party waiting long (a {@link WaiterBoard} of two seats): a
 *                trip, a reset and a break ring them
 *  slot i        the party that arrived i-th in the current generation: its thread's
 *                {@link Owner} token, its process's ticks, and as the slot's stake its
 *                generation + 1 (0 while the slot is being written), so that waiters can check
 *                it is alive
 * </pre>
 */
public final class BarrierDescriptor {
    public static final int STATE = 0;
    public static final int PARTIES = 8;
    public static final int DEAD_PARTIES = 16;
    public static final int SLEEPERS = 24;
    public static final int SLOTS_BASE = 32;

    public static final long COUNT_MASK = 0xffff_ffffL;
    public static final long BROKEN = 1L << 32;
    public static final long PREVIOUS_BROKEN = 1L << 33;
    public static final int GENERATION_SHIFT = 34;
    public static final long GENERATION_MASK = (1L << 30) - 1;
    /** The most parties a barrier may have. */
    public static final int MAX_PARTIES = 1 << 16;

    private BarrierDescriptor() {
    }

    /** @return the bytes a barrier of {@code parties} parties takes */
    public static int size(int parties) {
        return SLOTS_BASE + SlotTable.bytes(parties);
    }

    /** @return the state word of generation {@code generation} with {@code count} arrivals */
    public static long state(long generation, long count, boolean broken, boolean previousBroken) {
        return (generation & GENERATION_MASK) << GENERATION_SHIFT | (previousBroken ? PREVIOUS_BROKEN : 0)
                | (broken ? BROKEN : 0) | count & COUNT_MASK;
    }

    public static long generation(long state) {
        return state >>> GENERATION_SHIFT;
    }

    public static int count(long state) {
        return (int) (state & COUNT_MASK);
    }

    public static boolean isBroken(long state) {
        return (state & BROKEN) != 0;
    }

    public static boolean isPreviousBroken(long state) {
        return (state & PREVIOUS_BROKEN) != 0;
    }
}
