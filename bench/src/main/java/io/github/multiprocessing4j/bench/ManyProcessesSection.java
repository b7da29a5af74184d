package io.github.multiprocessing4j.bench;

import io.github.multiprocessing4j.ChildProcess;
import io.github.multiprocessing4j.StartMethod;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Section "many": the wall time to start a crowd of children with an empty target and join them
 * all, written as a user would (start every one, then join every one), in seconds.
 * {@code bench/python/many_procs.py} measures the same with CPython's fork and spawn.
 *
 * <p>With each start method. "cold": 200 new JVMs, the figure the design target (at most 4 s,
 * docs/ARCHITECTURE.md) is about.
 * "warm", the library's default, as a program that starts a crowd without choosing gets it:
 * the library keeps spares per configuration, as many as it had children running at once, up to
 * the number of processors (booted before each repetition here), so the first children take
 * them, and the others are cold except any that find a spare the library has booted meanwhile
 * in the background.
 */
final class ManyProcessesSection extends Section {
    ManyProcessesSection() {
        super("many");
    }

    @Override
    void run(BenchConfig config, Results results) throws Exception {
        WarmSpare.coldThenWarm(config, method -> measure(config, results, method));
    }

    private void measure(BenchConfig config, Results results, StartMethod method) throws Exception {
        int count = config.manyProcesses();
        double[] seconds = new double[config.manyReps()];
        for (int rep = 0; rep < seconds.length; rep++) {
            if (method == StartMethod.WARM) {
                WarmSpare.awaitBooted(config);
            }
            List<ChildProcess> children = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                children.add(Children.create(config, ChildTargets.empty(), method));
            }
            int r = rep;
            long t0 = System.nanoTime();
            Children.run(children, () -> {
                for (ChildProcess p : children) {
                    p.join();
                }
                seconds[r] = (System.nanoTime() - t0) / 1e9;
            });
        }
        results.record(name(), figureName(count), method.name().toLowerCase(Locale.ROOT), count, "s", seconds);
    }

    /** The figure's name, shared with {@code many_procs.py}: the table matches figures by name. */
    static String figureName(int count) {
        return count + " processes started and joined (start all, then join all)";
    }
}
