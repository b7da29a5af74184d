package io.github.multiprocessing4j.bench;

import io.github.multiprocessing4j.ChildProcess;

import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Section "mem": the memory of a child that has booted and sits idle, from {@code /proc}, and
 * the parent's RSS at that time. Runs first, while the parent is small, as in
 * {@code bench_mp.py}. The child is left idle for a second before it is read (CPython's script
 * waits 0.3 s): a JVM finishes compiling and tidying up in the background for a moment after
 * its main work, and the figure is meant to be the steady state of an idle child.
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
        int reps = config.reps();
        double[] rss = new double[reps];
        double[] pss = new double[reps];
        double[] uss = new double[reps];
        for (int i = 0; i < reps; i++) {
            ProcMemory m = measureIdleChild(config);
            rss[i] = ProcMemory.mib(m.vmRssKib());
            pss[i] = ProcMemory.mib(m.pssKib());
            uss[i] = ProcMemory.mib(m.ussKib());
        }
        results.record(name(), "idle child VmRSS", "cold", 1, "MiB", rss);
        results.record(name(), "idle child PSS (smaps_rollup)", "cold", 1, "MiB", pss);
        results.record(name(), "idle child USS = Private_Clean+Private_Dirty", "cold", 1, "MiB", uss);
    }

    private static ProcMemory measureIdleChild(BenchConfig config) throws Exception {
        try (ScratchDirectory scratch = ScratchDirectory.create()) {
            String ready = scratch.file("ready");
            String gate = scratch.file("gate");
            try (FileChannel gateChannel = FileChannel.open(Path.of(gate), StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE)) {
                FileLock closedGate = gateChannel.lock();
                ChildProcess child = Children.create(config, ChildTargets.idleUntilGateOpens(ready, gate));
                child.start();
                try {
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
