package io.github.multiprocessing4j;

import java.util.NoSuchElementException;

/** Thrown by a queue's {@code get(timeout)} and {@code getNowait()} when no item came: Python's {@code queue.Empty}. */
public class QueueEmptyException extends NoSuchElementException {
    private static final long serialVersionUID = 1L;

    /**
     * Makes the exception with the given detail message.
     *
     * @param message the detail message
     */
    public QueueEmptyException(String message) {
        super(message);
    }
}
