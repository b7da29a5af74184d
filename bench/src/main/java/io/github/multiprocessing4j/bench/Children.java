package io.github.multiprocessing4j.bench;

import io.github.multiprocessing4j.ChildProcess;
import io.github.multiprocessing4j.SerializableRunnable;
import io.github.multiprocessing4j.StartMethod;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Creating, joining and checking the benchmark's children. A measurement taken from a child that
 * failed would be a lie, so a child that does not exit with 0 stops the run; and a child that
 * does not finish in time is killed by its pid and joined, so that a run never leaves one
 * behind.
 *
 * <p>The benchmark's children are {@linkplain StartMethod#COLD cold} unless a section asks for
 * another start method, whatever the library's default ({@link StartMethod#WARM}). A warm start
 * makes the library boot a spare JVM in the background once the child has booted: on two cores
 * that boot would run during the measurement of a throughput, lock or round-trip figure, and
 * the figures would depend on how many children had been started before them. The sections
 * whose figures are about the start method ("start", "mem") measure both methods themselves.
 */
final class Children {
    /** Far above any healthy figure: only catches a hang. */
    private static final Duration JOIN_DEADLINE = Duration.ofSeconds(120);

    private Children() {
    }

    /** A cold child (see the class comment). */
    static ChildProcess create(BenchConfig config, SerializableRunnable target) {
        return create(config, target, StartMethod.COLD);
    }

    static ChildProcess create(BenchConfig config, SerializableRunnable target, StartMethod method) {
        return builder(config, target).startMethod(method).build();
    }

    /** A cold daemon child: ended with its parent, as {@code bench_mp.py}'s {@code daemon=True} consumers. */
    static ChildProcess daemon(BenchConfig config, SerializableRunnable target) {
        return daemon(config, target, StartMethod.COLD);
    }

    /** A daemon child started with {@code method}. */
    static ChildProcess daemon(BenchConfig config, SerializableRunnable target, StartMethod method) {
        return builder(config, target).startMethod(method).daemon(true).build();
    }

    /**
     * A cold child that finds the cluster's server: handles of cluster objects it deserializes
     * connect to {@code redisUrl} (the library reads {@code MP4J_REDIS_URL}), as a user's
     * child on another machine would.
     */
    static ChildProcess onCluster(BenchConfig config, SerializableRunnable target, String redisUrl) {
        return builder(config, target).startMethod(StartMethod.COLD).env("MP4J_REDIS_URL", redisUrl).build();
    }

    private static ChildProcess.Builder builder(BenchConfig config, SerializableRunnable target) {
        return ChildProcess.builder(target).jvmArgs(config.childJvmArgs().toArray(String[]::new));
    }

    /**
     * Starts a cold empty child and joins it, {@code count} times: page cache and JIT of the
     * parent warm.
     */
    static void warmUp(BenchConfig config, int count) throws InterruptedException {
        for (int i = 0; i < count; i++) {
            ChildProcess p = create(config, ChildTargets.empty());
            p.start();
            joinChecked(p);
        }
    }

    /** What the parent does while its children run: its side of a measurement. */
    @FunctionalInterface
    interface WhileRunning {
        void run() throws Exception;
    }

    /** Starts the children, then joins and checks them all (see {@link #run(List, WhileRunning)}). */
    static void run(List<ChildProcess> children) throws Exception {
        run(children, () -> { });
    }

    /**
     * Starts the children in order, does the parent's part, then joins and checks every child.
     * Whatever fails half-way, the children started and still running are killed (by pid) and
     * joined before this returns, so that a failed measurement leaves none behind.
     */
    static void run(List<ChildProcess> children, WhileRunning whileRunning) throws Exception {
        List<ChildProcess> started = new ArrayList<>(children.size());
        try {
            for (ChildProcess p : children) {
                p.start();
                started.add(p);
            }
            whileRunning.run();
            joinAllChecked(children);
        } finally {
            for (ChildProcess p : started) {
                killAndJoin(p); // only does something when the run failed half-way
            }
        }
    }

    /** Joins every child, then checks each; kills (by pid) and joins the ones still running late. */
    static void joinAllChecked(List<ChildProcess> children) throws InterruptedException {
        for (ChildProcess p : children) {
            awaitExit(p);
        }
        for (ChildProcess p : children) {
            requireSuccess(p);
        }
    }

    static void joinChecked(ChildProcess p) throws InterruptedException {
        awaitExit(p);
        requireSuccess(p);
    }

    /** Kills a child that is still running, as the clean-up of a failed measurement. */
    static void killAndJoin(ChildProcess p) throws InterruptedException {
        if (p.isAlive()) {
            p.kill();
        }
        p.join();
    }

    private static void awaitExit(ChildProcess p) throws InterruptedException {
        if (!p.join(JOIN_DEADLINE)) {
            killAndJoin(p);
            throw new IllegalStateException("child " + p.pid() + " did not finish within " + JOIN_DEADLINE
                    + "; killed it");
        }
    }

    private static void requireSuccess(ChildProcess p) {
        int code = p.exitCode().orElseThrow();
        if (code != 0) {
            throw new IllegalStateException("child " + p + " exited with " + code, p.failure().orElse(null));
        }
    }
}
