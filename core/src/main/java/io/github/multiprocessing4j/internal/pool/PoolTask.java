package io.github.multiprocessing4j.internal.pool;

import java.util.concurrent.Callable;

/**
 * A task submitted on its own (not an item of a map call): what a worker runs, and what the
 * task's future gets.
 */
public sealed interface PoolTask permits PoolTask.Call, PoolTask.Run, PoolTask.Apply {
    /** @return the code the worker runs, as the caller gave it (a callable, a runnable, a function) */
    Object task();

    /** @return this task with {@code code} to run instead (what a time limit wraps), the rest kept */
    PoolTask running(Object code);

    /** A {@link Callable}: its future gets the value it returns. */
    record Call(Callable<?> task) implements PoolTask {
        @Override
        public PoolTask running(Object code) {
            return new Call((Callable<?>) code);
        }
    }

    /**
     * A runnable, run in the worker by the pool's {@link TaskInvoker}: its future gets
     * {@code result}, which stays in this process (null for none).
     */
    record Run(Object task, Object result) implements PoolTask {
        @Override
        public PoolTask running(Object code) {
            return new Run(code, result);
        }
    }

    /**
     * A function applied to one argument in the worker by the pool's {@link TaskInvoker}
     * (Python's {@code apply(func, args)}): its future gets what it returns.
     */
    record Apply(Object task, Object argument) implements PoolTask {
        @Override
        public PoolTask running(Object code) {
            return new Apply(code, argument);
        }
    }
}
