package io.github.multiprocessing4j;

import io.github.multiprocessing4j.internal.statics.StaticShared;
import io.github.multiprocessing4j.spi.QueueBackend;

import java.io.Serializable;
import java.lang.ref.Reference;
import java.util.Objects;

/**
 * The simplest queue shared by the processes of a tree: Python's
 * {@code multiprocessing.SimpleQueue}. Unbounded ({@link #put} never blocks), with no timeouts
 * and no size; otherwise the same items, order and robustness as {@link ProcessQueue}, whose
 * backends it shares ({@link #over}).
 *
 * @param <E> the type of the items
 */
public class ProcessSimpleQueue<E> implements Serializable, Unlinkable {
    private static final long serialVersionUID = 1L;

    /** Where the items live: shared memory, or the backend the queue was made over. */
    final QueueBackend backend;
    /** This handle's use in this process (see {@link ProcessQueue#close()}). */
    final ProcessUse use;

    /**
     * Creates an empty queue.
     *
     * <p>Made by a static initialiser, it is the tree's: see
     * <a href="package-summary.html#static-fields">static fields</a>.
     */
    public ProcessSimpleQueue() {
        this(StaticShared.resolve("ProcessSimpleQueue", () -> new LocalQueue(0), LocalQueue::close),
                ProcessUse.ofNew("ProcessSimpleQueue"));
    }

    ProcessSimpleQueue(QueueBackend backend, ProcessUse use) {
        this.backend = backend;
        this.use = use;
        use.destroyWhenUnreachable(this, () -> ProcessQueue.destroy(backend));
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
        return new ProcessSimpleQueue<>(Objects.requireNonNull(backend, "backend"), ProcessUse.ofBackend("ProcessSimpleQueue"));
    }

    /**
     * Puts an item; never waits for room (it may pause up to 50 ms while busy consumers catch up
     * with a long lead, as {@link ProcessQueue#put} does).
     *
     * @param item the item, serializable and not null; a copy is put
     * @throws NullPointerException when {@code item} is null
     * @throws IllegalArgumentException when {@code item} is not serializable
     * @throws IllegalStateException when this handle was closed in this process, or the queue
     *     was unlinked
     */
    public void put(E item) {
        try {
            open().put(ProcessQueue.checked(item), -1);
        } finally {
            Reference.reachabilityFence(this); // see ProcessUse: this handle outlives the put
        }
    }

    /**
     * Takes the oldest item, waiting while the queue is empty.
     *
     * @return the item
     * @throws InterruptedException when the thread is interrupted while waiting; nothing is taken
     * @throws IllegalStateException when this handle was closed in this process, or the queue
     *     was unlinked and is empty
     */
    public E get() throws InterruptedException {
        try {
            @SuppressWarnings("unchecked")
            E item = (E) open().take(-1);
            return item;
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    /** {@return whether the queue holds no item} Never blocks. */
    public boolean isEmpty() {
        try {
            return open().size() == 0;
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    /**
     * Ends this process's use of the queue through this handle, as {@link ProcessQueue#close()}:
     * the other processes keep using it. Idempotent. (A handle made {@code over} another backend: its
     * {@code close()} is that backend's {@code close()}, as the backend documents.)
     */
    @Override
    public void close() {
        if (use.close()) {
            ProcessQueue.destroy(backend);
        }
    }

    /**
     * Ends the queue for every process, as {@link ProcessQueue#unlink()}: puts fail, gets return
     * what it holds and then fail. Idempotent.
     */
    @Override
    public void unlink() {
        backend.close();
    }

    /** {@return whether this handle was closed in this process, or the queue was unlinked (by any process)} */
    public boolean isClosed() {
        return use.isClosed() || backend.isClosed();
    }

    private QueueBackend open() {
        use.checkOpen();
        return backend;
    }

    /**
     * Describes the queue for logs and debuggers: where its items live.
     *
     * @return the description
     */
    @Override
    public String toString() {
        return "ProcessSimpleQueue[" + backend + (use.isClosed() ? ", closed in this process" : "") + "]";
    }
}
