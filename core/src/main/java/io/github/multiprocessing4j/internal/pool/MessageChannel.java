package io.github.multiprocessing4j.internal.pool;

import io.github.multiprocessing4j.internal.serial.Wire;

/**
 * A one-way stream of pool messages ({@code byte[]}) with one reader: a worker's inbox, written
 * only by the pool, or the pool's result channel, written by every worker. A handle: serialized
 * into a worker's target, it is the same stream there. In shared memory for a pool on this
 * machine ({@link SharedMessageChannel}), or a backend's ({@link BackendChannel}) for a pool whose
 * workers are elsewhere.
 */
interface MessageChannel {
    /**
     * Appends a message; never blocks for long.
     *
     * @throws IllegalStateException when the channel is closed
     */
    void put(byte[] message);

    /**
     * Appends a message, a {@code byte[]} or a {@link Wire.Spliced} one (which this default
     * copies into one array; a channel in shared memory writes its parts in place).
     *
     * @throws IllegalStateException when the channel is closed
     */
    default void put(Object message) {
        put(PoolMessages.bytesOf(message));
    }

    /**
     * Takes the next message, waiting for one; not ended by an interrupt (the status is kept).
     *
     * @return the message, valid until the next take or poll of this channel in this process, or
     *     null once the channel is closed and empty
     */
    Wire.Reader take();

    /**
     * @return the next message, valid until the next take or poll, or null when there is none now
     *     (or the channel is closed and empty)
     */
    Wire.Reader poll();

    /** Closes the channel for puts; the reader gets what it holds, then null. Idempotent. */
    void close();

    /**
     * Closes the channel and throws away what it holds: for a channel whose reader is gone.
     * Never blocks for long.
     *
     * @return how many messages were thrown away
     */
    int discard();

    /**
     * Refuses, before it is sent, a message the medium would not carry; accepts any size by default.
     *
     * @param what the message, for the error ("the task", "the chunk's results")
     * @throws IllegalArgumentException when a message of {@code bytes} is larger than the channel carries
     */
    default void checkMessageFits(String what, long bytes) {
    }

    /** A worker answered {@code chunks} more chunks (told on its result channel, before it sends them). */
    default void answered(int chunks) {
    }
}
