package io.github.multiprocessing4j.bench;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Section "loop": "start in a loop", as a new user meets the library: a program of its own
 * ({@link StartLoopProgram}, a new {@code java -cp} with default flags per repetition) makes a
 * queue, starts a child that puts {@link System#nanoTime()}, takes it and joins,
 * {@value #ROUNDS} times; the figure is the median of its rounds, from {@code start()} to the
 * value taken, and their mean beside it ({@link #MEAN_WHAT}); and, on their own, the program's
 * first child (the first round, {@link #FIRST_WHAT}) and its first shared object (the first
 * queue's constructor, {@link #FIRST_QUEUE_WHAT}): what a program that starts one child meets;
 * and what a round costs the machine ({@link #CPU_WHAT}): on two processors, a loop whose rounds
 * take more CPU than two rounds' time is bound by it, whatever the order of its work.
 * Four ways:
 * <ul>
 *   <li>method "loop-default": the library's default start method, nothing waits for spares
 *       between rounds (the user's loop);</li>
 *   <li>"loop-cold": the same with {@code -Dmp4j.startMethod=cold} (a new JVM per child);</li>
 *   <li>"loop-warm": the best case, each round after the spares have booted;</li>
 *   <li>"loop-ide": the default way, with a directory before the jar on the program's class path,
 *       as an IDE or {@code mvn exec:java} runs a program (its {@code target/classes}; here a
 *       directory holding one resource). Its children get the jars first and the class-data
 *       archive of the jars, from the program's second run on: one run goes first unmeasured, as
 *       a developer's first run, and its background work (the class path's check, the
 *       archive's dump on a machine's first bench run) is waited for.</li>
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
    /** The first of the same rounds, the program's first {@code start()}. */
    static final String FIRST_WHAT = "a program's first child (a new program, the loop's first round): start() -> value"
            + " received";
    /** The first round's queue: the program's first shared object. */
    static final String FIRST_QUEUE_WHAT = "a program's first shared object (a new program, the loop's first queue):"
            + " its constructor";

    /**
     * CPU time a round, the program's and its children's ({@link StartLoopProgram#ROUND_CPU_MICROS});
     * {@code user_patterns.py} measures its rounds the same way ({@code os.times()}).
     */
    static final String CPU_WHAT = "start in a loop (a new program): CPU time a round, the program's and its reaped"
            + " children's, rounds 2 to " + ROUNDS;

    LoopSection() {
        super("loop");
    }

    @Override
    void run(BenchConfig config, Results results) throws Exception {
        String jar = System.getProperty("java.class.path");
        measure(config, results, "loop-default", List.of(), jar);
        measure(config, results, "loop-cold", List.of("-Dmp4j.startMethod=cold"), jar);
        measure(config, results, "loop-warm", List.of(), jar, "--wait-for-spares");
        try (ScratchDirectory classes = ScratchDirectory.create()) {
            Files.writeString(Path.of(classes.file("app.properties")), "greeting=hello\n");
            String classPath = classes.file("") + File.pathSeparator + jar;
            Programs.run(List.of(), classPath, StartLoopProgram.class, Integer.toString(ROUNDS)); // the first run
            awaitArchiveDumps();
            measure(config, results, "loop-ide", List.of(), classPath);
        }
    }

    /** Waits for the programs that dump class-data archives ({@code ArchiveDumpProgram}) to end. */
    private static void awaitArchiveDumps() throws InterruptedException {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (ProcessHandle.allProcesses().anyMatch(p -> p.info().commandLine()
                .map(c -> c.contains("ArchiveDumpProgram")).orElse(false))) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("a class-data archive's dump still runs after 2 minutes");
            }
            Thread.sleep(100);
        }
    }

    private void measure(BenchConfig config, Results results, String method, List<String> jvmOptions,
            String classPath, String... extra) throws Exception {
        double[] medians = new double[config.programReps()];
        double[] means = new double[medians.length];
        double[] firsts = new double[medians.length];
        double[] firstQueues = new double[medians.length];
        double[] cpus = new double[medians.length];
        for (int rep = 0; rep < medians.length; rep++) {
            List<String> args = new ArrayList<>(List.of(Integer.toString(ROUNDS)));
            args.addAll(List.of(extra));
            Map<String, List<Double>> figures = Programs.run(jvmOptions, classPath, StartLoopProgram.class,
                    args.toArray(String[]::new));
            List<Double> rounds = Programs.values(figures, StartLoopProgram.ROUND_MICROS, StartLoopProgram.class);
            if (rounds.size() != ROUNDS) {
                throw new IllegalStateException("StartLoopProgram reported " + rounds.size() + " rounds of " + ROUNDS);
            }
            medians[rep] = Programs.median(rounds);
            means[rep] = rounds.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
            firsts[rep] = rounds.get(0);
            firstQueues[rep] = Programs.values(figures, StartLoopProgram.FIRST_QUEUE_MICROS, StartLoopProgram.class).get(0);
            cpus[rep] = Programs.values(figures, StartLoopProgram.ROUND_CPU_MICROS, StartLoopProgram.class).get(0);
        }
        results.record(name(), WHAT, method, ROUNDS, "us", medians);
        results.record(name(), MEAN_WHAT, method, ROUNDS, "us", means);
        results.record(name(), FIRST_WHAT, method, 1, "us", firsts);
        results.record(name(), FIRST_QUEUE_WHAT, method, 1, "us", firstQueues);
        results.record(name(), CPU_WHAT, method, ROUNDS - 1, "us", cpus);
    }
}
