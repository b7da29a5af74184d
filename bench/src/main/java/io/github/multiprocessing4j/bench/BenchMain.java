package io.github.multiprocessing4j.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The multiprocessing4j side of the side-by-side benchmark: measures with this library what
 * CPython's {@code bench_mp.py} measures with {@code multiprocessing}, and writes the figures as
 * JSON of the same shape, for {@code bench/run} to put both in one table.
 *
 * <pre>
 * java -cp bench/target/mp4j-bench.jar io.github.multiprocessing4j.bench.BenchMain \
 *     [--quick] [--only mem,start,many] [--json FILE] [--child-jvm-arg OPTION]...
 * </pre>
 *
 * <p>Run it from a jar: the children get this JVM's class path, and only a class path of jars
 * lets class data sharing work for them, as it would for a user's application.
 *
 * <p>Adding figures (queues, locks, pools): write a {@link Section} named like the
 * {@code bench_mp.py} section that measures the same thing, giving each figure the name CPython's
 * script gives it, add it to {@link #SECTIONS}, and add its rows to
 * {@code bench/python/side_by_side.py}.
 */
public final class BenchMain {
    /**
     * In running order: bench_mp.py's (memory first, while this JVM is still small), "limits"
     * (this machine's costs that bound other figures: a JVM's boot, fresh shared memory), "loop"
     * (start in a loop, in programs of their own) after "start" and "pool-calls" (the pool's first
     * calls in a new program) after "pool", the other Java process pools beside the pool section,
     * "scale" (processes x item sizes, memory bandwidth), "many", then "cluster" (on a Redis server of its own;
     * its Python side is {@code bench_cluster.py}).
     */
    private static final List<Section> SECTIONS = List.of(new MemorySection(), new LimitsSection(), new StartSection(),
            new LoopSection(), new TputSection(), new RttSection(), new LockSection(), new JqSection(), new PoolSection(),
            new PoolCallsSection(), new PoolOthersSection(), new ScaleSection(), new ManyProcessesSection(),
            new ClusterSection());

    private BenchMain() {
    }

    /**
     * Runs the selected sections, prints their figures as a Markdown table on stdout (progress on
     * stderr) and writes the JSON file when asked.
     *
     * @param args see the class comment
     * @throws Exception when a measurement fails; no child is left running
     */
    public static void main(String[] args) throws Exception {
        BenchOptions options;
        try {
            options = BenchOptions.parse(args);
            requireKnownSections(options);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        if (options.listSections()) {
            System.out.println(SECTIONS.stream().map(Section::name).collect(Collectors.joining(",")));
            return;
        }
        BenchConfig config = options.config();
        Results results = new Results();
        Map<String, Double> sectionSeconds = new LinkedHashMap<>();
        Map<String, Double> foreignCpus = new LinkedHashMap<>();
        MachineLoad.Snapshot runStart = MachineLoad.snapshot();
        for (Section section : SECTIONS) {
            if (!options.only().isEmpty() && !options.only().contains(section.name())) {
                continue;
            }
            // A section leaves this JVM's heap grown (the pool section to about 860 MB resident),
            // and on the development VM an idle process that big slowed the new programs measured
            // after it: section pool-calls' second call, 10-14M tasks/s in its first program
            // against 19-26M once the heap was collected, the machine's system time doubled. A
            // user's new program has no such neighbour; a full collection gives the memory back.
            System.gc();
            if (config.quietWaitSeconds() > 0) {
                double[] waited = MachineLoad.waitQuiet(config.quietWaitSeconds());
                System.err.printf(Locale.ROOT, "[section %s] waited %.0f s for a quiet machine, foreign load %.2f%n",
                        section.name(), waited[0], waited[1]);
            } else {
                System.err.printf("[section %s] (quick: not waiting for a quiet machine)%n", section.name());
            }
            MachineLoad.Snapshot before = MachineLoad.snapshot();
            section.measure(config, results);
            MachineLoad.Snapshot after = MachineLoad.snapshot();
            sectionSeconds.put(section.name(), after.wallSeconds() - before.wallSeconds());
            foreignCpus.put(section.name(), MachineLoad.foreignCpus(before, after));
        }
        MachineLoad.Snapshot runEnd = MachineLoad.snapshot();
        results.printTable();
        if (options.json().isPresent()) {
            String json = Json.object(
                    "cfg", new Json.Encoded(config.toJson()),
                    "total_s", runEnd.wallSeconds() - runStart.wallSeconds(),
                    "section_s", sectionSeconds,
                    "foreign_cpus", foreignCpus,
                    "foreign_cpus_total", MachineLoad.foreignCpus(runStart, runEnd),
                    "java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"),
                    "results", new Json.Encoded(figuresJson(results.figures())),
                    "not_measured", new Json.Encoded(Json.array(
                            results.notMeasured().stream().map(m -> "\n  " + m.toJson()))));
            writeFile(Path.of(options.json().get()), json);
        }
    }

    private static void requireKnownSections(BenchOptions options) {
        List<String> known = SECTIONS.stream().map(Section::name).toList();
        List<String> unknown = new ArrayList<>(options.only());
        unknown.removeAll(known);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown section(s) " + unknown + "; known: " + known);
        }
    }

    private static String figuresJson(List<Figure> figures) {
        return Json.array(figures.stream().map(f -> "\n  " + f.toJson()));
    }

    private static void writeFile(Path path, String json) throws IOException {
        Files.writeString(path, json + "\n");
    }
}
