package io.github.multiprocessing4j.redis;

/**
 * An operation on the cluster's server failed: it could not be reached within the configured
 * timeout, refused the credentials, or answered with an error. The message names the server
 * (never its credentials) and what was being done.
 */
public class ClusterException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Makes the exception.
     *
     * @param message what was being done and on which server, without credentials
     * @param cause the client's exception
     */
    public ClusterException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * Makes the exception.
     *
     * @param message what was being done and on which server, without credentials
     */
    public ClusterException(String message) {
        super(message);
    }
}
