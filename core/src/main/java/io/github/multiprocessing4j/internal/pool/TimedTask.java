package io.github.multiprocessing4j.internal.pool;

/**
 * A task or map function that carries its own time limit: the API's wrapper
 * ({@code ProcessPool.timed}), which the engine unwraps. The worker runs {@link #task()}; the
 * wrapper never travels.
 */
public interface TimedTask {
    /** @return the task or function to run: a {@link java.util.concurrent.Callable}, a runnable or a function */
    Object task();

    /** @return how long each of its chunks may run before it is stopped, in nanoseconds; above 0 */
    long timeoutNanos();
}
