package io.github.multiprocessing4j.bench;

import io.github.multiprocessing4j.Multiprocessing;
import io.github.multiprocessing4j.ProcessPool;
import io.github.multiprocessing4j.StartMethod;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntFunction;

/**
 * Section "pool": {@code bench_mp.py}'s {@code sec_pool} with {@link ProcessPool}, which is both
 * CPython's {@code Pool} and its {@code ProcessPoolExecutor}; the task is {@code x * x}
 * ({@link SquareTasks}), the pool has 2 workers, figures under CPython's labels:
 * <ul>
 *   <li>create + {@code map} of 4 items + {@code close()} (which waits for the workers to exit,
 *       as CPython's {@code close(); join()}), in microseconds, with each start method: "warm"
 *       (the library's default; before each repetition the spares of the workers' configuration
 *       have booted, and as many as there are workers must have been taken) and "cold" ({@link StartMethod#COLD} set with
 *       {@link Multiprocessing#setStartMethod} while the pool is made). Before the warm ones a
 *       first pool is made, used and closed, so that spares of its workers' JVM configuration
 *       are booted; the spares are discarded after them. Each repetition's pool starts new
 *       workers, as CPython's does: the section sets {@code mp4j.poolKeepAliveSeconds=0}, so that
 *       a closed pool's workers end rather than wait for the next pool (section "pool-calls"
 *       measures pools made in a loop the default way, a pool taking the last one's workers);</li>
 *   <li>with a pool whose workers run (cold ones, so that no spare boots in the background
 *       during the measurement), tasks per second of: {@code map} over {@code pool_n} ints with
 *       the default chunk size (Python's, {@code pool_n / 8} for 2 workers); {@code map} with
 *       chunk size 1 over {@code pool_n_chunk1}; {@code imap} over the same, its results
 *       iterated and summed as they come (its chunk size is 1 by default, as CPython's);
 *       {@code submit} x N, then {@code get()} on each,
 *       and the same with {@code applyAsync} and {@code join()} ({@code ppe_submit_n}); one task
 *       at a time, {@code submit(task).get()} then the next (no CPython figure; the "pool-others"
 *       section measures PP4J and out-process so); and {@code map} with chunk size 1000 over
 *       {@code pool_n} (CPython's {@code ProcessPoolExecutor.map(chunksize=1000)}).</li>
 * </ul>
 * As in {@code bench_mp.py}, a {@code map} of 1000 items first makes sure the workers run; the
 * input lists are made before the clock starts (CPython's are ranges); every result is checked
 * after the clock has stopped. Each throughput figure's repetitions come after a first run of
 * the same call, shown as a row of its own ("first call"): it includes the JIT's compiling. A throughput run that fails or hangs does not stop the benchmark:
 * it is reported on stderr and its figure left out (see {@link #record}).
 */
final class PoolSection extends Section {
    private static final int WORKERS = 2;
    private static final int LIFECYCLE_ITEMS = 4;
    /** How long a closed pool's workers wait for a next pool of the same configuration (the library's system property). */
    private static final String KEEP_ALIVE_PROPERTY = "mp4j.poolKeepAliveSeconds";
    private static final int WARM_UP_ITEMS = 1000;
    /** The commonest pool loop, {@code for (r : pool.imap(f, items))}; its chunk size is 1 by default, as CPython's. */
    static final String IMAP_FIGURE = "ProcessPool(2).imap(x*x), default chunk size (= 1), the results iterated and summed";
    /** Far above any healthy run (20k tasks one at a time at 1k/s: 20 s): only catches a hang. */
    private static final Duration RUN_DEADLINE = Duration.ofSeconds(120);

    PoolSection() {
        super("pool");
    }

    @Override
    void run(BenchConfig config, Results results) throws Exception {
        StartMethod before = Multiprocessing.startMethod();
        String keepAlive = System.getProperty(KEEP_ALIVE_PROPERTY);
        // New workers each time, as CPython's (see the class comment). The running pool's
        // workers end at its close too: kept for a next pool, they would outlive the section,
        // and the bench's noise check, which counts this JVM's reaped children as its own,
        // reported their CPU as another process's (0.41-0.44 of a processor in every full run).
        System.setProperty(KEEP_ALIVE_PROPERTY, "0");
        try {
            try {
                lifecycle(config, results, StartMethod.COLD);
                try (ProcessPool first = open(config, StartMethod.WARM)) {
                    first.map(SquareTasks.SQUARE, SquareTasks.inputs(LIFECYCLE_ITEMS)); // workers booted: spares follow
                }
                lifecycle(config, results, StartMethod.WARM);
            } finally {
                Multiprocessing.discardSpares();
            }
            try (Running running = new Running(config)) {
                throughput(config, results, running);
            }
        } finally {
            Multiprocessing.setStartMethod(before);
            if (keepAlive == null) {
                System.clearProperty(KEEP_ALIVE_PROPERTY);
            } else {
                System.setProperty(KEEP_ALIVE_PROPERTY, keepAlive);
            }
        }
    }

    /** A pool of 2 whose workers start with {@code method}; the bench's child JVM options. */
    private static ProcessPool open(BenchConfig config, StartMethod method) {
        Multiprocessing.setStartMethod(method);
        return ProcessPool.builder().processes(WORKERS).jvmArgs(config.childJvmArgs().toArray(String[]::new))
                .build();
    }

    private void lifecycle(BenchConfig config, Results results, StartMethod method) throws Exception {
        List<Integer> items = SquareTasks.inputs(LIFECYCLE_ITEMS);
        double[] micros = new double[config.reps()];
        for (int rep = 0; rep < micros.length; rep++) {
            Set<Long> spares = method == StartMethod.WARM ? WarmSpare.awaitBooted(config) : Set.of();
            long t0 = System.nanoTime();
            List<Long> squares;
            try (ProcessPool pool = open(config, method)) {
                squares = pool.map(SquareTasks.SQUARE, items);
            }
            micros[rep] = (System.nanoTime() - t0) / 1e3;
            SquareTasks.requireSquares(squares, LIFECYCLE_ITEMS);
            // A spare ends only when it has become a child (here a worker, ended by close()).
            long taken = spares.stream().filter(pid -> ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true)).count();
            if (taken < Math.min(spares.size(), WORKERS)) {
                throw new IllegalStateException("the pool's " + WORKERS + " workers took " + taken
                        + " of the booted spares " + spares);
            }
        }
        results.record(name(), "ProcessPool(" + WORKERS + ") create + map " + LIFECYCLE_ITEMS + " items + close",
                method.name().toLowerCase(Locale.ROOT), LIFECYCLE_ITEMS, "us", micros);
    }

    private void throughput(BenchConfig config, Results results, Running running) throws Exception {
        int n = config.poolItems();
        int n1 = config.poolChunkOneItems();
        int ns = config.poolSubmitTasks();
        List<Integer> items = SquareTasks.inputs(n);
        List<Integer> items1 = SquareTasks.inputs(n1);

        int defaultChunk = (n + 4 * WORKERS - 1) / (4 * WORKERS); // Python's rule, ProcessPool's default
        record(results, running, "ProcessPool(2).map(x*x), default chunk size (= " + defaultChunk + ")", n, config.reps(), pool -> {
            List<Long> squares = pool.map(SquareTasks.SQUARE, items);
            return () -> SquareTasks.requireSquares(squares, n);
        });
        record(results, running, "ProcessPool(2).map(x*x), chunk size 1", n1, config.reps(), pool -> {
            List<Long> squares = pool.map(SquareTasks.SQUARE, items1, 1);
            return () -> SquareTasks.requireSquares(squares, n1);
        });
        record(results, running, IMAP_FIGURE, n1, config.reps(), pool -> {
            long sum = 0;
            for (long square : pool.imap(SquareTasks.SQUARE, items1)) {
                sum += square;
            }
            long got = sum;
            return () -> SquareTasks.requireSumOfSquares(got, n1);
        });
        record(results, running, "ProcessPool(2).submit(x*x) x N, then get() each", ns, config.reps(),
                pool -> startAllThenWait(ns, i -> pool.submit(SquareTasks.ours(i)), Future::get));
        record(results, running, "ProcessPool(2).applyAsync(x*x) x N, then join() each", ns, config.reps(),
                pool -> startAllThenWait(ns, i -> pool.applyAsync(SquareTasks.ours(i)), CompletableFuture::join));
        record(results, running, "ProcessPool(2).submit(x*x).get(), one task at a time", ns, config.reps(), pool -> {
            List<Long> squares = new ArrayList<>(ns);
            for (int i = 0; i < ns; i++) {
                squares.add(pool.submit(SquareTasks.ours(i)).get());
            }
            return () -> SquareTasks.requireSquares(squares, ns);
        });
        record(results, running, "ProcessPool(2).map(x*x, chunk size 1000)", n, config.reps(), pool -> {
            List<Long> squares = pool.map(SquareTasks.SQUARE, items, 1000);
            return () -> SquareTasks.requireSquares(squares, n);
        });
    }

    /** How a started task's result is waited for. */
    @FunctionalInterface
    private interface Wait<F> {
        Long result(F started) throws Exception;
    }

    /** Starts the tasks of 0 .. n - 1, then waits for each in order; returns the check of their results. */
    private static <F> Runnable startAllThenWait(int n, IntFunction<F> start, Wait<F> wait) throws Exception {
        List<F> started = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            started.add(start.apply(i));
        }
        List<Long> squares = new ArrayList<>(n);
        for (F f : started) {
            squares.add(wait.result(f));
        }
        return () -> SquareTasks.requireSquares(squares, n);
    }

    @FunctionalInterface
    private interface Tasks {
        /** Runs the tasks in {@code pool} and collects their results; returns the check of those results. */
        Runnable run(ProcessPool pool) throws Exception;
    }

    /**
     * Records {@code n} tasks per elapsed second of {@code reps} runs, after a first run of the
     * same call that is recorded as a figure of its own ("first call"): the JIT compilers of the
     * workers and of this JVM compile the call's code during it, which a pool pays once and
     * CPython never. Checks each run's results after its clock stopped. A run that fails, or has
     * not finished after {@link #RUN_DEADLINE} (the pool is then terminated and this thread
     * interrupted), is a bug of the pool: it is reported on stderr, the figure is not recorded
     * (the table says "not measured"), and the next figures get a new pool.
     */
    private void record(Results results, Running running, String what, int n, int reps, Tasks tasks)
            throws Exception {
        double[] perSecond = new double[reps + 1];
        for (int rep = 0; rep < perSecond.length; rep++) {
            ProcessPool pool = running.pool;
            Thread caller = Thread.currentThread();
            CountDownLatch finished = new CountDownLatch(1);
            AtomicBoolean hung = new AtomicBoolean();
            Thread watchdog = new Thread(() -> {
                try {
                    if (!finished.await(RUN_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)) {
                        hung.set(true);
                        caller.interrupt();
                        pool.terminate();
                    }
                } catch (InterruptedException e) {
                    // the run is over
                }
            }, "bench-pool-watchdog");
            watchdog.setDaemon(true);
            watchdog.start();
            Runnable check = null;
            Exception failure = null;
            long t0 = System.nanoTime();
            try {
                check = tasks.run(pool);
                perSecond[rep] = n / ((System.nanoTime() - t0) / 1e9);
            } catch (Exception e) {
                failure = e;
            } finally {
                finished.countDown();
                watchdog.join(RUN_DEADLINE.toMillis());
                Thread.interrupted(); // the watchdog's interrupt, if it came, is dealt with here
            }
            if (failure != null) {
                System.err.printf(Locale.ROOT, "  !! pool   %s: run %d %s after %.1f s; figure not recorded; new pool%n",
                        what, rep + 1, hung.get() ? "had not finished (pool terminated)" : "failed",
                        (System.nanoTime() - t0) / 1e9);
                failure.printStackTrace();
                running.replace();
                return;
            }
            check.run();
        }
        results.record(name(), what + ", first call", "cold", n, "tasks/s", new double[] {perSecond[0]});
        results.record(name(), what, "cold", n, "tasks/s", java.util.Arrays.copyOfRange(perSecond, 1, perSecond.length));
    }

    /**
     * The pool of the throughput figures: 2 cold workers (no spare boots in the background during
     * a measurement), running: a {@code map} of 1000 items has gone through it, as in
     * {@code bench_mp.py}. Replaced when a run failed.
     */
    private static final class Running implements AutoCloseable {
        private final BenchConfig config;
        private ProcessPool pool;

        Running(BenchConfig config) {
            this.config = config;
            this.pool = start(config);
        }

        private static ProcessPool start(BenchConfig config) {
            ProcessPool pool = open(config, StartMethod.COLD);
            SquareTasks.requireSquares(pool.map(SquareTasks.SQUARE, SquareTasks.inputs(WARM_UP_ITEMS)), WARM_UP_ITEMS);
            return pool;
        }

        void replace() {
            pool.terminate();
            pool = start(config);
        }

        @Override
        public void close() {
            pool.close();
        }
    }
}
