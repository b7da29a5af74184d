package io.github.multiprocessing4j;

import java.io.Serializable;

/**
 * A {@link Runnable} that can be sent to another process: the target of a {@link ChildProcess}.
 *
 * <p>A lambda or method reference assigned to this type is compiled as serializable, so it
 * travels to the child together with everything it captures; what it captures must be
 * serializable too, and is checked when the process is started. {@link #run()} may throw
 * checked exceptions, so a target can call {@code join()}, {@code Thread.sleep()} or a queue's
 * {@code get()} without wrapping them.
 */
@FunctionalInterface
public interface SerializableRunnable extends Serializable {
    /**
     * Runs the task.
     *
     * @throws Exception anything; in a child process an uncaught exception is printed on the
     *     child's stderr, carried back to the parent ({@link ChildProcess#failure()}) and makes
     *     the child exit with code 1
     */
    void run() throws Exception;
}
