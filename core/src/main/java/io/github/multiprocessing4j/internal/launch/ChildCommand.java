package io.github.multiprocessing4j.internal.launch;

import io.github.multiprocessing4j.internal.os.Platform;
import io.github.multiprocessing4j.internal.serial.Serialization;
import io.github.multiprocessing4j.internal.shm.SegmentSpace;
import io.github.multiprocessing4j.internal.shm.SharedSegment;
import io.github.multiprocessing4j.internal.util.Log;
import io.github.multiprocessing4j.internal.util.Uninterruptibly;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The command line of a child JVM: the same {@code java}, the class path it is given
 * ({@link ChildClassPath}), this JVM's module path, lean default options, the caller's options,
 * and {@link ChildMain}.
 *
 * <p>Implementation notes. When this library runs as a named module, the child starts it as a
 * module too, with the parent's module path (every entry made absolute, as the class path's are,
 * so that a child with another working directory finds them) and every module on it resolved, so
 * that targets from other modules can be deserialized.
 *
 * <p>Class paths also get an application class-data archive ({@link ClassDataSharing}), which
 * shortens every start after the first; a class path with directories then has this library's
 * jar first.
 *
 * <p>Default options favour what a child is for: start fast and stay small. The client compiler
 * only ({@code -XX:TieredStopAtLevel=1}) and the serial collector, which needs the least memory
 * and, for a child that allocates fast, costs the least. On JDK 17 it has a price at boot: only
 * G1 maps the heap objects of the JDK's class-data archive there (the serial collector can from
 * JDK 18, JDK-8273508), so a child builds its boot module graph anew. Measured on JDK 17 here
 * (2 cores), G1 against serial: a bare JVM's CPU from boot to exit 51 against 69 ms, a new
 * program's start/join loop of 9 rounds 1.35 against 1.54 s of CPU, 200 children started and
 * joined 7.5 against 10.1 s; but a child taking 4 KiB items (a new array each) moved 1.7-2.3
 * against 3.3-4.8 GB/s (G1's young collections and the fresh pages of its growing young
 * generation; a young generation held at 16 or 32 MB did no better), every 4 KiB row of the bench
 * 20-50% lower, and an idle child is 1.7 MiB larger. So the serial collector stays, and a
 * program on JDK 17 whose children are many and short passes {@code -XX:+UseG1GC}. Options given
 * by the caller come after the defaults, so they win; a collector the caller chooses replaces
 * the default one, since a JVM given two refuses to boot.
 *
 * <p>Nor does a child keep the JVM's performance data ({@value #NO_PERF_DATA}): the JVM would
 * create a file for it in {@code /tmp/hsperfdata_USER} as it boots and delete it as it exits,
 * which on a disk-backed {@code /tmp} (ext4 here) cost every child's exit 1.4 ms and its
 * start and join 2 ms in all. Measured on the 2-core development VM (2026-12-07, 3 programs of 15
 * cold children of a target that records two times, interleaved): from the target's last line to
 * {@code join()} returning 5.1-6.1 against 6.5-7.6 ms, {@code start()} and {@code join()}
 * 53.6-54.3 against 55.3-57.1 ms (a bare JVM with these options: 1.9 against 3.5 ms from its
 * last line to its parent's {@code waitpid}). The price: {@code jps} and {@code jstat} do not see
 * the children; {@code jcmd PID} and {@code jstack PID} still reach them, and
 * {@code -XX:+UsePerfData} among the caller's options brings it back (a later option wins).
 *
 * <p>On JDK 22 and later a child's reflection calls methods and constructors through the JVM's
 * native accessors ({@value #NATIVE_REFLECTION}), as JDK 17's did for the first calls of each.
 * Those JDKs call them through method handles (JEP 416), whose first use of each signature spins
 * and compiles classes, and the JDK's own {@code FileChannel.map} makes its buffer by reflection:
 * a JVM's first map took 22-27 ms of CPU on JDK 25 here, 2.7-2.9 ms with native accessors, and
 * every child that uses a shared object maps one (so do a child's lambda target, called by
 * reflection, and its process record's states). Measured on the 2-core development VM (JDK
 * 25.0.3, 6 programs each, interleaved): a start/join loop's median round 66-96 ms (median of
 * the programs 70.6), 28-59 ms (45.5) with it, where JDK 17's took 26-62 (40). The price: a
 * reflective call in a child costs more once it has been made often (C1, the children's
 * compiler: {@code Method.invoke} 217-220 ns against 101-104), so a child that calls methods by
 * reflection in a loop (a framework's bindings) wants {@code -Djdk.reflect.useNativeAccessorOnly=false}
 * in its options; the library's own per-item reflection, a record's constructor, goes through a
 * method handle in such a JVM instead ({@code RecordShape}). The property is the JDK's own
 * switch (its source calls it one for testing): a JDK that drops it ignores it, and its children
 * then reflect as that JDK does by default, slower to start but otherwise the same.
 *
 * <p>On JDK 24 and later a child is also told {@code --sun-misc-unsafe-memory-access=allow}
 * (unless the caller chooses otherwise, or this JVM was told another choice): those JDKs warn
 * about {@code sun.misc.Unsafe}'s memory access unless told so, and the children's queues reach
 * shared memory two to three times faster through it than through a buffer's accessors in C1, the
 * children's compiler ({@code MappedWords}, with the measurement). A JDK that no longer has the
 * option is not given it (the JVM would refuse to boot): its children use the buffer.
 *
 * <p>A child also starts with a small young generation ({@value #YOUNG_GENERATION}), unless the
 * caller sizes the heap itself. The serial collector's default young generation is a third of
 * the initial heap, a sixty-fourth of the machine's memory (over 100 MB here): a child that
 * allocates as fast as a pool worker does (two boxed values per task) then touches fresh pages
 * for seconds before its first collection, and each first touch is a page fault the kernel must
 * zero. Measured with the pool's decode/apply/encode of a million ints in the worker's JVM
 * options, the first million took 130 ms of CPU with the default and 8 ms with a young generation
 * of 8 to 32 MB (later millions 6 ms either way); in a 2-worker {@code map} the workers' CPU for
 * the second and third millions fell from 310-450 ms to 120-210 ms. It is held at that size
 * ({@code -Xmn} sets the largest as well): the serial collector otherwise resizes it to a third
 * of the heap after a collection that leaves both survivor spaces empty (163 MB here), which a
 * child that keeps nothing between items reaches by chance. Measured with the collector's log,
 * in 10 runs of a child taking 50,000 items of 4 KiB from a pipe (a new array each), 7 consumers'
 * young generations grew from 14 to 163 MB at their third collection and moved 303-328k items a
 * second, the other 3 moved 476-676k; held at 16 MB, none of 10 grew (421-621k).
 *
 * <p>The old generation starts smaller too ({@value #INITIAL_HEAP}: the initial heap a
 * two-hundredth of the machine's memory instead of a sixty-fourth; 122 MB here, and never above
 * the largest heap, which stays the JVM's). An item that outlives a young collection is copied
 * into the old generation, which takes fresh pages until it first fills and is compacted: a
 * child that takes large structures (a list of a million {@code Integer}s) spent most of its time
 * in the collector, faulting in the old generation's 368 MB page by page. Measured on the 2-core
 * development VM (2026-12-06, runs of each interleaved), a child taking 20 such lists from a
 * queue: its collector's time 1.59-1.64 s before, 0.85-0.88 s after; a list's put to the child's
 * take 145-149 ms against 72-73 (medians of 20; CPython's fork: 227), of a million
 * {@code Double}s 160-166 against 103-108 (CPython: 156). The gain comes once the old generation
 * has first filled: a new child's first five lists take as long as before. The streaming rows did not move (a pipe's 4 KiB items, new
 * children 907-1,340 against 976-1,398 MB/s, warmed up 2,398-3,804 against 2,545-4,249; 200,000
 * ints warmed up 41-63 against 32-70 ms), nor did an idle child's memory. A larger young
 * generation (64 MB) did better still for large items (the collector 0.13 s) but touches four
 * times the fresh pages in a child streaming small ones.
 */
public final class ChildCommand {
    /** The option that spares a child the JVM's performance-data file (see the class notes). */
    static final String NO_PERF_DATA = "-XX:-UsePerfData";
    /** The first JDK whose children call methods and constructors by reflection through native accessors (see the class notes). */
    static final int FIRST_NATIVE_REFLECTION_JDK = 22;
    /** The option that has a JVM's reflection call methods and constructors through native accessors (see the class notes). */
    static final String NATIVE_REFLECTION = "-D" + Serialization.NATIVE_ACCESSORS_PROPERTY + "=true";
    /**
     * Options every child gets before the caller's (see the class notes): the collector, the
     * compiler, no performance data; on JDK 22 and later, reflection through native accessors; on JDK 24 and later the
     * option that lets it reach shared memory through {@code Unsafe}
     * ({@link SharedSegment#childWordAccessOptions}).
     */
    public static final List<String> DEFAULT_JVM_OPTIONS = defaultOptions();
    /**
     * How a caller's option chooses what a default option of these chooses (the reflection's
     * accessors; {@code Unsafe}'s memory access, JEP 471): then the default one is left out.
     */
    private static final List<String> CHOICE_PREFIXES = List.of("-D" + Serialization.NATIVE_ACCESSORS_PROPERTY + "=",
            SharedSegment.WORD_ACCESS_OPTION);
    /** Options by which a caller chooses the collector: then the default one is left out. */
    private static final Set<String> COLLECTOR_CHOICES = Set.of("-XX:+UseSerialGC", "-XX:+UseParallelGC",
            "-XX:+UseG1GC", "-XX:+UseZGC", "-XX:+UseShenandoahGC", "-XX:+UseEpsilonGC");
    /** The young generation a child starts with unless the caller sizes the heap (see the class notes). */
    static final String YOUNG_GENERATION = "-Xmn16m";
    /**
     * The initial heap a child starts with unless the caller sizes the heap (see the class notes):
     * a share of the machine's memory (of the container's, where it is limited), so that it is
     * never larger than the JVM's largest heap, which a fixed size could be in a small container.
     */
    static final String INITIAL_HEAP = "-XX:InitialRAMPercentage=0.5";
    /** The heap sizing a child starts with unless the caller sizes the heap: after {@link #DEFAULT_JVM_OPTIONS}. */
    public static final List<String> DEFAULT_HEAP_OPTIONS = List.of(YOUNG_GENERATION, INITIAL_HEAP);
    /** Options by which a caller sizes the heap: then the JVM's own sizing applies, without a warning about ours. */
    private static final List<String> HEAP_SIZING = List.of("-Xmx", "-Xms", "-Xmn", "-XX:NewSize", "-XX:MaxNewSize",
            "-XX:MaxHeapSize", "-XX:InitialHeapSize", "-XX:MaxRAM", "-XX:InitialRAM", "-XX:NewRatio");

    /**
     * The system property whose value (options separated by white space) every child of the
     * program gets after the library's defaults and before its own builder's: read once, when
     * this class is first used, and passed on to the children, so that the whole tree agrees.
     */
    public static final String PROGRAM_OPTIONS_PROPERTY = "mp4j.childJvmArgs";
    private static final String PROGRAM_OPTIONS = System.getProperty(PROGRAM_OPTIONS_PROPERTY, "").strip();
    private static final List<String> PROGRAM_OPTION_LIST =
            PROGRAM_OPTIONS.isEmpty() ? List.of() : List.of(PROGRAM_OPTIONS.split("\\s+"));

    /**
     * What starts a child's {@code java}: nothing, or, when this JVM ignores SIGINT, {@code env}
     * resetting it. A process started with SIGINT ignored (a script's background job, {@code cmd &})
     * passes that on to every child, and a JVM keeps a signal ignored at its start ignored, so
     * {@code ChildProcess.interrupt()} would do nothing to them.
     */
    private static final List<String> LAUNCHER = launcherResettingSigint();

    private final List<String> line;
    private final ArchivePlan sharing;

    private ChildCommand(List<String> line, ArchivePlan sharing) {
        this.line = List.copyOf(line);
        this.sharing = sharing;
    }

    /**
     * Builds the command line of a child that reads its bootstrap message at once.
     *
     * @param classPath the child's class path, absolute ({@link ChildClassPath#resolve})
     * @param jvmOptions the caller's options, placed after the defaults
     * @param environment the variables set for the child on top of this process's environment
     * @param processName shown as a system property so that {@code ps} tells children apart
     * @param targetClass the first class of the child's target ({@code Serialization.firstClassOf}),
     *     which its class-data archive should hold
     * @param targetMapsSharedObjects whether the target captured shared objects, which the child
     *     maps as it rebuilds them (see {@link ChildMain#MAPS_SHARED_OBJECTS_PROPERTY})
     * @return the command that starts the child
     */
    public static ChildCommand build(String classPath, List<String> jvmOptions, Map<String, String> environment,
                                     String processName, String targetClass, boolean targetMapsSharedObjects) {
        return build(classPath, jvmOptions, environment, processName, targetClass, targetMapsSharedObjects
                ? List.of("-D" + ChildMain.MAPS_SHARED_OBJECTS_PROPERTY + "=true") : List.of());
    }

    /**
     * Builds the command line of a spare: a child that prepares, then waits for its message.
     *
     * @param classPath the spare's class path, absolute ({@link ChildClassPath#resolve})
     * @param jvmOptions the caller's options, placed after the defaults
     * @param environment the variables set for the spare on top of this process's environment
     * @param preparation what the spare prepares beyond what every spare does
     * @param warmUpClasses the classes the spare initialises ahead, by name (see {@link ChildMain#WARM_UP_PROPERTY})
     * @return the command of a spare JVM (a child that waits for its message) with the caller's options
     */
    public static ChildCommand buildSpare(String classPath, List<String> jvmOptions, Map<String, String> environment,
                                          SparePreparation preparation, List<String> warmUpClasses) {
        List<String> properties = new ArrayList<>();
        properties.add("-D" + ChildMain.SPARE_PROPERTY + "=true");
        if (preparation.firstClass() != null) {
            properties.add("-D" + ChildMain.FIRST_CLASS_PROPERTY + "=" + preparation.firstClass());
        }
        if (preparation.objectStreams()) {
            properties.add("-D" + ChildMain.OBJECT_STREAMS_PROPERTY + "=true");
        }
        if (preparation.queueWarmUp()) {
            properties.add("-D" + ChildMain.QUEUE_WARM_UP_PROPERTY + "=true");
        }
        if (!warmUpClasses.isEmpty()) {
            properties.add("-D" + ChildMain.WARM_UP_PROPERTY + "=" + String.join(",", warmUpClasses));
        }
        return build(classPath, jvmOptions, environment, "spare", preparation.firstClass(), properties);
    }

    private static ChildCommand build(String classPath, List<String> builderOptions, Map<String, String> environment,
                                      String processName, String targetClass, List<String> childProperties) {
        List<String> jvmOptions = withProgramOptions(builderOptions);
        // Loops, not streams: this runs in a program's first start, where every lambda and
        // stream pipeline is linked for the first time (a millisecond or so each).
        boolean choosesCollector = false;
        boolean sizesHeap = false;
        for (String option : jvmOptions) {
            choosesCollector |= COLLECTOR_CHOICES.contains(option);
            sizesHeap |= startsWithAny(option, HEAP_SIZING);
        }
        List<String> options = new ArrayList<>();
        for (String option : DEFAULT_JVM_OPTIONS) {
            boolean chosenByCaller = choosesCollector && COLLECTOR_CHOICES.contains(option);
            for (String choice : CHOICE_PREFIXES) {
                chosenByCaller |= option.startsWith(choice) && anyStartsWith(jvmOptions, choice);
            }
            if (!chosenByCaller) {
                options.add(option);
            }
        }
        if (!sizesHeap) {
            options.addAll(DEFAULT_HEAP_OPTIONS);
        }
        options.addAll(jvmOptions);
        Module module = ChildMain.class.getModule();
        String modulePath = ChildClassPath.absolute(System.getProperty("jdk.module.path", ""));
        boolean asModule = module.isNamed() && !modulePath.isEmpty();
        // The JVM reads options from its environment too: an agent there refuses a dump as well.
        List<String> allOptions = new ArrayList<>(options);
        allOptions.addAll(ClassDataSharing.optionsFromEnvironment(environment));
        // The builder's options alone for a dump of its own: that program gets the program's options
        // as this JVM's children do (treeProperties), and given them twice its child would dump
        // under a key that no child of this program asks for.
        ArchivePlan sharing = ClassDataSharing.plan(asModule ? "" : classPath, allOptions, builderOptions,
                targetClass);

        List<String> properties = new ArrayList<>();
        properties.add("-Dmp4j.name=" + processName);
        properties.addAll(treeProperties());
        properties.addAll(childProperties);
        List<String> main = asModule ? List.of("--module-path", modulePath, "--add-modules", "ALL-MODULE-PATH",
                "-m", module.getName() + "/" + ChildMain.class.getName()) : List.of(ChildMain.class.getName());
        return new ChildCommand(line(options, sharing.options(), properties, sharing.classPath(classPath), main), sharing);
    }

    private static boolean startsWithAny(String option, List<String> prefixes) {
        for (String prefix : prefixes) {
            if (option.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    private static boolean anyStartsWith(List<String> options, String prefix) {
        for (String option : options) {
            if (option.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    private static List<String> line(List<String> options, List<String> sharingOptions, List<String> properties,
                                     String classPath, List<String> main) {
        List<String> line = new ArrayList<>(LAUNCHER);
        line.add(javaExecutable());
        line.addAll(options);
        line.addAll(sharingOptions);
        line.addAll(properties);
        if (!classPath.isEmpty()) {
            line.add("-cp");
            line.add(classPath);
        }
        line.addAll(main);
        return line;
    }

    private static List<String> defaultOptions() {
        List<String> options = new ArrayList<>(List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", NO_PERF_DATA));
        if (Runtime.version().feature() >= FIRST_NATIVE_REFLECTION_JDK) {
            options.add(NATIVE_REFLECTION);
        }
        options.addAll(SharedSegment.childWordAccessOptions());
        return List.copyOf(options);
    }

    /** @return the program's options for every child ({@value #PROGRAM_OPTIONS_PROPERTY}), then the builder's */
    private static List<String> withProgramOptions(List<String> builderOptions) {
        if (PROGRAM_OPTION_LIST.isEmpty()) {
            return builderOptions;
        }
        List<String> options = new ArrayList<>(PROGRAM_OPTION_LIST);
        options.addAll(builderOptions);
        return options;
    }

    /**
     * @return what every process of the tree must be told as this JVM was: where the tree's files
     *     are, and the options of every child
     */
    static List<String> treeProperties() {
        List<String> properties = new ArrayList<>();
        for (String shared : new String[] {Platform.SHM_DIR_PROPERTY, SegmentSpace.SPILL_DIR_PROPERTY}) {
            String value = System.getProperty(shared);
            if (value != null && !value.isEmpty()) {
                properties.add("-D" + shared + "=" + value);
            }
        }
        if (!PROGRAM_OPTIONS.isEmpty()) {
            properties.add("-D" + PROGRAM_OPTIONS_PROPERTY + "=" + PROGRAM_OPTIONS);
        }
        return properties;
    }

    /** @return the command line */
    public List<String> line() {
        return line;
    }

    /**
     * @return why the child's JVM may have been refused a boot beyond the caller's doing, for the
     *     message of a boot failure, or an empty string
     */
    public String bootFailureNote() {
        return sharing.dumps() ? " (it was to dump a class-data archive, as the first child of its class path and"
                + " options: with some JVM options the JVM refuses to, and later children are not asked to)" : "";
    }

    /**
     * @return whether the child dumps the class-data archive of its class path as it exits
     *     ({@link #childExited} moves it into place)
     */
    public boolean dumpsAnArchive() {
        return sharing.dumps();
    }

    /**
     * To call once the child has exited: finishes what class-data sharing started with it.
     *
     * @param bootFailed whether it exited before it booted (before it could run its target)
     */
    public void childExited(boolean bootFailed) {
        sharing.childExited(bootFailed);
    }

    /** @return {@code env --default-signal=INT} when this JVM ignores SIGINT and that works here, else nothing */
    private static List<String> launcherResettingSigint() {
        if (!Platform.ignoresSignal(Platform.SIGINT)) {
            return List.of();
        }
        List<String> env = List.of("/usr/bin/env", "--default-signal=INT");
        List<String> check = new ArrayList<>(env);
        check.add("true");
        try {
            Process p = new ProcessBuilder(check).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            Uninterruptibly.run(p::waitFor);
            if (p.exitValue() == 0) {
                return env;
            }
        } catch (IOException e) {
            // no /usr/bin/env: as one without the option
        }
        Log.of(ChildCommand.class).log(System.Logger.Level.WARNING, "this JVM ignores SIGINT, and its children"
                + " inherit that: ChildProcess.interrupt() cannot reach them (no /usr/bin/env --default-signal here)");
        return List.of();
    }

    static String javaExecutable() {
        Path home = Path.of(System.getProperty("java.home"));
        Path java = home.resolve("bin").resolve(File.separatorChar == '\\' ? "java.exe" : "java");
        return Files.isExecutable(java) ? java.toString() : "java";
    }
}
