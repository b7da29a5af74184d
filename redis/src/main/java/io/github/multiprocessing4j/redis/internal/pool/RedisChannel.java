package io.github.multiprocessing4j.redis.internal.pool;

import io.github.multiprocessing4j.redis.internal.connection.ClusterConnection;
import io.github.multiprocessing4j.redis.internal.connection.ClusterRef;
import io.github.multiprocessing4j.redis.internal.connection.Server;

import io.github.multiprocessing4j.spi.PoolChannel;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.util.KeyValue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;

/**
 * A pool's message channel on the server: one list, written with {@code RPUSH} by its writers and
 * popped by its one reader. A worker's inbox, or a pool's result channel.
 *
 * <p>Implementation notes. A message is one list element (a pool batch is one message, so one
 * push serves many tasks). The reader first pops up to {@value #POP_COUNT} elements at once
 * without blocking ({@code LPOP key count}), and blocks in {@code BLPOP} only when the list is
 * empty: a busy channel costs one round trip per {@value #POP_COUNT} messages, an idle one wakes
 * as soon as a message is pushed. A blocked pop waits at most {@value #BLOCK_MILLIS} ms at a time,
 * so that a reader whose timeout is long still notices a closed connection. Closing pushes an
 * empty element, the end mark: messages are never empty, and nothing is pushed after it (the pool
 * closes a channel only when no one writes it any more), so the reader ends there.
 *
 * <p>A worker counts the chunks it answered ({@link #answered}) and adds them, in the same
 * pipeline as its next push, to its status on the server ({@link WorkerBoot#statusKey()}), for
 * {@code mp4j ps}.
 */
public final class RedisChannel implements PoolChannel {
    private static final long serialVersionUID = 1L;
    static final int POP_COUNT = 256;
    private static final long BLOCK_MILLIS = 1_000;
    private static final byte[] END = new byte[0];

    private final ClusterRef ref;
    private final String key;
    private transient ClusterConnection connection;
    private transient byte[] keyBytes;
    private transient ArrayDeque<byte[]> popped;
    private transient boolean ended;
    private transient boolean closed;
    private transient int answered;

    public RedisChannel(ClusterConnection connection, String key) {
        this.connection = connection;
        this.ref = connection.ref();
        this.key = key;
    }

    private ClusterConnection connection() {
        ClusterConnection c = connection;
        if (c == null) {
            c = connection = ClusterConnection.resolve(ref);
        }
        return c;
    }

    private byte[] keyBytes() {
        if (keyBytes == null) {
            keyBytes = key.getBytes(StandardCharsets.UTF_8);
        }
        return keyBytes;
    }

    @Override
    public synchronized void put(byte[] message) {
        if (closed) {
            throw new IllegalStateException("the pool channel " + key + " is closed");
        }
        if (message.length == 0) {
            throw new IllegalArgumentException("an empty pool message");
        }
        byte[] k = keyBytes();
        String status = WorkerBoot.statusKey();
        int count = answered;
        answered = 0;
        if (count > 0 && status != null) {
            // Not retried: a push whose answer was lost may have happened, and a message twice is
            // a result twice (the pool would ignore it, but the count would be wrong).
            connection().server().callOnce("send on " + key, j -> {
                Pipeline p = j.pipelined();
                p.rpush(k, message);
                p.hincrBy(status, "tasks", count);
                p.sync();
                return null;
            });
        } else {
            connection().server().callOnce("send on " + key, j -> j.rpush(k, message));
        }
    }

    @Override
    public void checkMessageFits(String what, long bytes) {
        connection().server().checkArgumentFits(what, bytes);
    }

    @Override
    public synchronized void answered(int chunks) {
        answered += chunks;
    }

    @Override
    public byte[] take(long timeoutNanos) {
        if (popped == null) {
            popped = new ArrayDeque<>();
        }
        if (!popped.isEmpty()) {
            return next();
        }
        if (ended) {
            return null;
        }
        byte[] k = keyBytes();
        List<byte[]> many = connection().server().call("receive on " + key, j -> j.lpop(k, POP_COUNT));
        if (many != null && !many.isEmpty()) {
            popped.addAll(many);
            return next();
        }
        if (timeoutNanos == 0) {
            return null;
        }
        long deadline = System.nanoTime() + timeoutNanos;
        while (true) {
            long millis = BLOCK_MILLIS;
            if (timeoutNanos > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return null;
                }
                millis = Math.max(1, Math.min(BLOCK_MILLIS, left / 1_000_000));
            }
            Server server = connection().server();
            KeyValue<byte[], byte[]> one = server.call("wait on " + key, server.waitingUpTo(millis, (j, seconds) -> j.blpop(seconds, k)));
            if (one != null) {
                popped.add(one.getValue());
                return next();
            }
        }
    }

    private byte[] next() {
        byte[] message = popped.pollFirst();
        if (message.length == 0) {
            ended = true;
            popped.clear();
            return null;
        }
        return message;
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            byte[] k = keyBytes();
            connection().server().call("close " + key, j -> j.rpush(k, END));
        }
    }

    @Override
    public int discard() {
        synchronized (this) {
            closed = true;
        }
        Object n = connection().server().call("discard " + key,
                j -> j.eval("local n = redis.call('LLEN', KEYS[1]) redis.call('DEL', KEYS[1]) return n", List.of(key),
                        List.of()));
        return n instanceof Long ? ((Long) n).intValue() : 0;
    }

    @Override
    public String toString() {
        return key + " on " + ref;
    }
}
