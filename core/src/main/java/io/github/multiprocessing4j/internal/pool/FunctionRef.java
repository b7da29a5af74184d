package io.github.multiprocessing4j.internal.pool;

/** A map call's function, serialized once, and its {@link PoolMessages#DEFINE} message for the workers. */
final class FunctionRef {
    final long id;
    final byte[] defineMessage;

    FunctionRef(long id, byte[] serialized) {
        this.id = id;
        this.defineMessage = PoolMessages.define(id, serialized);
    }
}
