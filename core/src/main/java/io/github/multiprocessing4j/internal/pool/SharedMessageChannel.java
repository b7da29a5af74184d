package io.github.multiprocessing4j.internal.pool;

import io.github.multiprocessing4j.internal.queue.ByteQueue;
import io.github.multiprocessing4j.internal.queue.DirectItemRecord;
import io.github.multiprocessing4j.internal.serial.ItemCodec;
import io.github.multiprocessing4j.internal.serial.ValueCodec;
import io.github.multiprocessing4j.internal.serial.Wire;
import io.github.multiprocessing4j.internal.shm.SegmentSpace;
import io.github.multiprocessing4j.internal.shm.SharedSegment;

import java.io.Serializable;

/**
 * A {@link MessageChannel} in shared memory, for a pool on this machine: a worker's inbox, or the
 * pool's result channel. A handle: serialized into a worker's target, it is the same queue there.
 *
 * <p>Implementation notes. An unbounded {@link ByteQueue}, so a put never blocks (the parent bounds
 * what it sends by itself). A message is stored as a {@code byte[]} item ({@link ItemCodec}'s
 * direct encoding), copied once into shared memory and, by the reader, once out of it into a
 * buffer it reuses. Waiting is the queue's: it spins for microseconds, then parks for growing
 * intervals, and while it waits it repairs what a producer that died mid-put left, so the message
 * a killed worker had finished is not lost.
 */
final class SharedMessageChannel implements MessageChannel, Serializable {
    private static final long serialVersionUID = 1L;

    private final ByteQueue queue;
    /** Where messages are read into, reused: one thread of a process reads a channel. */
    private transient MessageBuffer reading;

    private SharedMessageChannel(ByteQueue queue) {
        this.queue = queue;
        this.reading = new MessageBuffer();
    }

    private Object readResolve() {
        reading = new MessageBuffer();
        return this;
    }

    /**
     * Copies a taken message (a {@code byte[]} item: its tag byte, then the message) into one
     * array, grown as needed and reused: the pool's collector reads a million results a second,
     * and a new array for each message would only feed the garbage collector.
     */
    private static final class MessageBuffer implements ByteQueue.RecordReader<Wire.Reader> {
        private byte[] bytes = new byte[4096];

        @Override
        public Wire.Reader read(SharedSegment segment, int offset, int length, long itemNumber) {
            int size = length - 1;
            if (size < 0 || !ItemCodec.isByteArrayTag(segment.getByte(offset))) {
                throw new IllegalStateException("not a pool message: tag " + segment.getByte(offset));
            }
            if (bytes.length < size) {
                bytes = new byte[Math.max(size, 2 * bytes.length)];
            }
            segment.getBytes(offset + 1, bytes, 0, size);
            return new Wire.Reader(bytes, 0, size);
        }
    }

    /**
     * Bytes of the queue's chunks: a chunk's answer in a {@code map} of a million ints with
     * Python's default chunk size (125,000 results of 9 bytes) fits in one, which is then reused;
     * a message bigger than a chunk gets a segment of its own, kept once drained for the next
     * such message while the spares have room for it ({@link ByteQueue}). Less where
     * shared memory is small ({@link SegmentSpace#fittedChunkSize}): a pool holds a channel per
     * worker and one for the results. A channel's first chunk is smaller
     * ({@link ByteQueue#FIRST_CHUNK_BYTES}): a pool of small tasks and results needs no more for
     * hundreds of calls, and the first message that does not fit makes the first standard chunk.
     */
    static final int CHUNK_BYTES = 4 << 20;

    /**
     * Bytes of a control channel's chunks: it carries a few 9-byte messages, so a small chunk, which
     * costs no shared memory that a pool of many workers would notice.
     */
    static final int CONTROL_CHUNK_BYTES = 4 << 10;

    /** @return a new, empty channel for a worker's few control messages, in this process's tree */
    static SharedMessageChannel createControl() {
        return new SharedMessageChannel(ByteQueue.create(0, CONTROL_CHUNK_BYTES));
    }

    /** @return a new, empty channel in this process's tree */
    static SharedMessageChannel create() {
        return new SharedMessageChannel(ByteQueue.create(0, SegmentSpace.fittedChunkSize(CHUNK_BYTES)));
    }

    /** Writes what names this channel, for a worker to open it with {@link #readFrom} ({@link WorkerLoop#localSpec}). */
    void writeTo(Wire.Writer out) {
        queue.writeTo(out);
    }

    /**
     * @return the channel {@link #writeTo} wrote in the pool's process
     * @throws IllegalStateException when it no longer exists (the pool was closed)
     */
    static SharedMessageChannel readFrom(Wire.Reader in) {
        return new SharedMessageChannel(ByteQueue.readFrom(in));
    }

    /**
     * Appends a message; never blocks for long.
     *
     * @throws IllegalStateException when the channel is closed
     */
    @Override
    public void put(byte[] message) {
        queue.put(message, DirectItemRecord.FORMAT, -1);
    }

    /** Appends a message; a {@link Wire.Spliced} one is written part by part, its arrays straight from where they are. */
    @Override
    public void put(Object message) {
        if (message instanceof Wire.Spliced spliced) {
            queue.put(spliced, SplicedRecord.FORMAT, -1);
        } else {
            put((byte[]) message);
        }
    }

    /** A spliced message as the record of a {@code byte[]} item ({@link DirectItemRecord}'s): the tag, then its bytes. */
    private static final class SplicedRecord implements ByteQueue.RecordWriter<Wire.Spliced> {
        static final SplicedRecord FORMAT = new SplicedRecord();

        @Override
        public int length(Wire.Spliced message) {
            return 1 + message.length();
        }

        @Override
        public void write(Wire.Spliced message, SharedSegment segment, int offset) {
            segment.putByte(offset, ValueCodec.BYTES);
            int[] at = {offset + 1};
            message.forEachPart((bytes, from, length) -> {
                segment.putBytes(at[0], bytes, from, length);
                at[0] += length;
            });
        }
    }

    /** @return how many messages were ever put into the channel */
    long putCount() {
        return queue.putCount();
    }

    /**
     * Takes the next message, waiting for one; not ended by an interrupt (the status is kept).
     *
     * @return the message, valid until the next take or poll of this channel in this process, or
     *     null once the channel is closed and empty
     */
    @Override
    public Wire.Reader take() {
        return take(-1);
    }

    /**
     * @return the next message, valid until the next take or poll, or null when there is none now
     *     (or the channel is closed and empty)
     */
    @Override
    public Wire.Reader poll() {
        return take(0);
    }

    private Wire.Reader take(long timeoutNanos) {
        try {
            return queue.takeUninterruptibly(timeoutNanos, reading);
        } catch (IllegalStateException closedAndEmpty) {
            return null;
        }
    }

    /** Closes the channel for puts; takers get what it holds, then null. Idempotent. */
    @Override
    public void close() {
        queue.close();
    }

    /**
     * Closes the channel and throws away what it holds, which frees its shared memory: for a
     * channel whose reader is gone. Never blocks for long.
     *
     * @return how many messages were thrown away
     */
    @Override
    public int discard() {
        close();
        int discarded = 0;
        while (poll() != null) {
            discarded++;
        }
        return discarded;
    }
}
