package io.github.multiprocessing4j.bench;

import java.util.Arrays;
import java.util.List;

/**
 * Section "limits": costs of this machine that bound other sections' figures whatever the library
 * does, measured in the same run so that the tables can show each beside the rows it bounds
 * ({@code side_by_side.py}: "the limit on this machine").
 * <ul>
 *   <li>a {@linkplain JvmBoot JVM boot}: a JVM whose {@code main} returns at once, started
 *       {@link #BOOTS} times one after another (3 in {@code --quick}), with the library's child
 *       options and a class-data archive of its own as a child has one ({@link OwnArchive},
 *       method "jvm-child-flags") and with the JVM's defaults, as a program boots
 *       ("jvm-default-flags"):
 *       the wall time from the fork to the reaped exit (the median of a repetition's boots) and
 *       the CPU time (user+system) per boot. The tables derive from them: a start loop that
 *       needs a new JVM per round runs at most one round per (boot CPU ÷ processors), 200 new
 *       JVMs take at least 200 × boot CPU ÷ processors, and the pool's first call in a new
 *       program cannot end before a worker JVM has booted. CPython's side
 *       ({@code user_patterns.py}'s "limits"): {@code os.fork()} of a child that exits at once
 *       ("fork") and {@code python3 -c pass} ("spawn"), under the same names;</li>
 *   <li>{@linkplain FreshSharedMemory fresh shared memory}: {@link #SEGMENTS} new 1 MiB
 *       segments in {@code /dev/shm} used as a queue chunk is (a tenth in {@code --quick}, at
 *       least 8), each step's median in µs and MB/s over all the steps, against a hot segment's
 *       4 KiB writes and reads (MB/s, for {@link #HOT_SECONDS}): what an unbounded queue whose
 *       backlog lives in new chunks can carry, beside the queue and pipe rows of 4 KiB and
 *       more;</li>
 *   <li>{@linkplain CrossCoreCopy data passed between two processors}: 4 KiB blocks one thread
 *       writes and another reads, the writer's MB/s in each of {@link #CROSS_CORE_WINDOWS}
 *       windows of {@link #CROSS_CORE_WINDOW_SECONDS} s (8 in {@code --quick}): its lowest and
 *       highest windows go beside the rows of 4 KiB items, which swing with it;</li>
 *   <li>a {@linkplain BareRing bare ring} between two new JVMs with the library's child options:
 *       the items of section "tput" (ints, 64 B and 4 KiB {@code byte[]}) from one to the other with
 *       no library, timed as that section times them, with new JVMs and warmed up (msg/s and
 *       MB/s): what a new child's items cost the JVM itself, beside the rows of new children;</li>
 *   <li>the processors this JVM may use, which the boot floors divide by.</li>
 * </ul>
 */
final class LimitsSection extends Section {
    static final int BOOTS = 10;
    static final int SEGMENTS = 64;
    private static final double HOT_SECONDS = 0.5;
    /** 15 s in all: the swings it shows last 5-20 s (see {@link CrossCoreCopy}). */
    static final int CROSS_CORE_WINDOWS = 60;
    private static final double CROSS_CORE_WINDOW_SECONDS = 0.25;
    /** Shared with {@code user_patterns.py}: the tables match figures by name. */
    static final String BOOT_WALL = "a process that does nothing, started and reaped one after another:"
            + " wall time to exit";
    static final String BOOT_CPU = "a process that does nothing, started and reaped one after another:"
            + " CPU time (user+sys) per process";
    static final String FRESH_STEP = "fresh 1 MiB /dev/shm segment, step: ";
    static final String FRESH = "fresh 1 MiB /dev/shm segments, used as a queue chunk (every step above),"
            + " one after another";
    static final String HOT = "hot 1 MiB /dev/shm segment: 4 KiB puts through one mapping, 4 KiB gets"
            + " through another";
    static final String PROCESSORS = "processors available to the JVM";
    /** Shared with {@code side_by_side.py}, which shows its lowest and highest windows. */
    static final String CROSS_CORE = "two threads, one writing 4 KiB blocks into a 4 MiB array that the other"
            + " keeps reading: the writer's rate, window by window";
    /** Shared with {@code side_by_side.py}: the start of a bare ring's figures, then what it moved. */
    static final String BARE_RING = "two new JVMs (the children's options), one putting and one taking through a"
            + " bare ring in /dev/shm, no library: ";

    LimitsSection() {
        super("limits");
    }

    @Override
    void run(BenchConfig config, Results results) throws Exception {
        results.record(name(), PROCESSORS, "-", 1, "CPUs",
                new double[] {Runtime.getRuntime().availableProcessors()});
        try (OwnArchive archive = OwnArchive.of(BareJvm.childOptions(), JvmBoot.class)) {
            boots(config, results, "jvm-child-flags", archive.options());
        }
        boots(config, results, "jvm-default-flags", List.of());
        sharedMemory(config, results);
        bareRings(config, results);
        int windows = Math.max(8, CROSS_CORE_WINDOWS / config.scaleDivisor());
        results.record(name(), CROSS_CORE, "-", windows, "MB/s",
                CrossCoreCopy.windows(windows, CROSS_CORE_WINDOW_SECONDS));
    }

    private void boots(BenchConfig config, Results results, String method, List<String> options)
            throws Exception {
        int boots = Math.max(3, BOOTS / config.scaleDivisor());
        List<String> command = JvmBoot.bareJvm(options);
        JvmBoot.measure(command, 1); // page cache
        double[] wall = new double[config.reps()];
        double[] cpu = new double[config.reps()];
        for (int rep = 0; rep < wall.length; rep++) {
            JvmBoot.Boots b = JvmBoot.measure(command, boots);
            wall[rep] = Programs.median(Arrays.stream(b.wallMillis()).boxed().toList());
            cpu[rep] = b.cpuMillisPerBoot();
        }
        results.record(name(), BOOT_WALL, method, boots, "ms", wall);
        results.record(name(), BOOT_CPU, method, boots, "ms", cpu);
    }

    /** The bare ring with section "tput"'s items (ints, 64 B, 4 KiB), new JVMs and warmed up, named as that section's. */
    private void bareRings(BenchConfig config, Results results) throws Exception {
        for (int size : new int[] {0, 64, 4096}) {
            int items = size < 1024 ? config.tputItems() : config.tputItems4k();
            for (boolean warmedUp : new boolean[] {false, true}) {
                double[] messagesPerSecond = new double[config.reps()];
                double[] megabytesPerSecond = new double[config.reps()];
                for (int rep = 0; rep < messagesPerSecond.length; rep++) {
                    double seconds = BareRing.seconds(items, size, warmedUp ? items : 0);
                    messagesPerSecond[rep] = items / seconds;
                    megabytesPerSecond[rep] = TputSection.megabytesPerSecond(items, size, seconds);
                }
                String what = bareRingName(items, size, warmedUp);
                results.record(name(), what, "-", items, "msg/s", messagesPerSecond);
                results.record(name(), what, "-", items, "MB/s", megabytesPerSecond);
            }
        }
    }

    /** The name of a bare ring's figure: {@link #BARE_RING}, the items, and whether warmed up as in section "tput". */
    static String bareRingName(int items, int size, boolean warmedUp) {
        return BARE_RING + items + (size == 0 ? " ints" : " x " + TputSection.payloadName(size))
                + (warmedUp ? TputSection.WARMED_UP : "");
    }

    private void sharedMemory(BenchConfig config, Results results) throws Exception {
        int segments = Math.max(8, SEGMENTS / config.scaleDivisor());
        FreshSharedMemory shm = new FreshSharedMemory();
        int reps = config.scaleReps();
        FreshSharedMemory.Step[] steps = FreshSharedMemory.Step.values();
        double[][] micros = new double[steps.length][reps];
        double[] fresh = new double[reps];
        double[] hot = new double[reps];
        for (int rep = 0; rep < reps; rep++) {
            FreshSharedMemory.Fresh f = shm.fresh(segments);
            for (int k = 0; k < steps.length; k++) {
                micros[k][rep] = f.microsPerStep()[k];
            }
            fresh[rep] = f.freshMegabytesPerSecond();
            hot[rep] = shm.hot(HOT_SECONDS / config.scaleDivisor());
        }
        for (int k = 0; k < steps.length; k++) {
            results.record(name(), FRESH_STEP + steps[k].what, "-", segments, "us", micros[k]);
        }
        results.record(name(), FRESH, "-", segments, "MB/s", fresh);
        results.record(name(), HOT, "-", FreshSharedMemory.SEGMENT, "MB/s", hot);
    }
}
