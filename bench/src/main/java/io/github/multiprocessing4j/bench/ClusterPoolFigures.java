package io.github.multiprocessing4j.bench;

import io.github.multiprocessing4j.ProcessPool;
import io.github.multiprocessing4j.SharedLong;
import io.github.multiprocessing4j.WorkerDiedException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.ToDoubleFunction;

/**
 * The section "cluster"'s pool figures: a {@code ProcessPool.builder().cluster(cluster)} pool of
 * two workers on two worker agents of one slot each ({@link BenchAgents}: separate process trees
 * on this machine, standing for two machines), as {@code bench_cluster.py} runs Celery, RQ and
 * Dask with two worker processes.
 *
 * <p>A pool's first calls are measured apart from the next ones, as the section "pool" does:
 * the time from {@code build()} to the end of a first map of 1,000 ints (the agents start the
 * workers: a JVM each), then, for each figure, its first call (the JIT compilers of the workers
 * and of this JVM at work) recorded as "..., first call", then its repetitions. Every result is
 * checked after the clock stopped.
 *
 * <p>A killed agent ({@link #agentKilled}): a task that tells where it runs (a worker's pid, in
 * a cluster {@code SharedLong}) and then sleeps is submitted; the agent whose process tree holds
 * that worker is SIGKILLed with all its processes (a machine lost), and the clock runs from the
 * kill to the task's end: {@link WorkerDiedException} without retries, its result from the other
 * agent with {@code retries(1)}. The agent killed is replaced by a new one before the next pool.
 */
final class ClusterPoolFigures {
    static final String POOL_START =
            "cluster pool (2 agents x 1 worker): build() to the end of a first map of 1,000 ints (agents start the workers)";
    static final String FIRST_CALL = ", first call";
    static final String POOL_ROUND_TRIP_FIRST = "cluster pool (2 agents x 1 worker): submit(x*x).get(), first call";
    static final String AGENT_KILLED_RETRIED =
            "cluster pool with retries(1): worker agent killed (kill -9) mid-task -> its result from the other agent";

    private static final int AGENTS = 2;
    private static final int WORKERS = 2;
    private static final int WARM_UP_ITEMS = 1_000;
    private static final String PREFIX = "bench";
    /** Far above any healthy wait: only catches a hang. */
    private static final long WAIT_SECONDS = 60;

    private final ClusterSection.Run run;
    private final BenchAgents agents;
    private final List<Process> machines = new ArrayList<>();

    private ClusterPoolFigures(ClusterSection.Run run, BenchAgents agents) {
        this.run = run;
        this.agents = agents;
    }

    /** Starts two agents, measures every pool figure, and stops the agents (by pid) whatever happens. */
    static void measureAll(ClusterSection.Run run) throws Exception {
        try (BenchAgents agents = new BenchAgents()) {
            ClusterPoolFigures figures = new ClusterPoolFigures(run, agents);
            for (int i = 0; i < AGENTS; i++) {
                figures.machines.add(agents.start(run.redisUrl(), PREFIX, 1));
            }
            figures.throughputAndRoundTrip();
            figures.agentKilled();
        }
    }

    private ProcessPool newPool(int retries) {
        return ProcessPool.builder().cluster(run.cluster()).processes(WORKERS).retries(retries)
                .jvmArgs(run.config().childJvmArgs().toArray(String[]::new)).build();
    }

    private void throughputAndRoundTrip() throws Exception {
        BenchConfig config = run.config();
        long t0 = System.nanoTime();
        try (ProcessPool pool = newPool(0)) {
            SquareTasks.requireSquares(pool.map(SquareTasks.SQUARE, SquareTasks.inputs(WARM_UP_ITEMS)), WARM_UP_ITEMS);
            run.record(POOL_START, "-", WARM_UP_ITEMS, "s", new double[] {(System.nanoTime() - t0) / 1e9});

            int roundTrips = config.clusterRoundTrips();
            firstCallThenRepetitions(ClusterSection.POOL_ROUND_TRIP, POOL_ROUND_TRIP_FIRST, 1, roundTrips, "us",
                    () -> oneAtATime(pool, 1), () -> oneAtATime(pool, roundTrips), ClusterPoolFigures::median);

            List<Integer> tasks = SquareTasks.inputs(config.clusterPoolTasks());
            firstCallThenRepetitions(ClusterSection.POOL_CHUNK_ONE, ClusterSection.POOL_CHUNK_ONE + FIRST_CALL,
                    tasks.size(), tasks.size(), "tasks/s",
                    () -> rate(tasks.size(), () -> pool.map(SquareTasks.SQUARE, tasks, 1)), null, x -> x[0]);

            List<Integer> items = SquareTasks.inputs(config.clusterMapItems());
            firstCallThenRepetitions(ClusterSection.POOL_MAP, ClusterSection.POOL_MAP + FIRST_CALL,
                    items.size(), items.size(), "items/s",
                    () -> rate(items.size(), () -> pool.map(SquareTasks.SQUARE, items)), null, x -> x[0]);
        }
    }

    /** What one measured call gives: one value, or several (the times of calls one at a time). */
    @FunctionalInterface
    private interface Measured {
        double[] run() throws Exception;
    }

    /**
     * Records the first call of a figure as {@code firstWhat}, then {@code clusterReps}
     * repetitions of it ({@code repetition}, or {@code first} again when null), each summed up
     * by {@code summary}.
     */
    private void firstCallThenRepetitions(String what, String firstWhat, long firstN, long n, String unit,
            Measured first, Measured repetition, ToDoubleFunction<double[]> summary) throws Exception {
        run.record(firstWhat, "-", firstN, unit, new double[] {summary.applyAsDouble(first.run())});
        double[] values = new double[run.config().clusterReps()];
        for (int rep = 0; rep < values.length; rep++) {
            values[rep] = summary.applyAsDouble((repetition == null ? first : repetition).run());
        }
        run.record(what, "-", n, unit, values);
    }

    /** @return the microseconds of each of {@code n} calls of {@code submit(x*x).get()}, one at a time */
    private static double[] oneAtATime(ProcessPool pool, int n) throws Exception {
        double[] micros = new double[n];
        long[] results = new long[n];
        for (int i = 0; i < n; i++) {
            long t = System.nanoTime();
            results[i] = pool.submit(SquareTasks.ours(i)).get();
            micros[i] = (System.nanoTime() - t) / 1e3;
        }
        for (int i = 0; i < n; i++) {
            SquareTasks.requireSquare(i, results[i]);
        }
        return micros;
    }

    /** @return {@code n} per second of the call; its results checked after the clock stopped */
    private static double[] rate(int n, Callable<List<Long>> call) throws Exception {
        long t0 = System.nanoTime();
        List<Long> results = call.call();
        double perSecond = n / ((System.nanoTime() - t0) / 1e9);
        SquareTasks.requireSquares(results, n);
        return new double[] {perSecond};
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    /** Both figures of a killed agent (see the class comment), {@code clusterReps} times each. */
    private void agentKilled() throws Exception {
        int reps = run.config().clusterReps();
        double[] failed = new double[reps];
        double[] retried = new double[reps];
        for (int rep = 0; rep < reps; rep++) {
            failed[rep] = killMidTask(0);
            retried[rep] = killMidTask(1);
        }
        run.record(ClusterSection.AGENT_KILLED, "-", 1, "s", failed);
        run.record(AGENT_KILLED_RETRIED, "-", 1, "s", retried);
    }

    /**
     * One kill: a pool of two workers with {@code retries}, the held task submitted once both
     * workers answered, the agent holding it killed; then the agent is replaced.
     *
     * @return seconds from the kill to the end of the task's {@code get()}
     */
    private double killMidTask(int retries) throws Exception {
        SharedLong runs = run.cluster().sharedLong("bench-held-runs");
        SharedLong where = run.cluster().sharedLong("bench-held-where");
        Process victim;
        double seconds;
        try (ProcessPool pool = newPool(retries)) {
            runs.set(0);
            where.set(0);
            SquareTasks.requireSquares(pool.map(SquareTasks.SQUARE, SquareTasks.inputs(4), 1), 4); // both placed
            Future<Long> held = pool.submit(ClusterTargets.heldOnFirstRun(runs, where));
            long workerPid = awaitNonZero(where);
            victim = machines.stream().filter(agent -> BenchAgents.runs(agent, workerPid)).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no agent runs worker " + workerPid));
            long killed = System.nanoTime();
            agents.killMachine(victim);
            try {
                long result = held.get(WAIT_SECONDS, TimeUnit.SECONDS);
                seconds = (System.nanoTime() - killed) / 1e9;
                if (retries == 0) {
                    throw new IllegalStateException("the task of a killed agent returned " + result);
                }
                if (result == workerPid || runs.get() != 2) {
                    throw new IllegalStateException("the re-run came from worker " + result + " (killed: " + workerPid
                            + "), runs " + runs.get());
                }
            } catch (ExecutionException e) {
                seconds = (System.nanoTime() - killed) / 1e9;
                if (retries != 0 || !(e.getCause() instanceof WorkerDiedException)) {
                    throw e;
                }
            } catch (TimeoutException e) {
                throw new IllegalStateException("the task of a killed agent had not ended " + WAIT_SECONDS + " s later", e);
            }
            System.err.printf(Locale.ROOT, "  .. cluster agent %d killed (worker %d), retries %d: task ended %.3f s later%n",
                    victim.pid(), workerPid, retries, seconds);
        } finally {
            runs.close();
            where.close();
        }
        // After the pool's end, so that the new agent's slot is not taken by that pool's replacement worker.
        machines.set(machines.indexOf(victim), agents.start(run.redisUrl(), PREFIX, 1));
        return seconds;
    }

    /** @return the value of {@code value} once it is not 0 (polled: the parent has nothing else to do) */
    private static long awaitNonZero(SharedLong value) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        for (long v = value.get(); ; v = value.get()) {
            if (v != 0) {
                return v;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the held task did not start within " + WAIT_SECONDS + " s");
            }
            Thread.sleep(2);
        }
    }
}
