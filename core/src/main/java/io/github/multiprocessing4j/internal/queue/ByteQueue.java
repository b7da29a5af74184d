package io.github.multiprocessing4j.internal.queue;

import io.github.multiprocessing4j.internal.events.FlightEvents;
import io.github.multiprocessing4j.internal.events.QueuePutBlockedEvent;
import io.github.multiprocessing4j.internal.serial.Wire;
import io.github.multiprocessing4j.internal.shm.SegmentSpace;
import io.github.multiprocessing4j.internal.shm.SharedSegment;
import io.github.multiprocessing4j.internal.sync.RobustMutex;
import io.github.multiprocessing4j.internal.sync.Wait;
import io.github.multiprocessing4j.internal.sync.WaiterBoard;
import io.github.multiprocessing4j.internal.util.Log;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;

import static io.github.multiprocessing4j.internal.queue.ChunkDescriptor.ITEM;
import static io.github.multiprocessing4j.internal.queue.ChunkDescriptor.ITEM_NUMBER;
import static io.github.multiprocessing4j.internal.queue.ChunkDescriptor.LENGTH;
import static io.github.multiprocessing4j.internal.queue.ChunkDescriptor.LINK;
import static io.github.multiprocessing4j.internal.queue.ChunkDescriptor.LINK_SIZE;
import static io.github.multiprocessing4j.internal.queue.ChunkDescriptor.PAYLOAD;
import static io.github.multiprocessing4j.internal.queue.ChunkDescriptor.STAMP;
import static io.github.multiprocessing4j.internal.queue.ChunkDescriptor.recordSize;
import static io.github.multiprocessing4j.internal.queue.ChunkDescriptor.stamp;
import static io.github.multiprocessing4j.internal.queue.QueueDescriptor.CHUNK_SIZE;
import static io.github.multiprocessing4j.internal.queue.QueueDescriptor.CLOSED;
import static io.github.multiprocessing4j.internal.queue.QueueDescriptor.DRAINED_AT;
import static io.github.multiprocessing4j.internal.queue.QueueDescriptor.FIRST_RESERVED;
import static io.github.multiprocessing4j.internal.queue.QueueDescriptor.GET_COUNT;
import static io.github.multiprocessing4j.internal.queue.QueueDescriptor.GET_LOCK;
import static io.github.multiprocessing4j.internal.queue.QueueDescriptor.HEAD;
import static io.github.multiprocessing4j.internal.queue.QueueDescriptor.MAX_SIZE;
import static io.github.multiprocessing4j.internal.queue.QueueDescriptor.PUT_COUNT;
import static io.github.multiprocessing4j.internal.queue.QueueDescriptor.PUT_LOCK;
import static io.github.multiprocessing4j.internal.queue.QueueDescriptor.REQUEUE_DROPPED;
import static io.github.multiprocessing4j.internal.queue.QueueDescriptor.REQUEUE_KEPT;
import static io.github.multiprocessing4j.internal.queue.QueueDescriptor.REQUEUE_MARK;
import static io.github.multiprocessing4j.internal.queue.QueueDescriptor.REQUEUE_UNDER_WAY;
import static io.github.multiprocessing4j.internal.queue.QueueDescriptor.STATE;
import static io.github.multiprocessing4j.internal.queue.QueueDescriptor.TAIL;
import static io.github.multiprocessing4j.internal.queue.QueueDescriptor.chunkOf;
import static io.github.multiprocessing4j.internal.queue.QueueDescriptor.offsetOf;
import static io.github.multiprocessing4j.internal.queue.QueueDescriptor.position;

/**
 * A first-in first-out queue of byte strings in shared memory, for any number of producer and
 * consumer processes and threads: what every queue and pipe of the library is made of. It moves
 * bytes only: a put writes its item with the caller's {@link RecordWriter}, a take reads it with
 * the caller's {@link RecordReader} ({@link DirectItemRecord} for the items of the public queues).
 *
 * <p>Implementation notes. Items are records appended to a chain of chunk segments
 * ({@link ChunkDescriptor}); the header ({@link QueueDescriptor}) holds the tail (where the next
 * item goes), the head (where the next item is read), the counts and the names of the current
 * chunks. Producers take turns under the put lock, consumers under the get lock, so one producer
 * and one consumer never contend for a lock; both locks are {@link RobustMutex}es, taken over
 * when their holder dies. An item whose chunk is full goes into a new chunk (as large as the item
 * needs), linked from the old one; which segments make up the chain, and how a drained chunk is
 * recycled, is {@link ChunkChain}'s part. An unbounded queue therefore never blocks
 * {@code put()}, and the memory it uses is what it holds.
 *
 * <p>A record exists once its stamp (chunk number and kind) is written, last, with release
 * semantics; the put count and the tail move after it. The stamp slot at the tail always holds 0
 * or a record of the current chunk: a reused chunk is full of old bytes, any of which could look
 * like a stamp, so an append zeroes the next record's stamp slot (there is always room: a chunk
 * keeps room for a link) before it publishes its own, and a chunk's first slot is zeroed before
 * the chunk is linked. Whatever a producer dies doing, the process that takes the put lock over
 * from it makes the tail consistent ({@link #repairTail}): a record that was complete is kept and
 * counted, a half-written one is overwritten (it never matched a stamp, so no consumer read it),
 * a link that was written is followed, a chunk that was made but not linked is removed
 * (TailRepairTest makes each of these states). An append that throws is repaired the same way
 * before its exception goes on, so a put lock released by its holder always guards a consistent
 * tail and a put pays for no repair. A consumer copies the item out, then writes the get count
 * (the item's number + 1), then moves the head: a consumer that dies before the count leaves the
 * item for the next one; one that dies after it took the item with it, and the next consumer
 * steps over the record (its number is below the get count). The counts are exact while no
 * process is dead half-way.
 *
 * <p>An item given back by a joinable queue's recovery ({@link #requeue}) is marked in the
 * header while its put is under way; the tail repair turns a mark left by a putter that died
 * into "kept" or "dropped" (whether it counted the item), so that the recovery can tell, with
 * {@link #requeueKept}, whether to give the item back again (see {@link JoinableState}). The
 * named steps of these sequences are {@link CrashPoint}s, where a test makes the process die.
 *
 * <p>Waiting polls ({@link Wait}): a consumer waits for the put count to pass the get count, a
 * producer of a bounded queue for the difference to drop below the bound. A waiting consumer
 * also takes the put lock over from a dead producer, so that an item it completed does not wait
 * for the next producer to be counted. A wait that has lasted half a second (whose looks come
 * every 20 ms) sits on the header's board of takers or putters ({@link WaiterBoard}), and each
 * put, take of a bounded queue and close rings the processes seated there, whose waits then look
 * at once: a consumer that waited a second saw an item about 10 ms late on average before.
 *
 * <p>Each side reads the other's count only when the value it saw last does not already answer:
 * counts only grow, so a put count seen before that is above the get count means an item is
 * there, and a get count seen before that leaves room below the bound means room is there. The
 * line a count lives on is written by the other side at every item; read at every item too, it
 * would travel between the processors twice per item, and slow both sides while a consumer is
 * behind (measured on the 2-core development VM: a consumer reading a backlog of 10,000-40,000
 * ints took them at ~2.5M a second while the producer was still putting, ~7M once it stopped).
 * The stamps, not the counts, say where a record is, so a count seen late costs only a look.
 *
 * <p>Pacing. A producer that runs ahead of busy consumers would hold its whole lead in new
 * chunks (an unbounded queue's, or a bounded one's whose bound holds many chunks' worth of
 * items), and new memory is slow: each chunk's pages are allocated, then
 * faulted into the producer's and each consumer's page tables (on the 2-core development VM a
 * fresh MiB used once costs about 10 ms in all against 0.1 ms for a chunk already mapped, so
 * 4 KiB items moved at 100 MB/s instead of the 800 MB/s of a queue that reuses its chunks). So a
 * put that is about to make a new chunk while {@link #PACING_BACKLOG_CHUNKS} chunks or more wait
 * to be read, and no drained chunk is spare, first gives the consumers a moment to drain one:
 * it finds so under the put lock ({@link #mustPaceBeforeAppending}: the put that makes the chunk
 * is the one that paces) and waits without it ({@link #awaitConsumers}), then appends, reusing
 * the chunk drained meanwhile. Only
 * when the consumers drain: one of them left a drained chunk within the last
 * {@link #CONSUMERS_ACTIVE_NANOS} (the header's "drained at"), so a put never waits for a consumer
 * that is yet to come or has stopped. The pause ends as soon as a spare is there or the lead is
 * shorter, when the consumers have taken nothing for {@link #CONSUMERS_STALLED_NANOS}, and after
 * {@link #PACING_MAX_NANOS} at most; a put that finds the room taken by another producer when it
 * has the lock again paces again, within the same {@link #PACING_MAX_NANOS}. An unbounded queue
 * stays unbounded: a put is never refused and waits for no one who is not working, and the
 * shared memory the lead takes stays a few chunks while consumers keep up. A bounded queue paces
 * only a put that may wait for ever (a timed put keeps its timeout exact).
 * A large item's chunk holds that item alone, and the spares keep only a few such chunks
 * ({@link ChunkChain#maxLargeSpareBytes}): its put paces from a shorter lead
 * ({@link ChunkChain#pacingLead}), so that every chunk of a stream of large items (its lead, the
 * head's, one whose retiring a consumer put off) is kept once drained and reused by the next
 * burst. With the lead of standard chunks, a pool's map returning sixteen 8 MiB arrays, called
 * again and again, made two or three new 8.5 MiB chunks a call and removed as many as it drained
 * (measured on the 2-core development VM, 8 programs each alternated, the medians of their three
 * calls after a first: about 1,550 MB/s against 2,150 with the shorter lead, which made three
 * chunks in all).
 */
public final class ByteQueue implements Serializable {
    private static final long serialVersionUID = 1L;
    /** Bytes of a standard chunk where shared memory has room ({@link #standardChunkSize()}). */
    public static final int DEFAULT_CHUNK_SIZE = 1 << 20;

    /**
     * Bytes of a queue's first chunk at most: the shared memory a queue reserves (zeros written)
     * when it is made, and holds until its items need more. Measured on the 2-core development VM
     * on 2026-12-06, against first chunks of a standard size: a queue made, given one item, taken
     * and closed, 175 µs against 554 (CPython's {@code Queue()}: 500-565); a duplex pipe the same way
     * 370-415 µs against 1,150; a pool's constructor, whose three channels reserved 12 MiB, 10 ms
     * against 21 in a JVM that had made pools before. Streams of items did not move (new children's
     * queues 1 to 1 and 2 to 2, ints, 64 B and 4 KiB, and a pipe's 4 KiB, six runs of each
     * interleaved): a stream makes the standard chunks it would have made anyway, one more at most.
     */
    public static final int FIRST_CHUNK_BYTES = 64 << 10;

    /**
     * Bytes of the first chunk whose pages a new queue allocates; a put allocates more as the
     * tail comes to need them, doubling what is allocated each time ({@link #firstChunkHolds}), so
     * a stream through a first chunk of 64 KiB allocates four times. Zeros written into fresh
     * shared memory were a third of what a duplex pipe made, used once and closed cost once
     * compiled: measured on the 2-core development VM, 3 programs each way alternated, 144-229 µs
     * with the whole first chunks allocated, 96-99 with their first pages.
     */
    static final int FIRST_CHUNK_RESERVED = 4096;
    private static final int PAGE = 4096;
    /** What {@link #reopen} zeroes headers with. */
    private static final byte[] ZEROS = new byte[PAGE];

    /** How a put writes an item as the bytes of its record (see {@link #put}). */
    public interface RecordWriter<T> {
        /** @return how many bytes {@code item} takes */
        int length(T item);

        /** Writes the {@link #length} bytes of {@code item} at {@code offset} of {@code segment}. */
        void write(T item, SharedSegment segment, int offset);
    }

    /** How a take reads the record it takes out of shared memory, under the get lock (see {@link #take}). */
    public interface RecordReader<T> {
        /**
         * @param segment the chunk holding the record's bytes, valid only during this call
         * @param offset where the bytes start
         * @param length how many there are
         * @param itemNumber the item's number in the queue, from 0
         * @return the item, not null; may throw to refuse the take, which then does not happen
         */
        T read(SharedSegment segment, int offset, int length, long itemNumber);
    }

    /** The file the queue lives in (what travels): its own, or one it shares ({@link #createPair}). */
    private final SharedSegment segment;
    /** Where the queue's header starts in {@link #segment}, and the bytes from there that are the queue's. */
    private final int at;
    private final int length;
    /**
     * Whether the file is its host's to remove, not the queue's (a pipe's: {@link #createPair});
     * the queue then removes only the chunks it made.
     */
    private final boolean hosted;
    /** The queue's part of {@link #segment}: the segment itself, or a slice of it. */
    private transient SharedSegment header;
    private final long maxSize;
    private final int chunkSize;

    private transient RobustMutex putLock;
    private transient RobustMutex getLock;
    private transient ChunkChain chunks;
    /** Who waits long for an item, and for room: rung by a put and by a take. */
    private transient WaiterBoard takers;
    private transient WaiterBoard putters;
    /** The last waiting take's attempts (see {@link WaitingTake}); any thread may replace it. */
    private transient volatile WaitingTake<?> lastWaitingTake;
    /**
     * The put count as a consumer of this process last read it: a lower bound of it (counts only
     * grow), so a take that finds the get count below it knows an item was put without reading
     * the producers' line (see the class notes). Any thread may write it, an older value too.
     */
    private transient volatile long putCountSeen;
    /** The get count as a producer of this process last read it: a lower bound of it, the same way. */
    private transient volatile long getCountSeen;
    /**
     * Set once this handle's file went on to hold another queue ({@link #retire}): the handle is
     * then closed for good, whatever the header says, and takes nothing from it.
     */
    private transient volatile boolean retired;
    /** Told when this handle sees the queue fed every so often ({@link #watchIdleFeeds}); null for nobody. */
    private transient volatile Runnable idleFeedWatcher;
    /*
     * What a handle remembers for its watcher (watchIdleFeeds): the put count at its last
     * ring of a seated taker and when that was, the get count after its last long wait, and
     * whether that take saw an idle feed, which the handle's next wait tells. Any thread of the
     * process may write them: a lost update only adds or drops a notice.
     */
    private transient long putsAtLastRing;
    private transient long lastRingNanos;
    private transient long takesAtLastLongWait;
    private transient boolean idleTakeSeen;

    private ByteQueue(SharedSegment segment, int at, int length, boolean hosted, long maxSize, int chunkSize) {
        this.segment = segment;
        this.at = at;
        this.length = length;
        this.hosted = hosted;
        this.maxSize = maxSize;
        this.chunkSize = chunkSize;
        init();
    }

    /** @return the chunk size of the library's queues and pipes: {@link #DEFAULT_CHUNK_SIZE}, less where shared memory is small */
    public static int standardChunkSize() {
        return SegmentSpace.fittedChunkSize(DEFAULT_CHUNK_SIZE);
    }

    /**
     * Creates a queue in the calling process's tree, its first chunk of at most
     * {@link #FIRST_CHUNK_BYTES}.
     *
     * @param maxSize items it holds before {@link #put} blocks; 0 for unbounded
     * @param chunkSize bytes of a standard chunk (a multiple of 4096)
     * @throws java.io.UncheckedIOException when a bounded queue finds no room in shared memory
     *     for its header and first chunk (an unbounded one spills to disk, as do a bounded one's
     *     later chunks: see {@link ChunkChain})
     */
    public static ByteQueue create(long maxSize, int chunkSize) {
        return create(maxSize, chunkSize, Math.min(chunkSize, FIRST_CHUNK_BYTES));
    }

    /**
     * {@link #create(long, int)} with a first chunk of {@code firstChunkSize} bytes (a multiple of
     * 4096, at most {@code chunkSize}), in the header's segment; once drained, the queue goes on in
     * standard chunks ({@link ChunkChain}).
     *
     * @throws IllegalArgumentException when {@code firstChunkSize} is larger than {@code chunkSize}
     */
    static ByteQueue create(long maxSize, int chunkSize, int firstChunkSize) {
        return createIn(1, maxSize, chunkSize, firstChunkSize, false)[0];
    }

    /**
     * Creates two unbounded queues in one file (a duplex pipe's two directions), each with a first
     * chunk of at most {@link #FIRST_CHUNK_BYTES}: one file to make, map and remove where two
     * queues would take two. The file is its host's to remove once both queues are done with (a
     * pipe's freeing: {@link PipeEnds#unlinkHost}): a queue of a pair removes only the chunks it
     * made, so that one direction's end does not take the other's with it. The file of a pair
     * this process freed is made new again when one is kept ({@link FreedPipeFiles}).
     *
     * @param chunkSize bytes of a standard chunk (a multiple of 4096)
     * @return the two queues; the first one's header starts the file
     * @throws java.io.UncheckedIOException when neither shared memory nor the spill directory
     *     has room for the file (unbounded queues spill to disk: see {@link ChunkChain})
     */
    public static ByteQueue[] createPair(int chunkSize) {
        return createHostedIn(2, chunkSize);
    }

    /**
     * Creates an unbounded queue whose file is its host's to remove, as a pair's queues are (a
     * one-way pipe's, whose freeing removes it: {@link PipeEnds#unlinkHost}): its close, even
     * empty, removes only the chunks it made, so that the receiving end still decodes after the
     * sending end's users are gone.
     *
     * @param chunkSize bytes of a standard chunk (a multiple of 4096)
     * @throws java.io.UncheckedIOException as {@link #createPair}
     */
    public static ByteQueue createHosted(int chunkSize) {
        return createHostedIn(1, chunkSize)[0];
    }

    /** @return {@code count} unbounded queues in one file, their host's to remove: a kept file's made new, or a new one's */
    private static ByteQueue[] createHostedIn(int count, int chunkSize) {
        ByteQueue[] reopened = FreedPipeFiles.take(count, chunkSize);
        return reopened != null ? reopened : createIn(count, 0, chunkSize, Math.min(chunkSize, FIRST_CHUNK_BYTES), true);
    }

    /** @return the chunk size the queue was made with */
    int chunkSize() {
        return chunkSize;
    }

    /**
     * Creates {@code count} queues in one file, each a header followed by its first chunk, the
     * pages of each one's header and first chunk page allocated.
     */
    private static ByteQueue[] createIn(int count, long maxSize, int chunkSize, int firstChunkSize, boolean hosted) {
        if (firstChunkSize > chunkSize) {
            throw new IllegalArgumentException("a first chunk of " + firstChunkSize + " bytes is larger than the standard "
                    + chunkSize);
        }
        boolean unbounded = maxSize == 0; // never refused for want of shared memory: spills to disk (ChunkChain)
        // the first chunk lives in the header's segment (ChunkChain): one file a queue, not two;
        // its pages are allocated as the tail comes to need them (firstChunkHolds)
        int length = QueueDescriptor.FIRST_CHUNK + firstChunkSize;
        SharedSegment segment = SharedSegment.createPartlyReserved("queue", count, length,
                QueueDescriptor.FIRST_CHUNK + FIRST_CHUNK_RESERVED, unbounded);
        ByteQueue[] queues = new ByteQueue[count];
        for (int i = 0; i < count; i++) {
            queues[i] = startIn(segment, i * length, length, hosted, maxSize, chunkSize, FIRST_CHUNK_RESERVED);
        }
        return queues;
    }

    /** @return a new queue over a zeroed header at {@code at} of {@code segment}, {@code reserved} bytes of its first chunk allocated */
    private static ByteQueue startIn(SharedSegment segment, int at, int length, boolean hosted, long maxSize, int chunkSize,
                                     long reserved) {
        ByteQueue queue = new ByteQueue(segment, at, length, hosted, maxSize, chunkSize); // reads no word yet
        queue.header.setLongVolatile(FIRST_RESERVED, reserved);
        queue.header.setLongVolatile(MAX_SIZE, maxSize);
        queue.header.setLongVolatile(CHUNK_SIZE, chunkSize);
        ChunkChain.nameFirstChunk(queue.header);
        return queue;
    }

    /**
     * Makes the queues of a freed pipe's file ({@link #createPair}, {@link #createHosted}) new
     * again, for another pipe: each header zeroed (with the bytes it hosts: the pipe's table of
     * ends) and its first chunk's first record slot, which is all a new queue reads before it
     * writes (see the class notes: an append zeroes the slot after its record before it
     * publishes), the pages already allocated kept so. The caller has {@linkplain #retire retired}
     * the old handles.
     *
     * @param file the file of {@code count} hosted queues that never left their first chunks
     * @param count how many queues the file holds: 2 for a pair, 1 for {@link #createHosted}'s
     * @param chunkSize the chunk size they were made with
     */
    static ByteQueue[] reopen(SharedSegment file, int count, int chunkSize) {
        int length = file.size() / count;
        ByteQueue[] queues = new ByteQueue[count];
        for (int i = 0; i < count; i++) {
            int at = i * length;
            long reserved = file.getLongVolatile(at + FIRST_RESERVED);
            for (int zeroed = 0; zeroed < QueueDescriptor.FIRST_CHUNK; zeroed += ZEROS.length) {
                file.putBytes(at + zeroed, ZEROS, 0, Math.min(ZEROS.length, QueueDescriptor.FIRST_CHUNK - zeroed));
            }
            file.setLongVolatile(at + QueueDescriptor.FIRST_CHUNK + STAMP, 0); // the stamp and length of record 0
            queues[i] = startIn(file, at, length, true, 0, chunkSize, reserved);
        }
        return queues;
    }

    /**
     * @return whether the queue never went past its first chunk, so that nothing of it lives
     *     outside its header's file (a drained first chunk is never a spare: see {@link ChunkChain})
     */
    boolean inFirstChunkOnly() {
        return chunkOf(header.getLongVolatile(TAIL)) == 0 && chunkOf(header.getLongVolatile(HEAD)) == 0
                && ChunkChain.spareCount(header) == 0;
    }

    /**
     * Closes this handle for good before its file holds another queue ({@link #reopen}): a put
     * or take under way in another thread of this process ends first (each lock is taken and
     * released), and every later one, and every wait at its next look, finds the queue closed
     * whatever the header says then. Only for a handle no other process has.
     */
    void retire() {
        retired = true;
        acquirePut();
        putLock.release();
        getLock.acquireUninterruptibly();
        getLock.release();
    }

    /**
     * @return whether {@code queues}, in this order, are every queue of one file of hosted queues
     *     ({@link #createPair}, {@link #createHosted}): what {@link #reopen} makes new
     */
    static boolean fillOneFile(ByteQueue... queues) {
        SharedSegment file = queues[0].segment;
        for (int i = 0; i < queues.length; i++) {
            ByteQueue queue = queues[i];
            if (!queue.hosted || queue.segment != file || queue.at != i * queue.length) {
                return false;
            }
        }
        return (long) queues.length * queues[0].length == file.size();
    }

    /**
     * Writes what names this queue, for a process of its tree to open it with {@link #readFrom}:
     * the direct encoding of what holds a queue (the library's queue handles, a pool worker's
     * channels), which JDK serialization would otherwise carry.
     *
     * <pre>
     *  segment ({@link Wire.Writer#putSegment}) | int at | int length | boolean hosted | long maxSize | int chunkSize
     * </pre>
     */
    public void writeTo(Wire.Writer out) {
        out.putSegment(segment);
        out.putInt(at).putInt(length).putBoolean(hosted);
        out.putLong(maxSize).putInt(chunkSize);
    }

    /**
     * @return the queue {@link #writeTo} wrote, as JDK deserialization of it would give it
     * @throws IllegalStateException when the queue no longer exists (removed, or its tree ended)
     */
    public static ByteQueue readFrom(Wire.Reader in) {
        return new ByteQueue(in.getSegment(), in.getInt(), in.getInt(), in.getBoolean(), in.getLong(), in.getInt());
    }

    /**
     * Returns the spare bytes of a queue's header page, between the header and the first chunk
     * ({@link QueueDescriptor#HOSTED}), as a slice of its segment: for a table that lives in the
     * queue's file (a pipe's ends), so that it needs no file of its own.
     *
     * @param header a queue's header segment, or the file whose first part it is (a pair's)
     * @param size the bytes needed
     * @throws IllegalArgumentException when they are more than the header page has spare
     */
    public static SharedSegment hostedArea(SharedSegment header, int size) {
        if (size > QueueDescriptor.FIRST_CHUNK - QueueDescriptor.HOSTED) {
            throw new IllegalArgumentException(size + " bytes do not fit in a queue's header page, which has "
                    + (QueueDescriptor.FIRST_CHUNK - QueueDescriptor.HOSTED) + " spare");
        }
        return header.slice(QueueDescriptor.HOSTED, size);
    }

    /**
     * @return the header: the queue's part of its segment (their tree and name identify the
     *     queue, unless it shares its file: {@link #createPair})
     */
    public SharedSegment header() {
        return header;
    }

    /** @return the file the queue lives in: its own, or the one it shares with the other queue of its pair */
    SharedSegment segment() {
        return segment;
    }

    /** @return the bound, 0 when unbounded */
    public long maxSize() {
        return maxSize;
    }

    /**
     * Appends an item, waiting while a bounded queue is full; a put that may wait for ever (and
     * any put on an unbounded queue but one that must not wait) paces itself (see the class
     * notes). The waits are not interruptible (the interrupt status is kept).
     *
     * @param timeoutNanos how long to wait for room; negative for ever; 0 for no wait and no pacing
     * @return false when the queue stayed full for the whole timeout
     * @throws IllegalStateException when the queue is closed
     */
    public <T> boolean put(T item, RecordWriter<? super T> writer, long timeoutNanos) {
        try {
            return put(item, writer, timeoutNanos, false);
        } catch (InterruptedException e) {
            throw new AssertionError("an uninterruptible put was interrupted", e);
        }
    }

    /**
     * {@link #put} whose wait for room in a full bounded queue an interrupt ends; the pacing of
     * an unbounded queue (50 ms at most) is not.
     *
     * @throws InterruptedException when the thread was interrupted before or while it waited for
     *     room; nothing was put
     */
    public <T> boolean putInterruptibly(T item, RecordWriter<? super T> writer, long timeoutNanos)
            throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        return put(item, writer, timeoutNanos, true);
    }

    private <T> boolean put(T item, RecordWriter<? super T> writer, long timeoutNanos, boolean interruptible)
            throws InterruptedException {
        // a put that may wait for ever paces; of an unbounded queue's, all but putNowait
        boolean pace = timeoutNanos < 0 || maxSize == 0 && timeoutNanos != 0;
        boolean put = tryPut(item, writer, pace)
                || timeoutNanos != 0 && putWhenRoom(item, writer, timeoutNanos, pace, interruptible);
        if (put && takers.ring()) {
            rangSeatedTaker();
        }
        return put;
    }

    /**
     * Has {@code watcher} told whenever this handle sees the queue fed every so often, so that the
     * API layer can have the queue's code compiled for such a feed ({@code IdleFeedWarmUp}): a put
     * of this process rang a taker that had waited long enough to sit on the board,
     * {@link #IDLE_FEED_NANOS} or more after this handle's previous such ring, or a take of this process
     * waited that long; in either case at most {@link #IDLE_FEED_ITEMS} items after the previous
     * such put or take of this handle (so the first never tells: one pause is no feed). A stream
     * does not tell it: a new JVM's producer stalls for milliseconds now and then (compiling,
     * collecting, descheduled on a busy machine), and its consumer sits meanwhile, but such stalls
     * are seldom that long, nor within two items of each other. Looked at only where a put rang a
     * seated taker or a take waited; a put tells the watcher after its ring, a take at the start of
     * its handle's next wait (so that what the watcher does never delays the item it took).
     *
     * @param watcher quick, never blocks, never throws; null for nobody
     */
    public void watchIdleFeeds(Runnable watcher) {
        idleFeedWatcher = watcher;
    }

    /** After a put whose ring found a taker seated: tells the watcher when few items came since the last one. */
    private void rangSeatedTaker() {
        Runnable watcher = idleFeedWatcher;
        if (watcher != null) {
            long now = System.nanoTime();
            long puts = header.getLongVolatile(PUT_COUNT);
            boolean idleFeed = lastRingNanos != 0 && puts - putsAtLastRing <= IDLE_FEED_ITEMS
                    && now - lastRingNanos >= IDLE_FEED_NANOS;
            putsAtLastRing = puts;
            lastRingNanos = now;
            if (idleFeed) {
                watcher.run();
            }
        }
    }

    /**
     * As a take begins to wait: tells the watcher of the idle feed the take before saw, now that
     * nothing is handed over (whatever the watcher does costs the take that saw it nothing).
     *
     * @return when the wait began, for {@link #tookAfterWaiting}; 0 when nobody watches
     */
    private long waitStart() {
        Runnable watcher = idleFeedWatcher;
        if (watcher == null) {
            return 0;
        }
        if (idleTakeSeen) {
            idleTakeSeen = false;
            watcher.run();
        }
        return System.nanoTime();
    }

    /** After a take that waited since {@code waitStart}: notes an idle feed when the wait was long and few items came since the last. */
    private void tookAfterWaiting(long waitStart) {
        if (waitStart != 0 && System.nanoTime() - waitStart >= IDLE_FEED_NANOS) {
            long takes = header.getLongVolatile(GET_COUNT);
            idleTakeSeen |= takesAtLastLongWait != 0 && takes - takesAtLastLongWait <= IDLE_FEED_ITEMS;
            takesAtLastLongWait = takes;
        }
    }

    /** The put of a full bounded queue: waits for room; a Flight Recorder event when it waits long. */
    private <T> boolean putWhenRoom(T item, RecordWriter<? super T> writer, long timeoutNanos, boolean pace,
            boolean interruptible) throws InterruptedException {
        QueuePutBlockedEvent event = FlightEvents.queuePutBlocked();
        boolean put = false;
        try {
            BooleanSupplier attempt = new PutAttempt<>(this, item, writer, pace);
            put = interruptible ? Wait.interruptibly(timeoutNanos, attempt, null, putters)
                    : Wait.uninterruptibly(timeoutNanos, attempt, null, putters);
            return put;
        } finally {
            if (event != null) {
                event.waited(header.name(), maxSize, put);
            }
        }
    }

    /**
     * @param pace whether the put may pace itself before it makes a new chunk
     *     ({@link #PACING_MAX_NANOS} in all at most)
     * @return whether the item was appended; false when a bounded queue is full
     */
    private <T> boolean tryPut(T item, RecordWriter<? super T> writer, boolean pace) {
        if (maxSize != 0 && isFull(header.getLongVolatile(PUT_COUNT))) {
            checkOpenForPut(); // a closed queue refuses the put even when full
            return false;
        }
        int length = writer.length(item);
        long need = recordSize(length) + LINK_SIZE; // its record and the link that may follow it
        boolean paced = false;
        long paceDeadline = 0;
        while (true) {
            acquirePut();
            try {
                checkOpenForPut();
                if (maxSize != 0 && isFull(header.getLongVolatile(PUT_COUNT))) {
                    return false;
                }
                long tail = header.getLongVolatile(TAIL);
                if (!pace || !mustPaceBeforeAppending(tail, need)) {
                    append(tail, item, length, writer);
                    return true;
                }
            } finally {
                putLock.releaseHeld();
            }
            if (!paced) {
                paced = true;
                paceDeadline = System.nanoTime() + PACING_MAX_NANOS;
            }
            // when the consumers made room, another producer may have filled it by the time this
            // one has the lock again: it looks again, and paces again within the same deadline
            pace = awaitConsumers(paceDeadline, chunks.pacingLead(need, PACING_BACKLOG_CHUNKS));
        }
    }

    /**
     * Takes the oldest item as {@code reader} reads it, waiting while the queue is empty.
     *
     * @param timeoutNanos how long to wait for an item; negative for ever, 0 not at all
     * @param reader reads the record under the get lock; it may throw to refuse the take
     * @param onLivenessCheck run every {@link Wait#LIVENESS_CHECK_NANOS} of waiting; may be null
     * @return the item, or null when none came within the timeout
     * @throws InterruptedException when the thread is interrupted while waiting; no item was taken
     * @throws IllegalStateException when the queue is closed and empty
     */
    public <T> T take(long timeoutNanos, RecordReader<T> reader, Runnable onLivenessCheck) throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        T item = tryTake(reader);
        if (item != null || timeoutNanos == 0) {
            return item;
        }
        WaitingTake<T> waiting = waitingTake(reader);
        long waitStart = waitStart();
        T taken = Wait.interruptiblyFor(timeoutNanos, waiting.take,
                onLivenessCheck == null ? waiting.checkLiveness : new LivenessCheck<>(this, onLivenessCheck), takers);
        if (taken != null) {
            tookAfterWaiting(waitStart);
        }
        return taken;
    }

    /**
     * {@link #take} whose wait an interrupt does not end (the interrupt status is kept).
     *
     * @implNote The reader gets the bytes where they are, so a reader that reuses its buffer takes
     *     without allocating: the pool's collector reads a million results a second this way.
     */
    public <T> T takeUninterruptibly(long timeoutNanos, RecordReader<T> reader) {
        return takeUninterruptibly(timeoutNanos, reader, null);
    }

    /**
     * {@link #takeUninterruptibly(long, RecordReader)} that also gives up, returning null, when
     * {@code giveUp} says so, asked every {@link Wait#LIVENESS_CHECK_NANOS} of waiting (a pipe's
     * "the other end is gone"): one wait however long, which sits on the takers' board once it is
     * long, where a loop of short takes would be a new young wait, looking every 2 ms, each time.
     *
     * @param giveUp null for none: the wait allocates nothing then
     */
    @SuppressWarnings("unchecked")
    public <T> T takeUninterruptibly(long timeoutNanos, RecordReader<T> reader, BooleanSupplier giveUp) {
        T item = tryTakeUninterruptibly(reader);
        if (item != null || timeoutNanos == 0) {
            return item;
        }
        WaitingTake<T> waiting = waitingTake(reader);
        long waitStart = waitStart();
        Object taken;
        if (giveUp == null) {
            taken = Wait.uninterruptiblyFor(timeoutNanos, waiting.takeUninterruptibly,
                    waiting.checkLivenessUninterruptibly, takers);
        } else {
            Wait.Attempt<Object, RuntimeException> take = (Wait.Attempt<Object, RuntimeException>) (Wait.Attempt<?, ?>)
                    waiting.takeUninterruptibly;
            taken = Wait.uninterruptiblyFor(timeoutNanos, take, new GiveUpCheck(this, giveUp), takers);
        }
        if (taken == null || taken == GAVE_UP) {
            return null;
        }
        tookAfterWaiting(waitStart);
        return (T) taken;
    }

    /** What a take's liveness check returns to end the wait empty-handed. */
    private static final Object GAVE_UP = new Object();

    /**
     * The attempts of a take that waits, for one reader: kept for the next wait with the same
     * reader, so that a consumer that waits for each item does not allocate them each time.
     * Classes, not lambdas: see {@link Wait}'s class notes.
     */
    private static final class WaitingTake<T> {
        final RecordReader<T> reader;
        final Wait.Attempt<T, InterruptedException> take;
        final Wait.Attempt<T, InterruptedException> checkLiveness;
        final Wait.Attempt<T, RuntimeException> takeUninterruptibly;
        final Wait.Attempt<T, RuntimeException> checkLivenessUninterruptibly;

        WaitingTake(ByteQueue queue, RecordReader<T> reader) {
            this.reader = reader;
            take = new Take<>(queue, reader);
            checkLiveness = new LivenessCheck<>(queue, null);
            takeUninterruptibly = new UninterruptibleTake<>(queue, reader);
            checkLivenessUninterruptibly = new LivenessCheck<>(queue, null);
        }
    }

    /** A waiting take's attempt ({@link #tryTake}). */
    private record Take<T>(ByteQueue queue, RecordReader<T> reader) implements Wait.Attempt<T, InterruptedException> {
        @Override
        public T attempt() throws InterruptedException {
            return queue.tryTake(reader);
        }
    }

    /** An uninterruptible waiting take's attempt ({@link #tryTakeUninterruptibly}). */
    private record UninterruptibleTake<T>(ByteQueue queue, RecordReader<T> reader)
            implements Wait.Attempt<T, RuntimeException> {
        @Override
        public T attempt() {
            return queue.tryTakeUninterruptibly(reader);
        }
    }

    /** A waiting take's liveness check ({@link #checkLiveness}, with the caller's {@code also}): it ends no wait. */
    private record LivenessCheck<T, X extends Exception>(ByteQueue queue, Runnable also) implements Wait.Attempt<T, X> {
        @Override
        public T attempt() {
            return queue.checkLiveness(also);
        }
    }

    /**
     * The liveness check of an uninterruptible take that may give up ({@link #takeUninterruptibly(long,
     * RecordReader, BooleanSupplier)}): counts what a dead producer left, then asks {@code giveUp}.
     */
    private record GiveUpCheck(ByteQueue queue, BooleanSupplier giveUp)
            implements Wait.Attempt<Object, RuntimeException> {
        @Override
        public Object attempt() {
            queue.countWhatADeadProducerLeft();
            return giveUp.getAsBoolean() ? GAVE_UP : null;
        }
    }

    /** A waiting put's attempt ({@link #tryPut}). */
    private record PutAttempt<T>(ByteQueue queue, T item, RecordWriter<? super T> writer, boolean pace)
            implements BooleanSupplier {
        @Override
        public boolean getAsBoolean() {
            return queue.tryPut(item, writer, pace);
        }
    }

    /** What {@link #awaitItemOrClose} waits for. */
    private record ItemOrClose(ByteQueue queue) implements BooleanSupplier {
        @Override
        public boolean getAsBoolean() {
            return queue.size() > 0 || queue.isClosed();
        }
    }

    @SuppressWarnings("unchecked")
    private <T> WaitingTake<T> waitingTake(RecordReader<T> reader) {
        WaitingTake<?> last = lastWaitingTake;
        if (last == null || last.reader != reader) {
            last = new WaitingTake<>(this, reader);
            lastWaitingTake = last;
        }
        return (WaitingTake<T>) last;
    }

    private <T> T tryTake(RecordReader<T> reader) throws InterruptedException {
        if (!holdsAnItem()) {
            return null;
        }
        getLock.acquire(-1);
        return takeAndRelease(reader);
    }

    private <T> T tryTakeUninterruptibly(RecordReader<T> reader) {
        if (!holdsAnItem()) {
            return null;
        }
        getLock.acquireUninterruptibly();
        return takeAndRelease(reader);
    }

    /**
     * @return whether an item is there to take
     * @throws IllegalStateException when the queue is closed and empty
     */
    private boolean holdsAnItem() {
        long taken = header.getLongVolatile(GET_COUNT);
        if (putCountSeen > taken) {
            return true; // known without reading the producers' line
        }
        long put = header.getLongVolatile(PUT_COUNT);
        putCountSeen = put;
        if (put > taken) {
            return true;
        }
        if (!isClosed()) {
            return false;
        }
        // counted again after "closed" was seen: a queue found closed and then empty stays empty
        if (size() > 0) {
            return true;
        }
        throw new IllegalStateException("the queue is closed and empty");
    }

    /** Takes the item at the head with the get lock held, and releases it. */
    private <T> T takeAndRelease(RecordReader<T> reader) {
        T item;
        try {
            item = takeLocked(reader);
        } finally {
            getLock.releaseHeld();
        }
        if (maxSize != 0 && item != null) {
            putters.ring();
        }
        return item;
    }

    /**
     * What a waiting consumer does now and then: count what a dead producer left, then its own check.
     *
     * @return null: the wait goes on (the next attempt takes what the check brought)
     */
    private <T> T checkLiveness(Runnable onLivenessCheck) {
        countWhatADeadProducerLeft();
        if (onLivenessCheck != null) {
            onLivenessCheck.run();
        }
        return null;
    }

    /**
     * Waits until the queue holds an item or is closed, without taking anything, or until
     * {@code alsoDone}, asked every {@link Wait#LIVENESS_CHECK_NANOS} of waiting, says so. Not
     * ended by an interrupt (the interrupt status is kept).
     *
     * @param timeoutNanos negative for ever
     * @param alsoDone another end of the wait (a pipe's "the other end is gone"); may be null
     * @return whether it holds an item or is closed, or {@code alsoDone} held; false on timeout
     */
    public boolean awaitItemOrClose(long timeoutNanos, BooleanSupplier alsoDone) {
        BooleanSupplier itemOrClose = new ItemOrClose(this);
        return itemOrClose.getAsBoolean() || Wait.uninterruptibly(timeoutNanos, itemOrClose, alsoDone, takers);
    }

    /** @return items put and not yet taken (exact while no put or take is under way) */
    public long size() {
        long taken = header.getLongVolatile(GET_COUNT);
        long put = header.getLongVolatile(PUT_COUNT);
        return Math.max(0, put - taken);
    }

    /** @return the board of the processes waiting long to take (a ring comes with each put and the close) */
    public WaiterBoard takersBoard() {
        return takers;
    }

    /**
     * @return the number of the chunk the next item goes into: one more for each chunk's worth of
     *     items put (a drained chunk reused gets a new number), so a producer that reads it after
     *     its puts learns when it has put another chunk's worth
     */
    public long tailChunk() {
        return chunkOf(header.getLongVolatile(TAIL));
    }

    /** @return how many items were ever put (the next item's number) */
    public long putCount() {
        return header.getLongVolatile(PUT_COUNT);
    }

    public boolean isClosed() {
        return retired || (header.getLongVolatile(QueueDescriptor.STATE) & CLOSED) != 0;
    }

    /**
     * Closes the queue for puts. Consumers drain what is in it; the queue's segments are removed
     * at once when it is empty, else by the consumer that takes the last item. Idempotent.
     */
    public void close() {
        if (isClosed()) {
            return;
        }
        acquirePut();
        try {
            header.setLongVolatile(STATE, header.getLongVolatile(STATE) | CLOSED);
        } finally {
            putLock.release();
        }
        takers.ring(); // they see the close
        putters.ring();
        if (size() == 0) {
            removeSegments();
        }
    }

    /**
     * Runs {@code action} holding the get lock: no item is taken meanwhile (a joinable queue's
     * recovery of a dead consumer's items).
     */
    public void underGetLock(Runnable action) {
        getLock.acquireUninterruptibly();
        try {
            action.run();
        } finally {
            getLock.release();
        }
    }

    /**
     * Appends a record whatever the bound and even when the queue is closed: an item given back
     * because the consumer that took it died (it was counted when first put). Never blocks for long.
     *
     * <p>The put is marked in the header (the requeue mark) while it is under way, so that
     * whoever gives the item back can learn afterwards, with {@link #requeueKept}, whether a put
     * cut short by its putter's death happened: the process that takes the put lock over settles
     * the mark when it repairs the tail.
     *
     * @param record the record's bytes, as a reader of the queue got them
     * @param numbered told the number the item gets, under the put lock before the append starts
     */
    public void requeue(byte[] record, LongConsumer numbered) {
        acquirePut();
        try {
            long number = header.getLongVolatile(PUT_COUNT);
            header.setLongVolatile(REQUEUE_MARK, number << 2 | REQUEUE_UNDER_WAY);
            CrashPoint.REQUEUE_MARKED.reach();
            try {
                numbered.accept(number);
                CrashPoint.REQUEUE_LOGGED.reach();
                appendRecord(header.getLongVolatile(TAIL), record, record.length, BYTE_ARRAY);
            } catch (RuntimeException | Error e) {
                repairTail(); // as the putter's death here would: the tail, and the mark dropped or kept
                throw e;
            }
            header.setLongVolatile(REQUEUE_MARK, number << 2 | REQUEUE_KEPT);
        } finally {
            putLock.release();
        }
        takers.ring();
    }

    /**
     * Tells whether the put of {@link #requeue} that gave an item number {@code number} happened,
     * when its putter may have died during it (the tail is repaired first). Only the last
     * requeue can be asked about: the next one overwrites the mark.
     *
     * @return true when the item is in the queue (or was taken already), false when it never got in
     */
    public boolean requeueKept(long number) {
        acquirePut();
        try {
            long mark = header.getLongVolatile(REQUEUE_MARK);
            if (mark >>> 2 != number) {
                Log.of(ByteQueue.class).log(System.Logger.Level.WARNING,
                        "queue {0}: the requeue of item {1} is not the last one marked ({2}): counted as kept",
                        header.name(), number, mark >>> 2);
                return true;
            }
            return (mark & 3) != REQUEUE_DROPPED;
        } finally {
            putLock.release();
        }
    }

    /** @return how many times the get lock was taken over from a consumer that died holding it */
    public long getLockTakeovers() {
        return getLock.takeovers();
    }

    /** @return how many items were taken so far (items numbered below it are gone from the queue) */
    public long getCount() {
        return header.getLongVolatile(GET_COUNT);
    }

    // ---------------------------------------------------------------- producers (put lock held)

    /** Writes a record that is a byte array, as it is (an item given back by {@link #requeue}). */
    static final RecordWriter<byte[]> BYTE_ARRAY = new RecordWriter<>() {
        @Override
        public int length(byte[] record) {
            return record.length;
        }

        @Override
        public void write(byte[] record, SharedSegment segment, int offset) {
            segment.putBytes(offset, record, 0, record.length);
        }
    };

    /**
     * Appends an item of {@code length} bytes at {@code tail} (the header's, read under the put
     * lock). An append that throws (the writer's exception, an error) leaves its half-written
     * state repaired before the exception goes on, as a producer's death there would: the next
     * holder of the put lock repairs only after a death (see {@link #acquirePut}).
     */
    private <T> void append(long tail, T item, int length, RecordWriter<? super T> writer) {
        try {
            appendRecord(tail, item, length, writer);
        } catch (RuntimeException | Error e) {
            repairTail();
            throw e;
        }
    }

    private <T> void appendRecord(long tail, T item, int length, RecordWriter<? super T> writer) {
        long number = header.getLongVolatile(PUT_COUNT);
        long chunkNumber = chunkOf(tail);
        int offset = offsetOf(tail);
        SharedSegment chunk = chunks.tailChunk(chunkNumber);
        long need = recordSize(length);
        if (offset + need + LINK_SIZE > chunk.size() || chunkNumber == 0 && !firstChunkHolds(offset + need + LINK_SIZE, chunk)) {
            long nextNumber = chunkNumber + 1;
            SharedSegment next = chunks.newTailChunk(nextNumber, need + LINK_SIZE);
            next.setIntRelease(STAMP, 0); // a reused chunk starts with an old record
            SegmentNames.write(chunk, offset + PAYLOAD, next.name());
            chunk.setIntRelease(offset + LENGTH, SegmentNames.FIELD_SIZE);
            chunk.setIntRelease(offset + STAMP, stamp(chunkNumber, LINK));
            header.setLongVolatile(TAIL, position(nextNumber, 0));
            chunkNumber = nextNumber;
            chunk = next;
            offset = 0;
        }
        chunk.setIntRelease(offset + LENGTH, length);
        chunk.setLongRelease(offset + ITEM_NUMBER, number);
        writer.write(item, chunk, offset + PAYLOAD);
        // The next record's stamp slot holds old bytes in a reused chunk (any int, payload
        // included, may look like a stamp): it is zeroed before this record is published.
        chunk.setIntRelease(offset + (int) need + STAMP, 0);
        chunk.setIntRelease(offset + STAMP, stamp(chunkNumber, ITEM));
        CrashPoint.APPEND_STAMPED.reach();
        header.setLongRelease(PUT_COUNT, number + 1);
        header.setLongRelease(TAIL, position(chunkNumber, offset + need));
    }

    /**
     * Makes sure the pages of the first chunk up to {@code end} are allocated, allocating more
     * when they are not: twice as many as are, or up to {@code end} if that is further (whole
     * pages, within the chunk). Under the put lock.
     * Every byte a producer or consumer touches lies below the reserved mark: a record is written
     * only once it and a link after it fit below it, so a link always fits at the tail. A
     * producer killed after allocating and before raising the mark leaves pages that the next one
     * writes zeros over again (nothing was written there).
     *
     * @return false when shared memory (or the spill disk) has no room for them: the put goes on
     *     in the next chunk, made as any chunk is (spilled when shared memory is full)
     */
    private boolean firstChunkHolds(long end, SharedSegment first) {
        long reserved = header.getLongVolatile(FIRST_RESERVED);
        if (end <= reserved) {
            return true;
        }
        long more = Math.min(first.size(), (Math.max(end, 2 * reserved) + PAGE - 1) / PAGE * PAGE);
        try {
            header.reserve(QueueDescriptor.FIRST_CHUNK + reserved, QueueDescriptor.FIRST_CHUNK + more);
        } catch (java.io.UncheckedIOException e) {
            if (e.getCause() instanceof io.github.multiprocessing4j.internal.shm.SegmentSpace.SpaceExhaustedException) {
                return false;
            }
            throw e;
        }
        header.setLongVolatile(FIRST_RESERVED, more);
        return true;
    }

    /** Chunks waiting to be read from which a put that needs a new chunk paces itself (see the class notes). */
    static final int PACING_BACKLOG_CHUNKS = 4;
    /** A take's wait at least this long, or a ring this long after the last, is an idle feed's ({@link #watchIdleFeeds}). */
    static final long IDLE_FEED_NANOS = 10_000_000;
    /** How many items at most may come between two puts or takes of an idle feed ({@link #watchIdleFeeds}). */
    static final long IDLE_FEED_ITEMS = 2;
    /** The longest a put paces itself. */
    static final long PACING_MAX_NANOS = 50_000_000;
    /**
     * How long the consumers must have taken nothing for a pacing put to stop waiting for them:
     * longer than a consumer that is only preempted waits for a processor. Measured on the 2-core
     * development VM, 2 producers and 2 consumers of 64 KiB items (4,000 through a queue bounded
     * at 1,024): with 1 ms (and at most 10 ms of pacing) the producers made 140 new chunks and
     * moved 290-315 MB/s; with 10 ms (and 50 ms) 44 chunks and 530-594 MB/s; 4 KiB unbounded,
     * 123 chunks against 23, 231-266 MB/s against 452-518.
     */
    static final long CONSUMERS_STALLED_NANOS = 10_000_000;
    /** How recently a consumer must have left a drained chunk for a put to pace itself. */
    static final long CONSUMERS_ACTIVE_NANOS = 50_000_000;

    /**
     * A producer's pacing (see the class notes): whether appending an item whose record and
     * following link take {@code need} bytes would start a new chunk (a standard one, or one of its own for a large item, whose
     * drained chunks are spares too since 2026-12-05: 1 MiB items through a queue bounded at 64,
     * 320-640 MB/s before large items paced, 490-3,700 after) while the consumers drain a lead of
     * {@link #PACING_BACKLOG_CHUNKS} chunks or more (fewer for a large item's chunk:
     * {@link ChunkChain#pacingLead}) and none is spare. Under the put lock, so that
     * the producer that is about to make the chunk is the one that paces: asked before the lock,
     * with several producers, the put that found room was most often not the one that made the
     * next chunk (measured: 4 producers and 4 consumers of 4 KiB items made about a quarter of
     * their chunk switches new, with leads of 60-70 chunks). Neither may a paced put append
     * without looking again: of 64 KiB items a chunk holds 15, which the producer that took the
     * drained chunk could fill before another paced one had the lock again (4 x 4 of 64 KiB: 13-22
     * new chunks of ~65 per producer and leads of 65-69 chunks, the whole bound; looking again, 1-4
     * new and leads under 12, and 180 -> 290 MB/s).
     */
    private boolean mustPaceBeforeAppending(long tail, long need) {
        if (offsetOf(tail) + need <= chunkSize || !mustPace(chunkOf(tail), chunks.pacingLead(need, PACING_BACKLOG_CHUNKS))) {
            return false; // it fits where it is, or a spare or short lead is there
        }
        long drainedAt = header.getLongVolatile(DRAINED_AT);
        return drainedAt != 0 && System.nanoTime() - drainedAt <= CONSUMERS_ACTIVE_NANOS; // a consumer drains now
    }

    /**
     * The pacing itself, without the put lock (the consumers take it to keep a drained chunk as
     * the spare): waits until a spare is there or the lead is shorter, the consumers have taken
     * nothing for {@link #CONSUMERS_STALLED_NANOS}, or {@code deadline} ({@link System#nanoTime()})
     * has passed.
     *
     * @return true when the consumers made room; false when they stalled or the deadline passed
     */
    private boolean awaitConsumers(long deadline, long lead) {
        ConsumerProgress progress = new ConsumerProgress(lead);
        long timeout = deadline - System.nanoTime();
        return timeout > 0 && Wait.uninterruptibly(timeout, progress, null) && !progress.stalled;
    }

    /** What a pacing put waits for: room made by the consumers, or the consumers stalled. */
    private final class ConsumerProgress implements BooleanSupplier {
        /** The lead from which the paced put paces ({@link ChunkChain#pacingLead}). */
        private final long lead;
        private long taken = header.getLongVolatile(GET_COUNT);
        private long takenAt = System.nanoTime();
        boolean stalled;

        ConsumerProgress(long lead) {
            this.lead = lead;
        }

        @Override
        public boolean getAsBoolean() {
            long now = System.nanoTime();
            long count = header.getLongVolatile(GET_COUNT);
            if (count != taken) {
                taken = count;
                takenAt = now;
            } else if (now - takenAt > CONSUMERS_STALLED_NANOS) {
                stalled = true;
                return true;
            }
            return !mustPace(chunkOf(header.getLongVolatile(TAIL)), lead);
        }
    }

    /**
     * @return whether a new chunk after tail chunk {@code tailChunk} would be made with a lead of
     *     {@code lead} chunks or more and no spare
     */
    private boolean mustPace(long tailChunk, long lead) {
        return tailChunk - chunkOf(header.getLongVolatile(HEAD)) >= lead
                && ChunkChain.spareCount(header) == 0;
    }

    /**
     * Makes the tail consistent again after a producer died holding the put lock (see the class
     * notes), then settles a requeue it was making: kept when its item was counted, else dropped.
     */
    private void repairTail() {
        repairTailRecord();
        long mark = header.getLongVolatile(REQUEUE_MARK);
        if ((mark & 3) == REQUEUE_UNDER_WAY) {
            long number = mark >>> 2;
            boolean kept = header.getLongVolatile(PUT_COUNT) > number;
            header.setLongVolatile(REQUEUE_MARK, number << 2 | (kept ? REQUEUE_KEPT : REQUEUE_DROPPED));
        }
    }

    private void repairTailRecord() {
        long tail = header.getLongVolatile(TAIL);
        long chunkNumber = chunkOf(tail);
        int offset = offsetOf(tail);
        SharedSegment chunk = chunks.tailChunk(chunkNumber);
        if (offset + PAYLOAD > chunk.size()) {
            return;
        }
        int stamp = chunk.getIntAcquire(offset + STAMP);
        if (stamp == stamp(chunkNumber, ITEM)) {
            long number = chunk.getLongVolatile(offset + ITEM_NUMBER);
            if (number == header.getLongVolatile(PUT_COUNT)) {
                header.setLongVolatile(PUT_COUNT, number + 1);
            }
            header.setLongVolatile(TAIL, position(chunkNumber, offset + recordSize(chunk.getIntVolatile(offset + LENGTH))));
            Log.of(ByteQueue.class).log(System.Logger.Level.WARNING,
                    "a producer of queue {0} died right after writing an item: the item is kept", header.name());
        } else if (stamp == stamp(chunkNumber, LINK)) {
            header.setLongVolatile(TAIL, position(chunkNumber + 1, 0));
        } else {
            chunks.removeUnlinkedTailChunk(chunkNumber + 1); // in case its maker died before linking it
        }
    }

    /** A waiting consumer's turn to count an item whose producer died before counting it. */
    private void countWhatADeadProducerLeft() {
        if (putLock.isLocked() && putLock.takeOverFromDeadOwner()) {
            try {
                repairTail();
            } finally {
                putLock.release();
            }
        }
    }

    // ---------------------------------------------------------------- consumers (get lock held)

    private <T> T takeLocked(RecordReader<T> reader) {
        if (retired) {
            throw new IllegalStateException("the queue is closed and empty"); // its file holds another queue now
        }
        while (true) {
            long head = header.getLongVolatile(HEAD);
            long chunkNumber = chunkOf(head);
            int offset = offsetOf(head);
            SharedSegment chunk = chunks.headChunk(chunkNumber);
            int stamp = chunk.getIntAcquire(offset + STAMP);
            if (stamp == stamp(chunkNumber, LINK)) {
                chunks.followHeadLink(chunkNumber, chunk, SegmentNames.read(chunk, offset + PAYLOAD));
                continue;
            }
            if (stamp != stamp(chunkNumber, ITEM)) {
                return null;
            }
            int length = chunk.getIntVolatile(offset + LENGTH);
            long number = chunk.getLongVolatile(offset + ITEM_NUMBER);
            long next = position(chunkNumber, offset + recordSize(length));
            if (number < header.getLongVolatile(GET_COUNT)) {
                header.setLongVolatile(HEAD, next); // taken by a consumer that died before moving the head
                continue;
            }
            T item = reader.read(chunk, offset + PAYLOAD, length, number);
            CrashPoint.TAKE_READ.reach();
            header.setLongRelease(GET_COUNT, number + 1);
            CrashPoint.TAKE_COUNTED.reach();
            header.setLongRelease(HEAD, next);
            if (isClosed() && size() == 0) {
                removeSegments();
            }
            return item;
        }
    }

    // ---------------------------------------------------------------- shared

    private void removeSegments() {
        chunks.removeAll();
        if (!hosted) {
            header.unlink();
        }
    }

    /**
     * Whether a bounded queue whose put count is {@code put} holds {@code maxSize} items: decided
     * from the get count seen before when that shows room (it is a lower bound, so the room is
     * there), else from the get count read now.
     */
    private boolean isFull(long put) {
        if (put - getCountSeen < maxSize) {
            return false;
        }
        long taken = header.getLongVolatile(GET_COUNT);
        getCountSeen = taken;
        return put - taken >= maxSize;
    }

    private void checkOpenForPut() {
        if (isClosed()) {
            throw new IllegalStateException("the queue is closed: no more items can be put");
        }
    }

    /**
     * Takes the put lock; when it is taken over from a producer that died holding it, repairs
     * the tail. A lock its holder released has a consistent tail (an append that throws repairs
     * before the release), so the repair, four reads of shared memory and a lookup, is not paid
     * per put: a new child runs its first thousand puts interpreted, where each read costs about
     * a microsecond.
     */
    private void acquirePut() {
        if (putLock.acquireUninterruptibly()) {
            repairTail();
        }
    }

    private void init() {
        header = at == 0 && length == segment.size() ? segment : segment.slice(at, length);
        putLock = new RobustMutex(header, PUT_LOCK, false, "put lock");
        getLock = new RobustMutex(header, GET_LOCK, false, "get lock");
        chunks = new ChunkChain(header, chunkSize, new PutLockOfChain());
        takers = new WaiterBoard(header, QueueDescriptor.TAKERS, WaiterBoard.FOUR_SEATS);
        putters = new WaiterBoard(header, QueueDescriptor.PUTTERS, WaiterBoard.FOUR_SEATS);
    }

    /** The put lock as the chain takes it (see {@link ChunkChain.TailLock}: a class, no method references). */
    private final class PutLockOfChain implements ChunkChain.TailLock {
        @Override
        public void lock() {
            acquirePut();
        }

        @Override
        public boolean tryLock() {
            return putLock.tryAcquire();
        }

        @Override
        public void unlock() {
            putLock.release();
        }
    }

    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
        in.defaultReadObject();
        init();
    }
}
