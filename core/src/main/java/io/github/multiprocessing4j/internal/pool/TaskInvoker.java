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

    /**
     * The pool is used every so often ({@link PoolEngine}'s idle tasks): has this JVM's pool code
     * compiled for it, once per JVM, on a thread of its own. Called in the pool's process and, on
     * its word ({@link PoolMessages#WARM_UP}), in each worker. Returns at once, never throws. The
     * default does nothing.
     *
     * @return whether this JVM warms up for such pools (it may have done so before): the pool's
     *     process tells its workers only then
     */
    default boolean warmUp() {
        return false;
    }
}
