package io.github.multiprocessing4j.bench;

import io.github.multiprocessing4j.ProcessPool;
import io.github.multiprocessing4j.ProcessQueue;
import io.github.multiprocessing4j.SerializableFunction;
import io.github.multiprocessing4j.SerializableRunnable;
import io.github.multiprocessing4j.SharedLong;
import io.github.multiprocessing4j.StartMethod;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * Section "scale": how the figures change with processes and item sizes, each cell beside
 * CPython's ({@code user_patterns.py}'s section "scale"), and the machine's memory bandwidth as
 * the limit a queue of large items can approach.
 * <ul>
 *   <li>memory bandwidth (method "-"): MB/s copied by {@code System.arraycopy} between two
 *       64 MiB {@code byte[]}s (beyond the caches: main memory), by a bulk {@code put} between
 *       two direct 64 MiB {@code ByteBuffer}s (what a copy into shared memory is), and by
 *       {@code System.arraycopy} of 1 MiB (in the caches), each copied over and over for
 *       {@link #COPY_SECONDS} (a tenth in {@code --quick});</li>
 *   <li>a {@link ProcessQueue}, 1, 2 and 4 producers to as many consumers, of {@code byte[]}
 *       items of 8 B, 64 B, 4 KiB, 64 KiB and 1 MiB: items/s and MB/s, timed as in section
 *       "tput" ({@link TputSection#seconds}). The item counts are chosen so that a cell takes
 *       a few tenths of a second on the slower side (CPython's cells 0.2-0.7 s on the
 *       development VM; a tenth in {@code --quick}): the small items' cells move half of section
 *       "tput"'s, so a new JVM's warm-up weighs more in them; items of 64 KiB and
 *       more go through a queue bounded at 64 MiB of items (1,024 and 64), on both sides, so
 *       that a producer running ahead does not fill the memory;</li>
 *   <li>the 4 KiB items as a user meets them (issue 11): a child puts {@value #USER_ITEMS}
 *       4 KiB items into a queue bounded at {@value #USER_BOUND}, the parent takes them; from
 *       the child's first {@code put} to the parent's last {@code get} (the child's start-up
 *       excluded);</li>
 *   <li>structured items as a user meets them: a child puts {@value #STRUCTURED_ITEMS} small
 *       records ({@code (i, "item", 1.5)}: a Java record, a Python tuple) or small maps
 *       ({@code {id: i, name: "item"}}: a {@code HashMap}, a dict), each made as it is put, into
 *       a queue bounded at {@value #USER_BOUND}; the parent takes them and checks each; timed
 *       as the 4 KiB items are;</li>
 *   <li>a {@link ProcessPool} of 1, 2 and 4 cold workers, running (a first map of 1,000 and a
 *       first untimed call have gone through it): tasks/s of {@code map(x*x)} over
 *       {@code pool_calls_n} ints with the default chunk size;</li>
 *   <li>the same pool of 2 over {@value #POOL_OF_RECORDS_ITEMS} small records, each task
 *       returning a record ({@link OrderTasks}; Python: tuples to tuples);</li>
 *   <li>tasks of uneven length, as a user's files of different sizes: a pool of 2 cold workers,
 *       running, maps over one task that sleeps {@value #UNEVEN_LONG_MS} ms and
 *       {@value #UNEVEN_SHORTS} that sleep {@value #UNEVEN_SHORT_MS} ms, chunks of one: the
 *       whole map's milliseconds. No pool can do it in less than the long task; one that hands
 *       the short tasks to whichever worker is free needs no more. And as a service's jobs
 *       come: one task of {@value #UNEVEN_LONG_MS} ms submitted ({@code applyAsync(fn,
 *       argument)}, Python's {@code apply_async}), then {@value #SUBMITTED_SHORTS} of
 *       {@value #SUBMITTED_SHORT_MS} ms, until all are done (added 2026-12-06);</li>
 *   <li>large arguments and results, as a user's images or arrays: a pool of 2 cold workers,
 *       running, maps over {@value #LARGE_ITEMS} byte arrays of 8 MiB, each to its length, and
 *       over {@value #LARGE_ITEMS} ints, each to a new zeroed array of 8 MiB, chunks of one (a
 *       first call of each untimed): MB/s of arrays passed.</li>
 * </ul>
 */
final class ScaleSection extends Section {
    static final List<Integer> PROCESSES = List.of(1, 2, 4);
    static final List<Integer> SIZES = List.of(8, 64, 4096, 64 * 1024, 1024 * 1024);
    private static final double COPY_SECONDS = 0.5;
    private static final int MEMORY_BUFFER = 64 << 20;
    private static final int CACHE_BUFFER = 1 << 20;
    private static final long BOUNDED_BYTES = 64L << 20;
    private static final int WARM_UP_ITEMS = 1000;
    static final int USER_ITEMS = 50_000;
    static final int USER_BOUND = 1000;
    private static final int USER_SIZE = 4096;
    static final int STRUCTURED_ITEMS = 100_000;
    private static final int POOL_OF_RECORDS_WORKERS = 2;
    private static final int POOL_OF_RECORDS_ITEMS = 200_000;
    private static final int UNEVEN_LONG_MS = 600;
    private static final int UNEVEN_SHORT_MS = 30;
    private static final int UNEVEN_SHORTS = 15;
    private static final int SUBMITTED_SHORT_MS = 60;
    private static final int SUBMITTED_SHORTS = 3;
    /** Ints in the list the parent hands a child through a queue ({@link #largeListName}). */
    static final int LIST_INTS = 1_000_000;
    /** Timed hand-overs of the list per repetition, after a first. */
    static final int LIST_PUTS = 5;
    static final int LARGE_ITEMS = 16;
    static final int LARGE_SIZE = 8 << 20;
    /** A task of the large-arguments map. */
    static final SerializableFunction<byte[], Integer> LENGTH = array -> array.length;
    /** A task of the large-results map. */
    static final SerializableFunction<Integer, byte[]> LARGE_ARRAY = i -> new byte[LARGE_SIZE];
    /** A task of the uneven map: sleeps its milliseconds. */
    static final SerializableFunction<Integer, Integer> SLEEP = ms -> {
        Thread.sleep(ms);
        return ms;
    };

    ScaleSection() {
        super("scale");
    }

    /** Items of a full run's cell: a few tenths of a second on the slower side (see the class comment). */
    static int items(int size) {
        return switch (size) {
            case 8, 64 -> 100_000;
            case 4096 -> 40_000;
            case 64 * 1024 -> 4_000;
            case 1024 * 1024 -> 400;
            default -> throw new IllegalArgumentException("no item count for " + size + " B");
        };
    }

    /** The queue's bound for items of {@code size}: 0 (unbounded) below 64 KiB. */
    static int bound(int size) {
        return size < 64 * 1024 ? 0 : (int) (BOUNDED_BYTES / size);
    }

    /** Shared with {@code user_patterns.py}. */
    static String queueName(int processes, int size) {
        String payload = size < 1024 ? size + " B" : size < 1 << 20 ? size / 1024 + " KiB" : (size >> 20) + " MiB";
        int bound = bound(size);
        return "queue " + processes + "P->" + processes + "C, " + payload + " items"
                + (bound > 0 ? ", bounded at " + bound : "");
    }

    static String parentTakesName(int items) {
        return "queue 1P->1C, 4 KiB items, bounded at " + USER_BOUND + ": a child puts " + items
                + ", the parent takes them";
    }

    /** Shared with {@code user_patterns.py}. */
    static String structuredName(boolean maps, int items) {
        String what = maps ? "small maps {id: int, name: string} (Java: HashMap, Python: dict)"
                : "small records (int, string, double) (Java: a record, Python: a tuple)";
        return "queue 1P->1C, " + what + ", bounded at " + USER_BOUND + ": a child puts " + items
                + ", the parent takes them";
    }

    /** Shared with {@code user_patterns.py}. */
    static String poolOfRecordsName(int items) {
        return "pool of " + POOL_OF_RECORDS_WORKERS + " workers: map over " + items + " small records (int, string, double)"
                + " -> (int, double) (Java: records, Python: tuples), default chunk size";
    }

    /** Shared with {@code user_patterns.py}. */
    static String submittedUnevenName() {
        return "pool of 2 workers: one task of " + UNEVEN_LONG_MS + " ms submitted, then " + SUBMITTED_SHORTS + " of "
                + SUBMITTED_SHORT_MS + " ms (sleeps): until all are done";
    }

    static String unevenName() {
        return "pool of 2 workers: map over one task of " + UNEVEN_LONG_MS + " ms and " + UNEVEN_SHORTS + " of "
                + UNEVEN_SHORT_MS + " ms (sleeps), chunks of one: the whole map";
    }

    /** Shared with {@code user_patterns.py}. */
    static String largeListName(int ints) {
        return "queue: the parent puts a list of " + ints + " ints (Java: ArrayList<Integer>, Python: list), a child takes it:"
                + " put -> taken, mean of " + LIST_PUTS + " after a first";
    }

    /** Shared with {@code user_patterns.py}. */
    static String largeArgumentsName() {
        return "pool of 2 workers: map over " + LARGE_ITEMS + " byte arrays of " + (LARGE_SIZE >> 20)
                + " MiB (Java: byte[], Python: bytes), each to its length, chunks of one";
    }

    /** Shared with {@code user_patterns.py}. */
    static String largeResultsName() {
        return "pool of 2 workers: map over " + LARGE_ITEMS + " ints, each to a new byte array of " + (LARGE_SIZE >> 20)
                + " MiB, chunks of one";
    }

    static String poolName(int workers, int items) {
        return "pool of " + workers + " workers: map(x*x) over " + items + " ints, default chunk size";
    }

    @Override
    void run(BenchConfig config, Results results) throws Exception {
        memoryBandwidth(config, results);
        for (int size : SIZES) {
            for (int processes : PROCESSES) {
                queueCell(config, results, processes, size);
            }
        }
        parentTakes(config, results);
        parentTakesStructured(config, results, false);
        parentTakesStructured(config, results, true);
        largeListToAChild(config, results);
        for (int workers : PROCESSES) {
            poolCell(config, results, workers);
        }
        poolOfRecords(config, results);
        unevenTasks(config, results);
        largeArraysThroughAPool(config, results);
    }

    /**
     * A structure, not a stream: the parent puts one list of {@link #LIST_INTS} {@code Integer}s
     * (divided by the quick run's divisor) into a queue and a new child takes it and answers with
     * its {@link System#nanoTime()}, {@link #LIST_PUTS} times after a first (ms from the put to
     * the take, their mean per repetition).
     */
    private void largeListToAChild(BenchConfig config, Results results) throws Exception {
        int ints = LIST_INTS / config.scaleDivisor();
        List<Integer> list = new ArrayList<>(ints);
        for (int i = 0; i < ints; i++) {
            list.add(i);
        }
        double[] millis = new double[config.scaleReps()];
        for (int rep = 0; rep < millis.length; rep++) {
            try (ProcessQueue<Object> lists = new ProcessQueue<>(); ProcessQueue<Long> taken = new ProcessQueue<>()) {
                double[] total = new double[1];
                Children.run(List.of(Children.create(config, QueueTargets.takeLists(lists, taken, ints, 1 + LIST_PUTS))),
                        () -> {
                            for (int put = 0; put <= LIST_PUTS; put++) {
                                long t0 = System.nanoTime();
                                lists.put(list);
                                long at = taken.get();
                                if (put > 0) {
                                    total[0] += (at - t0) / 1e6;
                                }
                            }
                        });
                millis[rep] = total[0] / LIST_PUTS;
                lists.unlink();
                taken.unlink();
            }
        }
        results.record(name(), largeListName(ints), "cold", ints, "ms", millis);
    }

    private void largeArraysThroughAPool(BenchConfig config, Results results) {
        double megabytes = (double) LARGE_ITEMS * LARGE_SIZE / 1e6;
        double[] arguments = new double[config.scaleReps()];
        double[] returned = new double[config.scaleReps()];
        try (ProcessPool pool = ProcessPool.builder().processes(2).startMethod(StartMethod.COLD)
                .jvmArgs(config.childJvmArgs().toArray(String[]::new)).build()) {
            List<byte[]> arrays = new ArrayList<>(); // made once the pool runs, as its data comes (so on both sides)
            List<Integer> indexes = new ArrayList<>();
            for (int i = 0; i < LARGE_ITEMS; i++) {
                arrays.add(new byte[LARGE_SIZE]);
                indexes.add(i);
            }
            pool.map(LENGTH, arrays, 1); // the workers running, and the first call of each
            pool.map(LARGE_ARRAY, indexes, 1);
            for (int rep = 0; rep < arguments.length; rep++) {
                long t0 = System.nanoTime();
                List<Integer> lengths = pool.map(LENGTH, arrays, 1);
                long t1 = System.nanoTime();
                List<byte[]> made = pool.map(LARGE_ARRAY, indexes, 1);
                long t2 = System.nanoTime();
                arguments[rep] = megabytes / ((t1 - t0) / 1e9);
                returned[rep] = megabytes / ((t2 - t1) / 1e9);
                if (!lengths.equals(Collections.nCopies(LARGE_ITEMS, LARGE_SIZE)) || made.size() != LARGE_ITEMS
                        || made.stream().anyMatch(array -> array.length != LARGE_SIZE)) {
                    throw new IllegalStateException("the large arrays' maps returned " + lengths + " and " + made.size() + " arrays");
                }
            }
        }
        results.record(name(), largeArgumentsName(), "cold", LARGE_ITEMS, "MB/s", arguments);
        results.record(name(), largeResultsName(), "cold", LARGE_ITEMS, "MB/s", returned);
    }

    private void unevenTasks(BenchConfig config, Results results) {
        List<Integer> millis = new ArrayList<>(List.of(UNEVEN_LONG_MS));
        millis.addAll(Collections.nCopies(UNEVEN_SHORTS, UNEVEN_SHORT_MS));
        double[] wholeMap = new double[config.scaleReps()];
        double[] allDone = new double[config.scaleReps()];
        try (ProcessPool pool = ProcessPool.builder().processes(2).startMethod(StartMethod.COLD)
                .jvmArgs(config.childJvmArgs().toArray(String[]::new)).build()) {
            pool.map(SLEEP, List.of(0, 0), 1); // workers running
            for (int rep = 0; rep < wholeMap.length; rep++) {
                long t0 = System.nanoTime();
                List<Integer> slept = pool.map(SLEEP, millis, 1);
                wholeMap[rep] = (System.nanoTime() - t0) / 1e6;
                if (!slept.equals(millis)) {
                    throw new IllegalStateException("the uneven map returned " + slept);
                }
            }
            for (int rep = 0; rep < allDone.length; rep++) {
                long t0 = System.nanoTime();
                List<CompletableFuture<Integer>> jobs = new ArrayList<>();
                jobs.add(pool.applyAsync(SLEEP, UNEVEN_LONG_MS));
                for (int i = 0; i < SUBMITTED_SHORTS; i++) {
                    jobs.add(pool.applyAsync(SLEEP, SUBMITTED_SHORT_MS));
                }
                int slept = jobs.stream().mapToInt(CompletableFuture::join).sum();
                allDone[rep] = (System.nanoTime() - t0) / 1e6;
                if (slept != UNEVEN_LONG_MS + SUBMITTED_SHORTS * SUBMITTED_SHORT_MS) {
                    throw new IllegalStateException("the submitted tasks slept " + slept + " ms in all");
                }
            }
        }
        results.record(name(), unevenName(), "cold", millis.size(), "ms", wholeMap);
        results.record(name(), submittedUnevenName(), "cold", 1 + SUBMITTED_SHORTS, "ms", allDone);
    }

    private void parentTakes(BenchConfig config, Results results) throws Exception {
        int n = USER_ITEMS / config.scaleDivisor();
        double[] seconds = parentTakes(config, n, (queue, started) -> QueueTargets.putItems(queue, n, USER_SIZE, started),
                (i, item) -> item instanceof byte[] bytes && bytes.length == USER_SIZE ? null
                        : "item " + i + " is not a " + USER_SIZE + "-byte array");
        results.record(name(), parentTakesName(n), "cold", n, "msg/s", Arrays.stream(seconds).map(s -> n / s).toArray());
        results.record(name(), parentTakesName(n), "cold", n, "MB/s",
                Arrays.stream(seconds).map(s -> (double) n * USER_SIZE / s / 1e6).toArray());
    }

    private void parentTakesStructured(BenchConfig config, Results results, boolean maps) throws Exception {
        int n = STRUCTURED_ITEMS / config.scaleDivisor();
        double[] seconds = parentTakes(config, n, (queue, started) -> QueueTargets.putStructured(queue, n, maps, started),
                (i, item) -> (maps ? item instanceof java.util.HashMap<?, ?> map && map.get("id").equals(i)
                        : item instanceof QueueTargets.Order order && order.id() == i) ? null : "item " + i + " is " + item);
        results.record(name(), structuredName(maps, n), "cold", n, "msg/s", Arrays.stream(seconds).map(s -> n / s).toArray());
    }

    /**
     * One child puts {@code n} items into a queue bounded at {@value #USER_BOUND} (its target
     * from {@code producer}, which leaves its start time in the shared long), the parent takes
     * and checks them.
     *
     * @param problem what is wrong with the i-th item taken, or null
     * @return per repetition, the seconds from the child's first put to the parent's last take
     */
    private static double[] parentTakes(BenchConfig config, int n,
            BiFunction<ProcessQueue<Object>, SharedLong, SerializableRunnable> producer,
            BiFunction<Integer, Object, String> problem) throws Exception {
        double[] seconds = new double[config.scaleReps()];
        for (int rep = 0; rep < seconds.length; rep++) {
            long[] lastTaken = new long[1];
            try (ProcessQueue<Object> queue = new ProcessQueue<>(USER_BOUND); SharedLong started = new SharedLong()) {
                Children.run(List.of(Children.create(config, producer.apply(queue, started))), () -> {
                    for (int i = 0; i < n; i++) {
                        String wrong = problem.apply(i, queue.get());
                        if (wrong != null) {
                            throw new IllegalStateException(wrong);
                        }
                    }
                    lastTaken[0] = System.nanoTime();
                });
                seconds[rep] = (lastTaken[0] - started.get()) / 1e9;
            }
        }
        return seconds;
    }

    private void memoryBandwidth(BenchConfig config, Results results) {
        double seconds = COPY_SECONDS / config.scaleDivisor();
        int reps = config.scaleReps();
        double[] heap = new double[reps];
        double[] direct = new double[reps];
        double[] cached = new double[reps];
        byte[] from = filled(MEMORY_BUFFER);
        byte[] to = filled(MEMORY_BUFFER);
        ByteBuffer fromDirect = ByteBuffer.allocateDirect(MEMORY_BUFFER).put(from);
        ByteBuffer toDirect = ByteBuffer.allocateDirect(MEMORY_BUFFER).put(to);
        for (int rep = 0; rep < reps; rep++) {
            heap[rep] = copyRate(seconds, MEMORY_BUFFER, () -> System.arraycopy(from, 0, to, 0, MEMORY_BUFFER));
            direct[rep] = copyRate(seconds, MEMORY_BUFFER, () -> toDirect.clear().put(fromDirect.clear()));
            cached[rep] = copyRate(seconds, CACHE_BUFFER, () -> System.arraycopy(from, 0, to, 0, CACHE_BUFFER));
        }
        results.record(name(), "memory bandwidth: System.arraycopy, 64 MiB byte[] -> byte[]", "-", MEMORY_BUFFER,
                "MB/s", heap);
        results.record(name(), "memory bandwidth: bulk put, 64 MiB direct ByteBuffer -> direct ByteBuffer", "-",
                MEMORY_BUFFER, "MB/s", direct);
        results.record(name(), "memory bandwidth in cache: System.arraycopy, 1 MiB byte[] -> byte[]", "-",
                CACHE_BUFFER, "MB/s", cached);
    }

    private static byte[] filled(int size) {
        byte[] b = new byte[size];
        Arrays.fill(b, (byte) 'x'); // touched: no page faults in the timed copies
        return b;
    }

    /** Bytes copied per second (10^6 B), one {@code copy} of {@code bytes} after another for {@code seconds}. */
    private static double copyRate(double seconds, int bytes, Runnable copy) {
        for (int i = 0; i < 3; i++) {
            copy.run(); // compiled, and the pages of both buffers mapped
        }
        long copied = 0;
        long t0 = System.nanoTime();
        long elapsed;
        do {
            copy.run();
            copied += bytes;
            elapsed = System.nanoTime() - t0;
        } while (elapsed < seconds * 1e9);
        return copied / (elapsed / 1e9) / 1e6;
    }

    private void queueCell(BenchConfig config, Results results, int processes, int size) throws Exception {
        int items = items(size) / config.scaleDivisor();
        int bound = bound(size);
        String what = queueName(processes, size);
        Supplier<Channel> opener = () -> Channel.of(new ProcessQueue<>(bound));
        double[] itemsPerSecond = new double[config.scaleReps()];
        double[] megabytesPerSecond = new double[config.scaleReps()];
        for (int rep = 0; rep < itemsPerSecond.length; rep++) {
            int perProducer = items / processes;
            double seconds = TputSection.seconds(config, opener, processes, processes, size, perProducer, 0, what,
                    StartMethod.COLD);
            long sent = (long) perProducer * processes;
            itemsPerSecond[rep] = sent / seconds;
            megabytesPerSecond[rep] = sent * (double) size / seconds / 1e6;
        }
        results.record(name(), what, "cold", items, "msg/s", itemsPerSecond);
        results.record(name(), what, "cold", items, "MB/s", megabytesPerSecond);
    }

    private void poolOfRecords(BenchConfig config, Results results) {
        int n = POOL_OF_RECORDS_ITEMS / config.scaleDivisor();
        List<QueueTargets.Order> inputs = OrderTasks.inputs(n);
        double[] perSecond = new double[config.scaleReps()];
        try (ProcessPool pool = ProcessPool.builder().processes(POOL_OF_RECORDS_WORKERS).startMethod(StartMethod.COLD)
                .jvmArgs(config.childJvmArgs().toArray(String[]::new)).build()) {
            OrderTasks.requirePriced(pool.map(OrderTasks.PRICE, OrderTasks.inputs(WARM_UP_ITEMS)), WARM_UP_ITEMS);
            OrderTasks.requirePriced(pool.map(OrderTasks.PRICE, inputs), n); // the first call: JIT at work
            for (int rep = 0; rep < perSecond.length; rep++) {
                long t0 = System.nanoTime();
                List<OrderTasks.Priced> priced = pool.map(OrderTasks.PRICE, inputs);
                perSecond[rep] = n / ((System.nanoTime() - t0) / 1e9);
                OrderTasks.requirePriced(priced, n);
            }
        }
        results.record(name(), poolOfRecordsName(n), "cold", n, "tasks/s", perSecond);
    }

    private void poolCell(BenchConfig config, Results results, int workers) {
        int n = config.poolSecondCallItems();
        List<Integer> inputs = SquareTasks.inputs(n);
        double[] perSecond = new double[config.scaleReps()];
        try (ProcessPool pool = ProcessPool.builder().processes(workers).startMethod(StartMethod.COLD)
                .jvmArgs(config.childJvmArgs().toArray(String[]::new)).build()) {
            SquareTasks.requireSquares(pool.map(SquareTasks.SQUARE, SquareTasks.inputs(WARM_UP_ITEMS)), WARM_UP_ITEMS);
            SquareTasks.requireSquares(pool.map(SquareTasks.SQUARE, inputs), n); // the first call: JIT at work
            for (int rep = 0; rep < perSecond.length; rep++) {
                long t0 = System.nanoTime();
                List<Long> squares = pool.map(SquareTasks.SQUARE, inputs);
                perSecond[rep] = n / ((System.nanoTime() - t0) / 1e9);
                SquareTasks.requireSquares(squares, n);
            }
        }
        results.record(name(), poolName(workers, n), "cold", n, "tasks/s", perSecond);
    }
}
