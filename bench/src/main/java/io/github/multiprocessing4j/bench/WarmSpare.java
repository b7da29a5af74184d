package io.github.multiprocessing4j.bench;

import io.github.multiprocessing4j.ChildProcess;
import io.github.multiprocessing4j.Multiprocessing;
import io.github.multiprocessing4j.StartMethod;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What a timed {@linkplain StartMethod#WARM warm} start needs: a spare JVM that has finished
 * booting when the clock starts, and the proof afterwards that the child was that spare.
 *
 * <p>How "booted" is told from outside, through public interfaces only: the library keeps one
 * spare per JVM configuration and boots it in the background once the previous child has booted.
 * So, with every earlier child of the section joined, the spare is the one live child process of
 * this JVM. It has booted when it sits blocked waiting for its bootstrap message: its CPU time
 * (utime + stime in {@code /proc/PID/stat}, 10 ms ticks) has not moved for {@link #QUIET_MILLIS}.
 * If no spare shows up within {@link #PRIME_AFTER_MILLIS} (the library boots none after a child
 * that ended before the refill saw it boot), an empty warm child is started and joined, which
 * makes it boot one; all of this within {@link #DEADLINE_MILLIS}, or the run fails. Only a
 * start whose child has the spare's pid counts as warm ({@link #requireUsed}).
 */
final class WarmSpare {
    /** How long a spare's CPU time must stand still to count as booted and idle. */
    static final long QUIET_MILLIS = 100;
    /** How long to look for a spare before starting a child that makes the library boot one. */
    static final long PRIME_AFTER_MILLIS = 3_000;
    /** Far above a healthy boot (~0.2-0.5 s): only catches a spare that never comes. */
    static final long DEADLINE_MILLIS = 30_000;
    private static final long POLL_MILLIS = 5;

    private static int primes;

    private WarmSpare() {
    }

    /**
     * Waits until this JVM has a booted, idle spare; every child this JVM started must have been
     * joined.
     *
     * @return the spare's pid
     * @throws IllegalStateException when none is ready within {@link #DEADLINE_MILLIS}
     */
    static long awaitBooted(BenchConfig config) throws InterruptedException {
        long start = System.nanoTime();
        long lookingSince = start;
        long pid = -1;
        long ticks = -1;
        long quietSince = 0;
        while (true) {
            long now = System.nanoTime();
            if (now - start > TimeUnit.MILLISECONDS.toNanos(DEADLINE_MILLIS)) {
                throw new IllegalStateException("no booted spare JVM within " + DEADLINE_MILLIS + " ms (" + primes
                        + " priming children so far)");
            }
            List<ProcessHandle> live = ProcessHandle.current().children().filter(ProcessHandle::isAlive).toList();
            if (live.size() != 1) {
                pid = -1;
                if (live.isEmpty() && now - lookingSince > TimeUnit.MILLISECONDS.toNanos(PRIME_AFTER_MILLIS)) {
                    prime(config);
                    lookingSince = System.nanoTime();
                }
                Thread.sleep(POLL_MILLIS);
                continue;
            }
            long candidate = live.get(0).pid();
            long t;
            try {
                t = MachineLoad.cpuTicks(Long.toString(candidate), false);
            } catch (IOException gone) {
                pid = -1;
                continue;
            }
            if (candidate != pid || t != ticks) {
                pid = candidate;
                ticks = t;
                quietSince = now;
            } else if (now - quietSince >= TimeUnit.MILLISECONDS.toNanos(QUIET_MILLIS)) {
                return pid;
            }
            Thread.sleep(POLL_MILLIS);
        }
    }

    /**
     * @throws IllegalStateException when {@code child} was not the spare: the start was cold and
     *     its figure must not be reported as warm
     */
    static void requireUsed(long sparePid, ChildProcess child) {
        if (child.pid() != sparePid) {
            throw new IllegalStateException("a warm start did not take the booted spare (pid " + sparePid
                    + ") but started pid " + child.pid());
        }
    }

    /** A measurement taken with one start method. */
    @FunctionalInterface
    interface PerMethod {
        void measure(StartMethod method) throws Exception;
    }

    /**
     * Takes a measurement cold, then warm: the first warm start of the configuration is made
     * beforehand ({@link #bootFirst}), and the spares are discarded afterwards, also on failure.
     */
    static void coldThenWarm(BenchConfig config, PerMethod m) throws Exception {
        try {
            m.measure(StartMethod.COLD);
            bootFirst(config);
            m.measure(StartMethod.WARM);
        } finally {
            Multiprocessing.discardSpares();
        }
    }

    /**
     * Starts an empty warm child and joins it: the first warm start of a configuration is cold,
     * and makes the library boot a spare for the next one.
     */
    static void bootFirst(BenchConfig config) throws InterruptedException {
        ChildProcess p = Children.create(config, ChildTargets.empty(), StartMethod.WARM);
        p.start();
        Children.joinChecked(p);
    }

    private static void prime(BenchConfig config) throws InterruptedException {
        primes++;
        System.err.println("  (no spare JVM showed up within " + PRIME_AFTER_MILLIS
                + " ms; starting an empty warm child to have one booted)");
        bootFirst(config);
    }
}
