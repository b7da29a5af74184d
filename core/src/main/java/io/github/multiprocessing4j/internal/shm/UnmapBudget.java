package io.github.multiprocessing4j.internal.shm;

import java.util.concurrent.atomic.AtomicLong;

/**
 * When this JVM asks for a garbage collection, so that the mappings of the segments it no longer
 * uses are unmapped and the pages of those removed are freed.
 *
 * <p>Implementation notes. A segment's pages belong to its file system (shared memory, counted
 * against {@code /dev/shm}'s size and the container's memory) until its last mapping goes, even
 * once its file is removed, and Java unmaps a buffer only through its cleaner, after a collection
 * has found it unreachable ({@link SharedSegment}'s notes: no explicit unmap is safe while
 * another thread may still use the buffer). A program that makes and closes queues or pools in a
 * loop allocates little heap and collects seldom: measured on 2026-12-06, 8,000 queues made, used
 * once and closed held 5.5 GB of shared memory (their files gone, none of it in {@code df}'s
 * listing of files), and each new queue's creation slowed from 0.6 to 2.4 ms; 300 of them filled
 * a 32 MiB {@code /dev/shm}, so that later chunks spilled to disk; 30 pools of two workers held
 * 300 MiB. The JDK does the same for direct buffers
 * ({@code java.nio.Bits} asks for a collection when their memory would pass its limit). What
 * counts is what this JVM maps anew (a segment it makes or attaches, not one it has mapped
 * already): a steady stream through a queue reuses its chunks and maps nothing new, while making
 * queues, or large items of changing sizes, keeps mapping new segments as old ones go; and a
 * process that maps what another removes (a worker, a consumer) counts too. Once the
 * new mappings reach the budget, an eighth of the shared-memory directory and
 * {@value #MOST_BYTES} bytes at most, {@link System#gc()} is called and the count starts again:
 * one collection per budget's worth, whatever became of the mappings (a handle the program keeps
 * reachable keeps its mapping). {@code -XX:+DisableExplicitGC} turns it off;
 * {@code -XX:+ExplicitGCInvokesConcurrent} makes it a concurrent cycle of G1's.
 */
final class UnmapBudget {
    /** The most bytes mapped anew between two collections. */
    static final long MOST_BYTES = 256L << 20;
    private static final AtomicLong MAPPED = new AtomicLong();

    private UnmapBudget() {
    }

    /**
     * Counts a segment this JVM has just mapped; asks for a collection when the budget is reached.
     * Blocks for the collection's time then.
     */
    static void mappedAnew(long bytes) {
        if (MAPPED.addAndGet(bytes) >= Budget.BYTES && MAPPED.getAndSet(0) >= Budget.BYTES) {
            System.gc(); // the thread that reset the count: one collection for the budget's worth
        }
    }

    /** @return the budget for a shared-memory directory of {@code room} bytes (0 or less: unknown) */
    static long budget(long room) {
        return room <= 0 ? MOST_BYTES : Math.min(MOST_BYTES, room / 8);
    }

    /** The budget, computed at the first new mapping. */
    private static final class Budget {
        static final long BYTES = budget(SegmentSpace.roomBytes());
    }
}
