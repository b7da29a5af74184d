package io.github.multiprocessing4j.internal.pool;

import java.io.Serializable;

/**
 * Runs the callers' functions and runnables in a worker: the pool sends it to every worker, so
 * the types the API gives its users need not be known here.
 */
public interface TaskInvoker extends Serializable {
    /** Applies a map call's function to one item. */
    Object apply(Object function, Object item) throws Exception;

    /** Runs a runnable: a submitted task or the pool's initializer. */
    void run(Object runnable) throws Exception;
}
