package io.github.multiprocessing4j.internal.pool;

import io.github.multiprocessing4j.internal.serial.PackedValues;
import io.github.multiprocessing4j.internal.serial.ValueSection;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.LockSupport;

/**
 * One {@code map}, {@code imap} or {@code imapUnordered} call: its input, cut into chunks as the
 * results are taken, and its results as they come back.
 *
 * <p>Implementation notes. The input is read in the caller's thread (the one iterating, or the one
 * in {@code map}), never by a pool thread, so an input iterator needs no thread safety and its
 * exceptions reach the caller. At most {@link #window} chunks of the call are ahead of the caller
 * at any time, sent or waiting to be sent or answered and not taken yet: a huge or infinite input
 * is read only as fast as its results are used, and the results kept in memory are bounded.
 * Between its turns, the caller parks; the collector thread unparks it only when there is
 * something for it to do (the next result in order, any result when unordered, enough results for
 * a {@code map} to refill its window), which keeps thread handoffs far rarer than results.
 *
 * <p>A task's failure is its result: {@code imap} throws it (as a {@link CompletionException}) at
 * its place and can be iterated on; {@code map} throws the first one it sees and abandons the
 * call, whose chunks not yet sent are dropped. A chunk that fails as a whole (its worker died)
 * fails each of its tasks.
 *
 * <p>An input whose iterator throws ends there, as CPython's {@code imap} does: the exception is
 * kept, the items read before it go out (a short last chunk if need be), and it is thrown as it is
 * only once every result before it has been taken; then there are no more results. Reading the
 * input inside a {@code next()} must not throw at once, or the results already read would be lost.
 *
 * @param <R> the result type
 */
public final class StreamCall<R> implements ChunkOwner, Iterator<R> {
    /** How results are handed out. */
    public enum Order {
        /** All at once, in input order, by {@link #collect()}. */
        MAP,
        /** One by one, in input order. */
        ORDERED,
        /** One by one, as they come. */
        UNORDERED
    }

    /**
     * Tasks a call keeps ahead of its caller per worker when chunks are small: as many as a worker
     * may hold, and as many again waiting to be sent, so that every worker stays fed.
     */
    static final int TASKS_AHEAD_PER_WORKER = 2 * Dispatcher.DEPTH_TASKS;
    /** A chunk this big is submitted on its own, as soon as it is written. */
    static final int SUBMIT_ALONE_TASKS = Dispatcher.DEPTH_TASKS;

    private final PoolEngine engine;
    private final Order order;
    private final GuardedInput source;
    private final int chunkSize;
    private final FunctionRef function;
    private final ClassLoader loader;
    private final MapProgressListener listener;
    private final long knownTotal;
    /** How long each chunk may run once started; 0 for no limit. */
    private final long timeoutNanos;
    private final int window;
    /** A waiting {@code map} is woken once this many chunks are ready to take. */
    private final int wakeThreshold;
    /**
     * While chunks are out, an iterator reads more input only once this many of the window's
     * chunks are free (see {@link #refill}).
     */
    private final int refillRoom;

    // The caller's state; the collector reads the volatile ones.
    private volatile int submitted;
    private volatile int taken;
    private volatile boolean inputEnded;
    private long pulled;
    /** Why the pool refused the input from some point on: the call ends there. */
    private RejectedExecutionException rejection;
    /** What the input's iterator threw: the input ended there; thrown once, after the results before it. */
    private RuntimeException inputFailure;
    private Object[] current;
    private int currentPosition;
    private long reportedDone = -1;

    // What the collector gives the caller: guarded by this. A chunk's results are an Object[], or
    // for a map whose results are ints, longs or doubles a primitive array (see completedPacked),
    // which only a MAP call gets. A MAP call's go straight to their place (the caller makes room
    // before it submits the chunks), an ORDERED call's wait by index to be taken in order, an
    // UNORDERED call's in the order they came.
    private Object[] mapResults = new Object[16];
    private final Map<Integer, Object> byIndex = new HashMap<>();
    private final ArrayDeque<Object[]> byArrival = new ArrayDeque<>();
    private int completed;
    private long completedTasks;
    private boolean sawFailure;

    private volatile boolean abandoned;
    private volatile Thread waiter;

    /**
     * @param knownTotal how many inputs there are, or -1 when unknown until they are read
     * @param listener told of progress in the caller's thread; may be null
     * @param timeoutNanos how long each chunk may run once started; 0 for no limit
     */
    StreamCall(PoolEngine engine, Order order, Object function, Iterator<?> source, int chunkSize, long knownTotal,
               MapProgressListener listener, ClassLoader loader, long timeoutNanos) {
        if (chunkSize < 1) {
            throw new IllegalArgumentException("the chunk size must be at least 1, not " + chunkSize);
        }
        this.engine = engine;
        this.order = order;
        this.source = new GuardedInput(source);
        this.chunkSize = chunkSize;
        this.function = engine.chunks().function(function);
        this.knownTotal = knownTotal;
        this.timeoutNanos = timeoutNanos;
        this.listener = listener;
        this.loader = loader;
        this.window = window(engine.processes(), chunkSize);
        this.wakeThreshold = listener != null ? 1 : Math.max(1, window / 4);
        this.refillRoom = order == Order.MAP ? 1 : Math.max(1, window / 8);
    }

    /** @return how many chunks of {@code chunkSize} a call keeps ahead of its caller */
    static int window(int processes, int chunkSize) {
        long tasks = (long) TASKS_AHEAD_PER_WORKER * processes;
        return (int) Math.max(4L * processes + 1, (tasks + chunkSize - 1) / chunkSize);
    }

    // ---------------------------------------------------------------- the caller's side

    /**
     * Runs the whole call: a {@code map}.
     *
     * @return the results in input order
     * @throws CompletionException with the first failed task's exception as the cause, or with an
     *     {@link InterruptedException} when the thread was interrupted (its status is kept)
     * @throws CancellationException when the pool was terminated meanwhile
     * @throws RejectedExecutionException when the pool was shut down before the call or is broken
     */
    public List<R> collect() {
        engine.openMapCall();
        try {
            while (true) {
                refill();
                takeAllReady();
                report();
                if (inputEnded && taken == submitted) {
                    break;
                }
                if (!inputEnded && submitted - taken < window) {
                    continue; // what was taken made room: read more input before waiting
                }
                await();
            }
            if (rejection != null) {
                throw rejected();
            }
            if (inputFailure != null) {
                throw inputFailure;
            }
            // takeAllReady saw every chunk completed, under the call's lock: mapResults is written no more.
            // Failures were thrown by takeAllReady: these are results.
            return new ResultList<>(Arrays.copyOf(mapResults, submitted));
        } catch (RuntimeException | Error e) {
            abandoned = true;
            throw e;
        } finally {
            engine.closeMapCall();
        }
    }

    @Override
    public boolean hasNext() {
        if (current != null && currentPosition < current.length) {
            return true;
        }
        if (taken < submitted) {
            return true;
        }
        refill();
        if (taken < submitted || rejection != null || inputFailure != null) {
            return true;
        }
        report();
        return false;
    }

    /**
     * @throws CompletionException when this task failed (the cause is its exception) or the
     *     thread was interrupted while waiting; iterating may go on after a failed task
     * @throws CancellationException when the pool was terminated before this task's result came
     * @throws RejectedExecutionException when the pool was shut down before the input was read
     *     to its end: the results of what was read came before
     * @throws RuntimeException what the input's iterator threw, as it is, once, after the results
     *     of the items before it
     * @throws NoSuchElementException after the last result
     */
    @Override
    public R next() {
        while (true) {
            if (current != null) {
                if (currentPosition < current.length) {
                    Object value = current[currentPosition];
                    current[currentPosition++] = null;
                    return unwrap(value);
                }
                current = null;
            }
            refill();
            Object[] values;
            synchronized (this) {
                values = order == Order.UNORDERED ? byArrival.pollFirst() : (Object[]) byIndex.remove(taken);
            }
            if (values != null) {
                taken++;
                current = values;
                currentPosition = 0;
                report();
                continue;
            }
            if (inputEnded && taken == submitted) {
                report();
                if (rejection != null) {
                    throw rejected();
                }
                if (inputFailure != null) {
                    RuntimeException failure = inputFailure;
                    inputFailure = null; // thrown once, like CPython's, then the results are over
                    throw failure;
                }
                throw new NoSuchElementException("no more results");
            }
            await();
        }
    }

    /**
     * Reads input and submits chunks while the window has room. Small chunks are submitted
     * together (one turn of the pool's lock, and one message per worker); a chunk of
     * {@link #SUBMIT_ALONE_TASKS} tasks or more goes as soon as it is written, so that the workers
     * start on it while the next one is written.
     *
     * <p>An iterator calls it at each chunk it takes; while chunks are out, it reads input only
     * once {@link #refillRoom} chunks of the window are free, so that small chunks still go out
     * together. Refilled one chunk per chunk taken, {@code imap} with chunks of one (its default)
     * sent each task as a message of its own, a turn of the pool's lock each: the bench's
     * {@code imap} row 534-622k tasks/s before, 556-742k after (3 runs each, interleaved), where
     * {@code map} with chunks of one ran at 870k-1.02M. What is left of that gap is the caller
     * itself, which iterates while the collector and both workers run (on two processors), where
     * a {@code map}'s caller sleeps: taking every ready chunk in one turn of this call's lock
     * instead of one turn each made no clear difference.
     */
    private void refill() {
        if (submitted > taken && window - (submitted - taken) < refillRoom) {
            return;
        }
        List<Chunk> batch = null;
        int batchTasks = 0;
        int index = submitted;
        while (!inputEnded && !abandoned && index - taken < window) {
            if (!source.hasNext()) {
                inputEnded = true;
                break;
            }
            if (batch == null) {
                batch = new ArrayList<>();
            }
            Chunk chunk = nextChunk(index++);
            batch.add(chunk);
            batchTasks += chunk.count;
            if (batchTasks >= SUBMIT_ALONE_TASKS) {
                if (!submit(batch)) {
                    return;
                }
                batch = null;
                batchTasks = 0;
            }
        }
        if (batch != null) {
            submit(batch);
        }
    }

    /** @return whether the pool took the chunks; when it refused them, the input ends here */
    private boolean submit(List<Chunk> batch) {
        if (order == Order.MAP) {
            synchronized (this) {
                int needed = submitted + batch.size();
                if (needed > mapResults.length) {
                    mapResults = Arrays.copyOf(mapResults, Math.max(needed, mapResults.length * 2));
                }
            }
        }
        try {
            engine.submit(batch, order == Order.MAP);
        } catch (RejectedExecutionException e) {
            rejection = e;
            inputEnded = true;
            return false;
        }
        submitted += batch.size();
        return true;
    }

    /** Reads the next chunk's items (there is one at least) and writes its message. */
    private Chunk nextChunk(int index) {
        long expected = knownTotal >= 0 ? Math.min(chunkSize, knownTotal - pulled) : Math.min(chunkSize, 1024);
        Chunk chunk = engine.chunks().mapChunk(function, source, chunkSize, (int) expected, knownTotal >= 0, index,
                this, timeoutNanos);
        pulled += chunk.count;
        return chunk;
    }

    /** A {@code map}'s: takes the results that came, which are in place already; throws the first failure among them. */
    private void takeAllReady() {
        Object[] arrived;
        synchronized (this) {
            taken = completed;
            if (!sawFailure) {
                return;
            }
            arrived = Arrays.copyOf(mapResults, submitted); // the collector may still write beyond what came
        }
        for (Object values : arrived) {
            if (values instanceof Object[]) { // a primitive array holds no failure
                for (Object value : (Object[]) values) {
                    unwrap(value); // throws at the first failure
                }
            }
        }
    }

    @SuppressWarnings("unchecked")
    private R unwrap(Object value) {
        if (value instanceof ValueSection.Failed) {
            Throwable cause = ((ValueSection.Failed) value).cause();
            if (cause instanceof CancellationException) {
                CancellationException c = new CancellationException(cause.getMessage());
                c.initCause(cause);
                throw c;
            }
            throw new CompletionException(cause);
        }
        return (R) value;
    }

    private RejectedExecutionException rejected() {
        return new RejectedExecutionException("the pool stopped taking tasks before the input was read to its end ("
                + pulled + " items read): " + rejection.getMessage(), rejection);
    }

    /**
     * The call's input, which ends where its iterator throws (a {@link RuntimeException}) and keeps
     * the exception in {@link #inputFailure}. It reads one item ahead, in {@code hasNext()}, so a
     * throwing {@code next()} surfaces there and a chunk under way simply ends short; every
     * {@code hasNext()} that answers true is followed by a {@code next()}, so nothing is read
     * sooner than before.
     */
    private final class GuardedInput implements Iterator<Object> {
        private final Iterator<?> input;
        private Object ahead;
        private boolean hasAhead;

        GuardedInput(Iterator<?> input) {
            this.input = input;
        }

        @Override
        public boolean hasNext() {
            if (hasAhead) {
                return true;
            }
            if (inputFailure != null || inputEnded) {
                return false;
            }
            try {
                if (!input.hasNext()) {
                    return false;
                }
                ahead = input.next();
                hasAhead = true;
                return true;
            } catch (RuntimeException e) {
                inputFailure = e;
                return false;
            }
        }

        @Override
        public Object next() {
            if (!hasNext()) {
                throw new NoSuchElementException("the input is over");
            }
            Object item = ahead;
            ahead = null;
            hasAhead = false;
            return item;
        }
    }

    private void report() {
        if (listener == null) {
            return;
        }
        long done;
        synchronized (this) {
            done = completedTasks;
        }
        if (done != reportedDone) {
            reportedDone = done;
            listener.progress(done, knownTotal >= 0 ? knownTotal : inputEnded ? pulled : -1);
        }
    }

    /** Parks until the collector has something for this caller. */
    private void await() {
        if (engine.isCollectorThread()) {
            throw new IllegalStateException("a pool call waited for results in the pool's collector thread (a future's"
                    + " callback), which would wait for ever: use an async callback or another thread");
        }
        waiter = Thread.currentThread();
        try {
            while (true) {
                synchronized (this) {
                    if (worthWaking()) {
                        return;
                    }
                }
                LockSupport.park(this);
                if (Thread.interrupted()) {
                    Thread.currentThread().interrupt();
                    throw new CompletionException(new InterruptedException("interrupted while waiting for pool results"));
                }
            }
        } finally {
            waiter = null;
        }
    }

    /** Whether the caller, waiting, has something to do. Called with this locked. */
    private boolean worthWaking() {
        if (inputEnded && completed == submitted) {
            return true;
        }
        switch (order) {
            case MAP:
                return sawFailure || completed - taken >= wakeThreshold;
            case ORDERED:
                return byIndex.containsKey(taken);
            default:
                return !byArrival.isEmpty();
        }
    }

    // ---------------------------------------------------------------- the collector's side

    @Override
    public boolean abandoned() {
        return abandoned;
    }

    @Override
    public ClassLoader loader() {
        return loader;
    }

    @Override
    public void completed(Chunk chunk, Object[] values) {
        boolean failure = false;
        if (order == Order.MAP) {
            for (Object v : values) {
                if (v instanceof ValueSection.Failed) {
                    failure = true;
                    break;
                }
            }
        }
        arrived(chunk, values, values.length, failure);
    }

    /**
     * A {@code map} keeps a chunk of int, long or double results unboxed: its {@link ResultList}
     * boxes one when it is read, and the collector thread does not box a million results the
     * caller may never read (nor the garbage collector keep them alive through young
     * collections). The iterators box them here.
     */
    @Override
    public void completedPacked(Chunk chunk, Object values) {
        if (order != Order.MAP) {
            ChunkOwner.super.completedPacked(chunk, values);
            return;
        }
        arrived(chunk, values, PackedValues.length(values), false);
    }

    /** Hands a chunk's results (an Object[], or a primitive array for a map) to the caller, waking it when worth it. */
    private void arrived(Chunk chunk, Object values, int count, boolean failure) {
        Thread wake;
        synchronized (this) {
            if (order == Order.MAP) {
                mapResults[chunk.index] = values;
            } else if (order == Order.UNORDERED) {
                byArrival.addLast((Object[]) values);
            } else {
                byIndex.put(chunk.index, values);
            }
            completed++;
            completedTasks += count;
            sawFailure |= failure;
            wake = waiter;
            if (wake != null && !worthWaking()) {
                wake = null;
            }
        }
        if (wake != null) {
            LockSupport.unpark(wake);
        }
    }

    @Override
    public void failed(Chunk chunk, Throwable failure) {
        Object[] values = new Object[chunk.count];
        Arrays.fill(values, new ValueSection.Failed(failure));
        completed(chunk, values);
    }
}
