package io.github.multiprocessing4j;

import java.io.EOFException;
import java.io.Serializable;
import java.time.Duration;

/**
 * One end of a {@link Pipe}: Python's {@code multiprocessing.connection.Connection}. What one end
 * sends, the other end receives, in order. An end is a handle: capture it in a child's target
 * (or send it through a queue) and that process uses it.
 *
 * <p>Objects are serialized by {@link #send} in the caller, as for {@link ProcessQueue#put}.
 * {@link #recv} and {@link #recvBytes} never hang on a dead peer: once the other end is closed,
 * or every process that used it has died, they return what is left and then throw
 * {@link EOFException}.
 */
public interface Connection extends AutoCloseable, Serializable {

    /**
     * Sends an object to the other end; never blocks (a pipe is unbounded).
     *
     * @throws NullPointerException when {@code obj} is null
     * @throws IllegalArgumentException when {@code obj} is not serializable
     * @throws IllegalStateException when this end is closed or only receives, or the other end
     *     is closed
     */
    void send(Object obj);

    /**
     * Receives the next object, waiting until one comes. The wait is not ended by an interrupt
     * (the interrupt status is kept); closing the other end ends it.
     *
     * @throws EOFException when nothing is left and the other end is closed or every process
     *     that used it has died
     * @throws IllegalStateException when this end is closed or only sends
     */
    Object recv() throws EOFException;

    /**
     * Sends bytes as they are (Python's {@code send_bytes}); never blocks.
     *
     * @throws IllegalStateException as {@link #send}
     */
    void sendBytes(byte[] data);

    /**
     * Receives the next message sent with {@link #sendBytes}, waiting as {@link #recv} does.
     *
     * @throws EOFException as {@link #recv}
     * @throws IllegalStateException when this end is closed or only sends, or the message was
     *     not sent as bytes
     */
    byte[] recvBytes() throws EOFException;

    /**
     * Waits at most {@code timeout} until {@link #recv} would not block: a message is there, or
     * the other end is gone. Not ended by an interrupt.
     *
     * @return whether {@code recv} would return or throw at once
     * @throws IllegalStateException when this end is closed or only sends
     */
    boolean poll(Duration timeout);

    /**
     * Closes this end, for every process: its further use throws {@link IllegalStateException},
     * and the other end's {@code recv} throws {@link EOFException} once it has received what was
     * sent. Messages sent to this end and not received are dropped. Idempotent.
     */
    @Override
    void close();
}
