package io.github.multiprocessing4j.spi;

/** A worker started by a {@link PoolBackend}, as the pool sees it. Thread-safe. */
public interface PoolWorker {
    /** {@return the worker's process id on its machine, or -1 while it is not known yet} */
    long pid();

    /**
     * Tells the worker, if it waits for its next chunk, that one has been put into its inbox: it
     * looks at once. The default does nothing, for a worker whose inbox wakes it by itself (a
     * blocking read). Never blocks for long; does nothing once the worker has ended.
     */
    default void wake() {
    }

    /** {@return the worker's name, as given to {@link PoolBackend#startWorker}} */
    String name();

    /** Ends the worker at once, wherever it is (or never starts it); returns without waiting. */
    void kill();

    /**
     * Waits until the worker has ended, or is known to be lost with its machine.
     *
     * @throws InterruptedException when interrupted while waiting
     */
    void join() throws InterruptedException;

    /** {@return the exit code once {@link #join} has returned: {@code -N} after signal N} */
    int exitCode();

    /** {@return why the worker could not boot, or was lost; else null} */
    Throwable failure();
}
