package io.github.multiprocessing4j.spi;

/**
 * What can host a process pool's workers elsewhere than on this machine: the
 * {@code multiprocessing4j-redis} module's {@code Cluster} is one. Given to
 * {@code ProcessPool.builder().cluster(...)}, which asks it for one {@link PoolBackend} per pool.
 */
public interface PoolBackendFactory {
    /**
     * Makes the backend of one new pool: its channels and the placement of its workers.
     *
     * @return the backend, used by one pool only and closed by it
     * @throws RuntimeException (of the backend's choosing) when its medium cannot be reached
     */
    PoolBackend newPoolBackend();
}
