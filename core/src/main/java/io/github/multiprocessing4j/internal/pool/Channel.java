package io.github.multiprocessing4j.internal.pool;

import io.github.multiprocessing4j.internal.queue.ByteQueue;
import io.github.multiprocessing4j.internal.serial.ItemCodec;

import java.io.Serializable;

/**
 * A one-way stream of pool messages ({@code byte[]}) in shared memory: a worker's inbox, or the
 * pool's result channel. A handle: serialized into a worker's target, it is the same queue there.
 *
 * <p>Implementation notes. An unbounded {@link ByteQueue}, so a put never blocks (the parent bounds
 * what it sends by itself). A message is stored as a {@code byte[]} item ({@link ItemCodec}'s
 * direct encoding, copied once into shared memory and once out of it). Waiting is the queue's:
 * it spins for microseconds, then parks for growing intervals, and while it waits it repairs what
 * a producer that died mid-put left, so the message a killed worker had finished is not lost.
 */
final class Channel implements Serializable {
    private static final long serialVersionUID = 1L;

    private final ByteQueue queue;

    private Channel(ByteQueue queue) {
        this.queue = queue;
    }

    /**
     * Bytes of the queue's chunks: a chunk's answer in a {@code map} of a million ints with
     * Python's default chunk size (125,000 results of 9 bytes) fits in one, which is then reused;
     * a message bigger than a chunk gets a segment made and removed for it alone.
     */
    static final int CHUNK_BYTES = 4 << 20;

    /** @return a new, empty channel in this process's tree */
    static Channel create() {
        return new Channel(ByteQueue.create(0, CHUNK_BYTES));
    }

    /**
     * Appends a message; never blocks for long.
     *
     * @throws IllegalStateException when the channel is closed
     */
    void put(byte[] message) {
        queue.put(ItemCodec.encode(message, "pool message"), -1);
    }

    /**
     * Takes the next message, waiting for one; not ended by an interrupt (the status is kept).
     *
     * @return the message, or null once the channel is closed and empty
     */
    byte[] take() {
        try {
            return bytesOf(queue.take(-1, false, null, null));
        } catch (IllegalStateException closedAndEmpty) {
            return null;
        } catch (InterruptedException e) {
            throw new AssertionError("an uninterruptible take was interrupted", e);
        }
    }

    /** @return the next message, or null when there is none now (or the channel is closed and empty) */
    byte[] poll() {
        try {
            return bytesOf(queue.take(0, false, null, null));
        } catch (IllegalStateException closedAndEmpty) {
            return null;
        } catch (InterruptedException e) {
            throw new AssertionError("a take that does not wait was interrupted", e);
        }
    }

    /** Closes the channel for puts; takers get what it holds, then null. Idempotent. */
    void close() {
        queue.close();
    }

    /**
     * Closes the channel and throws away what it holds, which frees its shared memory: for a
     * channel whose reader is gone. Never blocks for long.
     *
     * @return how many messages were thrown away
     */
    int discard() {
        close();
        int discarded = 0;
        while (poll() != null) {
            discarded++;
        }
        return discarded;
    }

    private static byte[] bytesOf(ItemCodec.Encoded item) {
        return item == null ? null : (byte[]) ItemCodec.decode(item, Channel.class.getClassLoader());
    }
}
