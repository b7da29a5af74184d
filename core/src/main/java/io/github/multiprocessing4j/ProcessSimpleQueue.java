package io.github.multiprocessing4j;

import io.github.multiprocessing4j.internal.statics.StaticShared;
import io.github.multiprocessing4j.spi.QueueBackend;

import java.io.Serializable;
import java.util.Objects;

/**
 * The simplest queue shared by the processes of a tree: Python's
 * {@code multiprocessing.SimpleQueue}. Unbounded ({@link #put} never blocks), with no timeouts
 * and no size; otherwise the same items, order and robustness as {@link ProcessQueue}, whose
 * backends it shares ({@link #over}).
 *
 * @param <E> the type of the items
 */
public class ProcessSimpleQueue<E> implements Serializable, AutoCloseable {
    private static final long serialVersionUID = 1L;

    /** Where the items live: shared memory, or the backend the queue was made over. */
    final QueueBackend backend;

    /**
     * Creates an empty queue.
     *
     * <p>Made by a static initialiser, it is the tree's: see
     * <a href="package-summary.html#static-fields">static fields</a>.
     */
    public ProcessSimpleQueue() {
        this(StaticShared.resolve("ProcessSimpleQueue", () -> new LocalQueue(0), LocalQueue::close));
    }

    private ProcessSimpleQueue(QueueBackend backend) {
        this.backend = backend;
    }

    /**
     * Makes a simple queue whose items live in {@code backend} (for implementers of backends; see
     * {@link io.github.multiprocessing4j.spi}); a bounded backend makes {@link #put} wait for
     * room. Its methods then block, fail and travel as the backend documents.
     *
     * @param <E> the type of the items
     * @param backend where the items live
     * @return the queue
     */
    public static <E> ProcessSimpleQueue<E> over(QueueBackend backend) {
        return new ProcessSimpleQueue<>(Objects.requireNonNull(backend, "backend"));
    }

    /**
     * Puts an item; never blocks.
     *
     * @param item the item, serializable and not null; a copy is put
     * @throws NullPointerException when {@code item} is null
     * @throws IllegalArgumentException when {@code item} is not serializable
     * @throws IllegalStateException when the queue is closed
     */
    public void put(E item) {
        backend.put(ProcessQueue.checked(item), -1);
    }

    /**
     * Takes the oldest item, waiting while the queue is empty.
     *
     * @return the item
     * @throws InterruptedException when the thread is interrupted while waiting; nothing is taken
     * @throws IllegalStateException when the queue is closed and empty
     */
    public E get() throws InterruptedException {
        @SuppressWarnings("unchecked")
        E item = (E) backend.take(-1);
        return item;
    }

    /** {@return whether the queue holds no item} Never blocks. */
    public boolean isEmpty() {
        return backend.size() == 0;
    }

    /** Closes the queue for every process (see {@link ProcessQueue#close()}). Idempotent. */
    @Override
    public void close() {
        backend.close();
    }

    /**
     * Describes the queue for logs and debuggers: where its items live.
     *
     * @return the description
     */
    @Override
    public String toString() {
        return "ProcessSimpleQueue[" + backend + "]";
    }
}
