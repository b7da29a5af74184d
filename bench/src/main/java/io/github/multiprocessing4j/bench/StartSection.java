package io.github.multiprocessing4j.bench;

import io.github.multiprocessing4j.ChildProcess;
import io.github.multiprocessing4j.Connection;
import io.github.multiprocessing4j.Pipe;
import io.github.multiprocessing4j.SerializableRunnable;
import io.github.multiprocessing4j.SharedLong;
import io.github.multiprocessing4j.StartMethod;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;

/**
 * Section "start": how long until a child runs its target, how long {@code start()} blocks the
 * caller, a whole start and join of an empty target, and a child's exit (its target's last line to
 * the parent's {@code join()} returning: median and mean), in microseconds, with each start method:
 * "cold" ({@link StartMethod#COLD}, a new JVM per child, CPython's spawn) and "warm"
 * ({@link StartMethod#WARM}, the library's default: a spare JVM booted beforehand takes the
 * target, the JVM's answer to fork). Mirrors {@code bench_mp.py}'s {@code sec_start}: the process
 * object is created before the clock starts, the first-line time is taken by the target's first
 * statement and sent back through the one-way pipe's end the target captured, as CPython's
 * target is given one; the child rebuilds that end before its target runs, as every target that
 * captures a queue, a lock or a value does. Beside it, the same figure of a target that captures
 * only a file name to write the time into (no shared object to rebuild), and for scale, the
 * first-line figure of a {@linkplain BareJvm bare JVM} (method "bare"). And a child given data
 * to work on: the target also captures a {@value #LARGE_TARGET_BYTES}-byte array, which travels
 * with it ({@code user_patterns.py}'s section "start" passes CPython's child a {@code bytes} of
 * that size).
 *
 * <p>A warm figure is the figure of a start that found a spare booted: before each timed warm
 * start the previous child has been joined and {@link WarmSpare#awaitBooted} waits until the
 * spare the library booted after it sits idle; a start that did not take a spare fails the run
 * ({@link WarmSpare#requireUsed}). The spares are discarded at the end of the section.
 */
final class StartSection extends Section {
    /** What the label of the first-line figure whose target captures only a file name ends with. */
    static final String NO_SHARED_OBJECT = ", the target capturing a file name, no shared object (it writes the time there)";
    /** Bytes of the array the target of {@link #LARGE_TARGET} captures. */
    static final int LARGE_TARGET_BYTES = 64 << 20;
    /** What the label of the first-line figure whose target also captures a large array ends with. */
    static final String LARGE_TARGET = ", the target capturing a " + (LARGE_TARGET_BYTES >> 20)
            + " MiB byte array too (Python: bytes, given as an argument)";

    /**
     * A child's exit: from its target's last statement to the parent's {@code join()} returning,
     * the JVM's (or the interpreter's) exit and the parent's reaping; the median of the starts.
     */
    static final String EXIT = "a child's exit: its target's last line -> join() returns (an empty target's child)";
    /** The same starts' mean: an exit that waits for something now and then shows there, not in the median. */
    static final String EXIT_MEAN = EXIT + ", mean";

    StartSection() {
        super("start");
    }

    @Override
    void run(BenchConfig config, Results results) throws Exception {
        WarmSpare.coldThenWarm(config, method -> measure(config, results, method));

        int reps = config.startReps();
        double[] bare = new double[reps];
        try (OwnArchive archive = OwnArchive.of(BareJvm.childOptions(), BareJvm.class)) {
            for (int i = 0; i < reps; i++) {
                bare[i] = BareJvm.firstLineMicros(archive.options());
            }
        }
        results.record(name(), "start() call -> first line of target runs", "bare", reps, "us", bare);
    }

    private void measure(BenchConfig config, Results results, StartMethod method) throws Exception {
        String label = method.name().toLowerCase(Locale.ROOT);
        int reps = config.startReps();
        double[][] firstLine = firstLineThroughAPipe(config, method, reps, ChildTargets::firstLine);
        results.record(name(), "start() call -> first line of target runs", label, reps, "us", firstLine[0]);
        results.record(name(), "duration of the start() call itself", label, reps, "us", firstLine[1]);

        double[] firstLineToFile = new double[reps];
        try (ScratchDirectory scratch = ScratchDirectory.create()) {
            for (int i = 0; i < reps; i++) {
                String file = scratch.file("first-line-" + label + "-" + i);
                Set<Long> spares = method == StartMethod.WARM ? WarmSpare.awaitBooted(config) : Set.of();
                ChildProcess p = Children.create(config, ChildTargets.firstLineToFile(file), method);
                long t0 = System.nanoTime();
                p.start();
                Children.joinChecked(p);
                requireMethod(method, spares, p);
                firstLineToFile[i] = (Long.parseLong(Files.readString(Path.of(file))) - t0) / 1e3;
            }
        }
        results.record(name(), "start() call -> first line of target runs" + NO_SHARED_OBJECT, label, reps, "us",
                firstLineToFile);

        double[] startJoin = new double[reps];
        for (int i = 0; i < reps; i++) {
            Set<Long> spares = method == StartMethod.WARM ? WarmSpare.awaitBooted(config) : Set.of();
            ChildProcess p = Children.create(config, ChildTargets.empty(), method);
            long t0 = System.nanoTime();
            p.start();
            p.join();
            startJoin[i] = (System.nanoTime() - t0) / 1e3;
            Children.joinChecked(p);
            requireMethod(method, spares, p);
        }
        results.record(name(), "start()+join() of an empty target", label, reps, "us", startJoin);

        double[] exit = new double[reps];
        for (int i = 0; i < reps; i++) {
            Set<Long> spares = method == StartMethod.WARM ? WarmSpare.awaitBooted(config) : Set.of();
            SharedLong end = new SharedLong(0);
            try {
                ChildProcess p = Children.create(config, ChildTargets.lastLine(end), method);
                p.start();
                p.join();
                exit[i] = (System.nanoTime() - end.get()) / 1e3;
                Children.joinChecked(p);
                requireMethod(method, spares, p);
            } finally {
                end.unlink();
            }
        }
        results.record(name(), EXIT, label, reps, "us", exit);
        results.record(name(), EXIT_MEAN, label, 1, "us", new double[] {Arrays.stream(exit).average().orElseThrow()});

        // A child given data to work on: fewer repetitions, each moves 64 MiB.
        byte[] data = new byte[LARGE_TARGET_BYTES];
        new java.util.Random(1).nextBytes(data);
        double[][] largeTarget = firstLineThroughAPipe(config, method, config.reps(),
                end -> ChildTargets.firstLineCapturing(end, data, LARGE_TARGET_BYTES));
        results.record(name(), "start() call -> first line of target runs" + LARGE_TARGET, label, config.reps(),
                "us", largeTarget[0]);
    }

    /**
     * Starts {@code reps} children one after another, each with the target {@code target} makes
     * of a one-way pipe's sending end, the first reading of which it sends back through the pipe.
     *
     * @return in µs per start: from {@code start()} to the target's first line, and the
     *     {@code start()} call itself
     */
    private static double[][] firstLineThroughAPipe(BenchConfig config, StartMethod method, int reps,
            Function<Connection<Long>, SerializableRunnable> target) throws Exception {
        double[] firstLine = new double[reps];
        double[] startCall = new double[reps];
        for (int i = 0; i < reps; i++) {
            Pipe<Long> pipe = Pipe.open(false);
            try {
                Set<Long> spares = method == StartMethod.WARM ? WarmSpare.awaitBooted(config) : Set.of();
                ChildProcess p = Children.create(config, target.apply(pipe.right()), method);
                long t0 = System.nanoTime();
                p.start();
                long t1 = System.nanoTime();
                long inChild = pipe.left().recv();
                Children.joinChecked(p);
                requireMethod(method, spares, p);
                firstLine[i] = (inChild - t0) / 1e3;
                startCall[i] = (t1 - t0) / 1e3;
            } finally {
                pipe.left().unlink();
            }
        }
        return new double[][] {firstLine, startCall};
    }

    private static void requireMethod(StartMethod method, Set<Long> spares, ChildProcess p) {
        if (method == StartMethod.WARM) {
            WarmSpare.requireUsed(spares, p);
        }
    }
}
