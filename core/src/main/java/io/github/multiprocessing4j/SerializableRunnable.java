package io.github.multiprocessing4j;

import java.io.Serializable;
import java.util.concurrent.CompletionException;

/**
 * A {@link Runnable} that can be sent to another process: the target of a {@link ChildProcess},
 * a task for {@link ProcessPool#submit(SerializableRunnable)} or
 * {@link ProcessPool#execute(SerializableRunnable)}.
 *
 * <p>A lambda or method reference assigned to this type is compiled as serializable, so it
 * travels to the other process together with everything it captures; what it captures must be
 * serializable too, and is checked when the process is started or the task submitted. Its body
 * may throw checked exceptions: it is {@link #runWithException()}, so a target can call
 * {@code join()}, {@code Thread.sleep()} or a queue's {@code get()} without wrapping them.
 *
 * <p>It is a {@link Runnable}, so that where a method takes either (as
 * {@link ProcessPool#submit(Runnable)} and {@link ProcessPool#submit(SerializableRunnable)} do),
 * Java picks this more specific type for a lambda, which is then serializable; and so that it can
 * be given to anything that runs a {@code Runnable}, whose {@link #run()} wraps a checked
 * exception.
 *
 * <p>A class implementing it implements {@link #runWithException()}, not {@link #run()}.
 */
@FunctionalInterface
public interface SerializableRunnable extends Runnable, Serializable {
    /**
     * Runs the task: the body of a lambda of this type. The library calls this method, so what
     * it throws is reported as it was thrown.
     *
     * @throws Exception anything; in a child process an uncaught exception is printed on the
     *     child's stderr, carried back to the parent ({@link ChildProcess#failure()}) and makes
     *     the child exit with code 1; in a pool it fails the task, as the cause of the exception
     *     its future throws
     */
    void runWithException() throws Exception;

    /**
     * Runs the task in this thread through {@link #runWithException()}, for callers that know it
     * only as a {@link Runnable}.
     *
     * @throws CompletionException when the task threw a checked exception, which is its cause (an
     *     {@link InterruptedException} also sets this thread's interrupt status again); unchecked
     *     exceptions and errors are thrown as they are
     */
    @Override
    default void run() {
        try {
            runWithException();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CompletionException(e);
        } catch (Exception e) {
            throw new CompletionException(e);
        }
    }
}
