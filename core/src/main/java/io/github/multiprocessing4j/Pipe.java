package io.github.multiprocessing4j;

import io.github.multiprocessing4j.internal.queue.ByteQueue;
import io.github.multiprocessing4j.internal.queue.PipeEnds;
import io.github.multiprocessing4j.internal.statics.StaticShared;

/**
 * A pair of connected {@link Connection}s: Python's {@code multiprocessing.Pipe()}. A duplex
 * pipe carries messages both ways; a one-way pipe ({@code open(false)}) carries them from
 * {@link #right()} (send only) to {@link #left()} (receive only), as Python's
 * {@code Pipe(duplex=False)} returns {@code (receiver, sender)}.
 *
 * <pre>{@code
 * Pipe<String> pipe = Pipe.open();
 * Connection<String> child = pipe.right();
 * new ChildProcess(() -> child.send("hello")).start();
 * String greeting = pipe.left().recv();
 * }</pre>
 *
 * <p>The type parameter is the type of the messages both ends send and receive, checked by the
 * compiler (see {@link Connection}); a {@code Pipe<Object>} carries anything serializable.
 *
 * <p>A pipe is unbounded: sending never blocks.
 *
 * <p><b>Closing.</b> {@link Connection#close()} is Python's: it ends this process's use of one
 * end, and the other processes keep theirs. As in Python, a parent may (and should) close its own
 * copy of the end it gave a child, right after {@code start()}:
 *
 * <pre>{@code
 * Pipe<String> pipe = Pipe.open();
 * Connection<String> childEnd = pipe.right();
 * ChildProcess child = new ChildProcess(() -> childEnd.send("done"));
 * child.start();
 * childEnd.close();                  // this process is done with the child's end; the child is not
 * String done = pipe.left().recv();  // "done"; after the child exits, recv() throws EOFException
 * }</pre>
 *
 * <p>The other end's {@code recv()} throws {@link java.io.EOFException} once every process that
 * used an end closed it or died. The pipe's shared memory is freed when both ends are gone that
 * way, by the process whose close made it so; when the last user of an end died instead, or an
 * end was never used, it goes when the process tree ends. {@link Connection#unlink()} ends the
 * whole pipe for every process at once.
 *
 * @implNote Each direction is an unbounded queue in shared memory, so a pipe is as fast as a
 *     {@link ProcessQueue}; who uses each end is recorded beside them, so that a receiver can
 *     tell when every process that used the other end has died. A pipe that never left the
 *     process that made it leaves its shared-memory file, once both its ends are closed, to that
 *     process's next pipe of its kind (four such files at most, removed at its exit or by
 *     {@link Multiprocessing#discardSpares()}): a pipe made per request creates no file.
 * @param <T> the type of the messages
 */
public final class Pipe<T> {
    private final Connection<T> left;
    private final Connection<T> right;

    private Pipe(Connection<T> left, Connection<T> right) {
        this.left = left;
        this.right = right;
    }

    /**
     * Opens a duplex pipe: messages go both ways.
     *
     * <p>Made by a static initialiser, it is the tree's: see
     * <a href="package-summary.html#static-fields">static fields</a>.
     *
     * @param <T> the type of the messages, as the assignment says ({@code Pipe<String> p = Pipe.open()})
     * @return a new duplex pipe
     */
    public static <T> Pipe<T> open() {
        return open(true);
    }

    /**
     * Opens a pipe, duplex or one-way.
     *
     * <p>Made by a static initialiser, it is the tree's: see
     * <a href="package-summary.html#static-fields">static fields</a>.
     *
     * @param <T> the type of the messages
     * @param duplex whether messages go both ways; when false, {@code right()} sends and {@code left()} receives
     * @return a new pipe
     */
    public static <T> Pipe<T> open(boolean duplex) {
        PipeConnection<T>[] connected = StaticShared.resolve("Pipe", () -> connected(duplex), Pipe::discard);
        return new Pipe<>(connected[0], connected[1]);
    }

    @SuppressWarnings({"unchecked", "rawtypes"}) // no generic array creation in Java
    private static <T> PipeConnection<T>[] connected(boolean duplex) {
        ByteQueue[] directions = duplex ? ByteQueue.createPair(ByteQueue.standardChunkSize())
                : new ByteQueue[] {ByteQueue.createHosted(ByteQueue.standardChunkSize())};
        ByteQueue toLeft = directions[0];
        ByteQueue toRight = duplex ? directions[1] : null;
        PipeEnds ends = PipeEnds.in(toLeft);
        return new PipeConnection[] {new PipeConnection<T>(ends, 0, toLeft, toRight), new PipeConnection<T>(ends, 1, toRight, toLeft)};
    }

    /** Frees a pipe that no other process has (a static initialiser's, made twice in a race). */
    private static void discard(PipeConnection<?>[] connected) {
        connected[0].unlink();
    }

    /**
     * Returns the left end.
     *
     * @return the left end (the receiving end of a one-way pipe)
     */
    public Connection<T> left() {
        return left;
    }

    /**
     * Returns the right end.
     *
     * @return the right end (the sending end of a one-way pipe)
     */
    public Connection<T> right() {
        return right;
    }
}
