package io.github.multiprocessing4j;

import io.github.multiprocessing4j.internal.shm.SharedSegment;
import io.github.multiprocessing4j.internal.util.Log;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * Has a process's pool code compiled once a pool of its is seen used every so often (its engine's
 * idle tasks: the third task submitted while every worker had held nothing for 10 ms): on a
 * thread of its own, once per JVM, a pool whose two workers are threads of this process runs
 * 1,200 single tasks, the way a caller's {@code apply()} and {@code submit()} go. The pool's process
 * runs it, and so does each of the pool's workers, on the pool's word. So both sides of a task's
 * path, the caller's (the engine, its dispatcher and collector, the channels) and the worker's
 * (its loop, reading the task and writing the answer), are compiled where they run.
 *
 * <p>Implementation notes. A pool used every so often (a service's {@code apply()} per request)
 * runs its tasks' path interpreted for a long time: the JIT compiles a method after a few hundred
 * calls, which such a pool takes minutes to make. Measured on the 2-core development VM (JDK 17,
 * a program's pool of 2, after a first map of 10,000 ints and one of a million, then 15
 * {@code apply()}s; an {@code apply()} after 300 ms of idling, medians of 9): 1.06 ms from the call
 * to its result after those, 0.63 ms after 2,000 more {@code apply()}s, 0.55 ms after 10,000; an
 * {@code apply()} of CPython's fork {@code Pool(2)} after 100 ms or a second: 0.64-0.65 ms.
 *
 * <p>What it is not: no task of the user's pool, so nothing the user sees counts it
 * ({@code maxTasksPerChild}, a map's progress, the pool's futures); its pool is of its own, on
 * scratch channels of the process's tree ({@code SharedSegment.scratch}: its threads' segments
 * too), closed before it ends, removed when the process is reaped if it was killed meanwhile. Its tasks show in a Flight Recording as any pool's do, their workers named
 * {@code mp4j-pool-warm-up-N}. {@value IdleFeedWarmUp#ENABLED_PROPERTY}{@code =false} turns it
 * off, with the queues' warm-up ({@link IdleFeedWarmUp}). An interrupt ends it.
 */
final class PoolWarmUp {
    /** The rounds of the exercise, each an {@code apply(function, argument)}, an {@code apply(callable)} and a {@code submit(runnable)}. */
    static final int ROUNDS = 400;
    /** The pool's workers: two, so that the dispatcher's choice between workers runs too. */
    private static final int WORKERS = 2;
    /** How long the thread waits before it starts: the task that told it is answered meanwhile. */
    private static final long START_DELAY_MILLIS = 5;
    private static final AtomicBoolean STARTED = new AtomicBoolean();
    /** The thread that ran or runs the exercise; null before. */
    private static volatile Thread thread;
    /** Whether an exercise ran all its rounds in this JVM (for tests). */
    private static volatile boolean finished;

    private PoolWarmUp() {
    }

    /**
     * Starts the exercise on a thread of its own, unless it started before in this JVM or
     * warm-ups are off. Returns at once.
     *
     * @return whether warm-ups are on in this JVM
     */
    static boolean start() {
        if (!IdleFeedWarmUp.ENABLED) {
            return false;
        }
        if (STARTED.compareAndSet(false, true)) {
            Thread warmUp = new Thread(PoolWarmUp::runOnThisThread, "mp4j-pool-warm-up");
            warmUp.setDaemon(true);
            thread = warmUp;
            warmUp.start();
        }
        return true;
    }

    private static void runOnThisThread() {
        try {
            Thread.sleep(START_DELAY_MILLIS);
            SharedSegment.scratch(() -> run(() -> Thread.currentThread().isInterrupted()));
        } catch (InterruptedException e) {
            // asked to end: the pool is closed already
        } catch (RuntimeException | LinkageError e) {
            // only a head start: the pools work as well without it
            Log.of(PoolWarmUp.class).log(System.Logger.Level.DEBUG, "the pool's warm-up stopped early", e);
        }
    }

    /**
     * Runs the exercise; its pool is closed before it returns.
     *
     * @param stop asked before each round: true ends the exercise there
     * @throws InterruptedException when the thread was interrupted
     */
    static void run(BooleanSupplier stop) throws InterruptedException {
        try (ProcessPool pool = new ProcessPool(WORKERS, new PoolWorkers.ThreadLauncher())) {
            for (int round = 0; round < ROUNDS && !stop.getAsBoolean(); round++) {
                pool.apply(PoolWarmUp::square, round);
                pool.apply(PoolWarmUp::answer);
                pool.submit(PoolWarmUp::nothing).get();
            }
            finished = !stop.getAsBoolean();
        } catch (ExecutionException e) {
            throw new IllegalStateException("a task of the pool's warm-up failed", e);
        }
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
    }

    private static long square(int x) {
        return (long) x * x;
    }

    private static int answer() {
        return 42;
    }

    private static void nothing() {
    }

    /** @return the warm-up's thread, once started; null before (for tests) */
    static Thread thread() {
        return thread;
    }

    /** @return whether an exercise ran all its rounds in this JVM (for tests) */
    static boolean finished() {
        return finished;
    }
}
