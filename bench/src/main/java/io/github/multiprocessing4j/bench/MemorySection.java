package io.github.multiprocessing4j.bench;

import io.github.multiprocessing4j.ChildProcess;
import io.github.multiprocessing4j.StartMethod;

import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Section "mem": the memory of a child that has booted and sits idle, from {@code /proc}, and
 * the parent's RSS at that time. Runs first, while the parent is small, as in
 * {@code bench_mp.py}. The child is left idle for a second before it is read (CPython's script
 * waits 0.3 s): a JVM finishes compiling and tidying up in the background for a moment after
 * its main work, and the figure is meant to be the steady state of an idle child.
 *
 * <p>With each start method: "cold" (a new JVM) and "warm" (the library's default: a spare JVM,
 * booted and prepared beforehand, that became the child; it has loaded and linked more before
 * its target ran, which may show). A warm child is started with its spare booted and idle
 * ({@link WarmSpare}). While a warm child is read, the library has booted the next spare, which
 * maps the same shared files (the JDK's and the library's class-data archives): PSS splits those
 * pages between the two, so the warm PSS is lower by that share; RSS and USS do not depend on it.
 * The spares are discarded at the end of the section.
 *
 * <p>Beside them, the limit: a bare JVM ({@link BareJvm}, the children's options, no library)
 * that has printed its first line and sits idle reading stdin, read the same way. An idle child
 * cannot be smaller than that.
 */
final class MemorySection extends Section {
    private static final long READY_TIMEOUT_MS = 60_000;

    MemorySection() {
        super("mem");
    }

    @Override
    void run(BenchConfig config, Results results) throws Exception {
        ProcMemory parent = ProcMemory.of(ProcessHandle.current().pid());
        results.record(name(), "parent process VmRSS at measurement time", "-", 1, "MiB",
                new double[] {ProcMemory.mib(parent.vmRssKib())});
        WarmSpare.coldThenWarm(config, method -> measure(config, results, method));
        double[] bare = new double[config.reps()];
        try (OwnArchive archive = OwnArchive.of(BareJvm.childOptions(), BareJvm.class, BareJvm.IDLE)) {
            for (int i = 0; i < bare.length; i++) {
                bare[i] = ProcMemory.mib(measureIdleBareJvm(config, archive.options()).vmRssKib());
            }
        }
        results.record(name(), BARE_IDLE_RSS, "-", 1, "MiB", bare);
    }

    /** The figure of an idle bare JVM (the limit of an idle child's). */
    static final String BARE_IDLE_RSS = "idle bare JVM VmRSS (the children's options, no library: the limit)";

    private static ProcMemory measureIdleBareJvm(BenchConfig config, List<String> options) throws Exception {
        Process p = new ProcessBuilder(BareJvm.command(options, BareJvm.class, BareJvm.IDLE))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            p.getInputStream().read(); // its first line: booted
            Thread.sleep(config.idleSettleMillis());
            return ProcMemory.of(p.pid());
        } finally {
            p.getOutputStream().close(); // EOF on its stdin: it exits
            if (!p.waitFor(READY_TIMEOUT_MS, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                p.destroyForcibly().waitFor();
            }
        }
    }

    private void measure(BenchConfig config, Results results, StartMethod method) throws Exception {
        String label = method.name().toLowerCase(Locale.ROOT);
        int reps = config.reps();
        double[] rss = new double[reps];
        double[] pss = new double[reps];
        double[] uss = new double[reps];
        for (int i = 0; i < reps; i++) {
            ProcMemory m = measureIdleChild(config, method);
            rss[i] = ProcMemory.mib(m.vmRssKib());
            pss[i] = ProcMemory.mib(m.pssKib());
            uss[i] = ProcMemory.mib(m.ussKib());
        }
        results.record(name(), "idle child VmRSS", label, 1, "MiB", rss);
        results.record(name(), "idle child PSS (smaps_rollup)", label, 1, "MiB", pss);
        results.record(name(), "idle child USS = Private_Clean+Private_Dirty", label, 1, "MiB", uss);
    }

    private static ProcMemory measureIdleChild(BenchConfig config, StartMethod method) throws Exception {
        Set<Long> spares = method == StartMethod.WARM ? WarmSpare.awaitBooted(config) : Set.of();
        try (ScratchDirectory scratch = ScratchDirectory.create()) {
            String ready = scratch.file("ready");
            String gate = scratch.file("gate");
            try (FileChannel gateChannel = FileChannel.open(Path.of(gate), StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE)) {
                FileLock closedGate = gateChannel.lock();
                ChildProcess child = Children.create(config, ChildTargets.idleUntilGateOpens(ready, gate), method);
                child.start();
                try {
                    if (method == StartMethod.WARM) {
                        WarmSpare.requireUsed(spares, child);
                    }
                    ScratchDirectory.awaitFile(ready, READY_TIMEOUT_MS);
                    Thread.sleep(config.idleSettleMillis());
                    ProcMemory m = ProcMemory.of(child.pid());
                    closedGate.release();
                    Children.joinChecked(child);
                    return m;
                } finally {
                    Children.killAndJoin(child); // only does something when the measurement failed
                }
            }
        }
    }
}
