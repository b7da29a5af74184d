package io.github.multiprocessing4j.internal.queue;

import io.github.multiprocessing4j.internal.shm.SharedSegment;

import java.util.Arrays;

/**
 * The chunks of one {@link ByteQueue} this process mapped last, held strongly, so that a chunk
 * that comes round again (a spare, see {@link ChunkChain}) is found mapped, its pages already in
 * this process's page tables.
 *
 * <p>Implementation notes. Without it a chunk's mapping lives only as long as a handle to it is
 * reachable ({@link SharedSegment} caches mappings weakly): a consumer that allocates an array per
 * item collects garbage every few thousand items, so each time the spare came back it was mapped
 * anew and every page of it faulted again, in the producer and in the consumer. A page fault on
 * a shared-memory page costs microseconds (on the 2-core development VM, 5 to 18 µs: more than
 * copying the page), so 4 KiB items paid one fault per item on each side. Chunk names are never
 * reused, so a name found here is always the segment it names; a chunk unlinked by another
 * process stays mapped here until it is pushed out, which bounds what such mappings keep alive
 * to {@link #CAPACITY} chunks. A chunk made for a large item may be megabytes: before one is
 * kept, the large ones kept whose file is gone are let go (a look at the file system, cheap
 * beside mapping a large chunk), so that what this process holds of them beyond the queue's own
 * chunks and spares is at most the large chunks unlinked since. A lookup is a scan of
 * {@link #CAPACITY} names, made only when an end changes chunk. Not thread-safe: used under the
 * queue's put lock or get lock, one instance per end (see {@link ChunkChain}).
 */
final class ChunkMappings {
    /** Chunks kept: as many as the spares, and the chunks at the two ends. */
    static final int CAPACITY = ChunkChain.MAX_SPARES + 4;

    private final String treeId;
    private final int chunkSize;
    private final String[] names = new String[CAPACITY];
    private final SharedSegment[] chunks = new SharedSegment[CAPACITY];
    /** Where the next chunk goes, the oldest being replaced. */
    private int next;

    ChunkMappings(String treeId, int chunkSize) {
        this.treeId = treeId;
        this.chunkSize = chunkSize;
    }

    /**
     * @return chunk {@code name}, mapped: the mapping kept here when there is one
     * @throws IllegalStateException when there is no such segment (see {@link SharedSegment#attach})
     */
    SharedSegment attach(String name) {
        for (int i = 0; i < CAPACITY; i++) {
            if (name.equals(names[i])) {
                return chunks[i];
            }
        }
        SharedSegment chunk = SharedSegment.attach(treeId, name);
        remember(chunk);
        return chunk;
    }

    /** Keeps {@code chunk} (just made or mapped by this process) mapped. */
    void remember(SharedSegment chunk) {
        if (chunk.size() != chunkSize) {
            forgetUnlinkedLargeChunks();
        }
        names[next] = chunk.name();
        chunks[next] = chunk;
        next = (next + 1) % CAPACITY;
    }

    private void forgetUnlinkedLargeChunks() {
        for (int i = 0; i < CAPACITY; i++) {
            if (chunks[i] != null && chunks[i].size() != chunkSize && !chunks[i].exists()) {
                names[i] = null;
                chunks[i] = null;
            }
        }
    }

    /** Lets go of every chunk (the queue's segments are being removed). */
    void clear() {
        Arrays.fill(names, null);
        Arrays.fill(chunks, null);
    }

    /** Lets go of chunk {@code name}: it is being unlinked, its pages should go with its last mapping. */
    void forget(String name) {
        for (int i = 0; i < CAPACITY; i++) {
            if (name.equals(names[i])) {
                names[i] = null;
                chunks[i] = null;
            }
        }
    }
}
