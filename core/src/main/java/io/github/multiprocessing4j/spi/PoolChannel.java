package io.github.multiprocessing4j.spi;

import java.io.Serializable;

/**
 * A one-way stream of a pool's messages (byte arrays), with one reader: a worker's inbox, written
 * by the pool, or the pool's result channel, written by every worker. Serializable: a worker's
 * channels travel to it in its target and are the same stream there.
 */
public interface PoolChannel extends Serializable {
    /**
     * Appends a message (never an empty one). Never blocks for longer than the medium takes to answer.
     *
     * @param message the message's bytes, not empty; the channel may keep the array, so the caller
     *     does not change it afterwards
     * @throws IllegalStateException when this end closed the channel
     */
    void put(byte[] message);

    /**
     * Takes the next message.
     *
     * @param timeoutNanos negative to wait as long as it takes, 0 not to wait; an interrupt does
     *     not end the wait (the interrupt status is kept)
     * @return the message, or null when none came within the timeout, or the channel is closed
     *     and empty
     */
    byte[] take(long timeoutNanos);

    /** Closes the channel: the reader gets what it holds, then null. Idempotent. */
    void close();

    /**
     * Closes the channel and throws away what it holds: for a channel whose reader is gone.
     *
     * @return how many messages were thrown away, when known
     */
    int discard();

    /**
     * Refuses, before it is sent, a message the medium would not carry (a server's limit on a
     * value's size), so that the call that made it fails saying why instead of the send. Accepts
     * any size by default.
     *
     * @param what the message, for the error ("the task", "a chunk of the map's items", "the chunk's results")
     * @param bytes the message's length
     * @throws IllegalArgumentException when the channel cannot carry a message of that length;
     *     the message says its limit
     */
    default void checkMessageFits(String what, long bytes) {
    }

    /**
     * Told by a worker, on its result channel, that it answered {@code chunks} more chunks: a
     * backend may count them for its operators. Does nothing by default.
     *
     * @param chunks how many chunks the worker answered since it last told
     */
    default void answered(int chunks) {
    }
}
