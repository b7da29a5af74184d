package io.github.multiprocessing4j.internal.pool;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * {@link java.util.concurrent.ExecutorService#invokeAll invokeAll} and
 * {@link java.util.concurrent.ExecutorService#invokeAny invokeAny} over a submit function whose
 * futures are {@link CompletableFuture}s. Every future is cancelled when the call ends early.
 */
public final class ExecutorCalls {
    private ExecutorCalls() {
    }

    /**
     * Submits every task and waits until all are done.
     *
     * @throws InterruptedException when interrupted while waiting; the unfinished tasks are cancelled
     */
    public static <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks,
                                                Function<Callable<T>, Future<T>> submit) throws InterruptedException {
        List<Future<T>> futures = submitAll(tasks, submit);
        try {
            for (Future<T> f : futures) {
                awaitDone(f, Long.MAX_VALUE);
            }
            return futures;
        } catch (InterruptedException | RuntimeException e) {
            cancelAll(futures);
            throw e;
        }
    }

    /**
     * Submits every task and waits until all are done or the timeout passes; cancels those not done by then.
     *
     * @throws InterruptedException when interrupted while waiting; the unfinished tasks are cancelled
     */
    public static <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks,
                                                Function<Callable<T>, Future<T>> submit, long timeout, TimeUnit unit)
            throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        List<Future<T>> futures = submitAll(tasks, submit);
        try {
            for (Future<T> f : futures) {
                if (!awaitDone(f, deadline - System.nanoTime())) {
                    break;
                }
            }
            return futures;
        } finally {
            cancelAll(futures); // those not done by the deadline
        }
    }

    /**
     * Submits every task and returns the first value that one of them returns; cancels the others.
     *
     * @throws ExecutionException when every task failed (the cause is the last failure)
     * @throws InterruptedException when interrupted while waiting; the tasks are cancelled
     * @throws IllegalArgumentException when {@code tasks} is empty
     */
    public static <T> T invokeAny(Collection<? extends Callable<T>> tasks, Function<Callable<T>, Future<T>> submit)
            throws InterruptedException, ExecutionException {
        FirstSuccess<T> race = new FirstSuccess<>(tasks, submit);
        try {
            return race.first.get();
        } finally {
            cancelAll(race.futures);
        }
    }

    /**
     * {@link #invokeAny(Collection, Function)} within a timeout.
     *
     * @throws TimeoutException when no task succeeded within the timeout; the tasks are cancelled
     */
    public static <T> T invokeAny(Collection<? extends Callable<T>> tasks, Function<Callable<T>, Future<T>> submit,
                                  long timeout, TimeUnit unit)
            throws InterruptedException, ExecutionException, TimeoutException {
        FirstSuccess<T> race = new FirstSuccess<>(tasks, submit);
        try {
            return race.first.get(timeout, unit);
        } finally {
            cancelAll(race.futures);
        }
    }

    /** The tasks of an {@code invokeAny}, submitted, and the future of the first value one returns. */
    private static final class FirstSuccess<T> {
        final CompletableFuture<T> first = new CompletableFuture<>();
        final List<Future<T>> futures;

        FirstSuccess(Collection<? extends Callable<T>> tasks, Function<Callable<T>, Future<T>> submit) {
            if (tasks.isEmpty()) {
                throw new IllegalArgumentException("invokeAny needs at least one task");
            }
            AtomicInteger left = new AtomicInteger(tasks.size());
            futures = submitAll(tasks, submit);
            for (Future<T> f : futures) {
                ((CompletableFuture<T>) f).whenComplete((value, failure) -> {
                    if (failure == null) {
                        first.complete(value);
                    } else if (left.decrementAndGet() == 0) {
                        first.completeExceptionally(failure);
                    }
                });
            }
        }
    }

    private static <T> List<Future<T>> submitAll(Collection<? extends Callable<T>> tasks,
                                                 Function<Callable<T>, Future<T>> submit) {
        List<Future<T>> futures = new ArrayList<>(tasks.size());
        try {
            for (Callable<T> t : tasks) {
                futures.add(submit.apply(t));
            }
        } catch (RuntimeException e) {
            cancelAll(futures);
            throw e;
        }
        return futures;
    }

    private static boolean awaitDone(Future<?> f, long nanos) throws InterruptedException {
        try {
            f.get(nanos, TimeUnit.NANOSECONDS);
        } catch (ExecutionException | CancellationException e) {
            // done all the same
        } catch (TimeoutException e) {
            return false;
        }
        return true;
    }

    private static void cancelAll(List<? extends Future<?>> futures) {
        for (Future<?> f : futures) {
            f.cancel(false);
        }
    }
}
