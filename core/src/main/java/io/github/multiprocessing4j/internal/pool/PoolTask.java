package io.github.multiprocessing4j.internal.pool;

import java.util.concurrent.Callable;

/**
 * A task submitted on its own (not an item of a map call): what a worker runs, and what the
 * task's future gets.
 */
public sealed interface PoolTask permits PoolTask.Call, PoolTask.Run {
    /** @return the task as the caller gave it: what {@code shutdownNow()} hands back when it was never sent */
    Object task();

    /** A {@link Callable}: its future gets the value it returns. */
    record Call(Callable<?> task) implements PoolTask {
    }

    /**
     * A runnable, run in the worker by the pool's {@link TaskInvoker}: its future gets
     * {@code result}, which stays in this process (null for none).
     */
    record Run(Object task, Object result) implements PoolTask {
    }
}
