package io.github.multiprocessing4j.bench;

import io.github.multiprocessing4j.ChildProcess;
import io.github.multiprocessing4j.Connection;
import io.github.multiprocessing4j.Pipe;
import io.github.multiprocessing4j.ProcessPool;
import io.github.multiprocessing4j.ProcessQueue;
import io.github.multiprocessing4j.SerializableCallable;

import java.util.Arrays;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;

/**
 * "The pool's first calls", run by section "pool-calls" as a program of its own
 * ({@link Programs}, default JVM flags): {@code new ProcessPool(2)}, a {@code map} of
 * {@code x -> x * x} over {@code first} {@code Integer}s (the first call), then {@code repeats}
 * maps over a {@code List<Integer>} of {@code second} (the second call); then one {@code apply}
 * of x*x, untimed (a program's first task has first-time work of its own), {@value #TASK_APPLIES}
 * {@code apply}s of a task that computes for {@value #TASK_MILLIS} ms (the caller's wait for the
 * answer is a young one, as for any short task's), a lambda that captures nothing, then as many
 * of a lambda that captures how long it computes (as {@code () -> work(x)}, which a pool sends
 * whole at each call), then as many of a function given that time as its argument
 * ({@code apply(fn, argument)}, Python's {@code apply(func, args)}), and after the pool
 * has idled {@value #IDLE_MILLIS} ms (as a service's pool between requests) another x*x, then
 * {@value #BRIEF_IDLE_APPLIES} more, each after the pool idled {@value #BRIEF_IDLE_APPLY_MILLIS} ms
 * (a service's pool given a request every so often), and last {@code close()}; after the pool, a child that waits for an item in a queue gets one put after the
 * queue idled {@value #IDLE_MILLIS} ms (a consumer between a producer's bursts), twice: a
 * process's first ring of another's doorbell goes through a thread of its own, which opens the
 * doorbell, the later ones at once; then {@value #BRIEF_IDLE_GETS} items, each put after the
 * queue idled {@value #BRIEF_IDLE_MILLIS} ms (a consumer fed every so often); last, a pool made,
 * given one {@code map} of x*x over {@value #POOL_ROUND_ITEMS} ints and closed, {@value #POOL_ROUNDS}
 * times in a row (a method that makes its own pool, called again and again); and
 * {@value #OBJECT_ROUNDS} queues, then as many duplex pipes, each made, given one item that is
 * taken again, and closed (a queue or pipe per request). Reports
 * {@code construct_us} (the constructor,
 * which returns before the workers have booted), {@code first_per_s} and, per repetition,
 * {@code second_per_s}, in tasks per second of the call alone, {@code task_apply_us} (the median
 * of the task applies' time beyond the task's own, as the task measured it), {@code capturing_apply_us}
 * (the same for the capturing lambda), {@code function_apply_us} (for the function and its argument), {@code idle_apply_us} (the call
 * to its result), {@code brief_idle_apply_us} (the median of the calls every so often), {@code close_us}, {@code first_idle_get_us}, {@code idle_get_us} and
 * {@code brief_idle_get_us} (the put to the item in the child, by {@link System#nanoTime()},
 * which is the machine's monotonic clock in both; the last the median of its items) and, per
 * round, {@code pool_round_us} (the constructor to {@code close()} returned), and the median of
 * the queues' and the pipes' rounds, {@code queue_round_us} and {@code pipe_round_us}. The input lists are made before the clock starts;
 * results are checked after it stopped.
 *
 * <pre>
 * java -cp mp4j-bench.jar io.github.multiprocessing4j.bench.PoolCallsProgram FIRST SECOND REPEATS
 * </pre>
 */
public final class PoolCallsProgram {
    static final String CONSTRUCT_MICROS = "construct_us";
    static final String FIRST_PER_SECOND = "first_per_s";
    static final String SECOND_PER_SECOND = "second_per_s";
    static final String TASK_APPLY_MICROS = "task_apply_us";
    static final String CAPTURING_APPLY_MICROS = "capturing_apply_us";
    static final String FUNCTION_APPLY_MICROS = "function_apply_us";
    static final String IDLE_APPLY_MICROS = "idle_apply_us";
    static final String BRIEF_IDLE_APPLY_MICROS = "brief_idle_apply_us";
    static final String CLOSE_MICROS = "close_us";
    static final String FIRST_IDLE_GET_MICROS = "first_idle_get_us";
    static final String IDLE_GET_MICROS = "idle_get_us";
    static final String BRIEF_IDLE_GET_MICROS = "brief_idle_get_us";
    static final String POOL_ROUND_MICROS = "pool_round_us";
    /** How many pools the program makes, uses and closes one after the other, last. */
    static final int POOL_ROUNDS = 9;
    /** The items of each of those pools' one map. */
    static final int POOL_ROUND_ITEMS = 1000;
    static final String QUEUE_ROUND_MICROS = "queue_round_us";
    static final String PIPE_ROUND_MICROS = "pipe_round_us";
    /** How many queues, and then duplex pipes, the program makes, uses once and closes, last of all. */
    static final int OBJECT_ROUNDS = 200;
    /** How long the pool idles before the single task: past a wait's young pauses (half a second). */
    static final long IDLE_MILLIS = 1000;
    /** How long the queue idles before each of the brief-idle items: a consumer fed every so often (as a service's requests). */
    static final long BRIEF_IDLE_MILLIS = 20;
    /** How many brief-idle items: their median is the figure. */
    static final int BRIEF_IDLE_GETS = 15;
    /** How long the pool idles before each of the brief-idle applies: a service's pool given a request every so often. */
    static final long BRIEF_IDLE_APPLY_MILLIS = 100;
    /** How many brief-idle applies: their median is the figure. */
    static final int BRIEF_IDLE_APPLIES = 20;
    /** How long each task of the task applies computes: a few milliseconds, as a short request's work. */
    static final long TASK_MILLIS = 5;
    /** How many task applies: their median is the figure. */
    static final int TASK_APPLIES = 15;
    static final int WORKERS = 2;

    private PoolCallsProgram() {
    }

    /**
     * @param args the items of the first call, of the second call, and how often the second runs
     * @throws Exception when a call fails or a result is wrong
     */
    public static void main(String[] args) throws Exception {
        int first = Integer.parseInt(args[0]);
        int second = Integer.parseInt(args[1]);
        int repeats = Integer.parseInt(args[2]);
        List<Integer> firstItems = SquareTasks.inputs(first);
        List<Integer> secondItems = SquareTasks.inputs(second);
        long t0 = System.nanoTime();
        try (ProcessPool pool = new ProcessPool(WORKERS)) {
            long t1 = System.nanoTime();
            List<Long> squares = pool.map(SquareTasks.SQUARE, firstItems);
            long t2 = System.nanoTime();
            SquareTasks.requireSquares(squares, first);
            Programs.report(CONSTRUCT_MICROS, (t1 - t0) / 1e3);
            Programs.report(FIRST_PER_SECOND, first / ((t2 - t1) / 1e9));
            for (int i = 0; i < repeats; i++) {
                long t3 = System.nanoTime();
                squares = pool.map(SquareTasks.SQUARE, secondItems);
                long t4 = System.nanoTime();
                SquareTasks.requireSquares(squares, second);
                Programs.report(SECOND_PER_SECOND, second / ((t4 - t3) / 1e9));
            }
            SerializableCallable<Long> task = () -> SquareTasks.SQUARE.apply(7);
            pool.apply(task);
            SerializableCallable<Long> stateless = () -> computeFor(TASK_MILLIS); // a constant: captures nothing
            Programs.report(TASK_APPLY_MICROS, Programs.median(taskApplyMicros(() -> pool.apply(stateless))));
            long millis = TASK_MILLIS; // captured: a value of the call, not a constant
            SerializableCallable<Long> capturing = () -> computeFor(millis);
            Programs.report(CAPTURING_APPLY_MICROS, Programs.median(taskApplyMicros(() -> pool.apply(capturing))));
            Programs.report(FUNCTION_APPLY_MICROS, Programs.median(taskApplyMicros(
                    () -> pool.apply(PoolCallsProgram::computeFor, millis))));
            Thread.sleep(IDLE_MILLIS);
            long t5 = System.nanoTime();
            long square = pool.apply(task);
            long t6 = System.nanoTime();
            List<Double> briefIdleApplies = new java.util.ArrayList<>();
            for (int i = 0; i < BRIEF_IDLE_APPLIES; i++) {
                Thread.sleep(BRIEF_IDLE_APPLY_MILLIS);
                long before = System.nanoTime();
                long answer = pool.apply(task);
                briefIdleApplies.add((System.nanoTime() - before) / 1e3);
                if (answer != 49) {
                    throw new IllegalStateException("apply every so often returned " + answer);
                }
            }
            long closing = System.nanoTime();
            pool.close();
            long t7 = System.nanoTime();
            if (square != 49) {
                throw new IllegalStateException("apply after idling returned " + square);
            }
            Programs.report(IDLE_APPLY_MICROS, (t6 - t5) / 1e3);
            Programs.report(BRIEF_IDLE_APPLY_MICROS, Programs.median(briefIdleApplies));
            Programs.report(CLOSE_MICROS, (t7 - closing) / 1e3);
        }
        long[] idleGets = idleGetNanos();
        Programs.report(FIRST_IDLE_GET_MICROS, idleGets[0] / 1e3);
        Programs.report(IDLE_GET_MICROS, idleGets[1] / 1e3);
        Programs.report(BRIEF_IDLE_GET_MICROS, Programs.median(Arrays.stream(idleGets, 2, idleGets.length)
                .mapToObj(nanos -> nanos / 1e3).collect(Collectors.toList())));
        List<Integer> roundItems = SquareTasks.inputs(POOL_ROUND_ITEMS);
        for (int i = 0; i < POOL_ROUNDS; i++) {
            long t8 = System.nanoTime();
            List<Long> squares;
            try (ProcessPool pool = new ProcessPool(WORKERS)) {
                squares = pool.map(SquareTasks.SQUARE, roundItems);
            }
            long t9 = System.nanoTime();
            SquareTasks.requireSquares(squares, POOL_ROUND_ITEMS);
            Programs.report(POOL_ROUND_MICROS, (t9 - t8) / 1e3);
        }
        Programs.report(QUEUE_ROUND_MICROS, medianRoundMicros(i -> {
            try (ProcessQueue<Integer> queue = new ProcessQueue<>()) {
                queue.put(i);
                return queue.get();
            }
        }));
        Programs.report(PIPE_ROUND_MICROS, medianRoundMicros(i -> {
            Pipe<Integer> pipe = Pipe.open();
            try (Connection<Integer> left = pipe.left(); Connection<Integer> right = pipe.right()) {
                left.send(i);
                return right.recv();
            }
        }));
    }

    /** One round of the queues or the pipes: makes the object, passes {@code item} through it, closes it. */
    @FunctionalInterface
    private interface ObjectRound {
        /** @return the item as it came out */
        int run(int item) throws Exception;
    }

    /**
     * @return the median of {@value #OBJECT_ROUNDS} rounds' times, in microseconds
     * @throws IllegalStateException when a round gave back another item than it was given
     */
    private static double medianRoundMicros(ObjectRound round) throws Exception {
        List<Double> micros = new java.util.ArrayList<>();
        for (int i = 0; i < OBJECT_ROUNDS; i++) {
            long t0 = System.nanoTime();
            int got = round.run(i);
            micros.add((System.nanoTime() - t0) / 1e3);
            if (got != i) {
                throw new IllegalStateException("sent " + i + ", got " + got);
            }
        }
        return Programs.median(micros);
    }

    /**
     * @param applyOnce an {@code apply} of a task that computes for {@value #TASK_MILLIS} ms, giving
     *     how long the task ran, in nanoseconds
     * @return for each of {@value #TASK_APPLIES} calls, the call's time beyond the task's own (as the
     *     task measured it), in microseconds
     */
    private static List<Double> taskApplyMicros(LongSupplier applyOnce) {
        List<Double> beyond = new java.util.ArrayList<>();
        for (int i = 0; i < TASK_APPLIES; i++) {
            long t0 = System.nanoTime();
            long ran = applyOnce.getAsLong();
            beyond.add((System.nanoTime() - t0 - ran) / 1e3);
        }
        return beyond;
    }

    /** @return how long it computed, in nanoseconds: {@code millis} ms and a little */
    private static long computeFor(long millis) {
        long start = System.nanoTime();
        long end = start + millis * 1_000_000;
        while (System.nanoTime() < end) {
            Thread.onSpinWait();
        }
        return System.nanoTime() - start;
    }

    /**
     * @return how long after a put, made when the queue had idled, a child waiting in {@code get()}
     *     had the item: twice after {@value #IDLE_MILLIS} ms, then {@value #BRIEF_IDLE_GETS} times
     *     after {@value #BRIEF_IDLE_MILLIS} ms
     */
    private static long[] idleGetNanos() throws Exception {
        ProcessQueue<Long> sent = new ProcessQueue<>();
        ProcessQueue<Long> delays = new ProcessQueue<>();
        int items = 1 + 2 + BRIEF_IDLE_GETS;
        ChildProcess consumer = new ChildProcess(() -> {
            for (int i = 0; i < items; i++) {
                long at = sent.get();
                delays.put(System.nanoTime() - at);
            }
        });
        consumer.start();
        sent.put(System.nanoTime()); // untimed: the child's first item has first-time work of its own
        delays.get();
        long[] idleGets = new long[items - 1];
        for (int i = 0; i < idleGets.length; i++) {
            Thread.sleep(i < 2 ? IDLE_MILLIS : BRIEF_IDLE_MILLIS);
            sent.put(System.nanoTime());
            idleGets[i] = delays.get();
        }
        consumer.join();
        sent.unlink();
        delays.unlink();
        return idleGets;
    }
}
