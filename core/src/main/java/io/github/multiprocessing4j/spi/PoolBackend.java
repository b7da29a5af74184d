package io.github.multiprocessing4j.spi;

import java.io.ObjectInputFilter;
import java.util.List;

/**
 * Where one process pool's workers run and how its messages travel, when not on this machine.
 * The pool's engine stays the local one (dispatching, chunks, results, dying workers); the
 * backend gives it message channels ({@link PoolChannel}) and starts its workers
 * ({@link PoolWorker}) wherever it can.
 *
 * <p>Used by one pool, from several of its threads at once: implementations are thread-safe.
 */
public interface PoolBackend {
    /**
     * Makes a new, empty channel: a worker's inbox, or the pool's result channel. Never blocks
     * for longer than the medium takes to answer.
     *
     * @return the channel, empty and open
     */
    PoolChannel newChannel();

    /**
     * Starts a worker that runs {@code target} somewhere, and returns without waiting for it to
     * boot; its process id may be unknown (-1) until it has.
     *
     * @param name the worker's name
     * @param target a {@link java.io.Serializable} runnable: the worker's loop, with its channels
     * @param jvmArgs options for the worker's JVM
     * @return the worker, as the pool sees it
     * @throws RuntimeException (of the backend's choosing) when it cannot even be asked for
     */
    PoolWorker startWorker(String name, Runnable target, List<String> jvmArgs);

    /**
     * Returns the allow-list through which the pool deserializes what comes back from the
     * workers (their results and failures).
     *
     * @return the filter, or null to deserialize everything
     */
    ObjectInputFilter filter();

    /** The pool has terminated: frees what is left of it. Never blocks for long. */
    void close();
}
