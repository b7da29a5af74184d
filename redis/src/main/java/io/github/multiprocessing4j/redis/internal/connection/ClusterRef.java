package io.github.multiprocessing4j.redis.internal.connection;

import java.io.Serializable;

/**
 * What a serialized handle of a cluster object carries to find its cluster again in the process
 * that deserializes it: the server's address and the key prefix, never a password.
 */
public record ClusterRef(ServerAddress address, String prefix) implements Serializable {
    @Override
    public String toString() {
        return address + " (prefix " + prefix + ")";
    }
}
