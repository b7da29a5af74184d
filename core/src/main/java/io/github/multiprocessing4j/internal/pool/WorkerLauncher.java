package io.github.multiprocessing4j.internal.pool;

import io.github.multiprocessing4j.spi.PoolWorker;

import java.util.List;

/**
 * Starts the pool's worker processes: implemented above the pool (by the API over its child
 * processes), and by fakes in tests.
 */
@FunctionalInterface
public interface WorkerLauncher {
    /**
     * Starts a daemonic worker process that runs {@code target}, and returns without waiting for
     * it to boot.
     *
     * @param name the process name
     * @param jvmArgs options of the worker's JVM
     * @param replacementsExpected whether the pool expects to replace its workers (it does so
     *     routinely, or has replaced one): a launcher may keep a JVM ready for the next one
     * @throws RuntimeException (such as {@link java.io.UncheckedIOException}) when it cannot be started
     */
    PoolWorker start(String name, WorkerLoop target, List<String> jvmArgs, boolean replacementsExpected);

    /**
     * {@return whether the workers are processes} (not threads of this one, as a warm-up's): a
     * daemonic process may not start them
     */
    default boolean startsProcesses() {
        return true;
    }

    /**
     * {@return what two pools' launchers share when a worker one of them started may serve the
     * other} ({@link PoolParking}): workers of the same kind, from the same class path; null when
     * its workers never serve another pool (the default).
     */
    default Object reuseKey() {
        return null;
    }

    /**
     * The pool has ended, its workers too: a launcher may prepare the workers of a next pool
     * (spare JVMs) now that they compete with no worker. Returns at once.
     *
     * @param workers how many workers the pool ran at once
     */
    default void poolEnded(int workers) {
    }
}
