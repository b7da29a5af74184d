package io.github.multiprocessing4j;

/** Thrown by a bounded queue's {@code put(item, timeout)} and {@code putNowait(item)} when it stayed full: Python's {@code queue.Full}. */
public class QueueFullException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /**
     * Makes the exception with the given detail message.
     *
     * @param message the detail message
     */
    public QueueFullException(String message) {
        super(message);
    }
}
