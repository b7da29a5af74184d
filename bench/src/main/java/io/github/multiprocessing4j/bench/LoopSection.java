package io.github.multiprocessing4j.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * Section "loop": "start in a loop", as a new user meets the library: a program of its own
 * ({@link StartLoopProgram}, a new {@code java -cp} with default flags per repetition) makes a
 * queue, starts a child that puts {@link System#nanoTime()}, takes it and joins,
 * {@value #ROUNDS} times; the figure is the median of its rounds, from {@code start()} to the
 * value taken, and their mean beside it ({@link #MEAN_WHAT}). Three ways:
 * <ul>
 *   <li>method "loop-default": the library's default start method, nothing waits for spares
 *       between rounds (the user's loop);</li>
 *   <li>"loop-cold": the same with {@code -Dmp4j.startMethod=cold} (a new JVM per child);</li>
 *   <li>"loop-warm": the best case, each round after the spares have booted.</li>
 * </ul>
 * CPython's side is {@code user_patterns.py}'s section "loop": the same loop with fork and with
 * spawn, in a new {@code python3} per repetition.
 */
final class LoopSection extends Section {
    /** Rounds of a program: the loop of issue 11. */
    static final int ROUNDS = 9;
    /** Shared with {@code user_patterns.py}: the tables match figures by name. */
    static final String WHAT = "start in a loop (a new program): queue, start() a child that puts a time, get(), join();"
            + " start() -> value received, median of " + ROUNDS + " rounds";
    /**
     * The same rounds' mean: what the loop takes in all, divided by its rounds. With spares the
     * rounds are two kinds (one that takes a spare just spawned waits for its boot, the next finds
     * one booted), so the median is either kind's, whichever is the more frequent in 9 rounds.
     */
    static final String MEAN_WHAT = WHAT.replace("median of", "mean of");

    LoopSection() {
        super("loop");
    }

    @Override
    void run(BenchConfig config, Results results) throws Exception {
        measure(config, results, "loop-default", List.of());
        measure(config, results, "loop-cold", List.of("-Dmp4j.startMethod=cold"));
        measure(config, results, "loop-warm", List.of(), "--wait-for-spares");
    }

    private void measure(BenchConfig config, Results results, String method, List<String> jvmOptions,
            String... extra) throws Exception {
        double[] medians = new double[config.programReps()];
        double[] means = new double[medians.length];
        for (int rep = 0; rep < medians.length; rep++) {
            List<String> args = new ArrayList<>(List.of(Integer.toString(ROUNDS)));
            args.addAll(List.of(extra));
            List<Double> rounds = Programs.values(Programs.run(jvmOptions, StartLoopProgram.class,
                    args.toArray(String[]::new)), StartLoopProgram.ROUND_MICROS, StartLoopProgram.class);
            if (rounds.size() != ROUNDS) {
                throw new IllegalStateException("StartLoopProgram reported " + rounds.size() + " rounds of " + ROUNDS);
            }
            medians[rep] = Programs.median(rounds);
            means[rep] = rounds.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        }
        results.record(name(), WHAT, method, ROUNDS, "us", medians);
        results.record(name(), MEAN_WHAT, method, ROUNDS, "us", means);
    }
}
