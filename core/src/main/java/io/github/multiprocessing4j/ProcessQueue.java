package io.github.multiprocessing4j;

import io.github.multiprocessing4j.internal.statics.StaticShared;
import io.github.multiprocessing4j.spi.QueueBackend;

import java.io.Serializable;
import java.lang.ref.Reference;
import java.time.Duration;
import java.util.Objects;

/**
 * A first-in first-out queue shared by the processes of a tree: Python's
 * {@code multiprocessing.Queue}. Any number of processes and threads may put and get at once;
 * items put by one producer come out in the order it put them; no item is delivered twice.
 *
 * <pre>{@code
 * ProcessQueue<String> q = new ProcessQueue<>(5);
 * ChildProcess child = new ChildProcess(() -> q.put("hello from " + Multiprocessing.currentProcess().pid()));
 * child.start();
 * System.out.println(q.get());
 * }</pre>
 *
 * <p><b>Items.</b> {@code put} serializes the item in the caller, so an item that is not
 * serializable fails there ({@link IllegalArgumentException} naming the class) and the queue
 * is unchanged. The item is a copy: changing the object after {@code put} does not change what
 * is got. Items may be of any size up to 2 GiB. {@code null} is rejected
 * ({@link NullPointerException}): where Python puts {@code None} as a "no more items" sentinel,
 * put a sentinel object, or {@link #unlink()} the queue.
 *
 * <p><b>Bounds.</b> A queue made with {@code maxSize > 0} holds at most that many items:
 * {@code put} blocks while it is full. An unbounded queue never blocks {@code put} (a process may
 * put a million items before any consumer exists); its memory is what it holds, and a few
 * drained blocks kept for reuse (up to 40 MiB once it carried items of megabytes; 10 MiB where
 * {@code /dev/shm} is Docker's 64 MiB), freed when it is closed. One exception, for speed: a
 * producer more than a few MiB of items (or four items of a MiB or more) ahead of consumers
 * that are busy taking pauses for a moment (until they drain a chunk, at most 50 ms) before it
 * takes new memory, so that the queue reuses the memory they drained; a put stops waiting once
 * the consumers have taken nothing for 10 ms, and {@link #putNowait} never pauses. So a producer
 * far ahead of a consumer that takes slowly is held to about a MiB per 10-15 ms while it takes:
 * puts of 1 MiB items, each with a pause, to a consumer spending 30 ms on each, took 15 ms apiece
 * where, made in new memory, they took 4 (and held 200 MiB of it for 200 items).
 *
 * <p><b>Processes that die.</b> Nothing hangs and nothing else is lost when a process is
 * killed: a consumer killed while taking an item takes at most that item with it; a producer
 * killed mid-{@code put} leaves nothing half-written (an item it had written completely is
 * kept). The others go on.
 *
 * <p><b>Handles.</b> A queue is a handle to shared memory: capture it in a child's target, or
 * send it through another queue, and every process uses the same queue.
 *
 * <p><b>close() and unlink().</b> As in Python, {@link #close()} says that this process is done
 * with the queue: its further use through this handle throws {@link IllegalStateException},
 * and the other processes keep using the queue. A parent may close its own handle right after
 * starting the children that use the queue, and {@code try (var q = new ProcessQueue<>()) { ... }}
 * in a parent does not break children that still use it when the block ends. {@link #unlink()}
 * ends the queue for every process (what Python's {@code close()} is often mistaken for). The
 * queue's shared memory goes at {@code close()} when no other process can have the queue (this
 * handle was made here, outside a static initialiser, and never sent to another process), and so
 * it does, without a {@code close()}, once such a handle is garbage (as CPython frees a dropped
 * queue; a thread of the library's, {@code mp4j-cleaner}, does it); else once it is unlinked and
 * empty, else when the last process of the tree ends: which processes hold a queue is not
 * tracked, since a handle may travel in a queue item that no process holds.
 *
 * <p><b>Backends.</b> A queue made with a constructor keeps its items in shared memory
 * ({@code LocalQueue}); one made {@linkplain #over over a backend} keeps them where the backend
 * does (on a Redis server, for a cluster's queues), and its methods block, fail and travel as
 * that backend documents.
 *
 * @implNote {@code Integer}, {@code Long}, {@code Double}, {@code Boolean}, {@code String} and
 *     {@code byte[]} items have a direct encoding (a tag byte and the value), because a JDK
 *     serialization stream per item would cost microseconds; so do the JDK's everyday lists,
 *     sets and maps ({@code ArrayList}, {@code List.of}, {@code HashMap}, {@code Map.of},
 *     {@code HashSet}...), arrays, enum constants and {@code Serializable} records made of such
 *     values, which come back as the same classes (a record through its canonical constructor,
 *     as deserialization does); anything else is serialized, and so is a value that holds one
 *     list, set, map or array twice, so that it comes back holding one object twice. The
 *     items are records in a chain of shared-memory segments, appended under one process-shared
 *     lock and taken under another, so a producer and a consumer do not contend; a waiting
 *     {@code get} polls, ever more slowly (no process can wake another's thread). Where CPython's
 *     queue hangs or loses items when a process is killed, each step of a put or take here
 *     leaves a state the next user of the queue repairs.
 * @param <E> the type of the items
 */
public class ProcessQueue<E> implements Serializable, Unlinkable {
    private static final long serialVersionUID = 1L;

    /** Where the items live: shared memory, or the backend the queue was made over. */
    final QueueBackend backend;
    /** This handle's use in this process: closed here, and whether it left this process. */
    final ProcessUse use;

    /**
     * Creates an unbounded queue: {@code put} never blocks (Python's {@code Queue()}).
     *
     * <p>Made by a static initialiser, it is the tree's: see
     * <a href="package-summary.html#static-fields">static fields</a>.
     */
    public ProcessQueue() {
        this(0);
    }

    /**
     * Creates a queue holding at most {@code maxSize} items (Python's {@code Queue(maxsize)}).
     *
     * <p>Made by a static initialiser, it is the tree's: see
     * <a href="package-summary.html#static-fields">static fields</a>.
     *
     * @param maxSize the bound; 0 or less for an unbounded queue
     */
    public ProcessQueue(int maxSize) {
        this(StaticShared.resolve("ProcessQueue", () -> new LocalQueue(maxSize), LocalQueue::close), ProcessUse.ofNew("ProcessQueue"));
    }

    ProcessQueue(QueueBackend backend, ProcessUse use) {
        this.backend = backend;
        this.use = use;
        use.destroyWhenUnreachable(this, () -> destroy(backend));
    }

    /**
     * Makes a queue whose items live in {@code backend} (for implementers of backends; see
     * {@link io.github.multiprocessing4j.spi}). Its methods then block, fail and travel as the
     * backend documents.
     *
     * @param <E> the type of the items
     * @param backend where the items live
     * @return the queue
     */
    public static <E> ProcessQueue<E> over(QueueBackend backend) {
        return new ProcessQueue<>(Objects.requireNonNull(backend, "backend"), ProcessUse.ofBackend("ProcessQueue"));
    }

    /**
     * Puts an item, waiting while the queue is full. The wait is not ended by an interrupt (the
     * thread's interrupt status is kept), as for {@link java.util.concurrent.locks.Lock#lock()}:
     * {@link #putInterruptibly} is the put an interrupt ends.
     * On an unbounded queue it does not wait for room, but may pause up to 50 ms while busy
     * consumers catch up with a long lead (see <b>Bounds</b> above).
     *
     * @param item the item, serializable and not null; a copy is put
     * @throws NullPointerException when {@code item} is null
     * @throws IllegalArgumentException when {@code item} is not serializable
     * @throws IllegalStateException when this handle was closed in this process, or the queue
     *     was unlinked
     */
    public void put(E item) {
        putItem(item, -1);
    }

    /**
     * Puts an item, waiting while the queue is full, as {@link #put(Object)} does, but an interrupt
     * ends the wait: for a producer thread that must be cancellable (an executor's
     * {@code shutdownNow()}, a future's {@code cancel(true)}), as a
     * {@link java.util.concurrent.BlockingQueue}'s {@code put} is. A pause of an unbounded queue's
     * put (50 ms at most, see <b>Bounds</b> above) is not ended by it.
     *
     * @param item the item, serializable and not null; a copy is put
     * @throws InterruptedException when the thread was interrupted before or while it waited for
     *     room (the interrupt status cleared); nothing was put
     * @throws NullPointerException when {@code item} is null
     * @throws IllegalArgumentException when {@code item} is not serializable
     * @throws IllegalStateException when this handle was closed in this process, or the queue
     *     was unlinked
     */
    public void putInterruptibly(E item) throws InterruptedException {
        putInterruptibly(item, -1);
    }

    /**
     * Puts an item, waiting at most {@code timeout} for room, as {@link #put(Object, Duration)}
     * does, but an interrupt ends the wait (as {@link #putInterruptibly(Object)}).
     *
     * @param item the item, serializable and not null; a copy is put
     * @param timeout how long to wait for room; zero or negative does not wait
     * @throws QueueFullException when the queue stayed full for the whole timeout
     * @throws InterruptedException when the thread was interrupted before or while it waited for
     *     room (the interrupt status cleared); nothing was put
     * @throws NullPointerException when {@code item} is null
     * @throws IllegalArgumentException when {@code item} is not serializable
     * @throws IllegalStateException when this handle was closed in this process, or the queue
     *     was unlinked
     */
    public void putInterruptibly(E item, Duration timeout) throws InterruptedException {
        if (!putInterruptibly(item, nanos(timeout))) {
            throw full();
        }
    }

    /**
     * Puts an item, waiting at most {@code timeout} for room (not ended by an interrupt:
     * {@link #putInterruptibly(Object, Duration)} is).
     *
     * @param item the item, serializable and not null; a copy is put
     * @param timeout how long to wait for room; zero or negative does not wait
     * @throws QueueFullException when the queue stayed full for the whole timeout
     * @throws NullPointerException when {@code item} is null
     * @throws IllegalArgumentException when {@code item} is not serializable
     * @throws IllegalStateException when this handle was closed in this process, or the queue
     *     was unlinked
     */
    public void put(E item, Duration timeout) {
        if (!putItem(item, nanos(timeout))) {
            throw full();
        }
    }

    /**
     * Puts an item without waiting.
     *
     * @param item the item, serializable and not null; a copy is put
     * @throws QueueFullException when the queue is full
     * @throws NullPointerException when {@code item} is null
     * @throws IllegalArgumentException when {@code item} is not serializable
     * @throws IllegalStateException when this handle was closed in this process, or the queue
     *     was unlinked
     */
    public void putNowait(E item) {
        if (!putItem(item, 0)) {
            throw full();
        }
    }

    /**
     * Puts an item if there is room, without waiting.
     *
     * @param item the item, serializable and not null; a copy is put
     * @return false when the queue is full
     * @throws NullPointerException when {@code item} is null
     * @throws IllegalArgumentException when {@code item} is not serializable
     * @throws IllegalStateException when this handle was closed in this process, or the queue
     *     was unlinked
     */
    public boolean offer(E item) {
        return putItem(item, 0);
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
        return take(-1);
    }

    /**
     * Takes the oldest item, waiting at most {@code timeout} for one.
     *
     * @param timeout how long to wait for an item; zero or negative does not wait
     * @return the item
     * @throws QueueEmptyException when no item came within the timeout
     * @throws InterruptedException when the thread is interrupted while waiting; nothing is taken
     * @throws IllegalStateException when this handle was closed in this process, or the queue
     *     was unlinked and is empty
     */
    public E get(Duration timeout) throws InterruptedException {
        E item = take(nanos(timeout));
        if (item == null) {
            throw empty();
        }
        return item;
    }

    /**
     * Takes the oldest item without waiting for one.
     *
     * @return the item
     * @throws QueueEmptyException when the queue is empty
     * @throws IllegalStateException when this handle was closed in this process, or the queue
     *     was unlinked and is empty
     */
    public E getNowait() {
        E item = poll();
        if (item == null) {
            throw empty();
        }
        return item;
    }

    /**
     * Takes the oldest item without waiting for one.
     *
     * @return the item, or null when the queue is empty
     * @throws IllegalStateException when this handle was closed in this process, or the queue
     *     was unlinked and is empty
     */
    public E poll() {
        try {
            return cast(open().poll());
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    /**
     * Takes the oldest item, waiting at most {@code timeout} for one.
     *
     * @param timeout how long to wait for an item; zero or negative does not wait
     * @return the item, or null when none came within the timeout
     * @throws InterruptedException when the thread is interrupted while waiting; nothing is taken
     * @throws IllegalStateException when this handle was closed in this process, or the queue
     *     was unlinked and is empty
     */
    public E poll(Duration timeout) throws InterruptedException {
        return take(nanos(timeout));
    }

    /**
     * Counts the items the queue holds: exact while no put or get is under way. Never blocks.
     * Python's {@code qsize()}.
     *
     * @return how many items the queue holds
     */
    public int qsize() {
        return (int) Math.min(Integer.MAX_VALUE, size());
    }

    /** {@return whether the queue holds no item} Never blocks. */
    public boolean isEmpty() {
        return size() == 0;
    }

    /**
     * {@return whether a bounded queue holds {@code maxSize} items} Never true when unbounded;
     * never blocks.
     */
    public boolean isFull() {
        long max = maxSize();
        return max > 0 && size() >= max;
    }

    /** {@return the bound given at creation, 0 when unbounded} */
    public int maxSize() {
        try {
            return (int) open().maxSize();
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    /**
     * Ends this process's use of the queue through this handle (Python's {@code close()}): its
     * further use here throws {@link IllegalStateException}; the other processes keep using the
     * queue, and what was put stays in it. A {@code get} already waiting on another thread goes
     * on waiting. The queue's memory goes now when no other process can have the queue (see
     * "close() and unlink()" above), else with {@link #unlink()} or the tree. Idempotent; never
     * blocks for long. (A handle made {@code over} another backend: its
     * {@code close()} is that backend's {@code close()}, as the backend documents.)
     */
    @Override
    public void close() {
        if (use.close()) {
            destroy();
        }
    }

    /**
     * Ends the queue for every process: further puts throw {@link IllegalStateException} in
     * every process; consumers still get what it holds, then their gets throw
     * {@link IllegalStateException} instead of waiting (a waiting get ends). Its shared memory is
     * freed once it is empty. Works on a closed handle; idempotent; never blocks for long. (A
     * queue over another backend: as that backend documents for its {@code close()}.)
     */
    @Override
    public void unlink() {
        backend.close();
    }

    /** {@return whether this handle was closed in this process, or the queue was unlinked (by any process)} */
    public boolean isClosed() {
        return use.isClosed() || backend.isClosed();
    }

    /**
     * Describes the queue for logs and debuggers: its class and where its items live.
     *
     * @return the description
     */
    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + backend + (use.isClosed() ? ", closed in this process" : "") + "]";
    }

    private void destroy() {
        destroy(backend);
    }

    /** Destroys a queue that no other process can have; over another backend, that backend's close(). */
    static void destroy(QueueBackend backend) {
        if (backend instanceof LocalQueue local) {
            local.discard();
        } else {
            backend.close();
        }
    }

    /**
     * @return the backend, for an operation through this handle
     * @throws IllegalStateException when this handle was closed in this process
     */
    QueueBackend open() {
        use.checkOpen();
        return backend;
    }

    /** {@link #putItem} whose wait for room an interrupt ends. */
    private boolean putInterruptibly(E item, long timeoutNanos) throws InterruptedException {
        try {
            return open().putInterruptibly(checked(item), timeoutNanos);
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    /** Puts through the backend, this handle kept reachable until the put is over (see {@code ProcessUse}). */
    private boolean putItem(E item, long timeoutNanos) {
        try {
            return open().put(checked(item), timeoutNanos);
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    /** Takes through the backend, this handle kept reachable until the take is over. */
    private E take(long timeoutNanos) throws InterruptedException {
        try {
            return cast(open().take(timeoutNanos));
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    private long size() {
        try {
            return open().size();
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> T cast(Object item) {
        return (T) item;
    }

    static <T> T checked(T item) {
        return Objects.requireNonNull(item, "a queue item must not be null (put a sentinel object, or unlink the queue)");
    }

    /** @return the timeout in nanoseconds: 0 when negative, saturated when huge */
    static long nanos(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            return 0;
        }
        try {
            return timeout.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    private static QueueFullException full() {
        return new QueueFullException("the queue is full");
    }

    private static QueueEmptyException empty() {
        return new QueueEmptyException("the queue is empty");
    }
}
