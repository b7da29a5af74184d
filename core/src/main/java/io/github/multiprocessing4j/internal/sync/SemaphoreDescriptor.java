package io.github.multiprocessing4j.internal.sync;

/**
 * Layout of a process-shared semaphore ({@code ProcessSemaphore}, {@code ProcessBoundedSemaphore})
 * in its segment: a header, then a table of holder slots ({@link SlotDescriptor} layout), one per
 * process that has acquired permits.
 *
 * <pre>
 *  0               8               16              24              32
 *  +---------------+---------------+---------------+---------------+
 *  | permits       | bound         | reclaimed     | waiters       |
 *  +---------------+---------------+---------------+---------------+
 *  | slot 0: token | ticks         | held          | (unused)      |
 *  +---------------+---------------+---------------+---------------+
 *  | slot 1 ...                                                    |
 *  +---------------------------------------------------------------+
 *  | ... slot SLOTS - 1                                            |
 *  +---------------------------------------------------------------+
 *
 *  permits    how many permits are available now; taken by compare-and-set, never below 0
 *  bound      the most permits there may be (a bounded semaphore's initial value), -1 for none
 *  reclaimed  how many permits were given back from processes that died holding them
 *  waiters    the processes with a thread waiting long for a permit (a {@link WaiterBoard} of two
 *             seats): a release rings them
 *  slot token a holder process: its pid in the high 32 bits, 0 in the low ones; 0 when free
 *  slot held  {@link #PERMITS_HELD}: how many permits that process holds (acquired and not released)
 * </pre>
 */
public final class SemaphoreDescriptor {
    public static final int PERMITS = 0;
    public static final int BOUND = 8;
    public static final int RECLAIMED = 16;
    public static final int WAITERS = 24;
    public static final int SLOTS_BASE = 32;
    /** How many processes' holdings are tracked at once; holders beyond that are not recovered. */
    public static final int SLOTS = 126;
    /** Bytes a semaphore takes (within one 4 KiB page). */
    public static final int SIZE = SLOTS_BASE + SLOTS * SlotDescriptor.SIZE;

    /** The word of a holder's slot that counts the permits it holds: the slot's stake. */
    public static final int PERMITS_HELD = SlotDescriptor.STAKE;

    private SemaphoreDescriptor() {
    }
}
