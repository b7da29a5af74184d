package io.github.multiprocessing4j.bench;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

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
 *   <li>"loop-ide": the default way, run as an IDE or {@code mvn exec:java} runs a program: the
 *       program's classes in a directory first on its class path (the bench module's
 *       {@code target/classes}), then the library's jar and {@value #DEPENDENCY_JARS} jars of
 *       dependencies ({@value #ENTRIES_PER_DEPENDENCY} entries each, made for the section: an
 *       application's), so the child's target's class is in the directory, which the JVM does not
 *       archive. Its children get the library's jar first and the class-data archive of it from
 *       the program's second run on: one run goes first unmeasured, as a developer's first run,
 *       and its background work (the class path's check, the archive's dump) is waited for.
 *       Until 2026-12-07 12:20 it ran the bench's jar after a directory holding one resource, so
 *       its target's class was archived and no dependency stood in its way.</li>
 * </ul>
 * CPython's side is {@code user_patterns.py}'s section "loop": the same loop with fork and with
 * spawn, in a new {@code python3} per repetition.
 */
final class LoopSection extends Section {
    /** Jars of dependencies on the IDE-like class path ("loop-ide"). */
    static final int DEPENDENCY_JARS = 40;
    /** Entries of each dependency's jar: 18,000 in all, as a modest application's. */
    static final int ENTRIES_PER_DEPENDENCY = 450;
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
        try (ScratchDirectory dependencies = ScratchDirectory.create()) {
            String classPath = ideClassPath(dependencies);
            Programs.run(List.of(), classPath, StartLoopProgram.class, Integer.toString(ROUNDS)); // the first run
            awaitArchiveDumps();
            measure(config, results, "loop-ide", List.of(), classPath);
        }
    }

    /**
     * @return the bench module's classes directory, the library's jar beside it in the build, and
     *     {@link #DEPENDENCY_JARS} jars made in {@code dependencies}, as an IDE puts them
     * @throws IllegalStateException when the build's directory or jar is missing (bench/run builds them)
     */
    private static String ideClassPath(ScratchDirectory dependencies) throws Exception {
        Path benchJar = Path.of(LoopSection.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path target = benchJar.getParent();
        Path classes = target.resolve("classes");
        Path coreTarget = target.getParent().getParent().resolve("core").resolve("target");
        Path coreJar;
        try (var jars = Files.list(coreTarget)) {
            coreJar = jars.filter(p -> p.getFileName().toString().matches("multiprocessing4j-core-[^-]+(-SNAPSHOT)?\\.jar"))
                    .findFirst().orElse(null);
        } catch (IOException e) {
            coreJar = null;
        }
        if (!Files.isDirectory(classes) || coreJar == null) {
            throw new IllegalStateException("section loop needs the build's " + classes + " and the library's jar in "
                    + coreTarget + " (bench/run builds them)");
        }
        List<String> entries = new ArrayList<>(List.of(classes.toString(), coreJar.toString()));
        for (int i = 0; i < DEPENDENCY_JARS; i++) {
            Path jar = Path.of(dependencies.file("dependency-" + i + ".jar"));
            writeDependency(jar, i);
            entries.add(jar.toString());
        }
        return String.join(File.pathSeparator, entries);
    }

    /** Writes dependency {@code i}: a manifest and {@value #ENTRIES_PER_DEPENDENCY} class entries. */
    private static void writeDependency(Path jar, int i) throws IOException {
        Manifest manifest = new Manifest(); // as every built jar has: the JDK reads it
        Attributes attributes = manifest.getMainAttributes();
        attributes.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        attributes.put(Attributes.Name.IMPLEMENTATION_TITLE, "dependency-" + i);
        attributes.put(Attributes.Name.IMPLEMENTATION_VERSION, "1.0." + i);
        attributes.put(new Attributes.Name("Automatic-Module-Name"), "org.dependency" + i);
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest)) {
            for (int e = 0; e < ENTRIES_PER_DEPENDENCY; e++) {
                out.putNextEntry(new JarEntry("org/dependency" + i + "/Type" + e + ".class"));
                out.write(new byte[] {(byte) 0xCA, (byte) 0xFE, (byte) e}); // never loaded: only the zip directory counts
                out.closeEntry();
            }
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
