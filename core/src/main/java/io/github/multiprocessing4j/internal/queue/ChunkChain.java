package io.github.multiprocessing4j.internal.queue;

import io.github.multiprocessing4j.internal.shm.SegmentSpace;
import io.github.multiprocessing4j.internal.shm.SharedSegment;

import java.util.ArrayList;
import java.util.List;

import static io.github.multiprocessing4j.internal.queue.QueueDescriptor.DRAINED_AT;
import static io.github.multiprocessing4j.internal.queue.QueueDescriptor.HEAD;
import static io.github.multiprocessing4j.internal.queue.QueueDescriptor.HEAD_NAMES;
import static io.github.multiprocessing4j.internal.queue.QueueDescriptor.NAME_SLOT;
import static io.github.multiprocessing4j.internal.queue.QueueDescriptor.SPARE;
import static io.github.multiprocessing4j.internal.queue.QueueDescriptor.SPARE_NAMES;
import static io.github.multiprocessing4j.internal.queue.QueueDescriptor.TAIL_NAMES;
import static io.github.multiprocessing4j.internal.queue.QueueDescriptor.position;

/**
 * The chunk segments of one {@link ByteQueue}, as one process sees them: which segment is chunk
 * number n at the tail and at the head, making the next tail chunk, and retiring a drained head
 * chunk. The records inside the chunks are the queue's business.
 *
 * <p>Implementation notes. Chunks are numbered from 0 in the order the tail reaches them. The
 * header names the current and next chunk of each end ({@link QueueDescriptor}: slot n % 2 holds
 * n and the segment name); a name is written before the end moves to its chunk, in the slot the
 * current chunk does not use, so whoever holds the end's lock next finds the current chunk's
 * name whatever the previous holder died doing. The tail side is used under the put lock, the
 * head side under the get lock.
 *
 * <p>Chunk 0, the first, is small ({@link ByteQueue#FIRST_CHUNK_BYTES}, so that a queue that stays
 * small costs little) and lives in the header's segment, after the header
 * ({@link QueueDescriptor#FIRST_CHUNK}); the slots name it by the header's own name. So a new
 * queue is one file, not two: each file costs its maker a creation, a reservation of its pages and
 * a mapping, and its remover an unlink (measured on the 2-core development VM, a queue made, given
 * an item, taken and closed, once compiled: 104-138 µs with the first chunk in a file of its own,
 * 81-115 with it in the header's). Once drained it is neither a spare nor removed (its pages go
 * with the header's), and the queue goes on in standard chunks.
 *
 * <p>A drained chunk becomes a spare when there are fewer than {@link #MAX_SPARES} and, for a
 * chunk made for a large item, the large spares stay within their bytes
 * ({@link #maxLargeSpareBytes}), else its segment is removed. The
 * spares are a stack: the header's spare word (changed under the put lock) says how many there
 * are, how many pages the large ones hold and which of its two name fields names the top one,
 * each spare names the one below it. A chunk made for a large item is kept so, with some room to
 * spare ({@link #LARGE_CHUNK_HEADROOM}), so that a stream of large items of about one size reuses
 * the same few chunks: a large item's new chunk costs a page fault per page, in the producer and
 * again in each consumer (on the 2-core development VM, 8 MiB items moved at 250-480 MB/s, each
 * chunk's making and its first reading taking about 19 ms apiece; reusing the chunks, 520-1,360
 * MB/s). A new chunk takes the top spare when it is large enough (a standard one always is),
 * removing those on top that are too small. A push or a pop writes the new top's name in the
 * field the word does not use, then the word: the one store that makes the change, so a process
 * killed at any step leaves a stack whose every spare is named (when a pop's store came before the death,
 * the chunk it took is named in a tail slot, and the tail's repair removes it).
 * The next chunk switch reuses the top spare, so a steady stream cycles through the same few
 * segments without creating files. A chunk is never both a spare and removed: the top spare is
 * checked before a segment is removed. A consumer that finds the put lock held when it would
 * retire a chunk leaves it named in its head slot until its next switch, which must retire it
 * before it reuses the slot: a producer holds the put lock for milliseconds while it makes a new
 * chunk (allocating and mapping a MiB of fresh memory), and the consumer need not wait for that
 * between two items.
 * What a process killed at any step leaves behind:
 * <ul>
 * <li>making the next tail chunk: its name is in the tail slot before the segment exists (or
 *     before the spare word lets go of it), so {@link #removeUnlinkedTailChunk} finds it;</li>
 * <li>following a link at the head: the next chunk is named before the head moves, and the
 *     drained chunk's slot is marked retired only after it was kept or removed, so the next
 *     consumer to follow a link retires it again ({@link #followHeadLink}).</li>
 * </ul>
 * This process's mapping of the current chunk of each end is kept, so that a put or take
 * attaches a segment only when its end changes chunk; and the last few standard chunks each end
 * mapped stay mapped ({@link ChunkMappings}), so that the spare, when it comes round again, is
 * written and read without a page fault.
 *
 * <p>Every chunk's pages are allocated when it is made, so a full {@code /dev/shm} is an
 * exception there and never a SIGBUS at a later write. A chunk made after the queue's creation
 * never fails for want of shared memory: it is spilled to the tree's directory on disk
 * ({@link SharedSegment#createSpillable}), mapped and used the same way, so that {@code put()}
 * goes on while the disk has room, as CPython's does while the producer's memory has. A spilled
 * chunk is never kept as a spare: once drained it is removed, and the chunk after it is made
 * in shared memory again if there is room by then. An unbounded queue's first chunk may spill
 * too; a bounded queue's is made in shared memory or its constructor fails.
 */
final class ChunkChain {
    private static final int PAGE = 4096;
    /**
     * Drained standard chunks kept for reuse, at most: a queue that holds a few chunks' worth of
     * items (a bounded queue of 1,000 items of 4 KiB holds four) cycles through the same
     * segments, already mapped and paged in, instead of making a file per chunk switch and
     * faulting in each of its pages.
     */
    static final int MAX_SPARES = 8;
    /**
     * Bytes the spares made for large items may hold in all, beside the standard ones: where
     * shared memory is roomy, three chunks of items of 8 MiB, which a stream of them through a
     * queue bounded at four needs (with room for one, 16 MiB, it moved 350-410 MB/s against
     * 550-1,460, and a pool's map over 8 MiB arguments took 146-153 ms a call against 26-79); fitted
     * to a smaller directory as the chunks are ({@link SegmentSpace#fittedChunkSize}). Counted
     * apart from the standard spares: counted with them, a pool's channel of 4 MiB chunks kept
     * six 8 MiB chunks idle after such a map (59 MiB in all against 42 now, and 20 before large
     * chunks were kept).
     */
    static final int LARGE_SPARE_BYTES = 32 << 20;
    /**
     * A large item's chunk is this fraction larger than the item needs (1/16), so that the next
     * item of about its size fits it when it comes round as a spare.
     */
    static final int LARGE_CHUNK_HEADROOM = 16;
    /** The spare word: bit 0 says which name field names the top spare, the next 7 how many, the rest how many pages the large ones hold. */
    private static final int SPARE_COUNT_SHIFT = 1;
    private static final int SPARE_PAGES_SHIFT = 8;
    /** Where a spare chunk names the spare below it (over its first record, unused while it is spare). */
    private static final int SPARE_BELOW = 8;

    private final SharedSegment header;
    /** Chunk 0, in the header's segment; made when first used. */
    private SharedSegment firstChunk;
    private final int chunkSize;
    /** The put lock, which guards the spares. */
    private final TailLock tailLock;
    private long tailChunkNumber = -1;
    private SharedSegment tailChunk;
    private long headChunkNumber = -1;
    private SharedSegment headChunk;
    /** The chunks the tail side mapped last (under the put lock), kept mapped for their next turn. */
    private final ChunkMappings tailMappings;
    /** The same for the head side (under the get lock). */
    private final ChunkMappings headMappings;

    /**
     * The queue's put lock, as the head side takes it to keep a drained chunk as the spare. An
     * interface that the queue implements with a class of its own, not three method references:
     * a child maps the queues its target captured before the target's first line, and there each
     * lambda or method reference first linked costs the interpreter about a millisecond.
     */
    interface TailLock {
        /** Takes the lock, waiting; repairs the tail when it takes the lock over from a dead holder. */
        void lock();

        /** @return whether the lock was free and is now held */
        boolean tryLock();

        void unlock();
    }

    ChunkChain(SharedSegment header, int chunkSize, TailLock tailLock) {
        this.header = header;
        this.chunkSize = chunkSize;
        this.tailLock = tailLock;
        this.tailMappings = new ChunkMappings(header.treeId(), chunkSize);
        this.headMappings = new ChunkMappings(header.treeId(), chunkSize);
    }

    /** @return the most bytes the spares made for large items hold */
    static long maxLargeSpareBytes() {
        return SegmentSpace.fittedChunkSize(LARGE_SPARE_BYTES);
    }

    /**
     * Names chunk 0 of a new queue at both ends: the rest of the header's segment, from
     * {@link QueueDescriptor#FIRST_CHUNK}, named by the header's own name (see the class notes).
     */
    static void nameFirstChunk(SharedSegment header) {
        writeNameSlot(header, TAIL_NAMES, 0, header.name());
        writeNameSlot(header, HEAD_NAMES, 0, header.name());
    }

    /**
     * @return chunk {@code name}, mapped: the first chunk is a slice of the header's segment,
     *     another one is attached through {@code mappings}
     * @throws IllegalStateException when there is no such segment (see {@link SharedSegment#attach})
     */
    private SharedSegment attachChunk(String name, ChunkMappings mappings) {
        return isFirstChunk(name) ? firstChunk() : mappings.attach(name);
    }

    private boolean isFirstChunk(String name) {
        return name.equals(header.name());
    }

    private SharedSegment firstChunk() {
        if (firstChunk == null) {
            firstChunk = firstChunkOf(header);
        }
        return firstChunk;
    }

    private static SharedSegment firstChunkOf(SharedSegment header) {
        return header.slice(QueueDescriptor.FIRST_CHUNK, header.size() - QueueDescriptor.FIRST_CHUNK);
    }

    /**
     * @return chunk {@code name} of the queue whose header this is, mapped anew (the first chunk:
     *     a slice of the header's segment)
     * @throws IllegalStateException when there is no such segment (see {@link SharedSegment#attach})
     */
    static SharedSegment attachNamed(SharedSegment header, String name) {
        return name.equals(header.name()) ? firstChunkOf(header) : SharedSegment.attach(header.treeId(), name);
    }

    /** Removes chunk {@code name}'s segment; the first chunk has none of its own (it goes with the header). */
    private void removeChunk(String name) {
        if (!isFirstChunk(name)) {
            SharedSegment.unlink(header.treeId(), name);
        }
    }

    /** @return tail chunk {@code number} (under the put lock) */
    SharedSegment tailChunk(long number) {
        if (tailChunk == null || tailChunkNumber != number) {
            tailChunk = chunkNamedIn(TAIL_NAMES, number, tailMappings);
            tailChunkNumber = number;
        }
        return tailChunk;
    }

    /** @return head chunk {@code number} (under the get lock) */
    SharedSegment headChunk(long number) {
        if (headChunk == null || headChunkNumber != number) {
            headChunk = chunkNamedIn(HEAD_NAMES, number, headMappings);
            headChunkNumber = number;
        }
        return headChunk;
    }

    /**
     * Makes tail chunk {@code number}, of at least {@code minimum} bytes: the top spare when it is
     * large enough, else a new segment (with {@link #LARGE_CHUNK_HEADROOM} for a large item). Its
     * name goes into the tail-name slot first (see the class notes). Under the put lock; the
     * caller links it from the current chunk.
     *
     * @throws IllegalArgumentException when {@code minimum} is over 2 GiB
     * @throws java.io.UncheckedIOException when neither shared memory nor the spill directory has
     *     room for it; the queue is unchanged (the name left in the tail slot names no file)
     */
    SharedSegment newTailChunk(long number, long minimum) {
        if (pagesFor(minimum) * PAGE > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("an item of " + minimum + " bytes is too large for a queue (2 GiB at most)");
        }
        long size = newChunkSize(minimum);
        SharedSegment chunk = takeSpare(number, minimum);
        if (chunk == null) {
            String name = SharedSegment.reserveName("qchunk");
            writeNameSlot(header, TAIL_NAMES, number, name);
            chunk = SharedSegment.createNamedSpillable(name, size);
            chunk.touchPages(); // the appends fault no more: see touchPages
            tailMappings.remember(chunk);
        }
        tailChunk = chunk;
        tailChunkNumber = number;
        return chunk;
    }

    /** @return the size of a chunk made for {@code minimum} bytes: a standard one, or a large item's with its headroom */
    private long newChunkSize(long minimum) {
        return minimum <= chunkSize ? chunkSize
                : Math.min(pagesFor(minimum + minimum / LARGE_CHUNK_HEADROOM), Integer.MAX_VALUE / PAGE) * PAGE;
    }

    /**
     * @return the lead (chunks from the head's to the tail's) from which a put that is about to
     *     make a chunk for {@code minimum} bytes, with no spare there, paces: {@code standardLead}
     *     for a standard chunk; for a large item's, at most as many as the large spares can hold
     *     less two (the head's chunk, and a drained one whose retiring was put off), at least 1:
     *     then every chunk of a stream of such items is kept once drained (see {@code ByteQueue}'s
     *     pacing). A put makes a chunk beyond that only when the consumers stall.
     */
    long pacingLead(long minimum, long standardLead) {
        long size = newChunkSize(minimum);
        if (size == chunkSize) {
            return standardLead;
        }
        long keepable = Math.min(MAX_SPARES, maxLargeSpareBytes() / size);
        return Math.max(1, Math.min(standardLead, keepable - 2));
    }

    /**
     * Takes the top spare for tail chunk {@code number} when it holds {@code minimum} bytes; a
     * smaller one on top is removed, and the next looked at. A large item does not give up on the
     * spares for one small chunk on top: a pool's messages of one and of two large tasks (8 and 16
     * MiB) alternated, and left the spare that fitted under one that did not.
     *
     * @return the chunk, or null when no spare holds {@code minimum} bytes (none is left then)
     */
    private SharedSegment takeSpare(long number, long minimum) {
        while (spareCount(header) > 0) {
            String spare = topSpareName(header);
            writeNameSlot(header, TAIL_NAMES, number, spare);
            SharedSegment chunk = attachChunk(spare, tailMappings);
            // only now: until its name is in the tail slot, the spare word names it
            popSpare(chunk);
            if (chunk.size() >= minimum) {
                return chunk;
            }
            tailMappings.forget(spare); // named in the tail slot until the next one is: a death now leaves it to the tail's repair
            removeChunk(spare);
        }
        return null;
    }

    /**
     * Removes tail chunk {@code number} when it was made and never linked (its maker died): nobody
     * else knows it. Under the put lock, with the tail in chunk {@code number - 1}.
     */
    void removeUnlinkedTailChunk(long number) {
        int slot = nameSlot(TAIL_NAMES, number);
        if (header.getLongVolatile(slot) != number) {
            return;
        }
        String orphan = SegmentNames.read(header, slot + 8);
        header.setLongVolatile(slot, -1);
        tailMappings.forget(orphan);
        if (!isSpare(orphan)) {
            removeChunk(orphan);
        }
    }

    /**
     * Moves the head from drained chunk {@code number} to the next one, named {@code nextName} by
     * the link record that ends {@code chunk}, and retires the drained chunk. Under the get lock.
     *
     * @return the next chunk
     */
    SharedSegment followHeadLink(long number, SharedSegment chunk, String nextName) {
        // put off at the last switch, or left by a consumer that died: its slot is needed now
        retireNamedIn(nameSlot(HEAD_NAMES, number + 1), number - 1, null, false);
        writeNameSlot(header, HEAD_NAMES, number + 1, nextName);
        header.setLongVolatile(HEAD, position(number + 1, 0));
        headChunk = attachChunk(nextName, headMappings);
        headChunkNumber = number + 1;
        header.setLongRelease(DRAINED_AT, System.nanoTime()); // CLOCK_MONOTONIC: every process's clock
        retireNamedIn(nameSlot(HEAD_NAMES, number), number, chunk, true);
        return headChunk;
    }

    /** Removes every chunk segment the header names (the queue is closed and empty). */
    void removeAll() {
        removeSpares(); // first: a spare may still be named in a head slot, and each spare names the next
        List<String> removed = new ArrayList<>(4);
        for (int base : new int[] {TAIL_NAMES, HEAD_NAMES}) {
            for (int slot = 0; slot < 2; slot++) {
                int at = base + slot * NAME_SLOT;
                // a slot retired, or whose writer died writing it, says -1
                if (header.getLongVolatile(at) >= 0 && header.getIntVolatile(at + 8) > 0) {
                    String name = SegmentNames.read(header, at + 8);
                    if (!removed.contains(name)) { // the chunk both ends are in is named twice
                        removeChunk(name);
                        removed.add(name);
                    }
                }
            }
        }
        tailMappings.clear();
        headMappings.clear();
    }

    /**
     * Retires the drained chunk {@code number} named in head-name slot {@code slot}, unless that
     * was done already: it becomes a spare when it is in shared memory, not smaller than a
     * standard one, and there is room among the spares, else it is removed. The slot is marked
     * retired last (see the class notes).
     *
     * @param mayPutOff whether to leave the chunk for the next switch when a producer holds the
     *     put lock (see the class notes)
     */
    private void retireNamedIn(int slot, long number, SharedSegment chunk, boolean mayPutOff) {
        if (number < 0 || header.getLongVolatile(slot) != number) {
            return;
        }
        String name = SegmentNames.read(header, slot + 8);
        if (chunk == null) {
            try {
                chunk = attachNamed(header, name);
            } catch (IllegalStateException removedAlready) {
                header.setLongVolatile(slot, -1);
                return;
            }
        }
        boolean kept = false;
        if (!chunk.spilled() && chunk.size() >= chunkSize && !isFirstChunk(name)) { // the first lives in the header
            if (mayPutOff) {
                if (!tailLock.tryLock()) {
                    return;
                }
            } else {
                tailLock.lock();
            }
            try {
                if (isSpare(name)) {
                    kept = true;
                } else if (spareCount(header) < MAX_SPARES
                        && largeSpareBytes(header) + largeBytes(chunk) <= maxLargeSpareBytes()) {
                    pushSpare(name, chunk);
                    kept = true;
                }
            } finally {
                tailLock.unlock();
            }
        }
        if (!kept) {
            headMappings.forget(name);
            removeChunk(name);
        }
        header.setLongVolatile(slot, -1);
    }

    /** @return whether chunk {@code name} is the top spare (under the put lock) */
    private boolean isSpare(String name) {
        return spareCount(header) > 0 && topSpareName(header).equals(name);
    }

    /** @return how many spare chunks the queue whose header this is keeps */
    static long spareCount(SharedSegment header) {
        return header.getLongVolatile(SPARE) >>> SPARE_COUNT_SHIFT & (1 << SPARE_PAGES_SHIFT - SPARE_COUNT_SHIFT) - 1;
    }

    /** @return how many bytes the spare chunks made for large items of the queue whose header this is hold */
    static long largeSpareBytes(SharedSegment header) {
        return (header.getLongVolatile(SPARE) >>> SPARE_PAGES_SHIFT) * PAGE;
    }

    private static long pagesFor(long bytes) {
        return (bytes + PAGE - 1) / PAGE;
    }

    /** @return the name of the top spare chunk; meaningful only while {@link #spareCount} is not 0 */
    static String topSpareName(SharedSegment header) {
        return SegmentNames.read(header, spareNameField(header.getLongVolatile(SPARE) & 1));
    }

    /** @return where name field {@code which} (0 or 1, the spare word's low bit) of the header is */
    private static int spareNameField(long which) {
        return SPARE_NAMES + (int) which * SegmentNames.FIELD_SIZE;
    }

    /**
     * Puts drained chunk {@code name} on top of the spares (under the put lock, with room for it
     * there). The spare below is named in the chunk itself, before the chunk is a spare.
     */
    private void pushSpare(String name, SharedSegment chunk) {
        long spares = spareCount(header);
        if (spares > 0) {
            SegmentNames.write(chunk, SPARE_BELOW, topSpareName(header));
        }
        setSpares(spares + 1, largeSpareBytes(header) + largeBytes(chunk), name);
    }

    /**
     * Takes the top spare, {@code chunk}, off the spares (under the put lock, its name already in
     * a tail slot): the one below, read from the chunk before the chunk is written again, becomes
     * the top.
     */
    private void popSpare(SharedSegment chunk) {
        long spares = spareCount(header);
        setSpares(spares - 1, largeSpareBytes(header) - largeBytes(chunk), spares > 1 ? SegmentNames.read(chunk, SPARE_BELOW) : null);
    }

    /** @return the bytes of {@code chunk} when it was made for a large item, else 0 */
    private long largeBytes(SharedSegment chunk) {
        return chunk.size() == chunkSize ? 0 : chunk.size();
    }

    /**
     * Makes the spares {@code count} chunks, those made for large items {@code largeBytes} in
     * all, {@code top} the top one (null when none): its name in the name field the spare word
     * does not use, then the word, one store (see the class notes).
     */
    private void setSpares(long count, long largeBytes, String top) {
        long unused = (header.getLongVolatile(SPARE) & 1) ^ 1;
        if (top != null) {
            SegmentNames.write(header, spareNameField(unused), top);
        }
        CrashPoint.SPARES_NAMED.reach();
        header.setLongVolatile(SPARE, largeBytes / PAGE << SPARE_PAGES_SHIFT | count << SPARE_COUNT_SHIFT | unused);
    }

    /** Removes every spare (the queue is closed and empty). */
    private void removeSpares() {
        long spares = spareCount(header);
        String name = spares > 0 ? topSpareName(header) : null;
        setSpares(0, 0, null);
        for (long left = spares; left > 0 && name != null; left--) {
            String below = null;
            if (left > 1) {
                try {
                    below = SegmentNames.read(attachChunk(name, tailMappings), SPARE_BELOW);
                } catch (IllegalStateException gone) {
                    // removed already: the ones below are the tree's to remove
                }
            }
            removeChunk(name);
            name = below;
        }
    }

    private SharedSegment chunkNamedIn(int base, long number, ChunkMappings mappings) {
        int slot = nameSlot(base, number);
        if (header.getLongVolatile(slot) != number) {
            throw new IllegalStateException("queue " + header.name() + " is damaged: chunk " + number + " is not named");
        }
        return attachChunk(SegmentNames.read(header, slot + 8), mappings);
    }

    private static int nameSlot(int base, long number) {
        return base + (int) (number & 1) * NAME_SLOT;
    }

    private static void writeNameSlot(SharedSegment header, int base, long number, String name) {
        int slot = nameSlot(base, number);
        header.setLongVolatile(slot, -1);
        SegmentNames.write(header, slot + 8, name);
        header.setLongVolatile(slot, number);
    }
}
