package io.github.multiprocessing4j.internal.serial;

/**
 * Stands for an exception of another process that could not be serialized: it keeps the
 * original class name (in its message), the message, the stack trace and the causes.
 */
public final class RemoteFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private RemoteFailure(String message) {
        super(message);
    }

    static RemoteFailure copyOf(Throwable original) {
        RemoteFailure copy = new RemoteFailure(original.toString());
        copy.setStackTrace(original.getStackTrace());
        if (original.getCause() != null && original.getCause() != original) {
            copy.initCause(copyOf(original.getCause()));
        }
        return copy;
    }
}
