package io.github.multiprocessing4j.bench;

import dyorgio.runtime.out.process.OutProcessExecutorService;
import net.viktorc.pp4j.api.JavaProcessExecutorService;
import net.viktorc.pp4j.impl.ProcessExecutors;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Section "pool-others": the Java process pools a user would otherwise pick, on the tasks of the
 * "pool" section ({@link SquareTasks}: x * x), one run each, so that their figures sit in the
 * table beside {@code ProcessPool}'s and CPython's. The method column names the library:
 * <ul>
 *   <li>"pp4j": PP4J 2.2's {@code JavaProcessPoolExecutor} with 2 processes
 *       ({@code ProcessExecutors.newFixedJavaProcessPool(2)}, its default JVM options), an
 *       {@code ExecutorService} of serializable callables;</li>
 *   <li>"out-process": out-process 1.2.7's {@code OutProcessExecutorService}, an
 *       {@code ExecutorService} backed by one JVM (its default options); two of them stand for a
 *       pool of 2, tasks dealt to them in turn.</li>
 * </ul>
 * Figures: create + 4 tasks + shutdown, until their JVMs have exited (CPython's pool figure ends
 * with {@code join()}); tasks per second one at a time ({@code submit(task).get()}, then the
 * next: the "pool" section measures ProcessPool the same way); and tasks per second with N tasks
 * submitted, then {@code get()} on each, as {@code bench_mp.py}'s {@code ProcessPoolExecutor}
 * figure (neither library has a {@code map}; this is what their {@code invokeAll} does). N is
 * small ({@link BenchConfig#pp4jTasks()}, {@link BenchConfig#outProcessTasks()}) because these
 * pools do about 1-3k and 22 tasks per second. Before the timed runs, 20 tasks go through each
 * pool one at a time and 20 at once (its JVMs booted, the code on both sides run once).
 *
 * <p>Neither library reaps its JVMs when it shuts down (out-process sends SIGTERM and returns), so
 * the section waits for the child processes that appeared during a figure to exit, and kills
 * any still there after {@link #EXIT_DEADLINE_SECONDS}: a run leaves none behind.
 */
final class PoolOthersSection extends Section {
    private static final int WORKERS = 2;
    private static final int LIFECYCLE_TASKS = 4;
    private static final int WARM_UP_TASKS = 20;
    private static final long EXIT_DEADLINE_SECONDS = 30;

    PoolOthersSection() {
        super("pool-others");
    }

    /** A pool of {@link #WORKERS} of one library, as an {@code ExecutorService} of x * x tasks. */
    private interface Library {
        ExecutorService open() throws Exception;

        Future<Long> submit(ExecutorService pool, int x);

        /** Shuts the pool down as its documentation says, and waits for that. */
        void close(ExecutorService pool) throws InterruptedException;
    }

    /** PP4J: one pool of 2 processes. */
    private static final Library PP4J = new Library() {
        @Override
        public ExecutorService open() throws InterruptedException {
            return ProcessExecutors.newFixedJavaProcessPool(WORKERS);
        }

        @Override
        public Future<Long> submit(ExecutorService pool, int x) {
            return ((JavaProcessExecutorService) pool).submit(SquareTasks.pp4j(x));
        }

        @Override
        public void close(ExecutorService pool) throws InterruptedException {
            pool.shutdown(); // ends its processes once the submitted tasks are done
            pool.awaitTermination(EXIT_DEADLINE_SECONDS, TimeUnit.SECONDS);
        }
    };

    /** out-process: one JVM per {@code OutProcessExecutorService}; a pair, tasks dealt in turn. */
    private static final Library OUT_PROCESS = new Library() {
        @Override
        public ExecutorService open() throws Exception {
            return new Pair(new OutProcessExecutorService(), new OutProcessExecutorService());
        }

        @Override
        public Future<Long> submit(ExecutorService pool, int x) {
            return ((Pair) pool).next().submit(SquareTasks.outProcess(x));
        }

        @Override
        public void close(ExecutorService pool) throws InterruptedException {
            pool.shutdownNow(); // its shutdown() only refuses new tasks; shutdownNow() ends the JVM
            pool.awaitTermination(EXIT_DEADLINE_SECONDS, TimeUnit.SECONDS);
        }
    };

    @Override
    void run(BenchConfig config, Results results) throws Exception {
        measure(results, "pp4j", "JavaProcessPoolExecutor(2)", PP4J, config.pp4jTasks());
        measure(results, "out-process", "2 x OutProcessExecutorService (1 JVM each)", OUT_PROCESS,
                config.outProcessTasks());
    }

    private void measure(Results results, String library, String pool, Library lib, int n) throws Exception {
        double lifecycle = whileJvmsLive(() -> {
            Set<Long> before = pids(liveChildren());
            long t0 = System.nanoTime();
            ExecutorService p = lib.open();
            try {
                SquareTasks.requireSquares(submitAll(lib, p, LIFECYCLE_TASKS));
            } finally {
                lib.close(p);
            }
            awaitExitOfNew(before);
            return (System.nanoTime() - t0) / 1e3;
        });
        results.record(name(), pool + " create + " + LIFECYCLE_TASKS + " tasks + shutdown", library,
                LIFECYCLE_TASKS, "us", new double[] {lifecycle});

        double[] rates = whileJvmsLive(() -> {
            ExecutorService p = lib.open();
            try {
                oneAtATime(lib, p, WARM_UP_TASKS);
                SquareTasks.requireSquares(submitAll(lib, p, WARM_UP_TASKS));
                long t0 = System.nanoTime();
                oneAtATime(lib, p, n);
                long t1 = System.nanoTime();
                SquareTasks.requireSquares(submitAll(lib, p, n));
                long t2 = System.nanoTime();
                return new double[] {n / ((t1 - t0) / 1e9), n / ((t2 - t1) / 1e9)};
            } finally {
                lib.close(p);
            }
        });
        results.record(name(), pool + ".submit(x*x).get(), one task at a time", library, n, "tasks/s",
                new double[] {rates[0]});
        results.record(name(), pool + ".submit(x*x) x N, then get() each", library, n, "tasks/s",
                new double[] {rates[1]});
    }

    private static void oneAtATime(Library lib, ExecutorService pool, int n) throws Exception {
        for (int i = 0; i < n; i++) {
            SquareTasks.requireSquare(i, lib.submit(pool, i).get());
        }
    }

    private static List<Future<Long>> submitAll(Library lib, ExecutorService pool, int n) {
        List<Future<Long>> futures = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            futures.add(lib.submit(pool, i));
        }
        return futures;
    }

    @FunctionalInterface
    private interface Measurement<T> {
        T run() throws Exception;
    }

    /**
     * Runs {@code m}, then waits until the child processes that appeared meanwhile have exited;
     * kills (and fails on) any left after {@link #EXIT_DEADLINE_SECONDS}. The wait is part of
     * whatever {@code m} times only if {@code m} waits itself.
     */
    private static <T> T whileJvmsLive(Measurement<T> m) throws Exception {
        Set<Long> before = pids(liveChildren());
        T result;
        try {
            result = m.run();
        } finally {
            awaitExitOfNew(before);
        }
        return result;
    }

    private static void awaitExitOfNew(Set<Long> before) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(EXIT_DEADLINE_SECONDS);
        List<ProcessHandle> left;
        while (!(left = newChildren(before)).isEmpty()) {
            if (System.nanoTime() - deadline > 0) {
                left.forEach(ProcessHandle::destroyForcibly);
                throw new IllegalStateException("the pool's JVMs " + left.stream().map(ProcessHandle::pid).toList()
                        + " had not exited " + EXIT_DEADLINE_SECONDS + " s after its shutdown; killed them");
            }
            Thread.sleep(5);
        }
    }

    private static List<ProcessHandle> newChildren(Set<Long> before) {
        return liveChildren().stream().filter(h -> !before.contains(h.pid())).toList();
    }

    private static Set<Long> pids(List<ProcessHandle> processes) {
        return processes.stream().map(ProcessHandle::pid).collect(Collectors.toSet());
    }

    private static List<ProcessHandle> liveChildren() {
        return ProcessHandle.current().children().filter(ProcessHandle::isAlive).toList();
    }

    /** Two single-JVM executors as one pool of 2: tasks are dealt to them in turn. */
    private static final class Pair extends java.util.concurrent.AbstractExecutorService {
        private final List<ExecutorService> executors;
        private int turn;

        Pair(ExecutorService a, ExecutorService b) {
            executors = List.of(a, b);
        }

        ExecutorService next() {
            return executors.get(turn++ % executors.size());
        }

        @Override
        public void execute(Runnable command) {
            next().execute(command);
        }

        @Override
        public void shutdown() {
            executors.forEach(ExecutorService::shutdown);
        }

        @Override
        public List<Runnable> shutdownNow() {
            List<Runnable> left = new ArrayList<>();
            executors.forEach(e -> left.addAll(e.shutdownNow()));
            return left;
        }

        @Override
        public boolean isShutdown() {
            return executors.stream().allMatch(ExecutorService::isShutdown);
        }

        @Override
        public boolean isTerminated() {
            return executors.stream().allMatch(ExecutorService::isTerminated);
        }

        @Override
        public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
            boolean all = true;
            for (ExecutorService e : executors) {
                all &= e.awaitTermination(timeout, unit);
            }
            return all;
        }
    }
}
