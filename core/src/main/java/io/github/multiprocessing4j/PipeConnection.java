package io.github.multiprocessing4j;

import io.github.multiprocessing4j.internal.queue.ByteQueue;
import io.github.multiprocessing4j.internal.queue.DirectItemRecord;
import io.github.multiprocessing4j.internal.queue.FreedPipeFiles;
import io.github.multiprocessing4j.internal.queue.PipeEnds;
import io.github.multiprocessing4j.internal.serial.Wire;
import io.github.multiprocessing4j.internal.sync.Wait;
import io.github.multiprocessing4j.internal.sync.WaiterBoard;

import java.io.EOFException;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * One end of a {@link Pipe}: receives from one {@link ByteQueue}, sends into the other.
 *
 * <p>Implementation notes. A receiver waits on its queue in one wait whose liveness check (every
 * {@link Wait#LIVENESS_CHECK_NANOS}) asks {@link PipeEnds} whether the other end is gone (every
 * process that used it closed it or died). Until 2026-12-05 it waited in slices of that length,
 * each a new wait that looked every 2 ms at most and never lasted long enough to be rung (see
 * {@code Doorbell}): an idle receiver took 1.0-1.2% of a core, where an idle queue consumer
 * takes 0.6%. {@link #close()} is Python's: it
 * gives back this process's use of the end ({@link PipeEnds#release}); the process whose close
 * leaves the end without users closes both queues, so that the other end's receiver sees the
 * close at once (a closed, empty queue ends a wait) and its sender fails, and drops what was sent
 * to this end, so that its memory goes. Once both ends are gone, that process frees the whole
 * pipe. {@link #unlink()} closes both ends for every process and frees the pipe.
 *
 * <p>A send or receive does not read whether the pipe was unlinked: an unlink closes both queues
 * (and drops what they held), so the operation fails on the closed queue, and only then is the
 * reason looked up ({@link #checkOpen}) for the error. Read first on every message, that word of
 * shared memory and a receive's allocation of its wait's check (now made once per handle) cost
 * new children's pipe about a sixth of its small messages a second (1 -> 1 ints 2.58M against
 * 2.95M, 64 B 2.18M against 2.57M msg/s, medians of 10 runs each, interleaved, on the 2-core
 * development VM, 2026-12-06).
 *
 * @param <T> the type of the messages
 */
final class PipeConnection<T> implements Connection<T> {
    private static final long serialVersionUID = 1L;
    /** Bits of {@link #writeTo}'s byte that says which queues an end has. */
    private static final int RECEIVES = 1;
    private static final int SENDS = 2;

    private final PipeEnds ends;
    private final int end;
    private final ByteQueue in;
    private final ByteQueue out;
    /** This handle's use in this process: closed here, and whether it left this process. */
    private final ProcessUse use;
    /** The chunk of {@link #out} whose start last had this handle look whether the other end is gone. */
    private transient long chunkLookedAt;
    /** How many messages of {@link #out} had been received at that look. */
    private transient long receivedAtLook;
    /** What a receive's wait asks between its looks: the other end gone and nothing left; made once. */
    private transient BooleanSupplier otherEndGoneAndEmpty;

    PipeConnection(PipeEnds ends, int end, ByteQueue in, ByteQueue out) {
        this(ends, end, in, out, ProcessUse.ofNew("Connection"));
    }

    private PipeConnection(PipeEnds ends, int end, ByteQueue in, ByteQueue out, ProcessUse use) {
        this.ends = ends;
        this.end = end;
        this.in = in;
        this.out = out;
        this.use = use;
        watchIdleFeeds();
    }

    /** The pipe's queues tell {@link IdleFeedWarmUp} when this end sends or receives every so often. */
    private void watchIdleFeeds() {
        if (in != null) {
            in.watchIdleFeeds(IdleFeedWarmUp.WATCHER);
        }
        if (out != null) {
            out.watchIdleFeeds(IdleFeedWarmUp.WATCHER);
        }
    }

    @Override
    public void send(T obj) {
        put(LocalQueue.encode(obj));
    }

    @Override
    public void sendBytes(byte[] data) {
        put(LocalQueue.encode(data));
    }

    @Override
    @SuppressWarnings("unchecked") // the type is the compiler's, as for a generic collection
    public T recv() throws EOFException {
        return (T) LocalQueue.decode(take());
    }

    @Override
    public byte[] recvBytes() throws EOFException {
        Object message = LocalQueue.decode(take());
        if (!(message instanceof byte[])) {
            throw new IllegalStateException("the message received is a " + message.getClass().getName()
                    + ", not bytes sent with sendBytes(): use recv()");
        }
        return (byte[]) message;
    }

    @Override
    public boolean poll(Duration timeout) {
        checkCanReceive();
        BooleanSupplier otherEndGone = new OtherEndGone(ends, 1 - end, null);
        return in.awaitItemOrClose(ProcessQueue.nanos(timeout), otherEndGone) || otherEndGone.getAsBoolean();
    }

    /**
     * For {@link Multiprocessing#waitAny}: checks that this end receives.
     *
     * @throws IllegalStateException when this end is closed or only sends
     */
    void checkCanBeWaitedOn() {
        checkCanReceive();
    }

    /** @return whether a message is there or the pipe is closed: shared memory only, for a poll loop's every look */
    boolean hasMessageOrClose() {
        return in.size() > 0 || in.isClosed();
    }

    /** @return the board of the processes waiting long to receive on this end ({@link Readiness} sits there) */
    WaiterBoard receiveBoard() {
        return in.takersBoard();
    }

    /** @return whether every process that used the other end has died: slower (it looks for dead users) */
    boolean isPeerGone() {
        return ends.isGone(1 - end);
    }

    @Override
    public void close() {
        if (use.isClosed()) {
            return;
        }
        if (use.close()) {
            ends.markUsed(end); // no other process can have this end: it is gone once this one lets go
        }
        if (ends.release(end)) {
            endGone();
        }
    }

    @Override
    public void unlink() {
        ends.closeForAll();
        freeIfBothGone(false);
    }

    @Override
    public String toString() {
        return "Connection[" + (end == 0 ? "left" : "right")
                + (use.isClosed() ? ", closed in this process" : ends.isClosed(end) ? ", unlinked" : "") + "]";
    }

    /** This end has no user left: the other end's receivers see EOF, its senders fail; or the pipe goes. */
    private void endGone() {
        if (freeIfBothGone(true)) {
            return;
        }
        if (out != null) {
            out.close();
        }
        if (in != null) {
            in.close();
            LocalQueue.drain(in);
        }
    }

    /**
     * @param closedHere whether this end's close in this process made it gone (not an unlink,
     *     which leaves the handles open): a pipe that never left this process may then leave its
     *     file to the next pipe ({@code FreedPipeFiles})
     * @return whether both ends are gone, the pipe freed (by this call or an earlier one)
     */
    private boolean freeIfBothGone(boolean closedHere) {
        if (!ends.isGone(1 - end)) {
            return false;
        }
        if (ends.takeRelease()) {
            for (ByteQueue direction : new ByteQueue[] {in, out}) {
                if (direction != null) {
                    direction.close();
                    LocalQueue.drain(direction);
                }
            }
            boolean kept = closedHere && ends.isMadeHereOnly() && FreedPipeFiles.keep(directionsInFileOrder());
            if (!kept) {
                ends.unlinkHost(); // the file of the queue or queues and of the table of ends
            }
        }
        return true;
    }

    /** @return the pipe's queues as its file holds them: a duplex pipe's into the left end first */
    private ByteQueue[] directionsInFileOrder() {
        if (in == null || out == null) {
            return new ByteQueue[] {in != null ? in : out};
        }
        return end == 0 ? new ByteQueue[] {in, out} : new ByteQueue[] {out, in};
    }

    private void put(Object message) {
        use.checkOpen(); // not whether the pipe was unlinked: see the class notes
        if (out == null) {
            throw new IllegalStateException("this end of a one-way pipe only receives");
        }
        ends.attach(end);
        try {
            out.put(message, DirectItemRecord.FORMAT, -1);
        } catch (IllegalStateException closed) {
            checkOpen();
            throw new IllegalStateException("the other end of the pipe is closed: every process that used it closed it or died", closed);
        }
        long chunk = out.tailChunk();
        if (chunk != chunkLookedAt) {
            chunkLookedAt = chunk;
            failIfReceiverGone();
        }
    }

    /**
     * Ends sending to an end whose users all died: no one closed it, so nothing else would stop
     * messages piling up unreceived for as long as this end sends. Asked once per chunk's worth
     * of messages sent, and only with messages waiting that the other end received nothing of
     * since the last time: a look for dead users reads {@code /proc} for each (tens of
     * microseconds), which a look per chunk of a steady stream of 4 KiB messages made a tenth of
     * the sender's time, and a receiver that took a message since is not gone.
     */
    private void failIfReceiverGone() {
        long received = out.getCount();
        boolean receivedSince = received != receivedAtLook;
        receivedAtLook = received;
        if (!receivedSince && out.size() > 0 && ends.isGone(1 - end)) {
            out.close();
            LocalQueue.drain(out);
            throw new IllegalStateException("every process that used the other end of the pipe closed it or died:"
                    + " the messages it had not received, this one among them, are dropped");
        }
    }

    private Object take() throws EOFException {
        use.checkOpen(); // not whether the pipe was unlinked: see the class notes
        checkReceives();
        ends.attach(end);
        BooleanSupplier giveUp = otherEndGoneAndEmpty;
        if (giveUp == null) {
            giveUp = new OtherEndGone(ends, 1 - end, in);
            otherEndGoneAndEmpty = giveUp; // a race makes two alike
        }
        while (true) {
            Object message;
            try {
                message = in.takeUninterruptibly(-1, DirectItemRecord.FORMAT, giveUp);
            } catch (IllegalStateException closedAndEmpty) {
                checkOpen();
                throw new EOFException("the other end of the pipe is closed");
            }
            if (message != null) {
                return message;
            }
            if (ends.isGone(1 - end) && in.size() == 0) {
                checkOpen();
                throw new EOFException("every process that used the other end of the pipe closed it or died");
            }
        }
    }

    private void checkCanReceive() {
        checkOpen();
        checkReceives();
    }

    private void checkReceives() {
        if (in == null) {
            throw new IllegalStateException("this end of a one-way pipe only sends");
        }
    }

    private void checkOpen() {
        use.checkOpen();
        if (ends.isClosed(end)) {
            throw new IllegalStateException("the pipe was unlinked: no process can use it any more");
        }
    }

    /**
     * Writes this end's direct encoding ({@link HandleWire}): the pipe, the end, and the queues it
     * receives from and sends into, each only when it has one (a one-way pipe's ends have one).
     */
    void writeTo(Wire.Writer wire) {
        ends.serializing(end); // as writeObject
        use.sent();
        ends.writeTo(wire);
        wire.putInt(end).putByte((byte) ((in != null ? RECEIVES : 0) | (out != null ? SENDS : 0)));
        if (in != null) {
            in.writeTo(wire);
        }
        if (out != null) {
            out.writeTo(wire);
        }
    }

    /** @return the end {@link #writeTo} wrote, this process recorded as its user (as readObject does) */
    static PipeConnection<?> readFrom(Wire.Reader wire) {
        PipeEnds ends = PipeEnds.readFrom(wire);
        int end = wire.getInt();
        byte queues = wire.getByte();
        ByteQueue in = (queues & RECEIVES) != 0 ? ByteQueue.readFrom(wire) : null;
        ByteQueue out = (queues & SENDS) != 0 ? ByteQueue.readFrom(wire) : null;
        PipeConnection<?> connection = new PipeConnection<>(ends, end, in, out, ProcessUse.received("Connection"));
        ends.attach(end);
        return connection;
    }

    private void writeObject(ObjectOutputStream stream) throws IOException {
        ends.serializing(end); // into a child's target: the child is this end's user from its spawn
        stream.defaultWriteObject();
    }

    private void readObject(ObjectInputStream stream) throws IOException, ClassNotFoundException {
        stream.defaultReadObject();
        ends.attach(end);
        watchIdleFeeds();
    }

    /**
     * What a wait of this end asks between its looks: whether every process that used the other
     * end closed it or died, and, when {@code emptied} is given, nothing is left in it to receive.
     * A class, not a lambda: a new child's first receive makes it (see the class notes of the
     * library's {@code Wait}).
     */
    private record OtherEndGone(PipeEnds ends, int otherEnd, ByteQueue emptied) implements BooleanSupplier {
        @Override
        public boolean getAsBoolean() {
            return ends.isGone(otherEnd) && (emptied == null || emptied.size() == 0);
        }
    }
}
