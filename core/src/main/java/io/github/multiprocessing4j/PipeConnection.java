package io.github.multiprocessing4j;

import io.github.multiprocessing4j.internal.queue.ByteQueue;
import io.github.multiprocessing4j.internal.queue.EncodedItemRecord;
import io.github.multiprocessing4j.internal.queue.PipeEnds;
import io.github.multiprocessing4j.internal.serial.ItemCodec;
import io.github.multiprocessing4j.internal.sync.Wait;

import java.io.EOFException;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.time.Duration;

/**
 * One end of a {@link Pipe}: receives from one {@link ByteQueue}, sends into the other.
 *
 * <p>Implementation notes. A receiver waits on its queue in slices of
 * {@link Wait#LIVENESS_CHECK_NANOS}; between slices it asks {@link PipeEnds} whether the other
 * end is gone. Closing an end closes both queues, so that the other end's receiver sees the
 * close at once (a closed, empty queue ends a wait) and its sender fails; what was sent to the
 * closed end is drained so that its memory goes.
 *
 * @param <T> the type of the messages
 */
final class PipeConnection<T> implements Connection<T> {
    private static final long serialVersionUID = 1L;

    private final PipeEnds ends;
    private final int end;
    private final ByteQueue in;
    private final ByteQueue out;

    PipeConnection(PipeEnds ends, int end, ByteQueue in, ByteQueue out) {
        this.ends = ends;
        this.end = end;
        this.in = in;
        this.out = out;
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
        return in.awaitItemOrClose(ProcessQueue.nanos(timeout)) || ends.isGone(1 - end);
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

    /** @return whether every process that used the other end has died: slower (it looks for dead users) */
    boolean isPeerGone() {
        return ends.isGone(1 - end);
    }

    @Override
    public void close() {
        if (!ends.close(end)) {
            return;
        }
        if (out != null) {
            out.close();
        }
        if (in != null) {
            in.close();
            try {
                while (in.takeUninterruptibly(0, EncodedItemRecord.FORMAT) != null) {
                    // dropped: nobody can receive on a closed end
                }
            } catch (IllegalStateException drained) {
                // closed and empty: its segments are gone
            }
        }
    }

    @Override
    public String toString() {
        return "Connection[" + (end == 0 ? "left" : "right") + (ends.isClosed(end) ? ", closed" : "") + "]";
    }

    private void put(ItemCodec.Encoded message) {
        checkOpen();
        if (out == null) {
            throw new IllegalStateException("this end of a one-way pipe only receives");
        }
        if (ends.isClosed(1 - end)) {
            throw new IllegalStateException("the other end of the pipe is closed");
        }
        ends.attach(end);
        try {
            out.put(message, EncodedItemRecord.FORMAT, -1);
        } catch (IllegalStateException closed) {
            throw new IllegalStateException("the other end of the pipe is closed", closed);
        }
    }

    private ItemCodec.Encoded take() throws EOFException {
        checkCanReceive();
        ends.attach(end);
        while (true) {
            ItemCodec.Encoded message;
            try {
                message = in.takeUninterruptibly(Wait.LIVENESS_CHECK_NANOS, EncodedItemRecord.FORMAT);
            } catch (IllegalStateException closedAndEmpty) {
                checkOpen();
                throw new EOFException("the other end of the pipe is closed");
            }
            if (message != null) {
                return message;
            }
            if (ends.isGone(1 - end) && in.size() == 0) {
                throw new EOFException("every process that used the other end of the pipe has died");
            }
        }
    }

    private void checkCanReceive() {
        checkOpen();
        if (in == null) {
            throw new IllegalStateException("this end of a one-way pipe only sends");
        }
    }

    private void checkOpen() {
        if (ends.isClosed(end)) {
            throw new IllegalStateException("this end of the pipe is closed");
        }
    }

    private void writeObject(ObjectOutputStream stream) throws IOException {
        ends.serializing(end); // into a child's target: the child is this end's user from its spawn
        stream.defaultWriteObject();
    }

    private void readObject(ObjectInputStream stream) throws IOException, ClassNotFoundException {
        stream.defaultReadObject();
        ends.attach(end);
    }
}
