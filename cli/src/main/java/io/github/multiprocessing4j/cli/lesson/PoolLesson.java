package io.github.multiprocessing4j.cli.lesson;

import io.github.multiprocessing4j.Multiprocessing;
import io.github.multiprocessing4j.ProcessPool;
import io.github.multiprocessing4j.SerializableFunction;
import io.github.multiprocessing4j.cli.support.Narrator;
import io.github.multiprocessing4j.cli.support.ProgressBar;

import java.lang.management.ManagementFactory;
import java.math.BigInteger;
import java.util.AbstractList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.RandomAccess;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * A pool of worker processes at work, timed against one process: Python's
 * {@code Pool().map(f, range(n))} on a real {@link ProcessPool}. Used by {@code mp4j lesson pool}
 * and by the tour's "pool" chapter.
 *
 * <p>Two rounds over the numbers {@code 0..n-1}, each first with {@code pool.map} (with a
 * {@link ProgressBar}), then with a plain loop in this process, then compared item by item:
 * <ol>
 *   <li>{@code x -> (long) x * x}: a nanosecond of work per item, so one process usually wins; the round
 *       shows the mechanics (chunks, messages, results in order) and what sending work costs;
 *   <li>the same square stirred {@code work} times by a bit mixer ({@link #stir}): enough work per
 *       item for the pool to win when there are cores for its workers.
 * </ol>
 * Nothing is claimed that was not measured in the same run: the explanations pick their words
 * from the times.
 *
 * <p>Implementation notes. The functions sent to the pool are made by static methods, so the
 * lambdas capture nothing but the int {@code work}. The numbers are a list that makes each one on
 * demand ({@link Numbers}), like Python's {@code range}: the pool reads it lazily and knows its
 * size, so the progress has a total. The loops in this process are written out, without a function
 * object, as a Java programmer would write them.
 */
public final class PoolLesson {
    /** Below this ratio of their times, the pool and the loop count as about as fast: "1.0 times faster" is no result. */
    private static final double SAME_SPEED_RATIO = 1.05;
    /** Python's default: the machine's CPU count. */
    public static final int DEFAULT_PROCESSES = Multiprocessing.cpuCount();

    private PoolLesson() {
    }

    /**
     * What to run.
     *
     * @param items how many numbers: {@code 0..items-1}
     * @param processes the pool's workers
     * @param chunkSize items per chunk, or 0 for the pool's automatic chunk size
     * @param work rounds of the bit mixer per item in the second round; 0 skips that round
     */
    public record Plan(int items, int processes, int chunkSize, int work) {
        /** @throws IllegalArgumentException when a number is out of range */
        public Plan {
            if (items < 1 || processes < 1 || chunkSize < 0 || work < 0) {
                throw new IllegalArgumentException("bad plan: " + items + " items, " + processes + " processes, chunk size "
                        + chunkSize + ", work " + work);
            }
        }

        /** @return the chunk size {@code map} uses: the given one, or the pool's automatic one */
        public int effectiveChunkSize() {
            return chunkSize > 0 ? chunkSize : ProcessPool.defaultChunkSize(items, processes);
        }

        /** @return how many chunks the input is cut into */
        public long chunks() {
            return (items + (long) effectiveChunkSize() - 1) / effectiveChunkSize();
        }
    }

    /**
     * How one round went: the times and whether the pool's results are the loop's.
     *
     * @param poolNanos from just before the pool call (or the pool's creation) to its last result
     * @param firstResultNanos from the same moment to the first results
     * @param localNanos the loop in this process
     * @param mismatches items whose results differ (a missing or extra result counts too)
     * @param poolSum the exact sum of the pool's results
     * @param localSum the exact sum of the loop's results
     */
    public record Round(long poolNanos, long firstResultNanos, long localNanos, long mismatches, BigInteger poolSum,
                        BigInteger localSum) {
        /** @return whether both sides gave the same results */
        public boolean same() {
            return mismatches == 0 && poolSum.equals(localSum);
        }

        /** @return whether the pool was faster than the loop, by more than {@link #aboutAsFast()} allows */
        public boolean poolWon() {
            return poolNanos < localNanos && !aboutAsFast();
        }

        /** @return whether the pool and the loop took about as long: less than 5% apart, "1.0 times" */
        public boolean aboutAsFast() {
            return speedRatio() < SAME_SPEED_RATIO;
        }

        /** @return how many times less time the faster side took: 1 or more */
        double speedRatio() {
            return (double) Math.max(poolNanos, localNanos) / Math.max(1, Math.min(poolNanos, localNanos));
        }
    }

    /** The two rounds; {@code heavy} is null when the plan's {@code work} is 0. */
    public record Outcome(Round squares, Round heavy) {
        /** @return whether every round's results matched */
        public boolean same() {
            return squares.same() && (heavy == null || heavy.same());
        }
    }

    /**
     * Runs the rounds, narrating them.
     *
     * @param terminal whether the output is a terminal, where the progress bar is redrawn in place
     * @return how it went; every check has been confirmed (or reported with "!!") on {@code n}
     */
    public static Outcome run(Plan plan, Narrator n, boolean terminal) {
        Numbers numbers = new Numbers(plan.items());
        n.act("numbers = the " + count(plan.items(), "int") + " 0.." + count(plan.items() - 1L) + ", made one at a time"
                + " as the pool reads them (Python's range(" + count(plan.items()) + ")).");
        n.act("pool = new ProcessPool(" + plan.processes() + "): " + Narrator.plural(plan.processes(), "worker process")
                + ", each a JVM of its own, started now; the pool does not wait for them to boot.");
        Round squares;
        Round heavy = null;
        long closeNanos;
        long started = System.nanoTime();
        ProcessPool pool = new ProcessPool(plan.processes());
        try {
            squares = squaresRound(plan, pool, numbers, n, terminal, started);
            if (plan.work() > 0) {
                heavy = heavyRound(plan, pool, numbers, n, terminal);
            }
            n.act("pool.close(): the workers finish what they hold, then end.");
            long t = System.nanoTime();
            pool.close();
            closeNanos = System.nanoTime() - t;
        } finally {
            pool.terminate(); // after close() there is nothing left to stop; after a failure it kills the workers
        }
        n.observe("close() took " + duration(closeNanos) + "; every worker has ended.");
        return new Outcome(squares, heavy);
    }

    /** The first round, x * x, timed from the pool's creation at {@code started}. */
    private static Round squaresRound(Plan plan, ProcessPool pool, Numbers numbers, Narrator n, boolean terminal,
                                      long started) {
        int items = plan.items();
        n.act("squares = pool.map(x -> (long) x * x, numbers" + (plan.chunkSize() > 0 ? ", " + plan.chunkSize() : "")
                + ", progressBar)");
        n.explain("map() cuts the numbers into chunks of " + count(plan.effectiveChunkSize())
                + (plan.chunkSize() > 0 ? " (--chunk-size)" : ", the automatic size: " + count(items) + " / (4 x "
                + Narrator.plural(plan.processes(), "worker") + "), rounded up, as Python does") + ", so "
                + Narrator.plural(plan.chunks(), "chunk") + ". Each chunk travels to a free worker as one message"
                + " through shared memory; the worker applies the function to every number in it and sends the"
                + " results back as one message; map() puts them in input order and returns when all are there.");
        ProgressBar bar = new ProgressBar(n, terminal);
        List<Long> pooled = map(pool, squaring(), numbers, plan.chunkSize(), bar);
        long poolNanos = System.nanoTime() - started;
        n.observe("The pool: " + count(pooled.size(), "square") + " in " + duration(poolNanos) + ", from new"
                + " ProcessPool(" + plan.processes() + ") to the last result. The first results came after "
                + duration(bar.firstResultNanos(started)) + ", the workers' JVMs booting meanwhile.");
        n.act("The same in this process: long[] local = new long[" + count(items) + "]; for (int x = 0; x < "
                + count(items) + "; x++) local[x] = (long) x * x;");
        long t = System.nanoTime();
        long[] local = localSquares(items);
        long localNanos = System.nanoTime() - t;
        n.observe("One process: " + count(items, "square") + " in " + duration(localNanos) + ".");
        Round round = compare(pooled, local, poolNanos, bar.firstResultNanos(started), localNanos);
        confirmSame(n, round, pooled, "squares");
        n.confirm(formulaAgrees(items, round.poolSum()), "The sum is what the formula n(n-1)(2n-1)/6 gives for n = "
                + count(items) + ".");
        n.observe(comparison(round, plan.processes()) + ".");
        explainSquares(n, plan, round);
        return round;
    }

    /** The second round, {@link #stir}, on the pool whose workers are running by now. */
    private static Round heavyRound(Plan plan, ProcessPool pool, Numbers numbers, Narrator n, boolean terminal) {
        int items = plan.items();
        int work = plan.work();
        n.explain("Now a heavier function: stir((long) x * x, " + count(work) + ") mixes the square's bits "
                + count(work, "time") + " (a shift, an exclusive or and a multiplication per round), so each item"
                + " costs far more to compute than to send. The pool is the same, its workers already running: no"
                + " JVM boots in this round.");
        n.act("stirred = pool.map(x -> stir((long) x * x, " + work + "), numbers"
                + (plan.chunkSize() > 0 ? ", " + plan.chunkSize() : "") + ", progressBar)");
        ProgressBar bar = new ProgressBar(n, terminal);
        long started = System.nanoTime();
        List<Long> pooled = map(pool, stirring(work), numbers, plan.chunkSize(), bar);
        long poolNanos = System.nanoTime() - started;
        n.observe("The pool: " + count(pooled.size(), "result") + " in " + duration(poolNanos) + ".");
        n.act("The same in this process: for (int x = 0; x < " + count(items) + "; x++) local[x] = stir((long) x * x, "
                + work + ");");
        long t = System.nanoTime();
        long[] local = localStirred(items, work);
        long localNanos = System.nanoTime() - t;
        n.observe("One process: " + count(items, "result") + " in " + duration(localNanos) + ", "
                + perItem(localNanos, items) + " of computing per item.");
        Round round = compare(pooled, local, poolNanos, bar.firstResultNanos(started), localNanos);
        confirmSame(n, round, pooled, "stirred");
        n.observe(comparison(round, plan.processes()) + " (this machine: " + Narrator.plural(Multiprocessing.cpuCount(),
                "core") + ", load average " + loadAverage() + ").");
        explainHeavy(n, plan, round);
        return round;
    }

    private static List<Long> map(ProcessPool pool, SerializableFunction<Integer, Long> fn, Numbers numbers,
                                  int chunkSize, ProgressBar bar) {
        return chunkSize > 0 ? pool.map(fn, numbers, chunkSize, bar) : pool.map(fn, numbers, bar);
    }

    private static void explainSquares(Narrator n, Plan plan, Round r) {
        long afterBoot = r.poolNanos() - r.firstResultNanos();
        String costs = "The pool first starts " + Narrator.plural(plan.processes(), "JVM") + ": its first results came"
                + " after " + duration(r.firstResultNanos()) + ". Then, for every number, this process writes it into"
                + " a chunk in shared memory, a worker reads it and boxes it into an Integer, calls the function,"
                + " writes the square back, and this process reads it and boxes it into a Long for the result list."
                + " That is where the remaining " + duration(afterBoot) + " went, " + perItem(afterBoot, plan.items())
                + " per number (the workers' warm-up included).";
        if (r.poolWon()) {
            n.explain("Here the pool was faster even for x * x, which is rare. The loop took " + perItem(r.localNanos(),
                    plan.items()) + " per number. " + costs);
        } else {
            n.explain("That is the honest result for x * x: more processes, " + (r.aboutAsFast() ? "no time saved"
                    : "more time") + ". The loop needs a multiplication"
                    + " and a store per number, " + perItem(r.localNanos(), plan.items()) + " each here (compiling the"
                    + " loop included). " + costs + " None of that is computing. This round shows the mechanics, chunks"
                    + " out and results back in input order, and what sending work to other processes costs: a pool"
                    + " pays off only when each item needs much more computing than that.");
        }
    }

    private static void explainHeavy(Narrator n, Plan plan, Round r) {
        String perItem = perItem(r.localNanos(), plan.items());
        if (plan.processes() == 1 || Multiprocessing.cpuCount() == 1) {
            n.explain("With " + (plan.processes() == 1 ? "one worker" : "one core") + " nothing computes at the same"
                    + " time: at best the pool keeps up with one process, and it adds the cost of sending. A pool"
                    + " needs several workers on several cores to win.");
        } else if (r.poolWon()) {
            n.explain("With " + perItem + " of computing per item, the pool wins: its "
                    + Narrator.plural(plan.processes(), "worker") + " compute at the same time, each on a core of its"
                    + " own when the machine has them free. " + plan.processes() + " times faster is the most "
                    + Narrator.plural(plan.processes(), "worker") + " could give; sending the items, collecting the"
                    + " results and the machine's other programs take the rest.");
        } else {
            n.note("the pool did not win this time, with " + perItem + " of computing per item: the items were"
                    + " too cheap for the cost of sending them, or the cores were busy with other programs (see the"
                    + " load average). A larger --work gives each item more to compute.");
        }
    }

    /** Confirms that the pool's results are the loop's, showing the sum and a few of the pool's results. */
    private static void confirmSame(Narrator n, Round r, List<Long> pooled, String name) {
        if (!r.same()) {
            n.confirm(false, "both give the same results; but " + count(r.mismatches()) + " of " + count(pooled.size())
                    + (r.mismatches() == 1 ? " differs" : " differ") + ", sums: pool " + count(r.poolSum()) + ", one process " + count(r.localSum()) + ".");
            return;
        }
        StringBuilder spots = new StringBuilder();
        for (int i : spotIndices(pooled.size())) {
            spots.append(", ").append(name).append('[').append(count(i)).append("] = ").append(count(pooled.get(i)));
        }
        n.confirm(true, "Both give the same " + count(pooled.size(), "result") + ", item by item: sum "
                + count(r.poolSum()) + " on both sides" + spots + ".");
    }

    /** @return whether {@code sum} is the sum of the squares of 0..n-1 by the formula */
    private static boolean formulaAgrees(long n, BigInteger sum) {
        BigInteger big = BigInteger.valueOf(n - 1).multiply(BigInteger.valueOf(n))
                .multiply(BigInteger.valueOf(2 * n - 1)).divide(BigInteger.valueOf(6));
        return big.equals(sum);
    }

    /** @return the round's figures, the pool's results compared with the loop's item by item */
    static Round compare(List<Long> pooled, long[] local, long poolNanos, long firstResultNanos, long localNanos) {
        long mismatches = Math.abs((long) pooled.size() - local.length);
        ExactSum poolSum = new ExactSum();
        ExactSum localSum = new ExactSum();
        int i = 0;
        for (Long value : pooled) {
            poolSum.add(value);
            if (i < local.length && !Objects.equals(value, local[i])) {
                mismatches++;
            }
            i++;
        }
        for (long value : local) {
            localSum.add(value);
        }
        return new Round(poolNanos, firstResultNanos, localNanos, mismatches, poolSum.value(), localSum.value());
    }

    /** @return the first two, the middle and the last index, each once */
    static SortedSet<Integer> spotIndices(int n) {
        return new TreeSet<>(List.of(0, Math.min(1, n - 1), n / 2, n - 1));
    }

    /** The function of the first round, made here so that the lambda captures nothing. */
    static SerializableFunction<Integer, Long> squaring() {
        return x -> (long) x * x;
    }

    /** The function of the second round; the lambda captures only the int {@code work}. */
    static SerializableFunction<Integer, Long> stirring(int work) {
        return x -> stir((long) x * x, work);
    }

    /**
     * Mixes the bits of {@code v} {@code rounds} times: the first half of a SplitMix64 finaliser
     * per round. Cheap per round, impossible to skip: each round needs the one before.
     */
    public static long stir(long v, int rounds) {
        long x = v;
        for (int i = 0; i < rounds; i++) {
            x ^= x >>> 31;
            x *= 0xBF58476D1CE4E5B9L;
        }
        return x;
    }

    private static long[] localSquares(int n) {
        long[] squares = new long[n];
        for (int x = 0; x < n; x++) {
            squares[x] = (long) x * x;
        }
        return squares;
    }

    private static long[] localStirred(int n, int work) {
        long[] stirred = new long[n];
        for (int x = 0; x < n; x++) {
            stirred[x] = stir((long) x * x, work);
        }
        return stirred;
    }

    /**
     * @return "One process was 120 times faster than the pool of 2", the other way round, or that
     *     they were about as fast
     */
    static String comparison(Round r, int processes) {
        String pool = "the pool of " + processes;
        if (r.aboutAsFast()) {
            return "One process and " + pool + " were about as fast (less than 5% apart)";
        }
        String times = String.format(Locale.ROOT, r.speedRatio() >= 10 ? "%.0f" : "%.1f", r.speedRatio());
        return r.poolWon() ? "The pool of " + processes + " was " + times + " times faster than one process"
                : "One process was " + times + " times faster than " + pool;
    }

    /** @return "0.35 ms", "4.2 ms", "812 ms", "12.3 s" */
    static String duration(long nanos) {
        double ms = nanos / 1e6;
        if (ms >= 10_000) {
            return String.format(Locale.ROOT, "%.1f s", ms / 1000);
        }
        return String.format(Locale.ROOT, ms >= 10 ? "%.0f ms" : ms >= 1 ? "%.1f ms" : "%.2f ms", ms);
    }

    /** @return the time per item, "3 ns" or "1.25 µs" */
    static String perItem(long nanos, long items) {
        double each = (double) nanos / items;
        return each < 1000 ? String.format(Locale.ROOT, each < 10 ? "%.1f ns" : "%.0f ns", each)
                : String.format(Locale.ROOT, "%.2f µs", each / 1000);
    }

    private static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    /** @return "1 square", "20,000 squares": a count with its noun */
    private static String count(long n, String noun) {
        return count(n) + " " + Narrator.noun(n, noun);
    }

    private static String count(BigInteger n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    private static String loadAverage() {
        double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        return load < 0 ? "unknown" : String.format(Locale.ROOT, "%.1f", load);
    }

    /**
     * Adds longs without overflow: the high and the low 32 bits of each in two longs of their own,
     * which cannot overflow for fewer than 2^31 values. (A long sum of the squares of 0..n-1
     * overflows from n = 3,000,000 or so.)
     */
    static final class ExactSum {
        private long high;
        private long low;

        void add(long value) {
            high += value >> 32;
            low += value & 0xFFFF_FFFFL;
        }

        BigInteger value() {
            return BigInteger.valueOf(high).shiftLeft(32).add(BigInteger.valueOf(low));
        }
    }

    /** The ints {@code 0..size-1}, each made when asked for: a list the size of Python's {@code range}. */
    static final class Numbers extends AbstractList<Integer> implements RandomAccess {
        private final int size;

        Numbers(int size) {
            this.size = size;
        }

        @Override
        public Integer get(int index) {
            return Objects.checkIndex(index, size);
        }

        @Override
        public int size() {
            return size;
        }
    }
}
