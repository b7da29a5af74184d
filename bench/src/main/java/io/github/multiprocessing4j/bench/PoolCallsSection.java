package io.github.multiprocessing4j.bench;

import java.util.List;
import java.util.Map;

/**
 * Section "pool-calls": the pool's first calls as a new user meets them, in a program of its
 * own ({@link PoolCallsProgram}, a new {@code java -cp} with default flags per repetition):
 * {@code new ProcessPool(2)}, the first call ({@code map} of x*x over {@value #FIRST_ITEMS}
 * ints; the workers boot during it, since the constructor does not wait for them) and the
 * second call (a {@code map} over a list of {@code pool_calls_n} ints, three times: its
 * median), then 15 {@code apply}s of a task that computes for 5 ms (their median time beyond the
 * task's), one {@code apply} after the pool idled a second, and {@code close()}
 * (CPython: {@code close()} and {@code join()}); then, in the same program, a child's
 * {@code get()} of an item put after the queue idled a second, the first time and the second,
 * and the median of 15 items each put after the queue idled 20 ms (CPython: a forked
 * {@code Process} and an {@code mp.Queue}); last, pools in a loop: a pool made, given one
 * {@code map} and closed, {@value PoolCallsProgram#POOL_ROUNDS} times (the median round), and
 * queues and pipes in a loop, each made, used once and closed ({@value PoolCallsProgram#OBJECT_ROUNDS}
 * of each, the median). Each
 * figure is the median over the programs. CPython's side is
 * {@code user_patterns.py}'s section "pool-calls": fork's {@code Pool(2)} the same way, in a new
 * {@code python3} per repetition.
 */
final class PoolCallsSection extends Section {
    static final int FIRST_ITEMS = 10_000;
    static final int SECOND_REPEATS = 3;
    private static final String PREFIX = "pool in a new program (default flags): ";

    PoolCallsSection() {
        super("pool-calls");
    }

    /** The figures' names, shared with {@code user_patterns.py}. */
    static String constructor() {
        return PREFIX + "constructor of a pool of " + PoolCallsProgram.WORKERS;
    }

    static String firstCall() {
        return PREFIX + "first call, map(x*x) over " + FIRST_ITEMS + " ints";
    }

    static String secondCall(int items) {
        return PREFIX + "second call, map(x*x) over " + items + " ints, median of " + SECOND_REPEATS;
    }

    static String taskApply() {
        return PREFIX + "apply() of a task that computes " + PoolCallsProgram.TASK_MILLIS + " ms, median of "
                + PoolCallsProgram.TASK_APPLIES + ": call -> result, beyond the task's own time";
    }

    static String capturingApply() {
        return PREFIX + "apply() of a task that computes " + PoolCallsProgram.TASK_MILLIS + " ms, given its time"
                + " (Java: a lambda capturing it, Python: an argument), median of " + PoolCallsProgram.TASK_APPLIES
                + ": call -> result, beyond the task's own time";
    }

    static String functionApply() {
        return PREFIX + "apply() of a function that computes " + PoolCallsProgram.TASK_MILLIS + " ms, its time the"
                + " argument (apply(fn, argument), Python: apply(func, args)), median of " + PoolCallsProgram.TASK_APPLIES
                + ": call -> result, beyond the task's own time";
    }

    static String idleApply() {
        return PREFIX + "apply(x*x) after the pool idled " + PoolCallsProgram.IDLE_MILLIS + " ms: call -> result";
    }

    static String briefIdleApply() {
        return PREFIX + "apply(x*x) after the pool idled " + PoolCallsProgram.BRIEF_IDLE_APPLY_MILLIS + " ms, median of "
                + PoolCallsProgram.BRIEF_IDLE_APPLIES + " (a pool given a task every so often): call -> result";
    }

    static String close() {
        return PREFIX + "close() and join() after the calls";
    }

    static String idleGet(boolean first) {
        return "queue in a new program: a child's get() of an item put after the queue idled "
                + PoolCallsProgram.IDLE_MILLIS + " ms, " + (first ? "first" : "second") + " time: put -> item";
    }

    static String briefIdleGet() {
        return "queue in a new program: a child's get() of an item put after the queue idled "
                + PoolCallsProgram.BRIEF_IDLE_MILLIS + " ms, median of " + PoolCallsProgram.BRIEF_IDLE_GETS + ": put -> item";
    }

    static String poolRounds() {
        return "pools in a loop, in a new program: a pool of " + PoolCallsProgram.WORKERS + " made, map(x*x) over "
                + PoolCallsProgram.POOL_ROUND_ITEMS + " ints, close() and join(), median of " + PoolCallsProgram.POOL_ROUNDS
                + " rounds";
    }

    static String queueRounds() {
        return "queues in a loop, in a new program: a queue made, one int put and taken, close(), median of "
                + PoolCallsProgram.OBJECT_ROUNDS;
    }

    static String pipeRounds() {
        return "pipes in a loop, in a new program: a duplex pipe made, one int sent and received, both ends closed,"
                + " median of " + PoolCallsProgram.OBJECT_ROUNDS;
    }

    @Override
    void run(BenchConfig config, Results results) throws Exception {
        int second = config.poolSecondCallItems();
        int reps = config.programReps();
        double[] construct = new double[reps];
        double[] first = new double[reps];
        double[] secondMedians = new double[reps];
        double[] taskApply = new double[reps];
        double[] capturingApply = new double[reps];
        double[] functionApply = new double[reps];
        double[] idleApply = new double[reps];
        double[] briefIdleApply = new double[reps];
        double[] close = new double[reps];
        double[] firstIdleGet = new double[reps];
        double[] idleGet = new double[reps];
        double[] briefIdleGet = new double[reps];
        double[] poolRounds = new double[reps];
        double[] queueRounds = new double[reps];
        double[] pipeRounds = new double[reps];
        for (int rep = 0; rep < reps; rep++) {
            Map<String, List<Double>> figures = Programs.run(List.of(), PoolCallsProgram.class,
                    Integer.toString(FIRST_ITEMS), Integer.toString(second), Integer.toString(SECOND_REPEATS));
            construct[rep] = value(figures, PoolCallsProgram.CONSTRUCT_MICROS);
            first[rep] = value(figures, PoolCallsProgram.FIRST_PER_SECOND);
            List<Double> seconds = Programs.values(figures, PoolCallsProgram.SECOND_PER_SECOND, PoolCallsProgram.class);
            if (seconds.size() != SECOND_REPEATS) {
                throw new IllegalStateException("PoolCallsProgram reported " + seconds.size() + " second calls");
            }
            secondMedians[rep] = Programs.median(seconds);
            taskApply[rep] = value(figures, PoolCallsProgram.TASK_APPLY_MICROS);
            capturingApply[rep] = value(figures, PoolCallsProgram.CAPTURING_APPLY_MICROS);
            functionApply[rep] = value(figures, PoolCallsProgram.FUNCTION_APPLY_MICROS);
            idleApply[rep] = value(figures, PoolCallsProgram.IDLE_APPLY_MICROS);
            briefIdleApply[rep] = value(figures, PoolCallsProgram.BRIEF_IDLE_APPLY_MICROS);
            close[rep] = value(figures, PoolCallsProgram.CLOSE_MICROS);
            firstIdleGet[rep] = value(figures, PoolCallsProgram.FIRST_IDLE_GET_MICROS);
            idleGet[rep] = value(figures, PoolCallsProgram.IDLE_GET_MICROS);
            briefIdleGet[rep] = value(figures, PoolCallsProgram.BRIEF_IDLE_GET_MICROS);
            List<Double> rounds = Programs.values(figures, PoolCallsProgram.POOL_ROUND_MICROS, PoolCallsProgram.class);
            if (rounds.size() != PoolCallsProgram.POOL_ROUNDS) {
                throw new IllegalStateException("PoolCallsProgram reported " + rounds.size() + " pool rounds");
            }
            poolRounds[rep] = Programs.median(rounds);
            queueRounds[rep] = value(figures, PoolCallsProgram.QUEUE_ROUND_MICROS);
            pipeRounds[rep] = value(figures, PoolCallsProgram.PIPE_ROUND_MICROS);
        }
        results.record(name(), constructor(), "program", PoolCallsProgram.WORKERS, "us", construct);
        results.record(name(), firstCall(), "program", FIRST_ITEMS, "tasks/s", first);
        results.record(name(), secondCall(second), "program", second, "tasks/s", secondMedians);
        results.record(name(), taskApply(), "program", 1, "us", taskApply);
        results.record(name(), capturingApply(), "program", 1, "us", capturingApply);
        results.record(name(), functionApply(), "program", 1, "us", functionApply);
        results.record(name(), idleApply(), "program", 1, "us", idleApply);
        results.record(name(), briefIdleApply(), "program", 1, "us", briefIdleApply);
        results.record(name(), close(), "program", PoolCallsProgram.WORKERS, "us", close);
        results.record(name(), idleGet(true), "program", 1, "us", firstIdleGet);
        results.record(name(), idleGet(false), "program", 1, "us", idleGet);
        results.record(name(), briefIdleGet(), "program", 1, "us", briefIdleGet);
        results.record(name(), poolRounds(), "program", PoolCallsProgram.WORKERS, "us", poolRounds);
        results.record(name(), queueRounds(), "program", 1, "us", queueRounds);
        results.record(name(), pipeRounds(), "program", 1, "us", pipeRounds);
    }

    private static double value(Map<String, List<Double>> figures, String name) {
        return Programs.values(figures, name, PoolCallsProgram.class).get(0);
    }
}
