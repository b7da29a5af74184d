package io.github.multiprocessing4j.internal.shm;

import java.util.concurrent.atomic.AtomicLong;

/**
 * When this JVM asks for a garbage collection, so that the mappings of the segments it unlinked
 * are unmapped and their pages freed.
 *
 * <p>Implementation notes. A segment's pages belong to its file system (shared memory, counted
 * against {@code /dev/shm}'s size and the container's memory) until its last mapping goes, even
 * once its file is unlinked, and Java unmaps a buffer only through its cleaner, after a
 * collection has found it unreachable ({@link SharedSegment}'s notes: no explicit unmap is safe
 * while another thread may still use the buffer). A program that makes and closes queues or
 * pools in a loop allocates little heap and collects seldom: measured on 2026-12-06, 8,000
 * queues made, used once and closed held 5.5 GB of shared memory (their files gone, none of it
 * in {@code df}'s listing of files), and each new queue's creation slowed from 0.6 to 2.4 ms;
 * 30 pools of two workers held 300 MiB, where a container's {@code /dev/shm} has 64 MiB, so that
 * later segments spilled to disk. The JDK does the same for direct buffers ({@code java.nio.Bits}
 * asks for a collection when their memory would pass its limit). Once the segments unlinked here
 * while this JVM still mapped them reach the budget, an eighth of the shared-memory directory and
 * {@value #MOST_BYTES} bytes at most, {@link System#gc()} is called and the count starts again:
 * one collection per budget's worth, whatever became of the mappings (a handle the program keeps
 * reachable keeps its mapping). {@code -XX:+DisableExplicitGC} turns it off;
 * {@code -XX:+ExplicitGCInvokesConcurrent} makes it a concurrent cycle of G1's.
 */
final class UnmapBudget {
    /** The most bytes of unlinked, maybe still mapped segments between two collections. */
    static final long MOST_BYTES = 256L << 20;
    private static final AtomicLong UNLINKED = new AtomicLong();

    private UnmapBudget() {
    }

    /**
     * Counts a segment unlinked while this JVM maps it; asks for a collection when the budget is
     * reached. Blocks for the collection's time then.
     */
    static void unlinkedWhileMapped(long bytes) {
        if (UNLINKED.addAndGet(bytes) >= Budget.BYTES && UNLINKED.getAndSet(0) >= Budget.BYTES) {
            System.gc(); // the thread that reset the count: one collection for the budget's worth
        }
    }

    /** @return the budget for a shared-memory directory of {@code room} bytes (0 or less: unknown) */
    static long budget(long room) {
        return room <= 0 ? MOST_BYTES : Math.min(MOST_BYTES, room / 8);
    }

    /** The budget, computed at the first unlink of a mapped segment. */
    private static final class Budget {
        static final long BYTES = budget(SegmentSpace.roomBytes());
    }
}
