package io.github.multiprocessing4j.internal.pool;

/** Makes a pool's channels: in shared memory, or a backend's. */
@FunctionalInterface
interface ChannelFactory {
    /** @return a new, empty channel */
    MessageChannel create();
}
