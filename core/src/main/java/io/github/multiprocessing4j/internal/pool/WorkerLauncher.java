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
     * @throws RuntimeException (such as {@link java.io.UncheckedIOException}) when it cannot be started
     */
    PoolWorker start(String name, WorkerLoop target, List<String> jvmArgs);
}
