package io.github.multiprocessing4j;

import io.github.multiprocessing4j.internal.pool.ExecutorCalls;
import io.github.multiprocessing4j.internal.pool.MapProgressListener;
import io.github.multiprocessing4j.internal.pool.PoolConfig;
import io.github.multiprocessing4j.internal.pool.PoolEngine;
import io.github.multiprocessing4j.internal.pool.PoolTask;
import io.github.multiprocessing4j.internal.pool.StarArguments;
import io.github.multiprocessing4j.internal.pool.StreamCall;
import io.github.multiprocessing4j.internal.pool.WorkerLauncher;
import io.github.multiprocessing4j.internal.statics.StaticShared;
import io.github.multiprocessing4j.spi.PoolBackend;
import io.github.multiprocessing4j.spi.PoolBackendFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A pool of worker processes that run serializable tasks: Python's {@code multiprocessing.Pool}
 * and {@code concurrent.futures.ProcessPoolExecutor} for Java, as an {@link ExecutorService}.
 *
 * <pre>{@code
 * try (ProcessPool pool = new ProcessPool(4)) {
 *     List<Integer> squares = pool.map(x -> x * x, List.of(1, 2, 3, 4, 5));
 *     Future<String> f = pool.submit(() -> "from pid " + Multiprocessing.currentProcess().pid());
 *     System.out.println(squares + " " + f.get());
 * }
 * }</pre>
 *
 * <p><b>Workers.</b> Each worker is a daemon {@link ChildProcess} (named {@code PoolWorker-N}),
 * started when the pool is made; the pool does not wait for them to boot. They run tasks one at
 * a time, the {@linkplain Builder#initializer initializer} first, and end with the pool, or after
 * {@linkplain Builder#maxTasksPerChild n tasks}, when a new one takes over. Workers are daemonic,
 * so a task cannot start processes. A pool cannot be made in a daemonic process either.
 *
 * <p><b>Pools made one after the other.</b> A closed pool's workers wait a few seconds for the
 * next pool of the same configuration (the same processes, JVM arguments, start method, class
 * path, memory limit and initializer, captured values and all, which then does not run again in
 * them; no {@code maxTasksPerChild}), which takes them over
 * instead of starting new JVMs: a program that makes a pool, maps and closes it, again and again,
 * pays a JVM boot per worker once (a round of such a program: milliseconds instead of about a
 * hundred). They are the same processes, with what their earlier tasks left in static fields,
 * as between two calls of one pool. The system property {@code mp4j.poolKeepAliveSeconds} says
 * how long they wait (5 by default; 0 ends them with their pool, as CPython's); then they end.
 * {@link Multiprocessing#discardSpares()} ends them at once; they also end with the program, as
 * spares do. Only workers that all idle when the pool closes are kept: a pool closed while a
 * worker still boots, or {@linkplain #terminate() terminated}, or broken, ends its workers.
 *
 * <p><b>In a static field.</b> A pool in a static field of the main class works in the root
 * process. Every child that loads the class (a worker does, to run a lambda written there) runs
 * its static initialiser again: a pool made there in a child starts no workers, and every method
 * but {@link #close()} throws {@link IllegalStateException} naming the class (see
 * <a href="package-summary.html#static-fields">static fields</a>).
 *
 * <p><b>Tasks.</b> Functions, tasks and their arguments are serialized in the caller: one that is
 * not serializable fails the call at once with {@link IllegalArgumentException} naming its class.
 * A map call's function is sent once to each worker that runs the call. A task, or a function
 * given to {@code apply} with its argument, that captures nothing (a method reference such as
 * {@code Prices::of}, a lambda that uses only its argument) is sent to each worker once, however
 * often it is submitted; one that captures values is sent with them at each call:
 * {@code apply(Prices::of, order)} rather than {@code apply(() -> Prices.of(order))} for a
 * function called again and again.
 * Results come back serialized; a result that is not serializable fails its task. A task that
 * throws fails only itself: its exception, with the worker's stack trace, becomes the cause of the
 * {@link ExecutionException} ({@link Future#get()}) or {@link CompletionException} ({@code map},
 * {@code imap}, {@code apply}, {@link CompletableFuture#join()}) of that task, and the worker goes
 * on. {@code Integer}, {@code Long}, {@code Double}, {@code Boolean}, {@code String},
 * {@code byte[]} and null travel without JDK serialization, and so do the JDK's everyday lists,
 * sets and maps, arrays, enum constants and {@code Serializable} records made of such values
 * (the same classes come back; a record through its canonical constructor); a chunk that also
 * holds other values sends those, with its lists, maps, arrays and records, in one
 * serialization stream.
 *
 * <p><b>Dying workers.</b> A worker that dies while it holds tasks (killed, {@code System.exit},
 * {@code Runtime.halt}, {@link OutOfMemoryError}) fails exactly those tasks, within a second,
 * with a {@link WorkerDiedException} naming its pid and exit code as the cause; they are not
 * retried unless the pool was built with {@linkplain Builder#retries retries}. A new worker
 * replaces it and the pool stays usable.
 *
 * <p><b>Time limits, {@code cancel(true)} and memory.</b> CPython's pool has neither; they are
 * pebble's and Celery's. A task may be given a time limit ({@link #timed(Duration, SerializableCallable)
 * timed}, for one task or a {@code map}'s function, or {@link Builder#taskTimeout} for every task
 * of the pool), counted from when its worker starts it. When it passes, the task's thread in the
 * worker is interrupted, so that it can clean up; a task that then ends (returns or throws) fails
 * with a {@link java.util.concurrent.TimeoutException} (what it threw is the cause) and its worker
 * goes on. A task still running {@linkplain Builder#interruptGrace a grace period} later (one
 * second unless set) has its worker killed and replaced, and fails with the
 * {@code TimeoutException} as well; the other tasks that worker held, which it had not started,
 * go to other workers. {@link Future#cancel(boolean) cancel(true)} of a task that a worker runs
 * stops it the same way (the {@code ExecutorService} contract, "interrupt if running", taken to
 * the process); one a worker holds but has not started is skipped; {@code cancel(false)} only
 * drops the result. A {@code map} or {@code mapAsync} call's time limit applies to each chunk (a
 * chunk is one task, as in pebble); a chunk that times out fails the call with a
 * {@link CompletionException} whose cause is the {@code TimeoutException} (a {@code mapAsync}
 * future completes exceptionally with it). With {@link Builder#maxMemoryPerChild}, a worker whose
 * resident memory passed the limit after a task is replaced before it runs another; that task's
 * result is delivered, and the tasks it held go to other workers. A task that ends just as its
 * time runs out may count either way, and a worker killed just after its task ended may have
 * started its next one, which then runs again on another worker.
 *
 * <p><b>Across machines.</b> A pool built with {@link Builder#cluster} runs its workers on a
 * cluster's worker agents instead of as children of this process; see there for what differs.
 *
 * <p><b>Lambdas and overloads.</b> A lambda is serializable only when its target type is, so
 * {@code submit} and {@code execute} have overloads taking {@link SerializableCallable} and
 * {@link SerializableRunnable}, which extend {@link Callable} and {@link Runnable}: being the more
 * specific types, they are the ones Java picks for a lambda or a method reference
 * ({@code pool.submit(() -> work())}, {@code pool.execute(this::work)}), and a lambda that
 * returns a value picks {@code SerializableCallable}. Their bodies may throw checked exceptions.
 * {@link #invokeAll(Collection)} and {@link #invokeAny(Collection)} take the
 * {@code ExecutorService} types, so a lambda written in their argument ({@code List.of(() -> 1)})
 * is a plain, unserializable {@code Callable}: pass a {@code List<SerializableCallable<T>>}, or
 * the lambdas themselves to {@link #invokeAll(SerializableCallable...)} and
 * {@link #invokeAny(SerializableCallable...)}. A task given as a plain {@link Callable} or
 * {@link Runnable} must be serializable, else it fails at submission.
 *
 * <p><b>Input and results.</b> {@code map}, {@code imap} and {@code imapUnordered} take an
 * {@link Iterable}, an array or a {@link Stream}. {@code map} returns a list; {@code imap} and
 * {@code imapUnordered} return a {@link ResultIterator}, which is an iterator, the iterable of one
 * for-each loop and a stream of the results as they come. What an input's iterator throws is
 * rethrown as it is (not wrapped): {@code imap} and {@code imapUnordered} throw it after the
 * results of the items read before it, as CPython does; {@code map} throws it instead of a list.
 *
 * <p><b>Chunks.</b> {@code map} cuts its input into chunks of {@code chunkSize} values; a chunk
 * travels to a worker as one message and its results come back as one. The default chunk size is
 * Python's: the input's size divided by four times the number of workers, rounded up (an input
 * that is neither a {@link Collection} nor an array is first copied into a list to count it).
 * {@code imap} and {@code imapUnordered} take chunks of one unless told otherwise. All three read their input
 * lazily, in the caller's thread, keeping at most {@code max(4 * processes + 1, 512 * processes / chunkSize)}
 * chunks (rounded up) ahead of the results taken: an infinite input is fine for {@code imap}.
 * Items are copied as their chunk is made, but for one kind: a {@code byte[]} item of 256 KiB or
 * more (an image, a file's bytes) of an input whose size is known (a {@link Collection}, an array,
 * or the list {@code map} makes of a stream) is copied into the worker's inbox straight from the
 * array, each time its chunk is sent (a retry sends it again), so do not change such an array
 * before its result has come (CPython's pool, which pickles a task when it sends it, reads it
 * then too). An input read as it goes (any other {@link Iterable}, a stream given to
 * {@code imap}) has its items copied as their chunk is made, so its iterator may hand out one
 * array again and again, refilled.
 * Copying megabytes into a new array of the caller's heap first made the first calls over large
 * arrays wait for fresh memory: on the 2-core development VM a pool of 2 mapped 16 arrays of 8 MiB
 * at 0.26-3.5 GB/s a call before (median 2.3), 2.1-5.4 GB/s after (median 4.3). Results are the
 * same the other way: a worker copies a {@code byte[]} result of 256 KiB or more into the result
 * channel straight from the array, when its chunk's answer is sent, so, as in CPython (whose worker
 * pickles a chunk's results once the chunk has run), a task that changes an array that an earlier
 * task of the same chunk returned changes that result too.
 *
 * <p><b>Callbacks.</b> Futures are completed by the pool's collector thread, which also runs their
 * non-async dependents ({@code thenApply}, ...): keep those short, or use the {@code ...Async}
 * variants. A blocking pool call made from there would wait for itself, so it throws
 * {@link IllegalStateException} instead.
 *
 * <p><b>Ending.</b> {@link #close()} (or {@link #shutdown()} and {@link #awaitTermination}) lets
 * submitted tasks and {@code map} calls under way finish, then the workers end (one still booting
 * boots and runs the initializer first, as in CPython), or wait for a next pool (see above);
 * {@code imap} iterators stop reading input at shutdown. {@link #terminate()} (or
 * {@link #shutdownNow()}) kills the workers at once, booting ones too; unfinished tasks are
 * cancelled. Either way every worker process that ended is reaped and the pool's shared memory
 * freed (kept workers keep their inboxes and answer channel until they end). A pool that is not
 * closed ends with the JVM, like every daemon child.
 *
 * <p>This class is thread-safe.
 *
 * <p>Implementation notes. The parent sends chunks to a chosen worker through that worker's own
 * inbox queue and reads all answers from one result queue, so it knows which tasks each worker
 * holds; a watcher notices a worker's end after everything it wrote has been read, so the tasks
 * it still held are exactly the ones to fail (CPython's pool hangs there). See
 * {@code internal.pool.PoolEngine} and its parts. This class adapts the API to the engine: the
 * workers are {@link ChildProcess}es started by {@code PoolWorkers.Launcher}, the callers'
 * functions run through {@code PoolWorkers.Invoker}, and the {@code ExecutorService} plumbing of
 * {@code invokeAll} and {@code invokeAny} is {@code internal.pool.ExecutorCalls}.
 */
public final class ProcessPool implements ExecutorService, AutoCloseable {

    /**
     * A listener told how far a {@code map} or {@code imap} call has got. Called in the thread that
     * runs the call (the one in {@code map}, or iterating), whenever tasks have finished since the
     * last call, and once more when {@code done == total}. An exception it throws ends the call.
     */
    @FunctionalInterface
    public interface ProgressListener {
        /**
         * Tells how far the call has got.
         *
         * @param done tasks finished so far (failed ones included)
         * @param total all tasks of the call, or -1 while unknown (an input that is not a
         *     {@link Collection}, not read to its end yet)
         */
        void progress(long done, long total);
    }

    /** The workers' engine; null in a pool made by a static initialiser in a child (see {@link #engine()}). */
    private final PoolEngine startedEngine;
    /** The class whose static initialiser made this pool in a child, which starts no workers; else null. */
    private final Class<?> madeByStaticInitialiserOf;

    /** Creates a pool of {@link Multiprocessing#cpuCount()} workers. See {@link #ProcessPool(int)}. */
    public ProcessPool() {
        this(builder());
    }

    /**
     * Creates a pool of {@code processes} workers. Returns once they are started, without waiting
     * for them to boot.
     *
     * <p>Made by a static initialiser in a child process, it starts no workers, and its methods
     * but {@link #close()} throw {@link IllegalStateException}: see
     * <a href="package-summary.html#static-fields">static fields</a>.
     *
     * @param processes the number of workers, at least 1
     * @throws IllegalArgumentException when {@code processes < 1}
     * @throws IllegalStateException when this process is daemonic ("daemonic processes are not
     *     allowed to have children"), unless a static initialiser makes the pool
     * @throws java.io.UncheckedIOException when a worker process cannot be started
     */
    public ProcessPool(int processes) {
        this(builder().processes(processes));
    }

    /**
     * A pool of {@code processes} workers that {@code launcher} starts (a warm-up's threads,
     * {@link PoolWarmUp}), with the defaults of {@link #ProcessPool(int)} otherwise.
     */
    ProcessPool(int processes, WorkerLauncher launcher) {
        madeByStaticInitialiserOf = null;
        Builder b = builder().processes(processes);
        startedEngine = new PoolEngine(config(b), launcher);
    }

    private ProcessPool(Builder b) {
        madeByStaticInitialiserOf = StaticShared.initialiserInChild();
        if (madeByStaticInitialiserOf != null) {
            startedEngine = null; // a child that merely loads the class (a task's lambda lives there) must not start a pool
            return;
        }
        PoolConfig config = config(b);
        if (b.cluster == null) {
            startedEngine = new PoolEngine(config, new PoolWorkers.Launcher(b.startMethod, b.classPath));
        } else {
            PoolBackend backend = b.cluster.newPoolBackend();
            try {
                startedEngine = new PoolEngine(config, new PoolWorkers.RemoteLauncher(backend), backend);
            } catch (RuntimeException e) {
                backend.close();
                throw e;
            }
        }
    }

    private static PoolConfig config(Builder b) {
        return new PoolConfig(b.processes, b.initializer, b.maxTasksPerChild, b.jvmArgs,
                PoolWorkers.Invoker.INSTANCE, WorkerDiedException::new, b.retries, b.taskTimeoutNanos,
                b.interruptGraceNanos, b.maxMemoryPerChild);
    }

    /**
     * Starts building a pool: with a number of workers, an initializer, {@code maxTasksPerChild},
     * JVM arguments, a start method, a class path, retries, or workers on a cluster.
     *
     * @return a builder for the pool
     */
    public static Builder builder() {
        return new Builder();
    }

    // ---------------------------------------------------------------- time limits

    /**
     * Gives a task a time limit, for {@link #submit(Callable)}, {@link #applyAsync},
     * {@link #apply} or {@link #invokeAll(Collection)}: {@code pool.submit(timed(Duration.ofSeconds(5), () -> work()))}.
     * It overrides the pool's {@linkplain Builder#taskTimeout default}. See {@link ProcessPool},
     * "Time limits", for what happens when it passes. Outside a pool the task runs without a limit.
     *
     * @param <T> the result type
     * @param timeout how long the task may run once a worker has started it; above 0
     * @param task the task
     * @return the task with its limit, serializable when {@code task} is
     * @throws IllegalArgumentException when {@code timeout} is not above 0
     */
    public static <T> SerializableCallable<T> timed(Duration timeout, SerializableCallable<T> task) {
        return new TimedTasks.Call<>(task, TimedTasks.positiveNanos(timeout, "timeout"));
    }

    /**
     * Gives a runnable task a time limit, for {@link #submit(Runnable)} or {@link #execute(Runnable)}:
     * {@link #timed(Duration, SerializableCallable)} for a task that returns nothing.
     *
     * @param timeout how long the task may run once a worker has started it; above 0
     * @param task the task
     * @return the task with its limit, serializable when {@code task} is
     * @throws IllegalArgumentException when {@code timeout} is not above 0
     */
    public static SerializableRunnable timed(Duration timeout, SerializableRunnable task) {
        return new TimedTasks.Run(task, TimedTasks.positiveNanos(timeout, "timeout"));
    }

    /**
     * Gives a {@code map}, {@code imap} or {@code imapUnordered} function a time limit, which
     * applies to each chunk of the call (with a chunk size of 1, to each item):
     * {@code pool.map(timed(Duration.ofSeconds(1), x -> work(x)), items, 1)}; or a function given
     * to {@link #apply(SerializableFunction, Object)} or {@link #applyAsync(SerializableFunction,
     * Object)}, for that call. A chunk that runs longer fails, as a whole, with a
     * {@link java.util.concurrent.TimeoutException} (see {@link ProcessPool}, "Time limits").
     *
     * @param <T> the item type
     * @param <R> the result type
     * @param timeout how long each chunk may run once a worker has started it; above 0
     * @param fn the function
     * @return the function with its limit, serializable when {@code fn} is
     * @throws IllegalArgumentException when {@code timeout} is not above 0
     */
    public static <T, R> SerializableFunction<T, R> timed(Duration timeout, SerializableFunction<T, R> fn) {
        return new TimedTasks.Function<>(fn, TimedTasks.positiveNanos(timeout, "timeout"));
    }

    // ---------------------------------------------------------------- map

    /**
     * Applies {@code fn} to every item in the workers and returns the results in input order
     * (Python's {@code Pool.map}), with the default chunk size. Blocks until all are done; the
     * wait is not bounded by a timeout.
     *
     * @param <T> the item type
     * @param <R> the result type
     * @param fn the function; it may throw checked exceptions
     * @param items the input; one that is not a {@link Collection} is read to its end first, to
     *     count it
     * @return the results, in a fixed-size list (as {@code Arrays.asList}'s: {@code set} and
     *     {@code sort} work, {@code add} and {@code remove} throw); {@code new ArrayList<>(results)}
     *     for one that grows
     * @throws CompletionException when a task failed (its exception is the cause; the call's
     *     other results are dropped), or when the thread was interrupted (an
     *     {@link InterruptedException} is the cause; the interrupt status is kept)
     * @throws IllegalArgumentException when {@code fn} or an item is not serializable
     * @throws CancellationException when the pool was terminated meanwhile
     * @throws RejectedExecutionException when the pool was shut down or is broken
     * @throws RuntimeException what the input's iterator threw, as it is; an input that is not a
     *     {@link Collection} is read to its end before any task is sent, so it is thrown at once
     * @implNote The list keeps each chunk's results in an array of their own, which the garbage
     *     collector handles far better than one array of a million.
     */
    public <T, R> List<R> map(SerializableFunction<T, R> fn, Iterable<T> items) {
        return map(fn, items, (ProgressListener) null);
    }

    /**
     * Applies {@code fn} to every item of an array in the workers and returns the results in
     * input order: {@link #map(SerializableFunction, Iterable)} over {@code Arrays.asList(items)}.
     * (An array of primitives: {@code Arrays.stream(ints).boxed()} and a chunk size.)
     *
     * @param <T> the item type
     * @param <R> the result type
     * @param fn the function; it may throw checked exceptions
     * @param items the input, which is not copied: do not change it during the call
     * @return the results, as {@link #map(SerializableFunction, Iterable)} returns them
     * @throws CompletionException as {@link #map(SerializableFunction, Iterable)}
     * @throws IllegalArgumentException when {@code fn} or an item is not serializable
     * @throws CancellationException when the pool was terminated meanwhile
     * @throws RejectedExecutionException when the pool was shut down or is broken
     */
    public <T, R> List<R> map(SerializableFunction<T, R> fn, T[] items) {
        return map(fn, Arrays.asList(items));
    }

    /**
     * Applies {@code fn} to every item of a stream in the workers and returns the results in
     * input order: {@link #map(SerializableFunction, Iterable)} with the default chunk size, for
     * which the stream is read to its end first, in this thread, to count it. Give a chunk size
     * ({@link #map(SerializableFunction, Stream, int)}) to read it only as the workers need it.
     *
     * @param <T> the item type
     * @param <R> the result type
     * @param fn the function; it may throw checked exceptions
     * @param items the input; not closed here (its owner closes it)
     * @return the results, as {@link #map(SerializableFunction, Iterable)} returns them
     * @throws CompletionException as {@link #map(SerializableFunction, Iterable)}
     * @throws IllegalArgumentException when {@code fn} or an item is not serializable
     * @throws CancellationException when the pool was terminated meanwhile
     * @throws RejectedExecutionException when the pool was shut down or is broken
     */
    public <T, R> List<R> map(SerializableFunction<T, R> fn, Stream<T> items) {
        return map(fn, items.collect(Collectors.toList()));
    }

    /**
     * Applies {@code fn} to every item in the workers, in chunks of {@code chunkSize} items, and
     * returns the results in input order: {@link #map(SerializableFunction, Iterable)} with an
     * explicit chunk size. The input is read lazily, as the workers need it (see
     * {@link ProcessPool}, "Chunks"). Blocks until all are done.
     *
     * @param <T> the item type
     * @param <R> the result type
     * @param fn the function; it may throw checked exceptions
     * @param items the input
     * @param chunkSize how many items travel to a worker as one task
     * @return the results, as {@link #map(SerializableFunction, Iterable)} returns them
     * @throws CompletionException as {@link #map(SerializableFunction, Iterable)}
     * @throws IllegalArgumentException when {@code fn} or an item is not serializable, or
     *     {@code chunkSize < 1}
     * @throws CancellationException when the pool was terminated meanwhile
     * @throws RejectedExecutionException when the pool was shut down or is broken
     * @throws RuntimeException what the input's iterator threw, as it is, once the tasks of the
     *     items read before it are done (a failed one among them is thrown instead, as a
     *     {@link CompletionException})
     */
    public <T, R> List<R> map(SerializableFunction<T, R> fn, Iterable<T> items, int chunkSize) {
        return map(fn, items, chunkSize, null);
    }

    /**
     * Applies {@code fn} to every item of an array in the workers, in chunks of
     * {@code chunkSize} items: {@link #map(SerializableFunction, Iterable, int)} over
     * {@code Arrays.asList(items)}.
     *
     * @param <T> the item type
     * @param <R> the result type
     * @param fn the function; it may throw checked exceptions
     * @param items the input, which is not copied: do not change it during the call
     * @param chunkSize how many items travel to a worker as one task
     * @return the results, as {@link #map(SerializableFunction, Iterable)} returns them
     * @throws CompletionException as {@link #map(SerializableFunction, Iterable)}
     * @throws IllegalArgumentException when {@code fn} or an item is not serializable, or
     *     {@code chunkSize < 1}
     * @throws CancellationException when the pool was terminated meanwhile
     * @throws RejectedExecutionException when the pool was shut down or is broken
     */
    public <T, R> List<R> map(SerializableFunction<T, R> fn, T[] items, int chunkSize) {
        return map(fn, Arrays.asList(items), chunkSize);
    }

    /**
     * Applies {@code fn} to every item of a stream in the workers, in chunks of
     * {@code chunkSize} items: {@link #map(SerializableFunction, Iterable, int)}, reading the
     * stream lazily, in this thread, a bounded number of chunks ahead of the results (see
     * {@link ProcessPool}, "Chunks").
     *
     * @param <T> the item type
     * @param <R> the result type
     * @param fn the function; it may throw checked exceptions
     * @param items the input; not closed here (its owner closes it)
     * @param chunkSize how many items travel to a worker as one task
     * @return the results, as {@link #map(SerializableFunction, Iterable)} returns them
     * @throws CompletionException as {@link #map(SerializableFunction, Iterable)}
     * @throws IllegalArgumentException when {@code fn} or an item is not serializable, or
     *     {@code chunkSize < 1}
     * @throws CancellationException when the pool was terminated meanwhile
     * @throws RejectedExecutionException when the pool was shut down or is broken
     */
    public <T, R> List<R> map(SerializableFunction<T, R> fn, Stream<T> items, int chunkSize) {
        return map(fn, iterableOnce(items), chunkSize);
    }

    /**
     * Applies {@code fn} to every item in the workers and returns the results in input order,
     * telling {@code listener} how far it has got: {@link #map(SerializableFunction, Iterable)}
     * with progress.
     *
     * @param <T> the item type
     * @param <R> the result type
     * @param fn the function; it may throw checked exceptions
     * @param items the input; one that is not a {@link Collection} is read to its end first, to
     *     count it (an array: {@code Arrays.asList(array)}; a stream: {@code stream::iterator})
     * @param listener told of progress in this thread; null for none
     * @return the results, as {@link #map(SerializableFunction, Iterable)} returns them
     * @throws CompletionException as {@link #map(SerializableFunction, Iterable)}, or with what
     *     the listener threw as the cause
     * @throws IllegalArgumentException when {@code fn} or an item is not serializable
     * @throws CancellationException when the pool was terminated meanwhile
     * @throws RejectedExecutionException when the pool was shut down or is broken
     */
    public <T, R> List<R> map(SerializableFunction<T, R> fn, Iterable<T> items, ProgressListener listener) {
        Collection<T> all = asCollection(items);
        if (all.isEmpty()) {
            Objects.requireNonNull(fn, "fn");
            return Collections.emptyList();
        }
        return mapCall(fn, all, defaultChunkSize(all.size(), engine().processes()), listener);
    }

    /**
     * Applies {@code fn} to every item in the workers, in chunks of {@code chunkSize} items, and
     * returns the results in input order, telling {@code listener} how far it has got:
     * {@link #map(SerializableFunction, Iterable, int)} with progress.
     *
     * @param <T> the item type
     * @param <R> the result type
     * @param fn the function; it may throw checked exceptions
     * @param items the input, read lazily (an array: {@code Arrays.asList(array)}; a stream:
     *     {@code stream::iterator})
     * @param chunkSize how many items travel to a worker as one task
     * @param listener told of progress in this thread; null for none
     * @return the results, as {@link #map(SerializableFunction, Iterable)} returns them
     * @throws CompletionException as {@link #map(SerializableFunction, Iterable)}
     * @throws IllegalArgumentException when {@code fn} or an item is not serializable, or
     *     {@code chunkSize < 1}
     * @throws CancellationException when the pool was terminated meanwhile
     * @throws RejectedExecutionException when the pool was shut down or is broken
     */
    public <T, R> List<R> map(SerializableFunction<T, R> fn, Iterable<T> items, int chunkSize, ProgressListener listener) {
        return mapCall(fn, items, chunkSize, listener);
    }

    private <T, R> List<R> mapCall(SerializableFunction<T, R> fn, Iterable<T> items, int chunkSize, ProgressListener listener) {
        StreamCall<R> call = engine().stream(StreamCall.Order.MAP, Objects.requireNonNull(fn, "fn"), items.iterator(),
                chunkSize, sizeOf(items), progress(listener));
        return call.collect();
    }

    /**
     * Computes Python's default chunk size: {@code divmod(n, 4 * processes)}, rounded up.
     *
     * @param n the number of items
     * @param processes the number of workers
     * @return the chunk size {@code map} uses for {@code n} items, at least 1
     */
    public static int defaultChunkSize(long n, int processes) {
        long per = 4L * processes;
        long size = n / per + (n % per != 0 ? 1 : 0);
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, size));
    }

    // ---------------------------------------------------------------- starmap and mapAsync

    /**
     * Applies {@code fn} to the two values of every pair in the workers and returns the results
     * in input order (Python's {@code Pool.starmap} for functions of two arguments), with the
     * default chunk size: {@link #map(SerializableFunction, Iterable)} over the pairs. Blocks until
     * all are done.
     *
     * <pre>{@code
     * // Python: pool.starmap(pow, [(2, 3), (10, 2)])
     * List<Double> powers = pool.starmap(Math::pow, List.of(Map.entry(2.0, 3.0), Map.entry(10.0, 2.0))); // [8.0, 100.0]
     * List<String> lines = pool.starmap((name, age) -> name + " is " + age, ages.entrySet());
     * }</pre>
     *
     * <p>A pair is any {@link Map.Entry} ({@link Map#entry}, a map's {@code entrySet()},
     * {@link java.util.AbstractMap.SimpleEntry}); only its key and value travel, so they must be
     * serializable, the entry need not be. For three arguments or more, {@code map} over a record
     * of them ({@code pool.map(p -> f(p.a(), p.b(), p.c()), points)}).
     *
     * @param <A> the type of the pairs' first values
     * @param <B> the type of the pairs' second values
     * @param <R> the result type
     * @param fn the function, applied to each pair's key and value; it may throw checked exceptions
     * @param pairs the input; one that is not a {@link Collection} is read to its end first, to
     *     count it
     * @return the results, as {@link #map(SerializableFunction, Iterable)} returns them
     * @throws CompletionException as {@link #map(SerializableFunction, Iterable)}
     * @throws IllegalArgumentException when {@code fn} or a pair's key or value is not serializable
     * @throws NullPointerException when a pair is null (naming its index)
     * @throws CancellationException when the pool was terminated meanwhile
     * @throws RejectedExecutionException when the pool was shut down or is broken
     */
    public <A, B, R> List<R> starmap(SerializableBiFunction<A, B, R> fn,
                                     Iterable<? extends Map.Entry<? extends A, ? extends B>> pairs) {
        return map(new PairFunction<>(Objects.requireNonNull(fn, "fn")), StarArguments.of(pairs));
    }

    /**
     * Applies {@code fn} to the two values of every pair in the workers, in chunks of
     * {@code chunkSize} pairs, and returns the results in input order:
     * {@link #starmap(SerializableBiFunction, Iterable)} with an explicit chunk size, reading the
     * pairs lazily as {@link #map(SerializableFunction, Iterable, int)} does.
     *
     * @param <A> the type of the pairs' first values
     * @param <B> the type of the pairs' second values
     * @param <R> the result type
     * @param fn the function, applied to each pair's key and value; it may throw checked exceptions
     * @param pairs the input
     * @param chunkSize how many pairs travel to a worker as one task
     * @return the results, as {@link #map(SerializableFunction, Iterable)} returns them
     * @throws CompletionException as {@link #map(SerializableFunction, Iterable)}
     * @throws IllegalArgumentException when {@code fn} or a pair's key or value is not
     *     serializable, or {@code chunkSize < 1}
     * @throws CancellationException when the pool was terminated meanwhile
     * @throws RejectedExecutionException when the pool was shut down or is broken
     * @throws RuntimeException what the input's iterator threw (a {@link NullPointerException}
     *     for a null pair), as {@link #map(SerializableFunction, Iterable, int)} throws it
     */
    public <A, B, R> List<R> starmap(SerializableBiFunction<A, B, R> fn,
                                     Iterable<? extends Map.Entry<? extends A, ? extends B>> pairs, int chunkSize) {
        return map(new PairFunction<>(Objects.requireNonNull(fn, "fn")), StarArguments.of(pairs), chunkSize);
    }

    /**
     * Applies {@code fn} to every item in the workers without waiting for the results (Python's
     * {@code Pool.map_async}), with the default chunk size. The input is read to its end, and
     * every chunk serialized and queued, in this thread before the call returns (so it never
     * blocks for long, but holds the whole input, serialized, until the workers have taken it).
     *
     * <pre>{@code
     * pool.mapAsync(x -> x * x, List.of(1, 2, 3))
     *     .thenAccept(squares -> System.out.println(squares));   // [1, 4, 9], Python's callback
     * }</pre>
     *
     * <p>The future is completed by the pool's collector thread (see "Callbacks" in
     * {@link ProcessPool}). Failures: the first task failure the pool learns of (not necessarily
     * the earliest in input order) completes the future exceptionally with the task's exception
     * at once ({@link CompletableFuture#get()} throws it as the cause of an
     * {@link ExecutionException}, {@code join()} of a {@link CompletionException}), a
     * {@link WorkerDiedException} when its worker died; the call's other results are dropped.
     * {@link #terminate()} cancels the future ({@link CancellationException}). A shutdown lets the
     * call finish.
     *
     * <p>Cancelling the future ({@code cancel(true)} or {@code cancel(false)}, the same here)
     * drops the call's chunks not yet sent to a worker. A worker is sent chunks ahead of the one
     * it runs (two, or small ones up to 256 tasks in all): those it was sent run to their end (a
     * running task is not interrupted) and their results are dropped. Completing the future
     * yourself does the same.
     *
     * @param <T> the item type
     * @param <R> the result type
     * @param fn the function; it may throw checked exceptions
     * @param items the input
     * @return a future of the results in input order, in a fixed-size list (as
     *     {@link #map(SerializableFunction, Iterable)} returns them); an empty input gives a future
     *     already completed with an empty list
     * @throws IllegalArgumentException when {@code fn} or an item is not serializable
     * @throws RejectedExecutionException when the pool is shut down or broken
     * @throws RuntimeException what the input's iterator threw, as it is; nothing was sent then
     */
    public <T, R> CompletableFuture<List<R>> mapAsync(SerializableFunction<T, R> fn, Iterable<T> items) {
        Collection<T> all = asCollection(items);
        return mapAsync(fn, all, defaultChunkSize(all.size(), engine().processes()));
    }

    /**
     * Applies {@code fn} to every item in the workers, in chunks of {@code chunkSize} items,
     * without waiting for the results: {@link #mapAsync(SerializableFunction, Iterable)} with an
     * explicit chunk size. Never blocks for long.
     *
     * @param <T> the item type
     * @param <R> the result type
     * @param fn the function; it may throw checked exceptions
     * @param items the input, read to its end in this thread
     * @param chunkSize how many items travel to a worker as one task
     * @return a future of the results, as {@link #mapAsync(SerializableFunction, Iterable)} gives
     * @throws IllegalArgumentException when {@code fn} or an item is not serializable, or
     *     {@code chunkSize < 1}
     * @throws RejectedExecutionException when the pool is shut down or broken
     * @throws RuntimeException what the input's iterator threw, as it is; nothing was sent then
     */
    public <T, R> CompletableFuture<List<R>> mapAsync(SerializableFunction<T, R> fn, Iterable<T> items, int chunkSize) {
        return engine().mapAsync(Objects.requireNonNull(fn, "fn"), items.iterator(), chunkSize, sizeOf(items));
    }

    /**
     * Applies {@code fn} to the two values of every pair in the workers without waiting for the
     * results (Python's {@code Pool.starmap_async}): {@link #mapAsync(SerializableFunction, Iterable)}
     * over the pairs, as {@link #starmap(SerializableBiFunction, Iterable)} takes them. Never
     * blocks for long.
     *
     * @param <A> the type of the pairs' first values
     * @param <B> the type of the pairs' second values
     * @param <R> the result type
     * @param fn the function, applied to each pair's key and value; it may throw checked exceptions
     * @param pairs the input, read to its end in this thread
     * @return a future of the results, as {@link #mapAsync(SerializableFunction, Iterable)} gives
     * @throws IllegalArgumentException when {@code fn} or a pair's key or value is not serializable
     * @throws RejectedExecutionException when the pool is shut down or broken
     * @throws RuntimeException what the input's iterator threw (a {@link NullPointerException}
     *     for a null pair), as it is; nothing was sent then
     */
    public <A, B, R> CompletableFuture<List<R>> starmapAsync(SerializableBiFunction<A, B, R> fn,
                                                             Iterable<? extends Map.Entry<? extends A, ? extends B>> pairs) {
        return mapAsync(new PairFunction<>(Objects.requireNonNull(fn, "fn")), StarArguments.of(pairs));
    }

    // ---------------------------------------------------------------- imap

    /**
     * Applies {@code fn} to every item in the workers, handing out the results in input order as
     * they come (Python's {@code Pool.imap}), one item per chunk. The input is read lazily, in the
     * thread that takes the results, a bounded number of chunks ahead of them: an infinite input
     * is fine. Returns at once; taking a result blocks until it is there.
     *
     * <pre>{@code
     * for (Long square : pool.imap(x -> (long) x * x, numbers)) { ... }
     * }</pre>
     *
     * <p>What taking a result throws, a failed task's {@link CompletionException} among it, is
     * told by {@link ResultIterator}. An input whose iterator throws at item k ends there, as in
     * CPython: the results of items 0 to k-1 are handed out, then taking the next one throws the
     * input's exception as it is (not wrapped), and there are no more results after it.
     *
     * @param <T> the item type
     * @param <R> the result type
     * @param fn the function; it may throw checked exceptions
     * @param items the input
     * @return the results, as an iterator, a for-each loop's iterable and a stream
     * @throws IllegalArgumentException when {@code fn} is not serializable
     */
    public <T, R> ResultIterator<R> imap(SerializableFunction<T, R> fn, Iterable<T> items) {
        return imap(fn, items, 1, null);
    }

    /**
     * Applies {@code fn} to every item of an array in the workers, handing out the results in
     * input order as they come: {@link #imap(SerializableFunction, Iterable)} over
     * {@code Arrays.asList(items)}.
     *
     * @param <T> the item type
     * @param <R> the result type
     * @param fn the function; it may throw checked exceptions
     * @param items the input, which is not copied: do not change it while the results are taken
     * @return the results, as an iterator, a for-each loop's iterable and a stream
     * @throws IllegalArgumentException when {@code fn} is not serializable
     */
    public <T, R> ResultIterator<R> imap(SerializableFunction<T, R> fn, T[] items) {
        return imap(fn, Arrays.asList(items));
    }

    /**
     * Applies {@code fn} to every item of a stream in the workers, handing out the results in
     * input order as they come: {@link #imap(SerializableFunction, Iterable)}, reading the stream
     * lazily, in the thread that takes the results (an infinite stream is fine).
     *
     * @param <T> the item type
     * @param <R> the result type
     * @param fn the function; it may throw checked exceptions
     * @param items the input; not closed here (its owner closes it)
     * @return the results, as an iterator, a for-each loop's iterable and a stream
     * @throws IllegalArgumentException when {@code fn} is not serializable
     */
    public <T, R> ResultIterator<R> imap(SerializableFunction<T, R> fn, Stream<T> items) {
        return imap(fn, iterableOnce(items));
    }

    /**
     * Applies {@code fn} to every item in the workers, in chunks of {@code chunkSize} items,
     * handing out the results in input order as they come:
     * {@link #imap(SerializableFunction, Iterable)} with an explicit chunk size.
     *
     * @param <T> the item type
     * @param <R> the result type
     * @param fn the function; it may throw checked exceptions
     * @param items the input
     * @param chunkSize how many items travel to a worker as one task
     * @return the results, as an iterator, a for-each loop's iterable and a stream
     * @throws IllegalArgumentException when {@code fn} is not serializable, or {@code chunkSize < 1}
     */
    public <T, R> ResultIterator<R> imap(SerializableFunction<T, R> fn, Iterable<T> items, int chunkSize) {
        return imap(fn, items, chunkSize, null);
    }

    /**
     * Applies {@code fn} to every item of an array in the workers, in chunks of {@code chunkSize}
     * items: {@link #imap(SerializableFunction, Iterable, int)} over {@code Arrays.asList(items)}.
     *
     * @param <T> the item type
     * @param <R> the result type
     * @param fn the function; it may throw checked exceptions
     * @param items the input, which is not copied: do not change it while the results are taken
     * @param chunkSize how many items travel to a worker as one task
     * @return the results, as an iterator, a for-each loop's iterable and a stream
     * @throws IllegalArgumentException when {@code fn} is not serializable, or {@code chunkSize < 1}
     */
    public <T, R> ResultIterator<R> imap(SerializableFunction<T, R> fn, T[] items, int chunkSize) {
        return imap(fn, Arrays.asList(items), chunkSize);
    }

    /**
     * Applies {@code fn} to every item of a stream in the workers, in chunks of {@code chunkSize}
     * items: {@link #imap(SerializableFunction, Iterable, int)}, reading the stream lazily.
     *
     * @param <T> the item type
     * @param <R> the result type
     * @param fn the function; it may throw checked exceptions
     * @param items the input; not closed here (its owner closes it)
     * @param chunkSize how many items travel to a worker as one task
     * @return the results, as an iterator, a for-each loop's iterable and a stream
     * @throws IllegalArgumentException when {@code fn} is not serializable, or {@code chunkSize < 1}
     */
    public <T, R> ResultIterator<R> imap(SerializableFunction<T, R> fn, Stream<T> items, int chunkSize) {
        return imap(fn, iterableOnce(items), chunkSize);
    }

    /**
     * Applies {@code fn} to every item in the workers, in chunks of {@code chunkSize} items,
     * handing out the results in input order as they come and telling {@code listener}, in the
     * thread that takes them, how far it has got: {@link #imap(SerializableFunction, Iterable, int)}
     * with progress.
     *
     * @param <T> the item type
     * @param <R> the result type
     * @param fn the function; it may throw checked exceptions
     * @param items the input (an array: {@code Arrays.asList(array)}; a stream: {@code stream::iterator})
     * @param chunkSize how many items travel to a worker as one task
     * @param listener told of progress; null for none
     * @return the results, as an iterator, a for-each loop's iterable and a stream
     * @throws IllegalArgumentException when {@code fn} is not serializable, or {@code chunkSize < 1}
     */
    public <T, R> ResultIterator<R> imap(SerializableFunction<T, R> fn, Iterable<T> items, int chunkSize,
                                         ProgressListener listener) {
        return lazyCall(StreamCall.Order.ORDERED, fn, items, chunkSize, listener);
    }

    /**
     * Applies {@code fn} to every item in the workers, handing out each result as soon as it is
     * there, in no particular order (Python's {@code Pool.imap_unordered}), one item per chunk;
     * otherwise as {@link #imap(SerializableFunction, Iterable)}. An input whose iterator throws
     * at item k ends there: the results of items 0 to k-1, all of them, are handed out before
     * taking the next one throws the input's exception as it is.
     *
     * @param <T> the item type
     * @param <R> the result type
     * @param fn the function; it may throw checked exceptions
     * @param items the input
     * @return the results, as an iterator, a for-each loop's iterable and a stream
     * @throws IllegalArgumentException when {@code fn} is not serializable
     */
    public <T, R> ResultIterator<R> imapUnordered(SerializableFunction<T, R> fn, Iterable<T> items) {
        return imapUnordered(fn, items, 1, null);
    }

    /**
     * Applies {@code fn} to every item of an array in the workers, handing out each result as
     * soon as it is there: {@link #imapUnordered(SerializableFunction, Iterable)} over
     * {@code Arrays.asList(items)}.
     *
     * @param <T> the item type
     * @param <R> the result type
     * @param fn the function; it may throw checked exceptions
     * @param items the input, which is not copied: do not change it while the results are taken
     * @return the results, as an iterator, a for-each loop's iterable and a stream
     * @throws IllegalArgumentException when {@code fn} is not serializable
     */
    public <T, R> ResultIterator<R> imapUnordered(SerializableFunction<T, R> fn, T[] items) {
        return imapUnordered(fn, Arrays.asList(items));
    }

    /**
     * Applies {@code fn} to every item of a stream in the workers, handing out each result as
     * soon as it is there: {@link #imapUnordered(SerializableFunction, Iterable)}, reading the
     * stream lazily (an infinite stream is fine).
     *
     * @param <T> the item type
     * @param <R> the result type
     * @param fn the function; it may throw checked exceptions
     * @param items the input; not closed here (its owner closes it)
     * @return the results, as an iterator, a for-each loop's iterable and a stream
     * @throws IllegalArgumentException when {@code fn} is not serializable
     */
    public <T, R> ResultIterator<R> imapUnordered(SerializableFunction<T, R> fn, Stream<T> items) {
        return imapUnordered(fn, iterableOnce(items));
    }

    /**
     * Applies {@code fn} to every item in the workers, in chunks of {@code chunkSize} items,
     * handing out each result as soon as it is there:
     * {@link #imapUnordered(SerializableFunction, Iterable)} with an explicit chunk size.
     *
     * @param <T> the item type
     * @param <R> the result type
     * @param fn the function; it may throw checked exceptions
     * @param items the input
     * @param chunkSize how many items travel to a worker as one task
     * @return the results, as an iterator, a for-each loop's iterable and a stream
     * @throws IllegalArgumentException when {@code fn} is not serializable, or {@code chunkSize < 1}
     */
    public <T, R> ResultIterator<R> imapUnordered(SerializableFunction<T, R> fn, Iterable<T> items, int chunkSize) {
        return imapUnordered(fn, items, chunkSize, null);
    }

    /**
     * Applies {@code fn} to every item of an array in the workers, in chunks of {@code chunkSize}
     * items, handing out each result as soon as it is there:
     * {@link #imapUnordered(SerializableFunction, Iterable, int)} over {@code Arrays.asList(items)}.
     *
     * @param <T> the item type
     * @param <R> the result type
     * @param fn the function; it may throw checked exceptions
     * @param items the input, which is not copied: do not change it while the results are taken
     * @param chunkSize how many items travel to a worker as one task
     * @return the results, as an iterator, a for-each loop's iterable and a stream
     * @throws IllegalArgumentException when {@code fn} is not serializable, or {@code chunkSize < 1}
     */
    public <T, R> ResultIterator<R> imapUnordered(SerializableFunction<T, R> fn, T[] items, int chunkSize) {
        return imapUnordered(fn, Arrays.asList(items), chunkSize);
    }

    /**
     * Applies {@code fn} to every item of a stream in the workers, in chunks of {@code chunkSize}
     * items, handing out each result as soon as it is there:
     * {@link #imapUnordered(SerializableFunction, Iterable, int)}, reading the stream lazily.
     *
     * @param <T> the item type
     * @param <R> the result type
     * @param fn the function; it may throw checked exceptions
     * @param items the input; not closed here (its owner closes it)
     * @param chunkSize how many items travel to a worker as one task
     * @return the results, as an iterator, a for-each loop's iterable and a stream
     * @throws IllegalArgumentException when {@code fn} is not serializable, or {@code chunkSize < 1}
     */
    public <T, R> ResultIterator<R> imapUnordered(SerializableFunction<T, R> fn, Stream<T> items, int chunkSize) {
        return imapUnordered(fn, iterableOnce(items), chunkSize);
    }

    /**
     * Applies {@code fn} to every item in the workers, in chunks of {@code chunkSize} items,
     * handing out each result as soon as it is there and telling {@code listener}, in the thread
     * that takes them, how far it has got: {@link #imapUnordered(SerializableFunction, Iterable, int)}
     * with progress.
     *
     * @param <T> the item type
     * @param <R> the result type
     * @param fn the function; it may throw checked exceptions
     * @param items the input (an array: {@code Arrays.asList(array)}; a stream: {@code stream::iterator})
     * @param chunkSize how many items travel to a worker as one task
     * @param listener told of progress; null for none
     * @return the results, as an iterator, a for-each loop's iterable and a stream
     * @throws IllegalArgumentException when {@code fn} is not serializable, or {@code chunkSize < 1}
     */
    public <T, R> ResultIterator<R> imapUnordered(SerializableFunction<T, R> fn, Iterable<T> items, int chunkSize,
                                                  ProgressListener listener) {
        return lazyCall(StreamCall.Order.UNORDERED, fn, items, chunkSize, listener);
    }

    private <T, R> ResultIterator<R> lazyCall(StreamCall.Order order, SerializableFunction<T, R> fn, Iterable<T> items,
                                              int chunkSize, ProgressListener listener) {
        StreamCall<R> call = engine().stream(order, Objects.requireNonNull(fn, "fn"), items.iterator(), chunkSize,
                sizeOf(items), progress(listener));
        return new ResultIterator<>(call, order == StreamCall.Order.ORDERED);
    }

    /** @return {@code items} as an iterable whose one iterator reads it lazily (its size unknown) */
    private static <T> Iterable<T> iterableOnce(Stream<T> items) {
        return items::iterator;
    }

    // ---------------------------------------------------------------- single tasks

    /**
     * Runs {@code task} in a worker and returns its result (Python's {@code Pool.apply}). Blocks
     * until it is done.
     *
     * @param <R> the result type
     * @param task what the worker runs; it may throw checked exceptions
     * @return the task's result
     * @throws CompletionException when the task failed (its exception is the cause, a
     *     {@link WorkerDiedException} when its worker died), or when the thread was interrupted (an
     *     {@link InterruptedException} is the cause; the task is cancelled and the interrupt
     *     status kept)
     * @throws CancellationException when the pool was terminated meanwhile
     * @throws IllegalArgumentException when the task is not serializable
     * @throws RejectedExecutionException when the pool is shut down or broken
     * @throws IllegalStateException when called from the pool's collector thread (a callback)
     */
    public <R> R apply(SerializableCallable<R> task) {
        checkNotCollector();
        return awaitResult(applyAsync(task));
    }

    /**
     * Applies {@code fn} to {@code argument} in a worker and returns the result (Python's
     * {@code Pool.apply(func, args)}). Blocks until it is done. A function that captures nothing
     * (a method reference such as {@code Prices::of}, or a lambda that uses only its argument)
     * travels to each worker once, and only the argument with each call; {@code apply(() -> f(x))}
     * sends the lambda with its captured {@code x} every time.
     *
     * @param <T> the argument type
     * @param <R> the result type
     * @param fn what the worker applies; it may throw checked exceptions; {@link #timed} gives it
     *     a time limit
     * @param argument its argument, which may be null
     * @return the function's result
     * @throws CompletionException when the function failed (its exception is the cause, a
     *     {@link WorkerDiedException} when its worker died), or when the thread was interrupted (an
     *     {@link InterruptedException} is the cause; the call is cancelled and the interrupt
     *     status kept)
     * @throws CancellationException when the pool was terminated meanwhile
     * @throws IllegalArgumentException when the function or the argument is not serializable
     * @throws RejectedExecutionException when the pool is shut down or broken
     * @throws IllegalStateException when called from the pool's collector thread (a callback)
     */
    public <T, R> R apply(SerializableFunction<T, R> fn, T argument) {
        checkNotCollector();
        return awaitResult(applyAsync(fn, argument));
    }

    /** @return the future's value, waited for as {@link #apply(SerializableCallable)} says */
    private static <R> R awaitResult(CompletableFuture<R> future) {
        try {
            return future.get();
        } catch (ExecutionException e) {
            throw new CompletionException(e.getCause());
        } catch (InterruptedException e) {
            future.cancel(false);
            Thread.currentThread().interrupt();
            throw new CompletionException(e);
        }
    }

    /**
     * Runs {@code task} in a worker (Python's {@code Pool.apply_async}). Never blocks for long.
     *
     * @param <R> the result type
     * @param task what the worker runs; it may throw checked exceptions
     * @return a future completed with the task's result, or exceptionally with its exception (a
     *     {@link WorkerDiedException} when its worker died, a
     *     {@link java.util.concurrent.TimeoutException} when it ran past its {@linkplain #timed time
     *     limit}); {@code cancel(false)} drops the task if it has not started yet, else only its
     *     result; {@code cancel(true)} also stops it where it runs (see {@link ProcessPool}, "Time limits")
     * @throws IllegalArgumentException when the task is not serializable
     * @throws RejectedExecutionException when the pool is shut down or broken
     */
    public <R> CompletableFuture<R> applyAsync(SerializableCallable<R> task) {
        return engine().submitTask(new PoolTask.Call(Objects.requireNonNull(task, "task")));
    }

    /**
     * Applies {@code fn} to {@code argument} in a worker (Python's {@code Pool.apply_async(func,
     * args)}); see {@link #apply(SerializableFunction, Object)}. Never blocks for long.
     *
     * @param <T> the argument type
     * @param <R> the result type
     * @param fn what the worker applies; it may throw checked exceptions
     * @param argument its argument, which may be null
     * @return a future, as {@link #applyAsync(SerializableCallable)} gives
     * @throws IllegalArgumentException when the function or the argument is not serializable
     * @throws RejectedExecutionException when the pool is shut down or broken
     */
    public <T, R> CompletableFuture<R> applyAsync(SerializableFunction<T, R> fn, T argument) {
        return engine().submitTask(new PoolTask.Apply(Objects.requireNonNull(fn, "function"), argument));
    }

    // ---------------------------------------------------------------- ExecutorService

    /**
     * Runs {@code task} in a worker. Never blocks for long.
     *
     * @param <T> the result type
     * @param task what the worker runs: a {@link Callable} whose class is serializable (a lambda
     *     is one when its target type is {@link SerializableCallable}: see the class comment)
     * @return a {@link CompletableFuture}, as {@link #applyAsync} gives
     * @throws IllegalArgumentException when the task is not serializable; the message names its class
     * @throws RejectedExecutionException when the pool is shut down or broken
     */
    @Override
    public <T> Future<T> submit(Callable<T> task) {
        return engine().submitTask(new PoolTask.Call(Objects.requireNonNull(task, "task")));
    }

    /**
     * Runs {@code task} in a worker: {@link #submit(Callable)} for a lambda or method reference
     * that returns a value, which this type makes serializable. Never blocks for long.
     *
     * @param <T> the result type
     * @param task what the worker runs; it may throw checked exceptions
     * @return a {@link CompletableFuture} completed with the task's result, or exceptionally with
     *     its exception (a {@link WorkerDiedException} when its worker died)
     * @throws IllegalArgumentException when the task is not serializable; the message names the class
     * @throws RejectedExecutionException when the pool is shut down or broken
     */
    public <T> Future<T> submit(SerializableCallable<T> task) {
        return submit((Callable<T>) task);
    }

    /**
     * Runs a serializable {@link Runnable} in a worker; the future's value is null. Never blocks
     * for long.
     *
     * @param task what the worker runs: a {@link Runnable} whose class is serializable
     * @return a {@link CompletableFuture} completed with null, or exceptionally with the task's
     *     exception (a {@link WorkerDiedException} when its worker died)
     * @throws IllegalArgumentException when the task is not serializable; the message names its class
     * @throws RejectedExecutionException when the pool is shut down or broken
     */
    @Override
    public Future<?> submit(Runnable task) {
        return engine().submitTask(new PoolTask.Run(Objects.requireNonNull(task, "task"), null));
    }

    /**
     * Runs {@code task} in a worker: {@link #submit(Runnable)} for a lambda or method reference
     * that returns nothing, which this type makes serializable; the future's value is null. Never
     * blocks for long.
     *
     * @param task what the worker runs; it may throw checked exceptions, which fail the future
     *     as they were thrown (not wrapped)
     * @return a {@link CompletableFuture} completed with null, or exceptionally with the task's
     *     exception (a {@link WorkerDiedException} when its worker died)
     * @throws IllegalArgumentException when the task is not serializable; the message names the class
     * @throws RejectedExecutionException when the pool is shut down or broken
     */
    public Future<?> submit(SerializableRunnable task) {
        return engine().submitTask(new PoolTask.Run(Objects.requireNonNull(task, "task"), null));
    }

    /**
     * Runs a serializable {@link Runnable} in a worker; the future's value is {@code result} (kept
     * in this process). Never blocks for long.
     *
     * @param <T> the result type
     * @param task what the worker runs: a {@link Runnable} whose class is serializable
     * @param result the future's value once the task has run
     * @return a {@link CompletableFuture} completed with {@code result}, or exceptionally with the
     *     task's exception (a {@link WorkerDiedException} when its worker died)
     * @throws IllegalArgumentException when the task is not serializable; the message names its class
     * @throws RejectedExecutionException when the pool is shut down or broken
     */
    @Override
    public <T> Future<T> submit(Runnable task, T result) {
        return engine().submitTask(new PoolTask.Run(Objects.requireNonNull(task, "task"), result));
    }

    /**
     * Runs {@code task} in a worker: {@link #submit(Runnable, Object)} for a lambda or method
     * reference, which this type makes serializable; the future's value is {@code result} (kept in
     * this process). Never blocks for long.
     *
     * @param <T> the result type
     * @param task what the worker runs; it may throw checked exceptions
     * @param result the future's value once the task has run
     * @return a {@link CompletableFuture} completed with {@code result}, or exceptionally with the
     *     task's exception (a {@link WorkerDiedException} when its worker died)
     * @throws IllegalArgumentException when the task is not serializable; the message names the class
     * @throws RejectedExecutionException when the pool is shut down or broken
     */
    public <T> Future<T> submit(SerializableRunnable task, T result) {
        return engine().submitTask(new PoolTask.Run(Objects.requireNonNull(task, "task"), result));
    }

    /**
     * Runs a serializable {@link Runnable} in a worker, for its effects. Its exception, if it
     * throws, is logged (as a {@code ThreadPoolExecutor}'s thread would print it). Never blocks
     * for long.
     *
     * @param command what the worker runs: a {@link Runnable} whose class is serializable
     * @throws IllegalArgumentException when the task is not serializable; the message names its class
     * @throws RejectedExecutionException when the pool is shut down or broken
     */
    @Override
    public void execute(Runnable command) {
        logFailure(engine().submitTask(new PoolTask.Run(Objects.requireNonNull(command, "command"), null)));
    }

    /**
     * Runs {@code command} in a worker, for its effects: {@link #execute(Runnable)} for a lambda or
     * method reference, which this type makes serializable. Its exception, if it throws, is
     * logged. Never blocks for long.
     *
     * @param command what the worker runs; it may throw checked exceptions
     * @throws IllegalArgumentException when the task is not serializable; the message names the class
     * @throws RejectedExecutionException when the pool is shut down or broken
     */
    public void execute(SerializableRunnable command) {
        logFailure(engine().submitTask(new PoolTask.Run(Objects.requireNonNull(command, "command"), null)));
    }

    private static void logFailure(CompletableFuture<?> future) {
        future.whenComplete((value, failure) -> {
            if (failure != null && !(failure instanceof CancellationException)) {
                System.getLogger(ProcessPool.class.getName()).log(System.Logger.Level.WARNING,
                        "a task given to execute() failed", failure);
            }
        });
    }

    /**
     * Runs every task and waits until all are done.
     *
     * @param <T> the result type
     * @param tasks the tasks, each a {@link Callable} whose class is serializable (see
     *     {@link #invokeAll(SerializableCallable...)} for lambdas)
     * @return the futures, all done, in the order of {@code tasks}
     * @throws InterruptedException when interrupted while waiting; the unfinished tasks are cancelled
     * @throws IllegalArgumentException when a task is not serializable (nothing is left running)
     * @throws RejectedExecutionException when the pool is shut down or broken
     */
    @Override
    public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks) throws InterruptedException {
        return ExecutorCalls.invokeAll(tasks, this::submit);
    }

    /**
     * Runs every task and waits until all are done or the timeout passes; those not done by then
     * are cancelled.
     *
     * @param <T> the result type
     * @param tasks the tasks, each a {@link Callable} whose class is serializable
     * @param timeout how long to wait at most, in {@code unit}s
     * @param unit the unit of {@code timeout}
     * @return the futures, all done or cancelled, in the order of {@code tasks}
     * @throws InterruptedException when interrupted while waiting; the unfinished tasks are cancelled
     * @throws IllegalArgumentException when a task is not serializable (nothing is left running)
     * @throws RejectedExecutionException when the pool is shut down or broken
     */
    @Override
    public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
            throws InterruptedException {
        return ExecutorCalls.invokeAll(tasks, this::submit, timeout, unit);
    }

    /**
     * Runs every task and returns the result of one that succeeded, the first to do so; the
     * others are cancelled.
     *
     * @param <T> the result type
     * @param tasks the tasks, each a {@link Callable} whose class is serializable (see
     *     {@link #invokeAny(SerializableCallable...)} for lambdas)
     * @return the result of the first task that succeeded
     * @throws ExecutionException when every task failed (the cause is the last failure)
     * @throws InterruptedException when interrupted while waiting; the tasks are cancelled
     * @throws IllegalArgumentException when {@code tasks} is empty, or a task is not serializable
     * @throws RejectedExecutionException when the pool is shut down or broken
     */
    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks) throws InterruptedException, ExecutionException {
        return ExecutorCalls.invokeAny(tasks, this::submit);
    }

    /**
     * Runs every task and returns the result of one that succeeded, the first to do so, waiting
     * at most the timeout; the others are cancelled. Otherwise as {@link #invokeAny(Collection)}.
     *
     * @param <T> the result type
     * @param tasks the tasks, each a {@link Callable} whose class is serializable
     * @param timeout how long to wait at most, in {@code unit}s
     * @param unit the unit of {@code timeout}
     * @return the result of the first task that succeeded
     * @throws ExecutionException when every task failed (the cause is the last failure)
     * @throws InterruptedException when interrupted while waiting; the tasks are cancelled
     * @throws IllegalArgumentException when {@code tasks} is empty, or a task is not serializable
     * @throws RejectedExecutionException when the pool is shut down or broken
     * @throws TimeoutException when no task succeeded within the timeout; the tasks are cancelled
     */
    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
            throws InterruptedException, ExecutionException, TimeoutException {
        return ExecutorCalls.invokeAny(tasks, this::submit, timeout, unit);
    }

    /**
     * Runs every task and waits until all are done: {@link #invokeAll(Collection)} for lambdas
     * written in the call ({@code pool.invokeAll(() -> a(), () -> b())}), which this type makes
     * serializable.
     *
     * @param <T> the result type
     * @param tasks the tasks; they may throw checked exceptions
     * @return the futures, all done, in the order of {@code tasks}
     * @throws InterruptedException when interrupted while waiting; the unfinished tasks are cancelled
     * @throws IllegalArgumentException when a task is not serializable (nothing is left running)
     * @throws RejectedExecutionException when the pool is shut down or broken
     */
    @SafeVarargs
    @SuppressWarnings("varargs") // the array is only copied into a list, never written
    public final <T> List<Future<T>> invokeAll(SerializableCallable<T>... tasks) throws InterruptedException {
        return invokeAll(List.of(tasks));
    }

    /**
     * Runs every task and returns the result of one that succeeded, the first to do so; the
     * others are cancelled: {@link #invokeAny(Collection)} for lambdas written in the call, which
     * this type makes serializable.
     *
     * @param <T> the result type
     * @param tasks the tasks; they may throw checked exceptions
     * @return the result of the first task that succeeded
     * @throws ExecutionException when every task failed (the cause is the last failure)
     * @throws InterruptedException when interrupted while waiting; the tasks are cancelled
     * @throws IllegalArgumentException when there is no task, or a task is not serializable
     * @throws RejectedExecutionException when the pool is shut down or broken
     */
    @SafeVarargs
    @SuppressWarnings("varargs") // the array is only copied into a list, never written
    public final <T> T invokeAny(SerializableCallable<T>... tasks) throws InterruptedException, ExecutionException {
        return invokeAny(List.of(tasks));
    }

    // ---------------------------------------------------------------- life cycle

    /**
     * Stops taking new tasks and calls; submitted tasks and {@code map} calls under way are
     * finished, then the workers end (Python's {@code Pool.close()}), or wait for a next pool of
     * the same configuration when they all idle (see <b>Pools made one after the other</b> in
     * the class comment: the pool then terminates as soon as its work is done). A worker still booting
     * boots and runs the initializer before it ends, so that the initializer has run once in every
     * worker the pool started. Returns at once: see {@link #awaitTermination}. Idempotent.
     */
    @Override
    public void shutdown() {
        engine().shutdown();
    }

    /**
     * Kills the workers now, like {@link #terminate()}.
     *
     * @return the tasks given to {@code submit}, {@code execute}, {@code invokeAll},
     *     {@code invokeAny}, {@code apply} or {@code applyAsync} that never reached a worker, as
     *     runnables that run them in this process; their futures are cancelled
     */
    @Override
    public List<Runnable> shutdownNow() {
        List<Runnable> unsent = new ArrayList<>();
        for (PoolTask task : engine().terminateAndListUnsent()) {
            unsent.add(asRunnable(task));
        }
        engine().awaitTerminationUninterruptibly();
        return unsent;
    }

    private static Runnable asRunnable(PoolTask unsent) {
        Object task = unsent.task();
        if (task instanceof Runnable) {
            return (Runnable) task; // a SerializableRunnable's run() wraps a checked exception as below
        }
        return () -> {
            try {
                if (unsent instanceof PoolTask.Apply apply) {
                    @SuppressWarnings("unchecked")
                    SerializableFunction<Object, ?> fn = (SerializableFunction<Object, ?>) task;
                    fn.apply(apply.argument());
                } else {
                    ((Callable<?>) task).call();
                }
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        };
    }

    /**
     * Kills every worker now (Python's {@code Pool.terminate()}): tasks not finished are cancelled
     * (their futures throw {@link CancellationException}, as do {@code map} calls and {@code imap}
     * iterators waiting for them). Returns once the workers are reaped and the pool's shared memory
     * is freed; from the collector thread (a callback), returns at once. Idempotent.
     *
     * @implNote Killing and reaping the workers takes milliseconds.
     */
    public void terminate() {
        engine().terminate();
        engine().awaitTerminationUninterruptibly();
    }

    /**
     * Shuts the pool down and waits until it has terminated: submitted work is finished first
     * (Python's {@code close()} then {@code join()}). When interrupted while waiting, it
     * {@linkplain #terminate() terminates} the pool, waits for that, and returns with the interrupt
     * status set, as {@code ExecutorService.close()} does from Java 19.
     */
    @Override
    public void close() {
        if (startedEngine == null) {
            return; // made by a static initialiser in a child: nothing was started
        }
        shutdown();
        boolean interrupted = false;
        while (!engine().isTerminated()) {
            try {
                if (awaitTermination(1, TimeUnit.DAYS)) {
                    break;
                }
                if (engine().isCollectorThread()) {
                    return; // it would wait for itself
                }
            } catch (InterruptedException e) {
                if (!interrupted) {
                    interrupted = true;
                    engine().terminate();
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Tells whether the pool was shut down: {@link #shutdown()}, {@link #terminate()} or
     * {@link #close()} was called, or the pool broke. Never blocks.
     *
     * @return whether the pool refuses new tasks
     */
    @Override
    public boolean isShutdown() {
        return engine().isShutdown();
    }

    /**
     * {@return whether every worker has ended, or was kept for a next pool, and the pool's shared
     * memory is freed} Never blocks.
     */
    @Override
    public boolean isTerminated() {
        return engine().isTerminated();
    }

    /**
     * Waits until the pool has terminated, after a {@link #shutdown()} or {@link #terminate()}.
     * Called from the collector thread (a callback), returns {@link #isTerminated()} at once.
     *
     * @param timeout how long to wait at most, in {@code unit}s
     * @param unit the unit of {@code timeout}
     * @return true when the pool has terminated, false when the timeout passed first
     * @throws InterruptedException when interrupted while waiting
     */
    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return engine().awaitTermination(timeout, unit);
    }

    // ---------------------------------------------------------------- inspection

    /** {@return the number of workers the pool keeps} */
    public int processes() {
        return engine().processes();
    }

    /**
     * Returns the process ids of the pool's live workers, oldest first: for monitoring, and for
     * tests that kill a worker. A snapshot: a worker may end, and its replacement start, at any
     * moment. A worker that reached {@code maxTasksPerChild} is listed until it has ended, beside
     * its replacement. Never blocks for long.
     *
     * @return the pids; empty once the pool has terminated
     */
    public List<Long> workerPids() {
        return engine().workerPids();
    }

    /**
     * Describes the pool for logs and debuggers: its number of workers and its engine's state, or
     * that it was made by a static initialiser in a child and started nothing.
     *
     * @return the description
     */
    @Override
    public String toString() {
        if (startedEngine == null) {
            return "ProcessPool[not started: made by the static initialiser of " + madeByStaticInitialiserOf.getName()
                    + " in a child process]";
        }
        return "ProcessPool[" + startedEngine.processes() + " processes, " + startedEngine + "]";
    }

    /**
     * @return the engine of a pool that started its workers
     * @throws IllegalStateException for a pool made by a static initialiser in a child process,
     *     naming that class and what to do instead
     */
    private PoolEngine engine() {
        if (startedEngine == null) {
            String owner = madeByStaticInitialiserOf.getName();
            throw new IllegalStateException("this ProcessPool was made by the static initialiser of " + owner
                    + " in a child process (" + Multiprocessing.currentProcess().name() + "), where a pool starts no workers:"
                    + " every child that loads " + owner + " (to run a task or target whose code is there) runs its"
                    + " static initialiser again, and a pool belongs to the process that made it. Make the pool in"
                    + " main(), or in a holder class that only the parent uses (class Pools { static final"
                    + " ProcessPool POOL = new ProcessPool(); })");
        }
        return startedEngine;
    }

    private void checkNotCollector() {
        if (engine().isCollectorThread()) {
            throw new IllegalStateException("a blocking pool call from the pool's collector thread (a future's callback)"
                    + " would wait for ever: use applyAsync, or an async callback");
        }
    }

    private static <T> Collection<T> asCollection(Iterable<T> items) {
        if (items instanceof Collection) {
            return (Collection<T>) items;
        }
        List<T> list = new ArrayList<>();
        items.forEach(list::add);
        return list;
    }

    private static MapProgressListener progress(ProgressListener listener) {
        return listener == null ? null : listener::progress;
    }

    private static long sizeOf(Iterable<?> items) {
        return items instanceof Collection ? ((Collection<?>) items).size() : -1;
    }

    /** Configures a {@link ProcessPool}. Not thread-safe. */
    public static final class Builder {
        private int processes = Multiprocessing.cpuCount();
        private SerializableRunnable initializer;
        private int maxTasksPerChild;
        private final List<String> jvmArgs = new ArrayList<>();
        private StartMethod startMethod;
        private String classPath;
        private int retries;
        private PoolBackendFactory cluster;
        private long taskTimeoutNanos;
        private long interruptGraceNanos = PoolConfig.DEFAULT_INTERRUPT_GRACE_NANOS;
        private long maxMemoryPerChild;

        private Builder() {
        }

        /**
         * Runs the workers on other machines: on the worker agents of a cluster (the
         * {@code multiprocessing4j-redis} module's {@code Cluster}), instead of as children of
         * this process. Everything else is as for a pool on this machine, but for these
         * differences:
         * <ul>
         *   <li>The pool's calls, messages and results travel through the cluster's server (a
         *       round trip is a fraction of a millisecond on a local network instead of microseconds).
         *       A message larger than the server takes (its {@code proto-max-bulk-len}, 512 MB unless
         *       configured) is refused before it is sent, with an {@link IllegalArgumentException}
         *       that says the limit: a task, a function or a chunk of a map's items by the call that
         *       made it, a chunk's results in the worker, which fails that task or chunk with it
         *       (the worker goes on).</li>
         *   <li>Workers run only the classes on their own class path (the agent's): a task whose
         *       class is missing there fails with an {@link IllegalStateException} naming the class
         *       and the worker's host. What comes back is deserialized through the cluster's
         *       allow-list of classes, and what the workers read through their agent's.</li>
         *   <li>A worker's pid is its pid on its machine; {@link ProcessPool#workerPids()} lists
         *       only the workers an agent has started already.</li>
         *   <li>A worker whose machine is lost (its agent stops renewing its lease) counts as dead
         *       within about the cluster's lease time: its tasks fail with
         *       {@link WorkerDiedException}, or run again elsewhere with {@link #retries}.</li>
         *   <li>A task past its {@linkplain #taskTimeout time limit} is not interrupted: its
         *       worker is killed after the {@linkplain #interruptGrace grace}; and
         *       {@code cancel(true)} only drops a running task's result, as {@code cancel(false)}.</li>
         *   <li>{@link #startMethod} does not apply (agents start their workers their own way);
         *       {@link #jvmArgs} does. The pool is built without waiting for an agent to take its
         *       workers: tasks wait until one does.</li>
         * </ul>
         *
         * @param cluster the cluster; null for workers on this machine (the default)
         * @return this builder
         */
        public Builder cluster(PoolBackendFactory cluster) {
            this.cluster = cluster;
            return this;
        }

        /**
         * Sets how many more times a task (a {@code map} chunk) whose worker died while holding it
         * is sent to another worker before it fails with {@link WorkerDiedException}. Default 0:
         * never, as Python's pool. A retried task may have run twice (its worker may have done
         * part or all of it); its result is still delivered once.
         *
         * @param retries how many times a task is sent again after its worker died; 0 or more
         * @return this builder
         * @throws IllegalArgumentException when negative
         */
        public Builder retries(int retries) {
            if (retries < 0) {
                throw new IllegalArgumentException("retries must be 0 or more, not " + retries);
            }
            this.retries = retries;
            return this;
        }

        /**
         * Sets the number of workers the pool keeps.
         *
         * @param processes the number of workers, at least 1 (checked by {@link #build()});
         *     {@link Multiprocessing#cpuCount()} unless set
         * @return this builder
         */
        public Builder processes(int processes) {
            this.processes = processes;
            return this;
        }

        /**
         * Sets what each worker runs once before its first task (Python's {@code initializer}).
         *
         * @param initializer run once in each worker before its first task, also in a worker
         *     still booting when the pool is {@linkplain ProcessPool#close() closed} (but not when
         *     it is {@linkplain ProcessPool#terminate() terminated}, which kills it); when it
         *     throws, the pool breaks: its tasks fail and new ones are refused, with the
         *     initializer's exception as the cause. Null for none.
         * @return this builder
         * @implNote CPython restarts such workers for ever; they would fail the same way each time.
         */
        public Builder initializer(SerializableRunnable initializer) {
            this.initializer = initializer;
            return this;
        }

        /**
         * Sets how many tasks a worker runs before it ends and a new worker takes over (Python's
         * {@code maxtasksperchild}): for tasks that leak memory or other resources.
         *
         * @param maxTasksPerChild the number of tasks; a {@code map} chunk counts as one task, as
         *     in Python; 0, the default, for no limit
         * @return this builder
         * @throws IllegalArgumentException when negative
         */
        public Builder maxTasksPerChild(int maxTasksPerChild) {
            if (maxTasksPerChild < 0) {
                throw new IllegalArgumentException("maxTasksPerChild must be 0 (no limit) or more, not " + maxTasksPerChild);
            }
            this.maxTasksPerChild = maxTasksPerChild;
            return this;
        }

        /**
         * Adds options for the workers' JVMs (see {@link ChildProcess.Builder#jvmArgs}), such as
         * {@code -Xmx}. Whatever the options, a worker that runs out of memory ends at once (exit
         * code 3) and its tasks fail with {@link WorkerDiedException}.
         *
         * @param args the options
         * @return this builder
         * @implNote Workers compile with C1 only, as other children: they start and warm up
         *     quickly. A pool that runs heavy tasks for long may run them several times faster with
         *     {@code -XX:TieredStopAtLevel=4} (C2), after a longer warm-up (on the development
         *     machine, a {@code map} of 20,000 one-task chunks ran at half the speed for its first
         *     seconds).
         */
        public Builder jvmArgs(String... args) {
            for (String a : args) {
                jvmArgs.add(Objects.requireNonNull(a, "JVM argument"));
            }
            return this;
        }

        /**
         * Chooses how the workers (and their replacements) get their JVMs. With
         * {@link StartMethod#WARM}, a program that makes pools of the same configuration again
         * gets booted spares as workers, as many as the last pool had: they boot when that pool
         * has ended. While a pool runs no spare boots beside its workers, unless it replaces them
         * ({@link #maxTasksPerChild}, {@link #maxMemoryPerChild}, or after a worker died).
         *
         * @param method the start method; null, the default, for
         *     {@link Multiprocessing#startMethod()}
         * @return this builder
         */
        public Builder startMethod(StartMethod method) {
            this.startMethod = method;
            return this;
        }

        /**
         * Sets the workers' class path instead of the one derived from where this JVM's classes
         * were loaded, as {@link ChildProcess.Builder#classPath} does for a child. A worker's
         * target is this library's, so a derived class path has the application's classes when
         * they come from this JVM's class path or from the context class loader of the thread
         * that builds the pool (as under {@code mvn exec:java}); this option covers the rest.
         * Does not apply to a {@link #cluster}'s workers.
         *
         * @param classPath entries separated by {@link java.io.File#pathSeparator}; null (the
         *     default) for the system property {@code mp4j.classPath} when set, else the derived one
         * @return this builder
         */
        public Builder classPath(String classPath) {
            this.classPath = classPath;
            return this;
        }

        /**
         * Makes the pool and starts its workers (see {@link ProcessPool#ProcessPool(int)}).
         *
         * @return the pool, its workers started
         * @throws IllegalArgumentException when there are fewer than one process, or the
         *     initializer is not serializable
         * @throws IllegalStateException when this process is daemonic
         */
        public ProcessPool build() {
            return new ProcessPool(this);
        }

        /**
         * Sets the time limit of every task of the pool (Celery's {@code time_limit}, pebble's
         * {@code timeout}), counted from when its worker starts it: a {@code map} chunk counts as
         * one task. A task given its own limit with {@link ProcessPool#timed} keeps that one. See
         * {@link ProcessPool}, "Time limits", for what happens when it passes.
         *
         * @param timeout the limit, above 0; null, the default, for none
         * @return this builder
         * @throws IllegalArgumentException when not above 0
         */
        public Builder taskTimeout(Duration timeout) {
            this.taskTimeoutNanos = timeout == null ? 0 : TimedTasks.positiveNanos(timeout, "taskTimeout");
            return this;
        }

        /**
         * Sets how long a task whose thread was interrupted (its time limit passed, or its future
         * was cancelled with {@code cancel(true)}) has to end before its worker is killed and
         * replaced. Default: one second.
         *
         * @param grace the grace period; 0 kills the worker as soon as the interrupt is sent
         * @return this builder
         * @throws IllegalArgumentException when negative
         */
        public Builder interruptGrace(Duration grace) {
            if (Objects.requireNonNull(grace, "grace").isNegative()) {
                throw new IllegalArgumentException("interruptGrace must be 0 or more, not " + grace);
            }
            this.interruptGraceNanos = ProcessQueue.nanos(grace);
            return this;
        }

        /**
         * Sets the resident memory past which a worker is replaced (Celery's
         * {@code max_memory_per_child}): a worker reads its resident set size ({@code VmRSS} in
         * {@code /proc/self/status}) after each task, and when it is above the limit it ends
         * before running another; that task's result is delivered, and the tasks it held go to
         * other workers. For tasks that leak, or keep what they allocate. A JVM's resident size
         * includes its heap as far as it has grown, which the garbage collector seldom gives back:
         * set the limit well above a fresh worker's (about 40-60 MiB) and together with {@code -Xmx}
         * in {@link #jvmArgs}. Has no effect where {@code /proc} is missing.
         *
         * @param bytes the limit in bytes; 0, the default, for none
         * @return this builder
         * @throws IllegalArgumentException when negative
         */
        public Builder maxMemoryPerChild(long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("maxMemoryPerChild must be 0 (no limit) or more, not " + bytes);
            }
            this.maxMemoryPerChild = bytes;
            return this;
        }
    }
}
