package io.github.multiprocessing4j.bench;

import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

/**
 * Section "rtt": {@code bench_mp.py}'s {@code sec_rtt}. The parent sends an int to an echo
 * child and waits for it to come back, over two {@code ProcessQueue}s (one each way) and over a
 * duplex {@code Pipe}; the median, 99th percentile and maximum of {@code rtt_n} round trips, in
 * microseconds, under CPython's labels. As in {@code _pingpong_once}, {@code min(1000, rtt_n)}
 * unrecorded round trips come first (they also wait for the child to boot), every round trip is
 * timed on its own with the parent's clock, and a reply that is not the int sent fails the run.
 */
final class RttSection extends Section {
    /** {@code _pingpong_once}'s {@code warm}: at most this many round trips before the clock runs. */
    private static final int MAX_WARM_UP = 1000;

    RttSection() {
        super("rtt");
    }

    /** The two kinds, with CPython's name for each and how to open the way there and back. */
    private enum Kind {
        QUEUE("Queue put/get (2 queues)", () -> List.of(Channel.queue(), Channel.queue())),
        PIPE("Pipe send/recv (duplex)", Channel::duplexPipe);

        final String api;
        final Supplier<List<Channel>> thereAndBack;

        Kind(String api, Supplier<List<Channel>> thereAndBack) {
            this.api = api;
            this.thereAndBack = thereAndBack;
        }
    }

    @Override
    void run(BenchConfig config, Results results) throws Exception {
        int n = config.rttRoundTrips();
        for (Kind kind : Kind.values()) {
            double[] median = new double[config.reps()];
            double[] p99 = new double[config.reps()];
            double[] max = new double[config.reps()];
            for (int rep = 0; rep < median.length; rep++) {
                long[] nanos = pingPong(config, kind, n, Math.min(MAX_WARM_UP, n));
                Arrays.sort(nanos);
                median[rep] = nanos[n / 2] / 1e3;
                p99[rep] = nanos[Math.min(n - 1, (int) (n * 0.99))] / 1e3;
                max[rep] = nanos[n - 1] / 1e3;
            }
            String prefix = "round trip " + kind.api + ": ";
            results.record(name(), prefix + "median of " + n, "cold", n, "us", median);
            results.record(name(), prefix + "p99 of " + n, "cold", n, "us", p99);
            results.record(name(), prefix + "max of " + n, "cold", n, "us", max);
        }
    }

    /** {@code _pingpong_once}: the time of each of {@code n} round trips, in nanoseconds. */
    private static long[] pingPong(BenchConfig config, Kind kind, int n, int warm) throws Exception {
        List<Channel> ways = kind.thereAndBack.get();
        try (Channel there = ways.get(0); Channel back = ways.get(1)) {
            Channel.Sender put = there.sender();
            Channel.Receiver get = back.receiver();
            long[] nanos = new long[n];
            Children.run(List.of(Children.create(config, QueueTargets.echo(there.receiver(), back.sender()))), () -> {
                for (int i = 0; i < warm; i++) {
                    put.send(i);
                    get.receive();
                }
                int wrong = 0;
                for (int i = 0; i < n; i++) {
                    long t0 = System.nanoTime();
                    put.send(i);
                    Object x = get.receive();
                    nanos[i] = System.nanoTime() - t0;
                    wrong += x instanceof Integer j && j == i ? 0 : 1;
                }
                put.send(Channel.END);
                if (wrong > 0) {
                    throw new IllegalStateException(kind.api + ": " + wrong + " of " + n
                            + " replies were not the int sent");
                }
            });
            return nanos;
        }
    }
}
