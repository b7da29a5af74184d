package io.github.multiprocessing4j;

import io.github.multiprocessing4j.internal.queue.ByteQueue;
import io.github.multiprocessing4j.internal.queue.EncodedItemRecord;

import java.io.Serializable;

/**
 * The simplest queue shared by the processes of a tree: Python's
 * {@code multiprocessing.SimpleQueue}. Unbounded ({@link #put} never blocks), with no timeouts
 * and no size; otherwise the same items, order and robustness as {@link ProcessQueue}.
 *
 * @param <E> the type of the items
 */
public class ProcessSimpleQueue<E> implements Serializable, AutoCloseable {
    private static final long serialVersionUID = 1L;

    private final ByteQueue queue = ByteQueue.create(0, ByteQueue.DEFAULT_CHUNK_SIZE);

    /** Creates an empty queue. */
    public ProcessSimpleQueue() {
    }

    /**
     * Puts an item; never blocks.
     *
     * @throws NullPointerException when {@code item} is null
     * @throws IllegalArgumentException when {@code item} is not serializable
     * @throws IllegalStateException when the queue is closed
     */
    public void put(E item) {
        queue.put(ProcessQueue.encode(item), EncodedItemRecord.FORMAT, -1);
    }

    /**
     * Takes the oldest item, waiting while the queue is empty.
     *
     * @throws InterruptedException when the thread is interrupted while waiting; nothing is taken
     * @throws IllegalStateException when the queue is closed and empty
     */
    public E get() throws InterruptedException {
        return ProcessQueue.decode(queue.take(-1, EncodedItemRecord.FORMAT, null));
    }

    /** @return whether the queue holds no item; never blocks */
    public boolean isEmpty() {
        return queue.size() == 0;
    }

    /** Closes the queue for every process (see {@link ProcessQueue#close()}). Idempotent. */
    @Override
    public void close() {
        queue.close();
    }

    @Override
    public String toString() {
        return "ProcessSimpleQueue[" + queue.size() + " items" + (queue.isClosed() ? ", closed" : "") + "]";
    }
}
