package io.github.multiprocessing4j.bench;

import io.github.multiprocessing4j.ChildProcess;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Section "start": how long until a child runs its target, how long {@code start()} blocks the
 * caller, and a whole start and join of an empty target, in microseconds. Mirrors
 * {@code bench_mp.py}'s {@code sec_start}: the process object is created before the clock
 * starts, the first-line time is taken by the target's first statement. For scale, the same
 * first-line figure of a {@linkplain BareJvm bare JVM} (method "bare").
 */
final class StartSection extends Section {
    StartSection() {
        super("start");
    }

    @Override
    void run(BenchConfig config, Results results) throws Exception {
        int reps = config.startReps();
        double[] firstLine = new double[reps];
        double[] startCall = new double[reps];
        try (ScratchDirectory scratch = ScratchDirectory.create()) {
            for (int i = 0; i < reps; i++) {
                String file = scratch.file("first-line-" + i);
                ChildProcess p = Children.create(config, ChildTargets.firstLine(file));
                long t0 = System.nanoTime();
                p.start();
                long t1 = System.nanoTime();
                Children.joinChecked(p);
                long inChild = Long.parseLong(Files.readString(Path.of(file)));
                firstLine[i] = (inChild - t0) / 1e3;
                startCall[i] = (t1 - t0) / 1e3;
            }
        }
        results.record(name(), "start() call -> first line of target runs", "cold", reps, "us", firstLine);
        results.record(name(), "duration of the start() call itself", "cold", reps, "us", startCall);

        double[] startJoin = new double[reps];
        for (int i = 0; i < reps; i++) {
            ChildProcess p = Children.create(config, ChildTargets.empty());
            long t0 = System.nanoTime();
            p.start();
            p.join();
            startJoin[i] = (System.nanoTime() - t0) / 1e3;
            Children.joinChecked(p);
        }
        results.record(name(), "start()+join() of an empty target", "cold", reps, "us", startJoin);

        double[] bare = new double[reps];
        for (int i = 0; i < reps; i++) {
            bare[i] = BareJvm.firstLineMicros();
        }
        results.record(name(), "start() call -> first line of target runs", "bare", reps, "us", bare);
    }
}
