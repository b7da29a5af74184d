package io.github.multiprocessing4j.bench;

import io.github.multiprocessing4j.ChildProcess;
import io.github.multiprocessing4j.Multiprocessing;
import io.github.multiprocessing4j.ProcessBarrier;
import io.github.multiprocessing4j.SharedLongArray;
import io.github.multiprocessing4j.StartMethod;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Section "tput": {@code bench_mp.py}'s {@code sec_tput}. Items moved per second (msg/s) and
 * payload bytes per second (MB/s, 10^6 B; an int counts as 8 B) from producer children to
 * consumer children, over {@code ProcessQueue} and {@code ProcessSimpleQueue} (1 producer to 1
 * consumer and 2 to 2; ints, 64 B and 4 KiB {@code byte[]}) and a one-way {@code Pipe}
 * ({@code send/recv} and {@code sendBytes/recvBytes}, 1 to 1), under CPython's labels. Every
 * producer sends one end message after its items, so each consumer stops at one; the items
 * the consumers counted must add up to those sent, or the run fails.
 *
 * <p>Timing, as {@code bench_mp.py}'s: all children wait on a {@link ProcessBarrier}, so
 * start-up is not counted; the clock runs from the earliest producer's {@link System#nanoTime()}
 * after the barrier to the latest consumer's after its end message. Taking these readings in
 * different JVMs is sound here because on Linux {@code System.nanoTime()} is HotSpot's
 * {@code clock_gettime(CLOCK_MONOTONIC)}, one clock for every process of the machine (the one
 * behind Python's {@code time.monotonic_ns()}; the "start" and "lock" sections rely on it too).
 * Timing from the parent instead would add its own wake-up from the barrier and the report's
 * trip back to every figure. As a guard, each run checks that the children's readings lie
 * between the parent's own before it started them and after it joined them.
 *
 * <p>Our cases of {@code Queue} and of 4 KiB {@code send_bytes} run a second time warmed up: each
 * child first moves as many items as it will measure, before the barrier. A new JVM runs its
 * first thousands of queue operations in the interpreter and then waits for C1 to compile them
 * (a few hundred methods, tens of milliseconds on two cores), which CPython's children do not
 * (no compiler): the cold figure is what a program's new children do in their first 200,000
 * items, the warmed-up one what they do from then on. Both stand beside CPython's same figure.
 * The small items of a queue 1 -> 1 also run with children from spares: started the library's
 * default way, each taking a spare that was prepared after children of the same kind and so
 * moved items through a queue of its own before it waited (a program's later children).
 */
final class TputSection extends Section {
    /** What a warmed-up case's label ends with. */
    static final String WARMED_UP = ", children warmed up (the same items moved once before the clock)";
    /** What the label of a case whose children are spares ends with. */
    static final String FROM_SPARES = ", children from spares (the default start, spares prepared after children of the same kind)";

    TputSection() {
        super("tput");
    }

    /** What is measured, with the start of CPython's label for it. */
    private enum Kind {
        QUEUE("Queue put/get", Channel::queue),
        SIMPLE_QUEUE("SimpleQueue put/get", Channel::simpleQueue),
        PIPE("Pipe send/recv", Channel::pipe),
        PIPE_BYTES("Pipe send_bytes/recv_bytes", Channel::pipeBytes);

        final String api;
        final Supplier<Channel> opener;

        Kind(String api, Supplier<Channel> opener) {
            this.api = api;
            this.opener = opener;
        }
    }

    /**
     * One line of {@code sec_tput}'s {@code cases}: {@code size} 0 means ints. A warmed-up case
     * is ours only: its children first move the same items once, uncounted, before the barrier.
     * So is a case from spares: its children are started the library's default way and take
     * spares prepared after the children of the run before (of an untimed run for the first).
     */
    private record Case(Kind kind, int producers, int consumers, int size, int items, boolean warmedUp,
                        boolean fromSpares) {
        Case(Kind kind, int producers, int consumers, int size, int items) {
            this(kind, producers, consumers, size, items, false, false);
        }

        Case asWarmedUp() {
            return new Case(kind, producers, consumers, size, items, true, false);
        }

        Case asFromSpares() {
            return new Case(kind, producers, consumers, size, items, false, true);
        }

        StartMethod method() {
            return fromSpares ? StartMethod.WARM : StartMethod.COLD;
        }

        int perProducer() {
            return items / producers;
        }

        /** What the producers send in all: {@code items}, rounded down to a multiple of the producers, as in Python. */
        long sent() {
            return (long) perProducer() * producers;
        }

        String label() {
            String payload = size == 0 ? "int" : payloadName(size);
            return kind.api + ", " + producers + "P->" + consumers + "C, " + payload + (warmedUp ? WARMED_UP : "")
                    + (fromSpares ? FROM_SPARES : "");
        }
    }

    @Override
    void run(BenchConfig config, Results results) throws Exception {
        for (Case c : cases(config)) {
            double[] messagesPerSecond = new double[config.reps()];
            double[] megabytesPerSecond = new double[config.reps()];
            try {
                if (c.fromSpares()) {
                    // Untimed, its children warm or cold: the spares they ask for are the first timed run's.
                    seconds(config, c.kind().opener, c.producers(), c.consumers(), c.size(), c.perProducer(), 0,
                            c.label(), StartMethod.WARM, false);
                }
                for (int rep = 0; rep < messagesPerSecond.length; rep++) {
                    double seconds = runOnce(config, c);
                    messagesPerSecond[rep] = c.sent() / seconds;
                    megabytesPerSecond[rep] = megabytesPerSecond(c.sent(), c.size(), seconds);
                }
            } finally {
                if (c.fromSpares()) {
                    Multiprocessing.discardSpares();
                }
            }
            String method = c.method().name().toLowerCase(Locale.ROOT);
            results.record(name(), c.label(), method, c.items(), "msg/s", messagesPerSecond);
            results.record(name(), c.label(), method, c.items(), "MB/s", megabytesPerSecond);
        }
    }

    /** @return how a figure names {@code byte[]} items of {@code size} bytes: "64 B bytes", "4 KiB bytes" */
    static String payloadName(int size) {
        return size < 1024 ? size + " B bytes" : size / 1024 + " KiB bytes";
    }

    /** @return payload MB/s (10^6 B) of {@code items} items of {@code size} bytes (0: ints, 8 B each) in {@code seconds} */
    static double megabytesPerSecond(long items, int size, double seconds) {
        return (double) items * (size == 0 ? Long.BYTES : size) / seconds / 1e6;
    }

    /** {@code sec_tput}'s cases, in its order. */
    private static List<Case> cases(BenchConfig config) {
        int n = config.tputItems();
        int n4k = config.tputItems4k();
        List<Case> cases = new ArrayList<>();
        for (Kind queue : List.of(Kind.QUEUE, Kind.SIMPLE_QUEUE)) {
            cases.add(new Case(queue, 1, 1, 0, n));
            cases.add(new Case(queue, 1, 1, 64, n));
            cases.add(new Case(queue, 1, 1, 4096, n4k));
            cases.add(new Case(queue, 2, 2, 0, n));
            cases.add(new Case(queue, 2, 2, 64, n));
        }
        cases.add(new Case(Kind.PIPE, 1, 1, 0, n));
        cases.add(new Case(Kind.PIPE, 1, 1, 64, n));
        cases.add(new Case(Kind.PIPE, 1, 1, 4096, n4k));
        cases.add(new Case(Kind.PIPE_BYTES, 1, 1, 8, n));
        cases.add(new Case(Kind.PIPE_BYTES, 1, 1, 64, n));
        cases.add(new Case(Kind.PIPE_BYTES, 1, 1, 4096, n4k));
        for (Case c : List.copyOf(cases)) {
            if (c.kind() == Kind.QUEUE || c.kind() == Kind.PIPE_BYTES && c.size() == 4096) {
                cases.add(c.asWarmedUp());
            }
        }
        cases.add(new Case(Kind.QUEUE, 1, 1, 0, n).asFromSpares());
        cases.add(new Case(Kind.QUEUE, 1, 1, 64, n).asFromSpares());
        return cases;
    }

    /** {@code _tput_once}: one run of a case, in seconds from the first item sent to the last one received. */
    private static double runOnce(BenchConfig config, Case c) throws Exception {
        return seconds(config, c.kind().opener, c.producers(), c.consumers(), c.size(), c.perProducer(),
                c.warmedUp() ? c.perProducer() : 0, c.label(), c.method());
    }

    /**
     * One throughput run over a channel {@code opener} makes: {@code producers} children each
     * send {@code perProducer} items ({@code size}-byte arrays, ints when 0) and an end message
     * to {@code consumers} children, after {@code warmUpPerProducer} items each that are not
     * timed (the consumers share them equally); in seconds from the first item sent to the last
     * one received (see the class comment). Fails unless every item arrived and the children's
     * clock readings lie within the parent's. The "scale" section runs its cells through this.
     * With {@link StartMethod#WARM}, it first waits for this JVM's spares to be booted and idle,
     * and fails unless every child took one of them.
     */
    static double seconds(BenchConfig config, Supplier<Channel> opener, int producers, int consumers, int size,
            int perProducer, int warmUpPerProducer, String label, StartMethod method) throws Exception {
        return seconds(config, opener, producers, consumers, size, perProducer, warmUpPerProducer, label, method,
                method == StartMethod.WARM);
    }

    private static double seconds(BenchConfig config, Supplier<Channel> opener, int producers, int consumers, int size,
            int perProducer, int warmUpPerProducer, String label, StartMethod method, boolean fromSpares)
            throws Exception {
        int parties = producers + consumers;
        Set<Long> spares = fromSpares ? WarmSpare.awaitBooted(config) : Set.of();
        long sent = (long) perProducer * producers;
        try (Channel channel = opener.get(); ProcessBarrier start = new ProcessBarrier(parties);
             SharedLongArray report = new SharedLongArray(2 * parties)) {
            // slots 0 .. consumers-1: the consumers; then the producers
            List<ChildProcess> children = new ArrayList<>();
            for (int i = 0; i < consumers; i++) {
                int warmUp = warmUpPerProducer * producers / consumers;
                children.add(Children.create(config, QueueTargets.consumer(channel.receiver(), warmUp, start, report, i),
                        method));
            }
            for (int i = 0; i < producers; i++) {
                children.add(Children.create(config, QueueTargets.producer(channel.sender(), i * perProducer,
                        perProducer, size, warmUpPerProducer, start, report, consumers + i), method));
            }
            long before = System.nanoTime();
            Children.run(children);
            long after = System.nanoTime();
            if (fromSpares) {
                for (ChildProcess child : children) {
                    WarmSpare.requireUsed(spares, child);
                }
            }

            long lastReceived = Long.MIN_VALUE;
            long received = 0;
            for (int slot = 0; slot < consumers; slot++) {
                lastReceived = Math.max(lastReceived, report.get(2 * slot));
                received += report.get(2 * slot + 1);
            }
            long firstSent = Long.MAX_VALUE;
            for (int slot = consumers; slot < parties; slot++) {
                firstSent = Math.min(firstSent, report.get(2 * slot));
            }
            if (received != sent) {
                throw new IllegalStateException(label + ": received " + received + " != sent " + sent);
            }
            if (!(before <= firstSent && firstSent <= lastReceived && lastReceived <= after)) {
                throw new IllegalStateException(label + ": the children's clock readings " + firstSent + ".."
                        + lastReceived + " are not within the parent's " + before + ".." + after);
            }
            return (lastReceived - firstSent) / 1e9;
        }
    }
}
