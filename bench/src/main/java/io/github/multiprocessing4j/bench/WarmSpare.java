package io.github.multiprocessing4j.bench;

import io.github.multiprocessing4j.ChildProcess;
import io.github.multiprocessing4j.Multiprocessing;
import io.github.multiprocessing4j.StartMethod;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * What a timed {@linkplain StartMethod#WARM warm} start needs: spare JVMs that have finished
 * booting when the clock starts, and the proof afterwards that the child was one of them.
 *
 * <p>How "booted" is told from outside, through public interfaces only: the library keeps spares
 * per JVM configuration (as many as it had children running at once, up to the number of
 * processors) and boots them in the background once a child has booted. So, with every earlier
 * child of the section joined, the live child processes of this JVM are spares. A spare has
 * booted when it sits blocked waiting for its bootstrap message: its CPU time (utime + stime in
 * {@code /proc/PID/stat}, 10 ms ticks) has not moved for {@link #QUIET_MILLIS}. If no spare
 * shows up within {@link #PRIME_AFTER_MILLIS} (the library boots none after a child that ended
 * before the refill saw it boot), an empty warm child is started and joined, which makes it boot
 * one; all of this within {@link #DEADLINE_MILLIS}, or the run fails. Only a start whose child
 * has a spare's pid counts as warm ({@link #requireUsed}).
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
     * Waits until this JVM has at least one spare and every spare it has is booted and idle;
     * every child this JVM started must have been joined.
     *
     * @return the spares' pids
     * @throws IllegalStateException when none is ready within {@link #DEADLINE_MILLIS}
     */
    static Set<Long> awaitBooted(BenchConfig config) throws InterruptedException {
        return awaitBooted(config, 1);
    }

    /**
     * Waits until this JVM has at least {@code count} spares and every spare it has is booted and
     * idle; every child this JVM started must have been joined.
     *
     * @return the spares' pids
     * @throws IllegalStateException when they are not ready within {@link #DEADLINE_MILLIS}
     */
    static Set<Long> awaitBooted(BenchConfig config, int count) throws InterruptedException {
        long start = System.nanoTime();
        long lookingSince = start;
        Map<Long, long[]> ticksAndQuietSince = new HashMap<>();
        while (true) {
            long now = System.nanoTime();
            if (now - start > TimeUnit.MILLISECONDS.toNanos(DEADLINE_MILLIS)) {
                throw new IllegalStateException("no booted spare JVM within " + DEADLINE_MILLIS + " ms (live children "
                        + ticksAndQuietSince.keySet() + ", " + primes + " priming children so far)");
            }
            List<ProcessHandle> live = ProcessHandle.current().children().filter(ProcessHandle::isAlive).toList();
            if (live.isEmpty()) {
                if (now - lookingSince > TimeUnit.MILLISECONDS.toNanos(PRIME_AFTER_MILLIS)) {
                    prime(config);
                    lookingSince = System.nanoTime();
                }
                Thread.sleep(POLL_MILLIS);
                continue;
            }
            ticksAndQuietSince.keySet().retainAll(live.stream().map(ProcessHandle::pid).toList());
            boolean allQuiet = true;
            for (ProcessHandle h : live) {
                long ticks;
                try {
                    ticks = MachineLoad.cpuTicks(Long.toString(h.pid()), false);
                } catch (IOException gone) {
                    allQuiet = false;
                    continue;
                }
                long[] seen = ticksAndQuietSince.get(h.pid());
                if (seen == null || seen[0] != ticks) {
                    ticksAndQuietSince.put(h.pid(), new long[] {ticks, now});
                    allQuiet = false;
                } else if (now - seen[1] < TimeUnit.MILLISECONDS.toNanos(QUIET_MILLIS)) {
                    allQuiet = false;
                }
            }
            if (allQuiet && live.size() >= count) {
                return Set.copyOf(ticksAndQuietSince.keySet());
            }
            Thread.sleep(POLL_MILLIS);
        }
    }

    /**
     * @throws IllegalStateException when {@code child} was not one of the spares: the start was
     *     cold and its figure must not be reported as warm
     */
    static void requireUsed(Set<Long> spares, ChildProcess child) {
        if (!spares.contains(child.pid())) {
            throw new IllegalStateException("a warm start did not take a booted spare (pids " + spares
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
