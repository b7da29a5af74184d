package io.github.multiprocessing4j.redis.internal.queue;

import io.github.multiprocessing4j.redis.internal.connection.ClusterConnection;
import io.github.multiprocessing4j.redis.internal.connection.ClusterFailure;
import io.github.multiprocessing4j.redis.internal.connection.ClusterHandle;
import io.github.multiprocessing4j.redis.internal.connection.Lease;
import io.github.multiprocessing4j.redis.internal.connection.LuaScript;
import io.github.multiprocessing4j.redis.internal.connection.Server;
import io.github.multiprocessing4j.redis.internal.connection.WriteBehind;

import io.github.multiprocessing4j.spi.QueueBackend;
import redis.clients.jedis.args.ListDirection;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

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
 *   <li>Gets fetch ahead ({@link Consumer}, the machinery the joinable queue shares): one process
 *       is one consumer per queue; one script call moves up to {@value #PREFETCH} items (at most
 *       half of what waits, at least one, so that other consumers are not starved) from
 *       {@code items} into the consumer's {@code taken:<id>} list, leased ({@code lease:<id>},
 *       renewed by {@link Lease}), and the process hands them out one by one. A get that finds
 *       nothing blocks in {@code BLMOVE items -> taken} (a lone item is not delayed) in slices of
 *       {@value #WAIT_SLICE_MILLIS} ms, between which it sees a close and an interrupt. Items
 *       fetched ahead go back to the head when the process has not asked for one for
 *       {@link #IDLE_GIVE_BACK_NANOS} (renewal thread), and when its lease lapses (process dead):
 *       the next consumer that finds the queue empty puts them back. A plain queue acknowledges
 *       an item when {@code get} returns it, behind ({@link WriteBehind}: trims the oldest
 *       {@code n} of the taken list), so an item returned is redelivered only if its process dies
 *       before that write reaches the server (about one round trip). A bounded plain queue does
 *       not fetch ahead (the taken list holds only what was handed out), so that its bound counts
 *       exactly what was put and not got, as locally.</li>
 *   <li>Waiting gets ride out a server that cannot be reached (restarting) for up to the
 *       cluster's timeout ({@link #ridingOut}); a get whose connection broke may or may not have
 *       moved items into the taken list: the consumer takes under a new id ({@link Generation})
 *       and lets the old lease run out, so those items are delivered again (never lost).</li>
 *   <li>A full queue's put waits for a {@code room} token the same way. Tokens are hints (at
 *       most 64 are kept, they expire): a put always tries again on the server.</li>
 *   <li>Close sets {@code closed}; a closed queue that is empty is started afresh by the next
 *       {@code Cluster.queue(name)} (the name is reusable, as a local queue is gone once closed
 *       and empty).</li>
 * </ul>
 */
public class RedisQueue extends ClusterHandle implements QueueBackend {
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
    private static final LuaScript CREATE = new LuaScript(
            "local max = redis.call('HGET', KEYS[1], 'max') "
            + "if max and redis.call('HGET', KEYS[1], 'closed') == '1' and redis.call('LLEN', KEYS[2]) == 0 "
            + "  and tonumber(redis.call('HGET', KEYS[1], 'unfinished') or '0') <= 0 then "
            + "  redis.call('DEL', KEYS[1]) max = false end "
            + "if not max then max = ARGV[1] if max == '-1' then max = '0' end "
            + "  redis.call('HSET', KEYS[1], 'max', max) end "
            + "return tonumber(max)");
    /** KEYS meta, items; ARGV max (for a queue whose meta is gone), joinable ("1"), items... Returns how many were pushed, -1 when closed. */
    private static final LuaScript PUT = new LuaScript(
            "if redis.call('HGET', KEYS[1], 'closed') == '1' then return -1 end "
            + "local max = tonumber(redis.call('HGET', KEYS[1], 'max') or '-1') "
            + "if max < 0 then max = tonumber(ARGV[1]) redis.call('HSET', KEYS[1], 'max', ARGV[1]) end "
            + "local n = #ARGV - 2 "
            + "if max > 0 then local room = max - redis.call('LLEN', KEYS[2]) if room < n then n = room end end "
            + "if n <= 0 then return 0 end "
            + "redis.call('RPUSH', KEYS[2], unpack(ARGV, 3, 2 + n)) "
            + "if ARGV[2] == '1' then redis.call('HINCRBY', KEYS[1], 'unfinished', n) end "
            + "return n");
    /** How many items a get fetches at most in one call (at most half of what waits, at least one). */
    static final int PREFETCH = 256;
    /** How long items fetched ahead may wait for this process's next get before they go back to the queue. */
    static final long IDLE_GIVE_BACK_NANOS = 200_000_000L;
    private static final System.Logger LOG = System.getLogger(RedisQueue.class.getName());
    private static final Map<ConsumerKey, Consumer> CONSUMERS = new ConcurrentHashMap<>();

    /**
     * Lua: put the items of consumers whose lease ran out back at the head of {@code KEYS[2]};
     * {@code back} counts them. ARGV[1] is the key prefix.
     *
     * @param consumersKey where the script has the consumers set ({@code "KEYS[4]"})
     */
    static String recoverLua(String consumersKey) {
        return "local back = 0 "
                + "for _, id in ipairs(redis.call('SMEMBERS', " + consumersKey + ")) do "
                + "  if redis.call('EXISTS', ARGV[1] .. 'lease:' .. id) == 0 then "
                + "    local t = ARGV[1] .. 'taken:' .. id "
                + "    local items = redis.call('LRANGE', t, 0, -1) "
                + "    for i = #items, 1, -1 do redis.call('LPUSH', KEYS[2], items[i]) end "
                + "    back = back + #items redis.call('DEL', t) redis.call('SREM', " + consumersKey + ", id) "
                + "  end "
                + "end ";
    }

    /**
     * KEYS meta, items, room, consumers, taken, lease; ARGV prefix, n, lease ms, id. Registers and
     * leases the consumer, takes up to n items (at most half of what waits, at least one) into its
     * taken list, first putting back dead consumers' items when the queue is empty. Returns the
     * items (maybe none), -1 when closed and empty.
     */
    private static final LuaScript FETCH = new LuaScript(
            "redis.call('SADD', KEYS[4], ARGV[4]) "
            + "redis.call('SET', KEYS[6], '1', 'PX', ARGV[3]) "
            + "local len = redis.call('LLEN', KEYS[2]) "
            + "if len == 0 then " + recoverLua("KEYS[4]") + " len = back end "
            + "if len == 0 then if redis.call('HGET', KEYS[1], 'closed') == '1' then return -1 end return {} end "
            + "local n = math.min(tonumber(ARGV[2]), math.max(1, math.floor(len / 2))) "
            + "local items = redis.call('LPOP', KEYS[2], n) "
            + "redis.call('RPUSH', KEYS[5], unpack(items)) "
            + ROOM_TOKEN_LUA
            + "return items");
    /**
     * KEYS items, taken; ARGV k. Puts the newest k items of a taken list (fetched ahead, never
     * handed out) back at the head of the queue, in their order. Returns how many.
     */
    private static final LuaScript GIVE_BACK = new LuaScript(
            "local len = redis.call('LLEN', KEYS[2]) "
            + "local k = math.min(tonumber(ARGV[1]), len) "
            + "if k <= 0 then return 0 end "
            + "local back = redis.call('LRANGE', KEYS[2], len - k, -1) "
            + "redis.call('LTRIM', KEYS[2], 0, len - k - 1) "
            + "for i = #back, 1, -1 do redis.call('LPUSH', KEYS[1], back[i]) end "
            + "return k");
    /** KEYS lease; ARGV lease ms. */
    private static final LuaScript RENEW = new LuaScript("redis.call('SET', KEYS[1], '1', 'PX', ARGV[1]) return 1");
    /** KEYS taken; ARGV n. A plain queue's acknowledgement: drops the n oldest of a taken list (handed out). */
    private static final LuaScript ACK = new LuaScript(
            "local n = math.min(tonumber(ARGV[1]), redis.call('LLEN', KEYS[1])) "
            + "if n > 0 then redis.call('LTRIM', KEYS[1], n, -1) end return n");
    /** KEYS items, consumers; ARGV prefix. A plain queue's size: what waits, plus what consumers hold (fetched ahead). */
    private static final LuaScript SIZE = new LuaScript(
            "local n = redis.call('LLEN', KEYS[1]) "
            + "for _, id in ipairs(redis.call('SMEMBERS', KEYS[2])) do "
            + "  n = n + redis.call('LLEN', ARGV[1] .. 'taken:' .. id) end "
            + "return n");

    final String kind;
    final long maxSize;
    final String metaKey;
    final String itemsKey;
    final String roomKey;
    /** The object's key prefix ({@code taken:<id>} and {@code lease:<id>} of its consumers are built from it). */
    final String prefixKey;
    final String consumersKey;
    private transient volatile GroupCommit<byte[], Long> puts;
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
        super(connection, name);
        this.kind = kind;
        this.metaKey = connection.key(kind, name, "meta");
        this.itemsKey = connection.key(kind, name, "items");
        this.roomKey = connection.key(kind, name, "room");
        this.prefixKey = connection.key(kind, name, "");
        this.consumersKey = connection.key(kind, name, "consumers");
        Long existing = connection.server().call("open " + this, j -> (Long) CREATE.runBytes(j,
                bytes(metaKey, itemsKey), bytes(Integer.toString(maxSize))));
        if (maxSize >= 0 && existing != maxSize) {
            throw new IllegalStateException(this + " exists with " + (existing == 0 ? "no bound" : "maxSize " + existing)
                    + ", not " + (maxSize == 0 ? "unbounded" : "maxSize " + maxSize)
                    + ": name it without a size to use it as it is");
        }
        this.maxSize = existing;
    }

    boolean joinable() {
        return false;
    }

    @Override
    public boolean put(Object item, long timeoutNanos) {
        try {
            return put(item, timeoutNanos, false);
        } catch (InterruptedException e) {
            throw new AssertionError("an uninterruptible put was interrupted", e);
        }
    }

    @Override
    public boolean putInterruptibly(Object item, long timeoutNanos) throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        return put(item, timeoutNanos, true);
    }

    /** A put whose wait for room an interrupt ends ({@code interruptible}) or only notes. */
    private boolean put(Object item, long timeoutNanos, boolean interruptible) throws InterruptedException {
        byte[] value = ItemBytes.encode(item);
        connection().server().checkArgumentFits("the item", value.length);
        if (maxSize == 0) {
            // Unbounded: nothing to wait for, so the put goes behind (see WriteBehind).
            if (closedHere) {
                throw closed();
            }
            WriteBehind.of(connection()).add(putSink(), value, value.length);
            return true;
        }
        long deadline = System.nanoTime() + timeoutNanos;
        boolean interrupted = false; // an uninterruptible put's interrupt: kept, and set again on return
        try {
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
                try {
                    awaitNotification("wait for room in " + this, roomKey, waitMillis);
                } catch (InterruptedException e) {
                    if (interruptible) {
                        throw e;
                    }
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public Object take(long timeoutNanos) throws InterruptedException {
        Consumer me = consumer();
        long deadline = System.nanoTime() + timeoutNanos;
        if (timeoutNanos == 0) {
            me.lock.lock();
        } else {
            me.lock.lockInterruptibly();
        }
        try {
            if (me.generation.broken) {
                me.startAfresh();
            }
            while (true) {
                byte[] value = me.prefetched.poll();
                if (value == null) {
                    Object answer = ridingOut(() -> fetch(me), me::startAfresh);
                    if (answer == CLOSED) {
                        throw closedAndEmpty();
                    }
                    value = me.prefetched.poll();
                }
                if (value == null) {
                    long waitMillis = waitMillis(timeoutNanos, deadline);
                    if (waitMillis == 0) {
                        return null;
                    }
                    value = ridingOut(() -> {
                        byte[] taken = me.generation.takenKey.getBytes(StandardCharsets.UTF_8);
                        Server server = connection().server();
                        return server.callOnce("get from " + this, server.waitingUpTo(waitMillis, (j, seconds) -> j.blmove(
                                itemsKey.getBytes(StandardCharsets.UTF_8), taken, ListDirection.LEFT, ListDirection.RIGHT, seconds)));
                    }, me::startAfresh);
                }
                if (value != null) {
                    me.lastTake = System.nanoTime();
                    return handOut(me, me.generation, value);
                }
            }
        } finally {
            me.lock.unlock();
        }
    }

    /**
     * Hands out an item this process's consumer holds in generation {@code g}'s taken list (the
     * oldest of those not handed out), under the consumer's lock. A plain queue acknowledges it
     * behind at once, before decoding it: a refused item is dropped, and its get fails.
     */
    Object handOut(Consumer me, Generation g, byte[] value) {
        WriteBehind.of(connection()).add(g.acks, Boolean.TRUE, 1);
        return decode(value);
    }

    /** Sends {@code n} acknowledgements of {@code takenKey}'s oldest items (from the write-behind stream). */
    void acknowledge(String takenKey, int n) {
        // Not retried: a trim whose answer was lost may have happened, and trimming again would
        // drop an item fetched ahead. The caller starts afresh instead (redelivery, not loss).
        connection().server().callBehind("acknowledge gets from " + this, j -> ACK.runBytes(j,
                bytes(takenKey), bytes(Integer.toString(n))));
    }

    /** @return how many items a get may fetch at once: a bounded plain queue fetches none ahead (its bound stays exact) */
    int fetchAhead() {
        return maxSize > 0 ? 1 : PREFETCH;
    }

    /** @return {@link #CLOSED} when the queue is closed and empty, else null (the items are in {@code me.prefetched}) */
    private Object fetch(Consumer me) {
        Generation g = me.generation;
        Object answer = connection().server().callOnce("get from " + this, j -> FETCH.runBytes(j,
                bytes(metaKey, itemsKey, roomKey, consumersKey, g.takenKey, g.leaseKey),
                bytes(prefixKey, Integer.toString(fetchAhead()), Long.toString(connection().lease().toMillis()), g.id)));
        if (answer instanceof Long) {
            return CLOSED;
        }
        for (Object value : (List<?>) answer) {
            me.prefetched.add((byte[]) value);
        }
        return null;
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
        return connection().server().call("size of " + this, j -> (Long) SIZE.runBytes(j,
                bytes(itemsKey, consumersKey), bytes(prefixKey)));
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

    /** @return per item: 1 pushed, 0 full, -1 closed */
    private List<Long> putBatch(List<byte[]> values, boolean behind) {
        List<byte[]> args = new ArrayList<>(values.size() + 2);
        args.add(Long.toString(maxSize).getBytes(StandardCharsets.US_ASCII));
        args.add(joinable() ? ONE : ZERO);
        args.addAll(values);
        // Not retried: a batch whose answer was lost may have been pushed.
        Server server = connection().server();
        java.util.function.Function<redis.clients.jedis.Jedis, Long> push = j -> (Long) PUT.runBytes(j, bytes(metaKey, itemsKey), args);
        long pushed = behind ? server.callBehind("put into " + this, push) : server.callOnce("put into " + this, push);
        List<Long> answers = new ArrayList<>(values.size());
        for (int i = 0; i < values.size(); i++) {
            answers.add(pushed < 0 ? -1L : i < pushed ? 1L : 0L);
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

    final Consumer consumer() {
        ClusterConnection c = connection();
        return CONSUMERS.computeIfAbsent(new ConsumerKey(c, prefixKey), k -> new Consumer(this, c));
    }

    /** The consumer of one queue in this process, over one connection (identity: a new connection, a new consumer). */
    private record ConsumerKey(ClusterConnection connection, String prefixKey) {
    }

    /**
     * This process's consumer of a queue: its current {@link Generation}, the items it fetched
     * ahead, and (for a joinable queue) the generation of each item it got and has not finished
     * (oldest first).
     */
    static final class Consumer {
        final RedisQueue queue;
        final ClusterConnection connection;
        final ReentrantLock lock = new ReentrantLock();
        final ArrayDeque<byte[]> prefetched = new ArrayDeque<>();
        final ArrayDeque<Generation> got = new ArrayDeque<>();
        volatile Generation generation;
        /** When a get last handed out an item (guarded by {@link #lock}, read racily by the renewal thread). */
        volatile long lastTake = System.nanoTime();

        Consumer(RedisQueue queue, ClusterConnection connection) {
            this.queue = queue;
            this.connection = connection;
            this.generation = new Generation(queue);
            Lease.renewing(connection, "the lease of this process's taken items of " + queue, this::renew);
        }

        /**
         * After a take whose connection broke, or an acknowledgement that failed (under
         * {@link #lock}): what the taken list holds is unknown here, so this process takes under a
         * new id from now on and stops renewing the old one's lease; whatever the old taken list
         * holds (items fetched ahead, one moved by the broken call, items got and not
         * acknowledged) is delivered again once that lease runs out. At least once, nothing stuck.
         */
        void startAfresh() {
            LOG.log(prefetched.isEmpty() ? System.Logger.Level.DEBUG : System.Logger.Level.WARNING,
                    "a call on {0} lost its connection: its {1} items fetched ahead will be delivered again after the lease",
                    queue, prefetched.size());
            prefetched.clear();
            generation = new Generation(queue);
        }

        /** Renews the current generation's lease (never lost: it is set anew), then gives back idle prefetched items. */
        private boolean renew() {
            Generation g = generation;
            connection.server().callOnce("renew a lease on " + queue, j -> RENEW.runBytes(j, bytes(g.leaseKey),
                    bytes(Long.toString(connection.lease().toMillis()))));
            giveBackIdle();
            return true;
        }

        /**
         * Gives the items fetched ahead back to the queue when this process has not asked for one
         * for a while (it works on something long, or stopped consuming), so that other
         * consumers and join() do not wait for them. Skipped while a get is under way.
         */
        private void giveBackIdle() {
            if (prefetched.isEmpty() || System.nanoTime() - lastTake < IDLE_GIVE_BACK_NANOS || !lock.tryLock()) {
                return;
            }
            try {
                int k = prefetched.size();
                if (k > 0) {
                    String takenKey = generation.takenKey;
                    connection.server().callOnce("give back to " + queue, j -> GIVE_BACK.runBytes(j,
                            bytes(queue.itemsKey, takenKey), bytes(Integer.toString(k))));
                    prefetched.clear();
                }
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * One id under which a consumer takes: its taken list, its lease, and the sink its
     * acknowledgements go to behind (at least once: one lost with the process is a redelivery).
     */
    static final class Generation {
        final String id = UUID.randomUUID().toString();
        final String takenKey;
        final String leaseKey;
        final WriteBehind.Sink<Boolean> acks;
        /** Set when an acknowledgement failed: the taken list's head is unknown, the next get starts afresh. */
        volatile boolean broken;

        Generation(RedisQueue queue) {
            takenKey = queue.prefixKey + "taken:" + id;
            leaseKey = queue.prefixKey + "lease:" + id;
            acks = batch -> {
                try {
                    queue.acknowledge(takenKey, batch.size());
                } catch (RuntimeException e) {
                    broken = true;
                    LOG.log(System.Logger.Level.WARNING, "{0} acknowledgements of gets from {1} were not stored "
                            + "(those items may be delivered again): {2}", batch.size(), queue, e.getMessage());
                }
            };
        }
    }
}
