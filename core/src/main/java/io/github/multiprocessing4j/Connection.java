package io.github.multiprocessing4j;

import java.io.EOFException;
import java.io.Serializable;
import java.time.Duration;

/**
 * One end of a {@link Pipe}: Python's {@code multiprocessing.connection.Connection}. What one end
 * sends, the other end receives, in order. An end is a handle: capture it in a child's target
 * (or send it through a queue) and that process uses it.
 *
 * <p>The type parameter is the type of the messages, both ways, as for a {@link ProcessQueue}:
 * a {@code Connection<String>} receives strings without a cast. It is checked by the compiler
 * only: a message of another type sent through a raw {@code Connection} (or an end of a
 * {@code Pipe<Object>} cast to another type) is a {@link ClassCastException} where the received
 * value is used. Ends that carry different kinds of messages are {@code Connection<Object>}s.
 *
 * <p>Objects are serialized by {@link #send} in the caller, as for {@link ProcessQueue#put}.
 * {@link #recv} and {@link #recvBytes} never hang on a dead peer: once every process that used
 * the other end has closed it or died, they return what is left and then throw
 * {@link EOFException}. A child whose target carries the other end counts as using it from its
 * start, so a child that dies before it touches the end (a failed boot, say) ends the wait too.
 *
 * <p>{@link #close()} is Python's: it ends this process's use of the end, not the others'. The
 * parent of a child that got an end closes its own copy after {@code start()}, as the CPython
 * documentation recommends (see {@link Pipe}); a process that has not used an end (sent or
 * received on it, or received the end itself) is not its user, so it need not close it for the
 * peer to see EOF. {@link #unlink()} ends the pipe for every process.
 *
 * @param <T> the type of the messages
 */
public interface Connection<T> extends Unlinkable, Serializable {

    /**
     * Sends an object to the other end; never waits for room (a pipe is unbounded; it may pause
     * up to 50 ms while a busy receiver catches up with a long lead, as {@link ProcessQueue#put} does).
     *
     * @param obj the message; serialized now, so changing it afterwards changes nothing sent
     * @throws NullPointerException when {@code obj} is null
     * @throws IllegalArgumentException when {@code obj} is not serializable
     * @throws IllegalStateException when this end is closed in this process or only receives, the
     *     pipe was unlinked, or every process that used the other end closed it or died. A close
     *     is seen at the next send; deaths alone (no one closed the end) are looked for by the send
     *     that starts another chunk of the pipe's memory (one per MiB or so sent) while messages
     *     wait unreceived and the other end received none since the chunk before: that send
     *     throws, and what the other end had not received is dropped, so a sender to a dead
     *     receiver stops within two MiB or so instead of filling memory for ever
     */
    void send(T obj);

    /**
     * Receives the next object, waiting until one comes. The wait is not ended by an interrupt
     * (the interrupt status is kept); the other end's last user closing it or dying ends it
     * (within about a quarter of a second of a death).
     *
     * @return the message, a copy of what the other end sent
     * @throws EOFException when nothing is left and every process that used the other end
     *     closed it or has died
     * @throws IllegalStateException when this end is closed in this process or only sends, or
     *     the pipe was unlinked
     */
    T recv() throws EOFException;

    /**
     * Sends bytes as they are (Python's {@code send_bytes}); never waits for room (see {@link #send}).
     *
     * @param data the message, copied now
     * @throws IllegalStateException as {@link #send}
     */
    void sendBytes(byte[] data);

    /**
     * Receives the next message sent with {@link #sendBytes}, waiting as {@link #recv} does.
     *
     * @return the bytes sent
     * @throws EOFException as {@link #recv}
     * @throws IllegalStateException when this end is closed in this process or only sends, the
     *     pipe was unlinked, or the message was not sent as bytes
     */
    byte[] recvBytes() throws EOFException;

    /**
     * Waits at most {@code timeout} until {@link #recv} would not block: a message is there, or
     * the other end is gone. Not ended by an interrupt.
     *
     * @param timeout how long to wait at most; zero to look without waiting
     * @return whether {@code recv} would return or throw at once
     * @throws IllegalStateException when this end is closed in this process or only sends, or the
     *     pipe was unlinked
     */
    boolean poll(Duration timeout);

    /**
     * Ends this process's use of this end (Python's {@code close()}): its further use here throws
     * {@link IllegalStateException}; other processes that have the end keep using it. When no
     * process that used the end is left (each closed it or died), the other end's {@code recv}
     * throws {@link EOFException} once it has received what was sent, its {@code send} fails, and
     * messages sent to this end and not received are dropped; when the other end is gone too, the
     * pipe's memory is freed now (see {@link Pipe}). Idempotent; never blocks for long.
     */
    @Override
    void close();

    /**
     * Ends the whole pipe, both ends, for every process: every further use of either end, in
     * any process, throws {@link IllegalStateException} (a {@code recv} that waits ends with
     * it), messages not received are dropped, and the pipe's memory is freed. Python has no
     * such call; it is {@link SharedMemory#unlink()}'s counterpart. Works on a closed end;
     * idempotent; never blocks for long.
     */
    @Override
    void unlink();
}
