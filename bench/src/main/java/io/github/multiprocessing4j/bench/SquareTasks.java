package io.github.multiprocessing4j.bench;

import dyorgio.runtime.out.process.CallableSerializable;
import io.github.multiprocessing4j.SerializableCallable;
import io.github.multiprocessing4j.SerializableFunction;

import java.io.Serializable;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/**
 * {@code bench_mp.py}'s {@code _sq}, x * x, as each process pool takes a task: a function for
 * {@code ProcessPool.map}, and a callable per input for {@code submit} (ours, PP4J's and
 * out-process's). The result is a {@code long}, so that the squares of a million ints do not
 * overflow; every figure checks the results it got. In a class of its own, as
 * {@link ChildTargets}: a worker deserializing a task loads the class that wrote the lambda.
 */
final class SquareTasks {
    /** x * x for {@code ProcessPool.map}. */
    static final SerializableFunction<Integer, Long> SQUARE = x -> (long) x * x;

    private SquareTasks() {
    }

    static SerializableCallable<Long> ours(int x) {
        return () -> (long) x * x;
    }

    static Callable<Long> pp4j(int x) {
        return (Callable<Long> & Serializable) () -> (long) x * x;
    }

    static CallableSerializable<Long> outProcess(int x) {
        return () -> (long) x * x;
    }

    /** @return the ints 0 .. n - 1 */
    static List<Integer> inputs(int n) {
        return java.util.stream.IntStream.range(0, n).boxed().toList();
    }

    /** Gets every future in order, and fails unless future i holds i * i. */
    static void requireSquares(List<? extends Future<?>> futures) throws InterruptedException, ExecutionException {
        for (int i = 0; i < futures.size(); i++) {
            requireSquare(i, futures.get(i).get());
        }
    }

    /** Fails unless {@code results} are the squares of 0 .. n - 1. */
    static void requireSquares(List<?> results, int n) {
        if (results.size() != n) {
            throw new IllegalStateException(results.size() + " results for " + n + " inputs");
        }
        for (int i = 0; i < n; i++) {
            requireSquare(i, results.get(i));
        }
    }

    /** Fails unless {@code sum} is the sum of the squares of 0 .. n - 1. */
    static void requireSumOfSquares(long sum, int n) {
        long expected = (long) n * (n - 1) * (2L * n - 1) / 6;
        if (sum != expected) {
            throw new IllegalStateException("the squares of 0 .. " + (n - 1) + " summed to " + sum + ", not " + expected);
        }
    }

    static void requireSquare(int x, Object result) {
        if (!(result instanceof Long square) || square != (long) x * x) {
            throw new IllegalStateException("the square of " + x + " came back as " + result);
        }
    }
}
