package io.github.multiprocessing4j;

import io.github.multiprocessing4j.internal.statics.StaticShared;
import io.github.multiprocessing4j.spi.JoinableQueueBackend;

import java.lang.ref.Reference;
import java.time.Duration;
import java.util.Objects;

/**
 * A {@link ProcessQueue} that counts unfinished work: Python's
 * {@code multiprocessing.JoinableQueue}. Every item put is unfinished until a consumer that got
 * it calls {@link #taskDone()}; {@link #join()} waits until no item is unfinished.
 *
 * <pre>{@code
 * ProcessJoinableQueue<String> q = new ProcessJoinableQueue<>();
 * ChildProcess eater = ChildProcess.builder(() -> {
 *     while (true) { eat(q.get()); q.taskDone(); }
 * }).daemon(true).build();
 * eater.start();
 * for (String dish : dishes) q.put(dish);
 * q.join();   // every dish eaten; the daemon eater ends with us
 * }</pre>
 *
 * <p><b>Processes that die.</b> An item got by a process that dies before calling
 * {@code taskDone()} for it is put back, once, at the end of the queue and delivered to another
 * consumer, so {@code join()} still completes and nothing is lost: within a quarter of a second
 * of the next {@code get()} or {@code join()} in any process, busy or waiting. An item whose
 * {@code taskDone()} had been called is not delivered again, and the unfinished count stays
 * exact, whatever step of a {@code get()}, a {@code taskDone()} or of this recovery a process is
 * killed at. A consumer may therefore see an item twice only when the first taker died before
 * finishing it.
 *
 * <p><b>taskDone.</b> Calls are counted per process: {@code taskDone()} finishes the oldest item
 * the calling process got and has not finished, whichever thread got it.
 *
 * <p><b>Backends.</b> One made {@linkplain #over over a backend} (a cluster's joinable queue on
 * Redis) finishes and redelivers as that backend documents: there, delivery is at least once.
 *
 * @implNote Each process that takes items copies them into an in-flight log of its own, in
 *     shared memory, until it calls {@code taskDone()}; every consumer (taking or waiting) and
 *     {@code join()} look for dead consumers every 250 ms and put their unfinished items back,
 *     and the next consumer after one that died in the middle of a {@code get()} does before it
 *     takes anything. CPython's {@code join()} hangs for ever when a consumer dies holding an item.
 * @param <E> the type of the items
 */
public class ProcessJoinableQueue<E> extends ProcessQueue<E> {
    private static final long serialVersionUID = 1L;

    /**
     * Creates an unbounded joinable queue.
     *
     * <p>Made by a static initialiser, it is the tree's: see
     * <a href="package-summary.html#static-fields">static fields</a>.
     */
    public ProcessJoinableQueue() {
        this(0);
    }

    /**
     * Creates a joinable queue holding at most {@code maxSize} items waiting to be got.
     *
     * <p>Made by a static initialiser, it is the tree's: see
     * <a href="package-summary.html#static-fields">static fields</a>.
     *
     * @param maxSize the bound; 0 or less for an unbounded queue
     */
    public ProcessJoinableQueue(int maxSize) {
        super(StaticShared.resolve("ProcessJoinableQueue", () -> new LocalJoinableQueue(maxSize), LocalJoinableQueue::close),
                ProcessUse.ofNew("ProcessJoinableQueue"));
    }

    ProcessJoinableQueue(JoinableQueueBackend backend, ProcessUse use) {
        super(backend, use);
    }

    /**
     * Makes a joinable queue whose items and unfinished count live in {@code backend} (for
     * implementers of backends; see {@link io.github.multiprocessing4j.spi}). Its methods then
     * block, fail, redeliver and travel as the backend documents.
     *
     * @param <E> the type of the items
     * @param backend where the items and the unfinished count live
     * @return the queue
     */
    public static <E> ProcessJoinableQueue<E> over(JoinableQueueBackend backend) {
        return new ProcessJoinableQueue<>(Objects.requireNonNull(backend, "backend"), ProcessUse.ofBackend("ProcessJoinableQueue"));
    }

    /**
     * Tells the queue that an item this process got has been dealt with. Never blocks.
     *
     * @throws IllegalStateException when called more times than this process got items
     */
    public void taskDone() {
        try {
            joinable().taskDone();
        } finally {
            Reference.reachabilityFence(this); // see ProcessUse: this handle outlives the call
        }
    }

    /**
     * Waits until every item put has been got and finished with {@link #taskDone()}, delivering
     * again the items of consumers that died meanwhile.
     *
     * @throws InterruptedException when the thread is interrupted while waiting
     */
    public void join() throws InterruptedException {
        try {
            joinable().join(-1);
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    /**
     * Waits at most {@code timeout} until every item put has been finished.
     *
     * @param timeout how long to wait; zero or negative does not wait
     * @return whether every item was finished; false on timeout
     * @throws InterruptedException when the thread is interrupted while waiting
     */
    public boolean join(Duration timeout) throws InterruptedException {
        try {
            return joinable().join(nanos(timeout));
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    /** {@return how many items were put and not finished yet} Never blocks. */
    public long unfinishedTasks() {
        try {
            return Math.max(0, joinable().unfinished());
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    /**
     * Ends this process's use of the queue through this handle, as {@link ProcessQueue#close()}:
     * the other processes keep putting, getting, finishing and joining. Items this process got
     * and did not finish stay unfinished (a {@code join()} elsewhere waits for them) until this
     * process dies, when they are delivered again. When no other process can have the queue, its
     * memory and the consumers' bookkeeping go now.
     */
    @Override
    public void close() {
        super.close();
    }

    /**
     * Ends the queue for every process, as {@link ProcessQueue#unlink()}; once it is also empty
     * and finished, the consumers' bookkeeping is freed with it.
     */
    @Override
    public void unlink() {
        super.unlink();
    }

    private JoinableQueueBackend joinable() {
        return (JoinableQueueBackend) open();
    }
}
