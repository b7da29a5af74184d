package io.github.multiprocessing4j.internal.pool;

/**
 * A function serialized once, and its {@link PoolMessages#DEFINE} message, sent once to each
 * worker that runs it: a map call's function, or a submitted task that captures nothing
 * ({@link ChunkFactory#taskChunk}).
 */
final class FunctionRef {
    final long id;
    final byte[] defineMessage;
    /** Whether its chunks are tasks submitted one by one, not a map call's. */
    final boolean submitted;

    FunctionRef(long id, byte[] serialized, boolean submitted) {
        this.id = id;
        this.defineMessage = PoolMessages.define(id, serialized);
        this.submitted = submitted;
    }
}
