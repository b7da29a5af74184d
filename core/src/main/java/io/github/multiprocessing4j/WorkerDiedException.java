package io.github.multiprocessing4j;

/**
 * A {@link ProcessPool} worker ended while it held a task: the task's outcome is unknown and it
 * was not retried (it may have had side effects, or killed the worker itself). This is the cause
 * of the {@link java.util.concurrent.ExecutionException} or
 * {@link java.util.concurrent.CompletionException} that the task's caller gets, within a second of
 * the worker's end (CPython's {@code Pool} waits for ever there). The pool starts another worker
 * and stays usable.
 *
 * <p>The exit code follows {@link ChildProcess#exitCode()}: {@code -9} after SIGKILL, {@code n}
 * after {@code System.exit(n)} or {@code Runtime.halt(n)}, {@code 3} after an
 * {@link OutOfMemoryError} (a worker ends at once when it runs out of memory, as
 * {@code -XX:+ExitOnOutOfMemoryError} would make it). When the worker could not boot at all, the
 * cause tells why.
 */
public class WorkerDiedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The process id of the worker that died. */
    private final long pid;
    /** How the worker ended, as {@link ChildProcess#exitCode()} tells. */
    private final int exitCode;

    /**
     * Makes the exception that a task's caller gets when the worker holding the task died.
     *
     * @param workerName the worker's process name
     * @param pid the worker's process id
     * @param exitCode how it ended, as {@link ChildProcess#exitCode()} tells
     * @param cause why it ended, when known (a worker that could not boot); may be null
     */
    public WorkerDiedException(String workerName, long pid, int exitCode, Throwable cause) {
        super("pool worker " + workerName + " (pid " + pid + ") died with exit code " + exitCode
                + " while it held this task", cause);
        this.pid = pid;
        this.exitCode = exitCode;
    }

    /** {@return the process id of the worker that died} */
    public long pid() {
        return pid;
    }

    /**
     * {@return the worker's exit code: {@code -N} when a signal N ended it, else the code it
     * exited with}
     */
    public int exitCode() {
        return exitCode;
    }
}
