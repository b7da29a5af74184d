package io.github.multiprocessing4j.bench;

import io.github.multiprocessing4j.ProcessBarrier;
import io.github.multiprocessing4j.ProcessJoinableQueue;
import io.github.multiprocessing4j.ProcessQueue;
import io.github.multiprocessing4j.SerializableRunnable;
import io.github.multiprocessing4j.SharedLong;
import io.github.multiprocessing4j.SharedLongArray;

import java.util.Arrays;

/**
 * The targets of the children of the queue and pipe sections ({@code bench_mp.py}'s
 * {@code _q_producer}, {@code _q_consumer}, {@code _pipe_producer}, {@code _pipe_consumer},
 * {@code _echo_queue}, {@code _echo_pipe}, {@code _jq_producer}, {@code _jq_consumer}), apart
 * from {@link ChildTargets} so that the children of the other sections do not load what only
 * these need. The ends of a {@link Channel} make one loop of each serve queues and pipes.
 *
 * <p>A throughput child reports in two slots of a {@link SharedLongArray}, at
 * {@code 2 * slot}: its {@link System#nanoTime()} (a producer's after the barrier, a consumer's
 * after its end message) and {@code 2 * slot + 1}: the items it sent or received.
 */
final class QueueTargets {
    private QueueTargets() {
    }

    /**
     * Sends {@code warmUp} items first (as the measured ones), waits on the barrier, then sends
     * {@code n} items and one end message: the ints {@code base .. base + n - 1} when
     * {@code size} is 0, else {@code n} times the same {@code size}-byte array.
     */
    static SerializableRunnable producer(Channel.Sender out, int base, int n, int size, int warmUp,
            ProcessBarrier start, SharedLongArray report, int slot) {
        return () -> {
            byte[] payload = size == 0 ? null : payload(size);
            sendAll(out, base, warmUp, payload);
            start.await();
            long t0 = System.nanoTime();
            sendAll(out, base, n, payload);
            out.send(Channel.END);
            report.set(2 * slot, t0);
            report.set(2 * slot + 1, n);
        };
    }

    /** Receives {@code warmUp} items first, waits on the barrier, then receives and counts items until its end message. */
    static SerializableRunnable consumer(Channel.Receiver in, int warmUp, ProcessBarrier start, SharedLongArray report,
            int slot) {
        return () -> {
            for (int i = 0; i < warmUp; i++) {
                in.receive();
            }
            start.await();
            long n = 0;
            while (!Channel.isEnd(in.receive())) {
                n++;
            }
            report.set(2 * slot, System.nanoTime());
            report.set(2 * slot + 1, n);
        };
    }

    /**
     * Leaves its {@link System#nanoTime()} in {@code started}, then puts {@code n} times the same
     * {@code size}-byte array into {@code queue}: the producer of the "scale" section's user
     * pattern, whose consumer is the parent ({@code user_patterns.py}'s {@code _put_items}).
     */
    static SerializableRunnable putItems(ProcessQueue<Object> queue, int n, int size, SharedLong started) {
        return () -> {
            byte[] item = payload(size);
            started.set(System.nanoTime());
            for (int i = 0; i < n; i++) {
                queue.put(item);
            }
        };
    }

    /**
     * The small record of the "scale" section's structured-item pattern: what a Java program puts
     * where a Python one puts the tuple {@code (i, "item", 1.5)}.
     */
    record Order(int id, String name, double price) implements java.io.Serializable {
    }

    /**
     * Takes {@code count} lists of {@code ints} {@code Integer}s, checks each and puts the time it
     * had it into {@code taken} ({@code user_patterns.py}'s {@code _take_lists}).
     */
    static SerializableRunnable takeLists(ProcessQueue<Object> lists, ProcessQueue<Long> taken, int ints, int count) {
        return () -> {
            for (int i = 0; i < count; i++) {
                Object list = lists.get();
                long at = System.nanoTime();
                if (!(list instanceof java.util.List<?> l) || l.size() != ints || !Integer.valueOf(ints - 1).equals(l.get(ints - 1))) {
                    throw new IllegalStateException("list " + i + " is not the list of " + ints + " ints");
                }
                taken.put(at);
            }
        };
    }

    /**
     * Leaves its {@link System#nanoTime()} in {@code started}, then puts {@code n} items made one
     * by one, as a program makes them: {@link Order}s, or, with {@code maps}, a
     * {@code HashMap} {@code {id: i, name: "item"}} each ({@code user_patterns.py}'s
     * {@code _put_structured}).
     */
    static SerializableRunnable putStructured(ProcessQueue<Object> queue, int n, boolean maps, SharedLong started) {
        return () -> {
            started.set(System.nanoTime());
            for (int i = 0; i < n; i++) {
                if (maps) {
                    java.util.Map<String, Object> item = new java.util.HashMap<>();
                    item.put("id", i);
                    item.put("name", "item");
                    queue.put(item);
                } else {
                    queue.put(new Order(i, "item", 1.5));
                }
            }
        };
    }

    /** Sends back every message it receives, until the end message. */
    static SerializableRunnable echo(Channel.Receiver in, Channel.Sender out) {
        return () -> {
            for (Object x = in.receive(); !Channel.isEnd(x); x = in.receive()) {
                out.send(x);
            }
        };
    }

    /** Puts the ints {@code base .. base + n - 1}, and nothing else. */
    static SerializableRunnable joinableProducer(Channel.Sender out, int base, int n) {
        return () -> sendAll(out, base, n, null);
    }

    /**
     * Gets an item, "processes" it (doubles it), calls {@code taskDone()}, and again, until an
     * end message (which it also marks done).
     */
    static SerializableRunnable joinableConsumer(ProcessJoinableQueue<Object> queue) {
        return () -> {
            for (Object item = queue.get(); !Channel.isEnd(item); item = queue.get()) {
                int processed = (Integer) item * 2; // the "work" of _jq_consumer: _ = item * 2
                queue.taskDone();
            }
            queue.taskDone();
        };
    }

    private static void sendAll(Channel.Sender out, int base, int n, byte[] payload) throws Exception {
        if (payload == null) {
            for (int i = base; i < base + n; i++) {
                out.send(i);
            }
        } else {
            for (int i = 0; i < n; i++) {
                out.send(payload);
            }
        }
    }

    /** {@code bench_mp.py}'s {@code b"x" * size}. */
    private static byte[] payload(int size) {
        byte[] b = new byte[size];
        Arrays.fill(b, (byte) 'x');
        return b;
    }
}
