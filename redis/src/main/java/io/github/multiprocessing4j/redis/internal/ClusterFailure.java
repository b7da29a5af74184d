package io.github.multiprocessing4j.redis.internal;

import io.github.multiprocessing4j.redis.ClusterException;

/** A {@link ClusterException} that knows whether the server could not be reached (worth a retry). */
public final class ClusterFailure extends ClusterException {
    private static final long serialVersionUID = 1L;
    private final boolean unreachable;

    public ClusterFailure(String message, Throwable cause, boolean unreachable) {
        super(message, cause);
        this.unreachable = unreachable;
    }

    /** @return true when the server could not be reached, false when it answered with an error */
    public boolean unreachable() {
        return unreachable;
    }
}
