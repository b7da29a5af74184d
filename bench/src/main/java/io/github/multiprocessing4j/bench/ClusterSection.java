package io.github.multiprocessing4j.bench;

import io.github.multiprocessing4j.ChildProcess;
import io.github.multiprocessing4j.ProcessJoinableQueue;
import io.github.multiprocessing4j.ProcessLock;
import io.github.multiprocessing4j.ProcessQueue;
import io.github.multiprocessing4j.SharedLong;
import io.github.multiprocessing4j.SharedLongArray;
import io.github.multiprocessing4j.redis.Cluster;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.LongPredicate;

/**
 * Section "cluster": the library's objects on a Redis server, over loopback, beside what Python
 * users scale out with ({@code bench_cluster.py}: CPython's managers, raw redis-py, RQ, Celery,
 * Dask; {@code bench/run} runs it in the same run and {@code side_by_side.py} puts both in one
 * table). The section starts a {@code redis-server} of its own on a free 127.0.0.1 port
 * ({@link BenchRedisServer}) and stops it by its pid at the end.
 *
 * <p>Figures: the raw-client floor ({@link RedisBaselines}: Jedis, one item per call, batched,
 * pipelined, the reliable pattern, a round trip, a lease lock's two round trips), then the
 * library's objects from {@link Cluster}, one method below for each figure, except the pool's
 * figures, which need worker agents: {@link ClusterPoolFigures} starts two (child JVMs of this
 * one running {@code WorkerAgent}, stopped by pid) and measures them. Each figure's row, with
 * the design target and the Python figure it is compared with, is in {@code side_by_side.py}'s
 * {@code CLUSTER_ROWS} under the name below.
 *
 * <p>Sizes and repetitions are {@code bench_cluster.py}'s ({@link BenchConfig#clusterReps()}
 * and the {@code cluster*} sizes); the quick run only shows that each figure works.
 */
final class ClusterSection extends Section {
    static final String LONG_ONE_THREAD = "SharedLong.incrementAndGet() on the cluster, 1 thread";
    static final String LONG_TWO_PROCESSES = "SharedLong.incrementAndGet() on the cluster, 2 processes at once";
    static final String QUEUE_ONE_TO_ONE = "cluster queue put/get, 1 producer -> 1 consumer process, int";
    static final String JOINABLE_END_TO_END =
            "cluster joinable queue, 2 producers -> 2 consumer processes (taskDone), join(); end to end";
    static final String POOL_ROUND_TRIP = "cluster pool (2 agents x 1 worker): submit(x*x).get(), one at a time, median";
    static final String POOL_CHUNK_ONE = "cluster pool (2 agents x 1 worker): map(x*x), chunk size 1";
    static final String POOL_MAP = "cluster pool (2 agents x 1 worker): map(x*x) of ints, default chunking";
    static final String LOCK_UNCONTENDED = "cluster lock acquire()+release() pairs, uncontended";
    static final String LOCK_TAKEOVER = "cluster lock: holder killed (kill -9) -> another process's acquire() returns";
    static final String AGENT_KILLED = "cluster pool: worker agent killed (kill -9) mid-task -> the task fails or re-runs";

    ClusterSection() {
        super("cluster");
    }

    /** What every figure's method gets: the sizes, where to record, the server and a connection to it. */
    record Run(String section, BenchConfig config, Results results, String redisUrl, Cluster cluster) {
        void record(String what, String method, long n, String unit, double[] values) {
            results.record(section, what, method, n, unit, values);
        }
    }

    @Override
    void run(BenchConfig config, Results results) throws Exception {
        Optional<Path> binary = BenchRedisServer.binary();
        if (binary.isEmpty()) {
            // The rest of the run stays useful; the table says why this section has no figures.
            results.notMeasured(name(), "(every figure)", "", "needs redis-server on the PATH (Debian: apt-get install redis-server)");
            return;
        }
        try (BenchRedisServer server = BenchRedisServer.start(binary.get());
             Cluster cluster = Cluster.builder(server.url()).prefix("bench")
                     .allowClasses("io.github.multiprocessing4j.bench.*").connect()) {
            System.err.printf(Locale.ROOT, "[section cluster] redis-server pid %d on 127.0.0.1:%d%n", server.pid(),
                    server.port());
            Run run = new Run(name(), config, results, server.url(), cluster);
            new RedisBaselines(name(), server.port()).measureAll(config, results);
            sharedLongOneThread(run);
            sharedLongTwoProcesses(run);
            queueOneToOne(run);
            joinableEndToEnd(run);
            lockUncontended(run);
            lockTakeover(run);
            ClusterPoolFigures.measureAll(run); // POOL_ROUND_TRIP, POOL_CHUNK_ONE, POOL_MAP, AGENT_KILLED
        }
    }

    /** Increments per second of one thread, each one round trip ({@code INCRBY}). */
    private static void sharedLongOneThread(Run run) {
        int n = run.config().clusterIncrements();
        double[] perSecond = new double[run.config().clusterReps()];
        SharedLong counter = run.cluster().sharedLong("bench-one-thread");
        try {
            counter.set(0);
            counter.incrementAndGet(); // connects
            for (int rep = 0; rep < perSecond.length; rep++) {
                long t0 = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    counter.incrementAndGet();
                }
                perSecond[rep] = n / ((System.nanoTime() - t0) / 1e9);
            }
            requireCount(counter, 1L + (long) n * perSecond.length);
        } finally {
            counter.close();
        }
        run.record(LONG_ONE_THREAD, "-", n, "ops/s", perSecond);
    }

    /**
     * Increments per second of two child processes incrementing one SharedLong at once, from the
     * first one's start to the last one's end (start-up and connecting excluded), as the section
     * "lock"'s two-process figure is taken.
     */
    private static void sharedLongTwoProcesses(Run run) throws Exception {
        int n = run.config().clusterIncrements();
        double[] perSecond = new double[run.config().clusterReps()];
        for (int rep = 0; rep < perSecond.length; rep++) {
            SharedLong counter = run.cluster().sharedLong("bench-two-processes");
            try (SharedLong countdown = new SharedLong(2); SharedLongArray times = new SharedLongArray(4)) {
                counter.set(0);
                List<ChildProcess> workers = new ArrayList<>();
                for (int w = 0; w < 2; w++) {
                    workers.add(Children.onCluster(run.config(),
                            ClusterTargets.incrementer(counter, countdown, times, w, n), run.redisUrl()));
                }
                Children.run(workers);
                requireCount(counter, 2L + 2L * n);
                long firstStart = Math.min(times.get(0), times.get(2));
                long lastEnd = Math.max(times.get(1), times.get(3));
                perSecond[rep] = 2.0 * n / ((lastEnd - firstStart) / 1e9);
            } finally {
                counter.close();
            }
        }
        run.record(LONG_TWO_PROCESSES, "cold", 2L * n, "ops/s", perSecond);
    }

    private static void requireCount(SharedLong counter, long expected) {
        if (counter.get() != expected) {
            throw new IllegalStateException("lost increments: " + counter.get() + " != " + expected);
        }
    }

    /**
     * Items per second from one producer child to one consumer child through
     * {@code cluster.queue(name)} (unbounded): {@code clusterItems} Integers and an end marker;
     * the producer takes the start time after a start line shared with the consumer, the
     * consumer the end time at the end marker (start-up and connecting excluded), as
     * {@code bench_cluster.py}'s {@code _pair} does; the consumer checks that every item came, in
     * order. Compared with CPython's managers queue and raw redis-py; target ≥ 100k items/s
     * (batching).
     */
    private static void queueOneToOne(Run run) throws Exception {
        int n = run.config().clusterItems();
        double[] perSecond = new double[run.config().clusterReps()];
        for (int rep = 0; rep < perSecond.length; rep++) {
            ProcessQueue<Integer> queue = run.cluster().queue("bench-one-to-one-" + rep);
            try (SharedLong countdown = new SharedLong(2); SharedLongArray times = new SharedLongArray(2)) {
                Children.run(List.of(
                        Children.onCluster(run.config(), ClusterTargets.queueConsumer(queue, countdown, times, n),
                                run.redisUrl()),
                        Children.onCluster(run.config(), ClusterTargets.queueProducer(queue, countdown, times, n),
                                run.redisUrl())));
                perSecond[rep] = n / ((times.get(1) - times.get(0)) / 1e9);
            } finally {
                queue.close();
            }
        }
        run.record(QUEUE_ONE_TO_ONE, "cold", n, "items/s", perSecond);
    }

    /**
     * {@code cluster.joinableQueue(name)}: two producer children put {@code clusterItems / 2}
     * Integers each, two consumer children call {@code taskDone()} for each; items per second
     * from the producers' start line (the first one's start) to the return of the parent's
     * {@code join()}, called once both producers' items are on the server (start-up and
     * connecting excluded). The consumers are then ended with an end marker each. Compared with
     * the reliable list pattern of redis-py; target ≥ 50k items/s.
     */
    private static void joinableEndToEnd(Run run) throws Exception {
        int per = run.config().clusterItems() / 2;
        double[] perSecond = new double[run.config().clusterReps()];
        for (int rep = 0; rep < perSecond.length; rep++) {
            ProcessJoinableQueue<Integer> queue = run.cluster().joinableQueue("bench-joinable-" + rep);
            try (SharedLong countdown = new SharedLong(4); SharedLongArray times = new SharedLongArray(2);
                 SharedLong producersDone = new SharedLong(0)) {
                List<ChildProcess> children = new ArrayList<>();
                for (int c = 0; c < 2; c++) {
                    children.add(Children.onCluster(run.config(), ClusterTargets.joinableConsumer(queue, countdown),
                            run.redisUrl()));
                }
                for (int p = 0; p < 2; p++) {
                    children.add(Children.onCluster(run.config(),
                            ClusterTargets.joinableProducer(queue, countdown, times, p, p * per, per, producersDone),
                            run.redisUrl()));
                }
                long[] joined = new long[1];
                Children.run(children, () -> {
                    await(producersDone, v -> v == 2, "both producers' puts on the server");
                    if (!queue.join(Duration.ofSeconds(120))) {
                        throw new IllegalStateException("join() did not return within 120 s; " + queue.unfinishedTasks()
                                + " unfinished");
                    }
                    joined[0] = System.nanoTime();
                    queue.put(-1);
                    queue.put(-1);
                });
                perSecond[rep] = 2.0 * per / ((joined[0] - Math.min(times.get(0), times.get(1))) / 1e9);
            } finally {
                queue.close();
            }
        }
        run.record(JOINABLE_END_TO_END, "cold", 2L * per, "items/s", perSecond);
    }

    /**
     * {@code clusterIncrements} pairs of {@code acquire(); release()} on one
     * {@code cluster.lock(name)} by one thread, pairs per second, after 500 pairs that connect and
     * warm up. Target ≥ 5k pairs/s (the raw lease-lock row is its floor); that a pair is two round
     * trips (two scripts on the server) is checked by {@code ClusterLockTest}.
     */
    private static void lockUncontended(Run run) {
        int n = run.config().clusterIncrements();
        double[] perSecond = new double[run.config().clusterReps()];
        ProcessLock lock = run.cluster().lock("bench-uncontended");
        try {
            for (int i = 0; i < 500; i++) {
                lock.acquire();
                lock.release();
            }
            for (int rep = 0; rep < perSecond.length; rep++) {
                long t0 = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    lock.acquire();
                    lock.release();
                }
                perSecond[rep] = n / ((System.nanoTime() - t0) / 1e9);
            }
        } finally {
            lock.close();
        }
        run.record(LOCK_UNCONTENDED, "-", n, "pairs/s", perSecond);
    }

    /**
     * A child takes {@code cluster.lock(name)} and leaves its fencing token in local shared
     * memory; a second child connects, says it is about to wait and waits in {@code acquire()};
     * 300 ms later the parent kills the holder ({@code ChildProcess.kill()}: SIGKILL by pid).
     * Seconds from the kill to the return of the waiter's {@code acquire()} (the waiter records
     * its {@link System#nanoTime()}: one clock on one machine), checking that the waiter's
     * fencing token is greater than the killed holder's. Default lease (1.5 s); target ≤ 2 s.
     */
    private static void lockTakeover(Run run) throws Exception {
        double[] seconds = new double[run.config().clusterReps()];
        for (int rep = 0; rep < seconds.length; rep++) {
            ProcessLock lock = run.cluster().lock("bench-takeover");
            try (SharedLong firstToken = new SharedLong(0); SharedLong waiting = new SharedLong(0);
                 SharedLong acquiredAt = new SharedLong(0); SharedLong secondToken = new SharedLong(0)) {
                ChildProcess holder = Children.onCluster(run.config(), ClusterTargets.holdUntilKilled(lock, firstToken),
                        run.redisUrl());
                ChildProcess waiter = Children.onCluster(run.config(),
                        ClusterTargets.takeOver(lock, waiting, acquiredAt, secondToken), run.redisUrl());
                long[] killed = new long[1];
                holder.start();
                try {
                    awaitNonZero(firstToken, "the holder to take the lock");
                    Children.run(List.of(waiter), () -> {
                        awaitNonZero(waiting, "the waiter to connect");
                        Thread.sleep(300); // the waiter is in acquire() by now: one round trip
                        killed[0] = System.nanoTime();
                        holder.kill();
                    });
                } finally {
                    Children.killAndJoin(holder);
                }
                seconds[rep] = (acquiredAt.get() - killed[0]) / 1e9;
                if (secondToken.get() <= firstToken.get()) {
                    throw new IllegalStateException("the fencing token did not grow: " + firstToken.get() + " then "
                            + secondToken.get());
                }
            } finally {
                lock.close();
            }
        }
        run.record(LOCK_TAKEOVER, "cold", 1, "s", seconds);
    }

    /** Waits (polling: the parent has nothing else to do) until a child has set {@code value}. */
    private static void awaitNonZero(SharedLong value, String what) throws InterruptedException {
        await(value, v -> v != 0, what);
    }

    /** Waits (polling) until {@code value}, which children set, passes {@code until}; 60 s at most. */
    private static void await(SharedLong value, LongPredicate until, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!until.test(value.get())) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("waited 60 s for " + what);
            }
            Thread.sleep(1);
        }
    }
}
