package io.github.multiprocessing4j.redis.internal;

import io.github.multiprocessing4j.spi.QueueBackend;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.util.KeyValue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A {@link io.github.multiprocessing4j.ProcessQueue} on the server: a list of encoded items and a
 * hash of the queue's bound and closed flag.
 *
 * <p>Implementation notes.
 * <ul>
 *   <li>Keys (one hash slot): {@code meta} (hash: {@code max}, {@code closed}, and
 *       {@code unfinished} for a joinable queue), {@code items} (the list, oldest at the head),
 *       {@code room} (tokens a take leaves when it makes room in a full queue, for waiting
 *       puts).</li>
 *   <li>Puts: one script call pushes a batch and enforces the bound atomically (it pushes as
 *       many as fit, in order; the others are answered "full"). An unbounded queue's puts go
 *       behind ({@link WriteBehind}: the process's one ordered stream per connection; a put
 *       returns before the server answers). A bounded queue's put needs the answer (full or
 *       not), so it waits for it; concurrent puts of one process still travel together
 *       ({@link GroupCommit}). Not retried on a broken connection (it may have happened).</li>
 *   <li>Gets take exactly what their callers asked for, never more: an item prefetched into a
 *       process that dies would be lost, so a plain queue does not prefetch. Concurrent gets of
 *       one process take their items with one script call; a get that finds the queue empty
 *       blocks in {@code BLPOP} (holding a pooled connection) in slices of
 *       {@value #WAIT_SLICE_MILLIS} ms, between which it sees a close and an interrupt: no
 *       busy polling. A waiting get rides out a server that cannot be reached (restarting) for
 *       up to the cluster's timeout; an item whose answer was lost with the connection is lost
 *       (a plain queue's get is at most once, as a local one whose process dies).</li>
 *   <li>A full queue's put waits for a {@code room} token the same way. Tokens are hints (at
 *       most 64 are kept, they expire): a put always tries again on the server.</li>
 *   <li>Close sets {@code closed}; a closed queue that is empty is started afresh by the next
 *       {@code Cluster.queue(name)} (the name is reusable, as a local queue is gone once closed
 *       and empty).</li>
 * </ul>
 */
public class RedisQueue implements QueueBackend {
    private static final long serialVersionUID = 1L;
    static final long WAIT_SLICE_MILLIS = 250;
    static final int MAX_BATCH = 512;
    /** What a take answers when the queue is closed and empty. */
    static final Object CLOSED = new Object();

    /** Lua: after taking {@code items} from a list that had {@code len}, leave a token when it was full. */
    static final String ROOM_TOKEN_LUA =
            "local max = tonumber(redis.call('HGET', KEYS[1], 'max') or '0') "
            + "if max > 0 and len >= max then redis.call('RPUSH', KEYS[3], '1') "
            + "  redis.call('LTRIM', KEYS[3], -64, -1) redis.call('PEXPIRE', KEYS[3], 60000) end ";
    /** KEYS meta, items; ARGV max (-1: adopt the existing bound, else unbounded), joinable ("1"). Returns the bound. */
    private static final Script CREATE = new Script(
            "local max = redis.call('HGET', KEYS[1], 'max') "
            + "if max and redis.call('HGET', KEYS[1], 'closed') == '1' and redis.call('LLEN', KEYS[2]) == 0 "
            + "  and tonumber(redis.call('HGET', KEYS[1], 'unfinished') or '0') <= 0 then "
            + "  redis.call('DEL', KEYS[1]) max = false end "
            + "if not max then max = ARGV[1] if max == '-1' then max = '0' end "
            + "  redis.call('HSET', KEYS[1], 'max', max) end "
            + "return tonumber(max)");
    /** KEYS meta, items; ARGV max (for a queue whose meta is gone), joinable ("1"), items... Returns how many were pushed, -1 when closed. */
    private static final Script PUT = new Script(
            "if redis.call('HGET', KEYS[1], 'closed') == '1' then return -1 end "
            + "local max = tonumber(redis.call('HGET', KEYS[1], 'max') or '-1') "
            + "if max < 0 then max = tonumber(ARGV[1]) redis.call('HSET', KEYS[1], 'max', ARGV[1]) end "
            + "local n = #ARGV - 2 "
            + "if max > 0 then local room = max - redis.call('LLEN', KEYS[2]) if room < n then n = room end end "
            + "if n <= 0 then return 0 end "
            + "redis.call('RPUSH', KEYS[2], unpack(ARGV, 3, 2 + n)) "
            + "if ARGV[2] == '1' then redis.call('HINCRBY', KEYS[1], 'unfinished', n) end "
            + "return n");
    /** KEYS meta, items, room; ARGV n. Returns the items taken (maybe none), -1 when closed and empty. */
    private static final Script TAKE = new Script(
            "local len = redis.call('LLEN', KEYS[2]) "
            + "if len == 0 then if redis.call('HGET', KEYS[1], 'closed') == '1' then return -1 end return {} end "
            + "local items = redis.call('LPOP', KEYS[2], ARGV[1]) "
            + ROOM_TOKEN_LUA
            + "return items");

    final ClusterRef ref;
    final String name;
    final String kind;
    final long maxSize;
    final String metaKey;
    final String itemsKey;
    final String roomKey;
    private transient volatile ClusterConnection connection;
    private transient volatile GroupCommit<byte[], Long> puts;
    private transient volatile GroupCommit<Boolean, Object> takes;
    /** Set by {@link #close()}: a put behind through a handle closed here fails at once, not one call later. */
    private transient volatile boolean closedHere;
    private transient volatile WriteBehind.Sink<byte[]> putSink;

    /**
     * Meets the queue {@code name} on the server, making it when it is not there (or was closed
     * and emptied).
     *
     * @param maxSize its bound (0: unbounded), or -1 to take the bound of the existing queue
     * @throws IllegalStateException when the queue exists with another bound
     */
    public RedisQueue(ClusterConnection connection, String name, int maxSize) {
        this(connection, "queue", name, maxSize);
    }

    RedisQueue(ClusterConnection connection, String kind, String name, int maxSize) {
        this.connection = connection;
        this.ref = connection.ref();
        this.name = name;
        this.kind = kind;
        this.metaKey = connection.key(kind, name, "meta");
        this.itemsKey = connection.key(kind, name, "items");
        this.roomKey = connection.key(kind, name, "room");
        Long existing = connection.server().call("open " + this, j -> (Long) CREATE.run(j,
                bytes(metaKey, itemsKey), bytes(Integer.toString(maxSize))));
        if (maxSize >= 0 && existing != maxSize) {
            throw new IllegalStateException(this + " exists with " + (existing == 0 ? "no bound" : "maxSize " + existing)
                    + ", not " + (maxSize == 0 ? "unbounded" : "maxSize " + maxSize)
                    + ": name it without a size to use it as it is");
        }
        this.maxSize = existing;
    }

    final ClusterConnection connection() {
        ClusterConnection c = connection;
        if (c == null) {
            c = connection = ClusterConnection.resolve(ref);
        }
        return c;
    }

    boolean joinable() {
        return false;
    }

    @Override
    public boolean put(Object item, long timeoutNanos) {
        byte[] value = ItemBytes.encode(item);
        if (maxSize == 0) {
            // Unbounded: nothing to wait for, so the put goes behind (see WriteBehind).
            if (closedHere) {
                throw closed();
            }
            WriteBehind.of(connection()).add(putSink(), value, value.length);
            return true;
        }
        long deadline = System.nanoTime() + timeoutNanos;
        while (true) {
            long answer = puts().submit(value);
            if (answer > 0) {
                return true;
            }
            if (answer < 0) {
                throw closed();
            }
            long waitMillis = WAIT_SLICE_MILLIS;
            if (timeoutNanos >= 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                waitMillis = Math.min(waitMillis, Math.max(1, left / 1_000_000));
            }
            awaitToken(roomKey, waitMillis);
        }
    }

    @Override
    public Object take(long timeoutNanos) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutNanos;
        // An unbounded queue leaves no room tokens: a get that may wait goes straight to BLPOP
        // (one round trip when an item is there), and asks the script (closed?) after each slice.
        boolean askFirst = maxSize > 0 || timeoutNanos == 0;
        while (true) {
            if (askFirst) {
                Object answer = ridingOut(() -> takes().submit(Boolean.TRUE), () -> { });
                if (answer instanceof byte[] value) {
                    return decode(value);
                }
                if (answer == CLOSED) {
                    throw closedAndEmpty();
                }
            }
            long waitMillis = waitMillis(timeoutNanos, deadline);
            if (waitMillis == 0) {
                return null;
            }
            byte[] value = ridingOut(() -> blockingTake(waitMillis), () -> { });
            if (value != null) {
                return decode(value);
            }
            askFirst = true;
        }
    }

    /**
     * Runs one step of a take, riding out a server that cannot be reached (restarting, a network
     * hiccup) for up to the cluster's timeout, with growing pauses: a waiting get resumes when
     * the server comes back instead of failing. {@code afterBreak} runs after each broken step.
     *
     * @throws ClusterFailure when the server answers an error, or is unreachable for the timeout
     * @throws InterruptedException when interrupted during a pause
     */
    final <T> T ridingOut(java.util.function.Supplier<T> step, Runnable afterBreak) throws InterruptedException {
        long failingSince = 0;
        long pauseMillis = 20;
        while (true) {
            try {
                return step.get();
            } catch (ClusterFailure e) {
                if (!e.unreachable()) {
                    throw e;
                }
                afterBreak.run();
                long now = System.nanoTime();
                if (failingSince == 0) {
                    failingSince = now;
                } else if (now - failingSince > connection().server().timeout().toNanos()) {
                    throw e;
                }
                Thread.sleep(pauseMillis);
                pauseMillis = Math.min(500, pauseMillis * 2);
            }
        }
    }

    private byte[] blockingTake(long waitMillis) {
        return connection().server().callOnce("get from " + this, j -> {
            KeyValue<byte[], byte[]> popped = j.blpop(waitMillis / 1000.0, itemsKey.getBytes(StandardCharsets.UTF_8));
            return popped == null ? null : popped.getValue();
        });
    }

    /**
     * @return how long a waiting take may block now, 0 when it must not wait (no wait asked, or
     *     the timeout passed)
     * @throws InterruptedException when the thread was interrupted
     */
    static long waitMillis(long timeoutNanos, long deadline) throws InterruptedException {
        if (timeoutNanos == 0) {
            return 0;
        }
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        if (timeoutNanos < 0) {
            return WAIT_SLICE_MILLIS;
        }
        long left = deadline - System.nanoTime();
        return left <= 0 ? 0 : Math.min(WAIT_SLICE_MILLIS, Math.max(1, left / 1_000_000));
    }

    @Override
    public Object poll() {
        try {
            return take(0);
        } catch (InterruptedException e) {
            throw new AssertionError("a take that does not wait was interrupted", e);
        }
    }

    @Override
    public long size() {
        return connection().server().call("size of " + this, j -> j.llen(itemsKey));
    }

    @Override
    public long maxSize() {
        return maxSize;
    }

    @Override
    public boolean isClosed() {
        return "1".equals(connection().server().call("is " + this + " closed", j -> j.hget(metaKey, "closed")));
    }

    @Override
    public void close() {
        closedHere = true;
        try {
            WriteBehind.of(connection()).flush(); // and throws what an earlier put behind met
        } finally {
            connection().server().call("close " + this, j -> j.hset(metaKey, "closed", "1"));
        }
    }

    /** Waits up to {@code millis} for a token in the list {@code key} (a hint to try again). */
    final void awaitToken(String key, long millis) {
        connection().server().call("wait on " + this, j -> j.blpop(millis / 1000.0, key));
    }

    Object decode(byte[] value) {
        return ItemBytes.decode(value, connection().filter(), toString());
    }

    /** @return where this handle's puts behind go (one per handle: consecutive puts through it are one call) */
    private WriteBehind.Sink<byte[]> putSink() {
        WriteBehind.Sink<byte[]> sink = putSink;
        if (sink == null) {
            sink = putSink = this::putBehind;
        }
        return sink;
    }

    private void putBehind(List<byte[]> values) {
        List<Long> answers = putBatch(values, true);
        long refused = answers.stream().filter(a -> a <= 0).count();
        if (refused > 0) {
            throw answers.get(answers.size() - 1) < 0
                    ? new IllegalStateException(this + " was closed: " + refused + " items put into it were not stored")
                    : new IllegalStateException(this + " is bounded now: " + refused + " items put into it were not stored");
        }
    }

    private GroupCommit<byte[], Long> puts() {
        GroupCommit<byte[], Long> p = puts;
        if (p == null) {
            synchronized (this) {
                p = puts;
                if (p == null) {
                    p = puts = new GroupCommit<>(MAX_BATCH, values -> putBatch(values, false));
                }
            }
        }
        return p;
    }

    private GroupCommit<Boolean, Object> takes() {
        GroupCommit<Boolean, Object> t = takes;
        if (t == null) {
            synchronized (this) {
                t = takes;
                if (t == null) {
                    t = takes = new GroupCommit<>(MAX_BATCH, this::takeBatch);
                }
            }
        }
        return t;
    }

    /** @return per item: 1 pushed, 0 full, -1 closed */
    private List<Long> putBatch(List<byte[]> values, boolean behind) {
        List<byte[]> args = new ArrayList<>(values.size() + 2);
        args.add(Long.toString(maxSize).getBytes(StandardCharsets.US_ASCII));
        args.add(joinable() ? ONE : ZERO);
        args.addAll(values);
        // Not retried: a batch whose answer was lost may have been pushed.
        Server server = connection().server();
        java.util.function.Function<redis.clients.jedis.Jedis, Long> push = j -> (Long) PUT.run(j, bytes(metaKey, itemsKey), args);
        long pushed = behind ? server.callBehind("put into " + this, push) : server.callOnce("put into " + this, push);
        List<Long> answers = new ArrayList<>(values.size());
        for (int i = 0; i < values.size(); i++) {
            answers.add(pushed < 0 ? -1L : i < pushed ? 1L : 0L);
        }
        return answers;
    }

    private List<Object> takeBatch(List<Boolean> requests) {
        Object answer = connection().server().callOnce("get from " + this, j -> TAKE.run(j,
                bytes(metaKey, itemsKey, roomKey), bytes(Integer.toString(requests.size()))));
        if (answer instanceof Long) {
            return Collections.nCopies(requests.size(), CLOSED);
        }
        List<?> items = (List<?>) answer;
        List<Object> answers = new ArrayList<>(requests.size());
        for (int i = 0; i < requests.size(); i++) {
            answers.add(i < items.size() ? items.get(i) : null);
        }
        return answers;
    }

    final IllegalStateException closed() {
        return new IllegalStateException(this + " is closed");
    }

    final IllegalStateException closedAndEmpty() {
        return new IllegalStateException(this + " is closed and empty");
    }

    static final byte[] ONE = {'1'};
    static final byte[] ZERO = {'0'};

    static List<byte[]> bytes(String... values) {
        List<byte[]> list = new ArrayList<>(values.length);
        for (String v : values) {
            list.add(v.getBytes(StandardCharsets.UTF_8));
        }
        return list;
    }

    @Override
    public String toString() {
        return kind + " '" + name + "' on " + ref;
    }
}
