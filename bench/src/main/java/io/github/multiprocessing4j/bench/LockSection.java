package io.github.multiprocessing4j.bench;

import io.github.multiprocessing4j.ChildProcess;
import io.github.multiprocessing4j.ProcessLock;
import io.github.multiprocessing4j.ProcessRLock;
import io.github.multiprocessing4j.SharedLong;
import io.github.multiprocessing4j.SharedLongArray;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Section "lock": {@code bench_mp.py}'s {@code sec_lock}. Uncontended acquire+release pairs per
 * second of {@link ProcessLock} and {@link ProcessRLock} (and, for scale, of a
 * {@link ReentrantLock}, which like CPython's {@code threading.Lock} baseline is not shared
 * between processes), each repetition with a fresh lock; then two processes each doing
 * {@code lock.acquire(); v.set(v.get() + 1); lock.release()} {@code lock_contended_n} times, in
 * increments per second from the first worker's start to the last one's end (start-up excluded,
 * as {@code bench_mp.py} does with its barrier), with the share of that time both were running.
 *
 * <p>Unlike {@code bench_mp.py}, one unrecorded repetition of each uncontended figure runs first:
 * the JIT compiles the loop in it (CPython's interpreter has nothing to warm).
 */
final class LockSection extends Section {
    LockSection() {
        super("lock");
    }

    @Override
    void run(BenchConfig config, Results results) throws Exception {
        uncontended(config, results, "ProcessLock", ProcessLock::new);
        uncontended(config, results, "ProcessRLock", ProcessRLock::new);
        uncontended(config, results, "ReentrantLock (baseline, not IPC)", ReentrantLock::new);
        contended(config, results);
    }

    private void uncontended(BenchConfig config, Results results, String name, Supplier<Lock> maker) throws Exception {
        int n = config.lockPairs();
        double[] pairsPerSecond = new double[config.reps()];
        for (int rep = -1; rep < pairsPerSecond.length; rep++) {
            Lock lock = maker.get();
            try {
                long t0 = System.nanoTime();
                pairs(lock, n);
                double seconds = (System.nanoTime() - t0) / 1e9;
                if (rep >= 0) {
                    pairsPerSecond[rep] = n / seconds;
                }
            } finally {
                if (lock instanceof AutoCloseable c) {
                    c.close();
                }
            }
        }
        results.record(name(), "uncontended acquire()+release() pairs, " + name, "-", n, "pairs/s", pairsPerSecond);
    }

    /**
     * Acquires and releases {@code lock} {@code n} times, each lock type in a loop of its own: a
     * program's loop sees one type, and so must the JIT's profile of each loop here (one shared
     * loop compiled for the first type measured ran the next at a third of its speed).
     */
    private static void pairs(Lock lock, int n) {
        if (lock instanceof ProcessLock p) {
            pairs(p, n);
        } else if (lock instanceof ProcessRLock p) {
            pairs(p, n);
        } else {
            for (int i = 0; i < n; i++) {
                lock.lock();
                lock.unlock();
            }
        }
    }

    private static void pairs(ProcessLock lock, int n) {
        for (int i = 0; i < n; i++) {
            lock.acquire();
            lock.release();
        }
    }

    private static void pairs(ProcessRLock lock, int n) {
        for (int i = 0; i < n; i++) {
            lock.acquire();
            lock.release();
        }
    }

    private void contended(BenchConfig config, Results results) throws Exception {
        int n = config.lockContended();
        double[] opsPerSecond = new double[config.reps()];
        double[] overlap = new double[config.reps()];
        for (int rep = 0; rep < opsPerSecond.length; rep++) {
            try (ProcessLock lock = new ProcessLock(); SharedLong value = new SharedLong();
                 SharedLong countdown = new SharedLong(2); SharedLongArray times = new SharedLongArray(4)) {
                List<ChildProcess> workers = new ArrayList<>();
                for (int w = 0; w < 2; w++) {
                    workers.add(Children.create(config, ChildTargets.lockWorker(lock, value, countdown, times, w, n)));
                }
                Children.run(workers);
                if (value.get() != 2L * n) {
                    throw new IllegalStateException("lost updates: " + value.get() + " != " + 2L * n);
                }
                long firstStart = Math.min(times.get(0), times.get(2));
                long lastEnd = Math.max(times.get(1), times.get(3));
                long bothRunning = Math.min(times.get(1), times.get(3)) - Math.max(times.get(0), times.get(2));
                double seconds = (lastEnd - firstStart) / 1e9;
                opsPerSecond[rep] = 2.0 * n / seconds;
                overlap[rep] = 100.0 * Math.max(0, bothRunning) / (seconds * 1e9);
            }
        }
        results.record(name(), CONTENDED, "cold", 2L * n, "ops/s", opsPerSecond);
        results.record(name(), OVERLAP, "cold", 2L * n, "%", overlap);
    }

    /** Our name of {@code bench_mp.py}'s "2 procs: lock.acquire(); v.value += 1; lock.release()". */
    static final String CONTENDED = "2 procs: lock.acquire(); v.set(v.get()+1); lock.release()";
    /** The name {@code bench_mp.py} gives the overlap figure of the same run. */
    static final String OVERLAP = "  same run: % of wall time both workers were running";
}
