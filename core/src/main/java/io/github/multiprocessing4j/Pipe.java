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
 * Pipe pipe = Pipe.open();
 * Connection child = pipe.right();
 * new ChildProcess(() -> child.send("hello")).start();
 * System.out.println(pipe.left().recv());
 * }</pre>
 *
 * <p>A pipe is unbounded: sending never blocks. Close both ends when done: their shared memory
 * is freed when both are closed (else when the process tree ends).
 *
 * @implNote Each direction is an unbounded queue in shared memory, so a pipe is as fast as a
 *     {@link ProcessQueue}; who uses each end is recorded beside them, so that a receiver can
 *     tell when every process that used the other end has died.
 */
public final class Pipe {
    private final Connection left;
    private final Connection right;

    private Pipe(Connection left, Connection right) {
        this.left = left;
        this.right = right;
    }

    /**
     * Opens a duplex pipe.
     *
     * <p>Made by a static initialiser, it is the tree's: see
     * <a href="package-summary.html#static-fields">static fields</a>.
     *
     * @return a new duplex pipe
     */
    public static Pipe open() {
        return open(true);
    }

    /**
     * Opens a pipe, duplex or one-way.
     *
     * <p>Made by a static initialiser, it is the tree's: see
     * <a href="package-summary.html#static-fields">static fields</a>.
     *
     * @param duplex whether messages go both ways; when false, {@code right()} sends and {@code left()} receives
     * @return a new pipe
     */
    public static Pipe open(boolean duplex) {
        PipeConnection[] connected = StaticShared.resolve("Pipe", () -> connected(duplex), Pipe::closeBoth);
        return new Pipe(connected[0], connected[1]);
    }

    private static PipeConnection[] connected(boolean duplex) {
        PipeEnds ends = PipeEnds.create();
        ByteQueue toLeft = ByteQueue.create(0, ByteQueue.DEFAULT_CHUNK_SIZE);
        ByteQueue toRight = duplex ? ByteQueue.create(0, ByteQueue.DEFAULT_CHUNK_SIZE) : null;
        return new PipeConnection[] {new PipeConnection(ends, 0, toLeft, toRight), new PipeConnection(ends, 1, toRight, toLeft)};
    }

    private static void closeBoth(PipeConnection[] connected) {
        connected[0].close();
        connected[1].close();
    }

    /** @return the left end (the receiving end of a one-way pipe) */
    public Connection left() {
        return left;
    }

    /** @return the right end (the sending end of a one-way pipe) */
    public Connection right() {
        return right;
    }
}
