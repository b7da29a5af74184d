package io.github.multiprocessing4j.redis.internal.connection;

import io.github.multiprocessing4j.redis.ClusterException;

/**
 * A {@link ClusterException} that knows whether the server could not be reached (worth a retry)
 * and whether the command may have been carried out all the same (its connection broke after it
 * was sent).
 */
public final class ClusterFailure extends ClusterException {
    private static final long serialVersionUID = 1L;
    private final boolean unreachable;
    private final boolean maybeDone;

    public ClusterFailure(String message, Throwable cause, boolean unreachable) {
        this(message, cause, unreachable, false);
    }

    public ClusterFailure(String message, Throwable cause, boolean unreachable, boolean maybeDone) {
        super(message, cause);
        this.unreachable = unreachable;
        this.maybeDone = maybeDone;
    }

    /** @return true when the server could not be reached, false when it answered with an error */
    public boolean unreachable() {
        return unreachable;
    }

    /**
     * @return true when the connection broke after the command was sent: it may have been carried
     *     out on the server; false when it certainly was not sent, or the server answered
     */
    public boolean maybeDone() {
        return maybeDone;
    }
}
