package io.github.multiprocessing4j.internal.pool;

/** A started worker process, as its {@link WorkerLauncher} hands it to the pool. */
public interface WorkerProcess {
    long pid();

    String name();

    /** Ends the process at once (SIGKILL); returns without waiting. */
    void kill();

    /**
     * Waits until the process has ended and its exit code is settled.
     *
     * @throws InterruptedException when interrupted while waiting
     */
    void join() throws InterruptedException;

    /** @return the exit code once {@link #join} has returned: {@code -N} after signal N */
    int exitCode();

    /** @return why the worker could not boot, when it could not; else null */
    Throwable failure();
}
