package io.github.multiprocessing4j.bench;

import io.github.multiprocessing4j.Connection;
import io.github.multiprocessing4j.Pipe;
import io.github.multiprocessing4j.ProcessQueue;
import io.github.multiprocessing4j.ProcessSimpleQueue;

import java.io.Serializable;
import java.util.List;

/**
 * One direction of a channel under test: the end that sends, the end that receives, and what
 * the parent closes when the measurement is over. The ends are serializable method references,
 * so a child's target captures them as a user's target captures a queue, and the same producer,
 * consumer and echo loops serve every kind of channel, as {@code bench_mp.py}'s loops take
 * {@code put = q.put} or {@code send = conn.send}. (Each child JVM loads one implementation of
 * each end, so the call through the interface costs next to nothing against an item's trip.)
 *
 * <p>A message that is an empty {@code byte[]} ends a stream, in every mode: it is what
 * {@code bench_mp.py} sends with {@code send_bytes}, and stands in for its {@code None}, which
 * Java's queues reject.
 *
 * @param sender the sending end
 * @param receiver the receiving end
 * @param resources what {@link #close()} closes
 */
record Channel(Sender sender, Receiver receiver, AutoCloseable resources) implements AutoCloseable {
    /** The message that ends a stream. */
    static final byte[] END = new byte[0];

    /** A sending end: {@code put}, {@code send} or {@code sendBytes}. */
    @FunctionalInterface
    interface Sender extends Serializable {
        void send(Object item) throws Exception;
    }

    /** A receiving end: {@code get}, {@code recv} or {@code recvBytes}. */
    @FunctionalInterface
    interface Receiver extends Serializable {
        Object receive() throws Exception;
    }

    static boolean isEnd(Object message) {
        return message instanceof byte[] b && b.length == 0;
    }

    /** {@code put} and {@code get} of a queue (a {@code ProcessJoinableQueue} too), which it closes. */
    static Channel of(ProcessQueue<Object> queue) {
        return new Channel(queue::put, queue::get, queue);
    }

    static Channel queue() {
        return of(new ProcessQueue<>());
    }

    static Channel simpleQueue() {
        ProcessSimpleQueue<Object> queue = new ProcessSimpleQueue<>();
        return new Channel(queue::put, queue::get, queue);
    }

    /** {@code send} and {@code recv} of a one-way pipe ({@code Pipe(duplex=False)}). */
    static Channel pipe() {
        Pipe<Object> pipe = Pipe.open(false);
        Connection<Object> in = pipe.left();
        Connection<Object> out = pipe.right();
        return new Channel(out::send, in::recv, closer(in, out));
    }

    /** {@code sendBytes} and {@code recvBytes} of a one-way pipe: every message a {@code byte[]}. */
    static Channel pipeBytes() {
        Pipe<Object> pipe = Pipe.open(false);
        Connection<Object> in = pipe.left();
        Connection<Object> out = pipe.right();
        return new Channel(item -> out.sendBytes((byte[]) item), in::recvBytes, closer(in, out));
    }

    /**
     * Both directions of a duplex pipe ({@code Pipe()}): the first channel sends on the left end
     * to the right end, the second sends back; the first one closes the pipe.
     */
    static List<Channel> duplexPipe() {
        Pipe<Object> pipe = Pipe.open(true);
        Connection<Object> left = pipe.left();
        Connection<Object> right = pipe.right();
        return List.of(new Channel(left::send, right::recv, closer(left, right)),
                new Channel(right::send, left::recv, () -> { }));
    }

    private static AutoCloseable closer(Connection<?> a, Connection<?> b) {
        return () -> {
            try (a; b) {
                // both ends closed, the second also when closing the first throws
            }
        };
    }

    @Override
    public void close() throws Exception {
        resources.close();
    }
}
