package io.github.multiprocessing4j.bench;

import io.github.multiprocessing4j.ChildProcess;
import io.github.multiprocessing4j.Multiprocessing;
import io.github.multiprocessing4j.ProcessJoinableQueue;
import io.github.multiprocessing4j.StartMethod;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Section "jq": {@code bench_mp.py}'s {@code sec_jq}, the textbook producer/consumer with a
 * {@link ProcessJoinableQueue}, end to end as a user sees it: from before the processes are
 * created to the return of {@code join()} in the parent, after 2 producers have put
 * {@code jq_per} ints each and 2 daemon consumers have got them all and called
 * {@code taskDone()} for each. In items per second, and the same runs' wall time, under CPython's
 * labels.
 *
 * <p>CPython's consumers loop forever and are ended with {@code terminate()}. Ours are stopped
 * after the clock has stopped with an end message each, so that they exit by themselves and an
 * exit code other than 0 shows that one failed.
 *
 * <p>The same runs again with children from spares: the program has asked for four
 * ({@link Multiprocessing#prestart}), each booted and idle before the clock starts (it warmed up
 * a queue and a joinable queue of its own while it prepared), and every child must take one: the
 * lesson's pattern in a program that runs it again and again. Not measured when the children
 * get JVM options of the bench's ({@code --child-jvm-arg}), which prestarted spares do not have.
 */
final class JqSection extends Section {
    private static final int PRODUCERS = 2;
    private static final int CONSUMERS = 2;
    /** What the label of the figure from spares ends with. */
    static final String FROM_SPARES = ", children from spares (the default start, 4 spares prestarted and prepared)";
    /** Far above any healthy figure: only catches a hang. */
    private static final Duration JOIN_DEADLINE = Duration.ofSeconds(120);

    JqSection() {
        super("jq");
    }

    @Override
    void run(BenchConfig config, Results results) throws Exception {
        int per = config.jqPerProducer();
        int items = PRODUCERS * per;
        double[] itemsPerSecond = new double[config.reps()];
        double[] seconds = new double[config.reps()];
        for (int rep = 0; rep < seconds.length; rep++) {
            seconds[rep] = runOnce(config, per, StartMethod.COLD);
            itemsPerSecond[rep] = items / seconds[rep];
        }
        String label = "JoinableQueue " + PRODUCERS + " producers x " + per + " -> " + CONSUMERS
                + " daemon consumers (task_done), q.join(); end-to-end";
        results.record(name(), label, "cold", items, "items/s", itemsPerSecond);
        results.record(name(), "  same run: wall time incl. process start-up", "cold", items, "s", seconds);
        if (!config.childJvmArgs().isEmpty()) {
            results.notMeasured(name(), label + FROM_SPARES, "items/s",
                    "the children get JVM options of the bench's (--child-jvm-arg), which prestarted spares do not have");
            return;
        }
        double[] fromSpares = new double[config.reps()];
        try {
            Multiprocessing.prestart(PRODUCERS + CONSUMERS);
            for (int rep = 0; rep < fromSpares.length; rep++) {
                fromSpares[rep] = items / runOnce(config, per, StartMethod.WARM);
            }
        } finally {
            Multiprocessing.discardSpares();
        }
        results.record(name(), label + FROM_SPARES, "warm", items, "items/s", fromSpares);
    }

    /**
     * {@code _jq_once}: seconds from before the children are made to the return of {@code join()}.
     * With {@link StartMethod#WARM}, it first waits for this JVM's spares, one per child, to be
     * booted and idle, and fails unless every child took one of them.
     */
    private static double runOnce(BenchConfig config, int per, StartMethod method) throws Exception {
        Set<Long> spares = method == StartMethod.WARM ? WarmSpare.awaitBooted(config, PRODUCERS + CONSUMERS) : Set.of();
        try (ProcessJoinableQueue<Object> queue = new ProcessJoinableQueue<>()) {
            double[] seconds = new double[1];
            long t0 = System.nanoTime();
            List<ChildProcess> consumers = new ArrayList<>();
            for (int i = 0; i < CONSUMERS; i++) {
                consumers.add(Children.daemon(config, QueueTargets.joinableConsumer(queue), method));
            }
            List<ChildProcess> producers = new ArrayList<>();
            for (int i = 0; i < PRODUCERS; i++) {
                producers.add(Children.create(config, QueueTargets.joinableProducer(Channel.of(queue).sender(),
                        i * per, per), method));
            }
            List<ChildProcess> all = new ArrayList<>(consumers);
            all.addAll(producers);
            Children.run(all, () -> {
                Children.joinAllChecked(producers);
                if (!queue.join(JOIN_DEADLINE)) {
                    throw new IllegalStateException("JoinableQueue.join() did not return within " + JOIN_DEADLINE
                            + "; " + queue.qsize() + " items left");
                }
                seconds[0] = (System.nanoTime() - t0) / 1e9;
                for (int i = 0; i < CONSUMERS; i++) {
                    queue.put(Channel.END);
                }
            });
            if (method == StartMethod.WARM) {
                for (ChildProcess child : all) {
                    WarmSpare.requireUsed(spares, child);
                }
            }
            return seconds[0];
        }
    }
}
