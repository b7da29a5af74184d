package io.github.multiprocessing4j.redis.internal;

import io.github.multiprocessing4j.spi.JoinableQueueBackend;
import redis.clients.jedis.args.ListDirection;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link io.github.multiprocessing4j.ProcessJoinableQueue} on the server, at least once: an item
 * a consumer took stays on the server, in that consumer's {@code taken} list, until the consumer
 * finishes it; a consumer that stops renewing its lease (its process killed, its machine lost)
 * has its taken items put back at the head of the queue by the next consumer or {@code join()}
 * that looks.
 *
 * <p>Implementation notes.
 * <ul>
 *   <li>Keys (one hash slot), beside {@link RedisQueue}'s: {@code consumers} (set of consumer
 *       ids), {@code taken:<id>} (list: what that consumer took, oldest first),
 *       {@code lease:<id>} (expires {@code leaseTime} after the consumer's last renewal),
 *       {@code done} (tokens left when the unfinished count reaches 0, for waiting joins). The
 *       unfinished count is {@code unfinished} in {@code meta}: a put adds, an acknowledgement
 *       subtracts what it really removed from a taken list (so an item taken over from a
 *       consumer thought dead is counted once).</li>
 *   <li>One consumer per process and queue (per connection): {@code taskDone()} finishes the
 *       oldest item the process got, as locally, in the taken list of the id it was taken under. Its takes are serialised by a lock so that its
 *       {@code taken} list is in the order items were handed out, which is what makes "trim the
 *       oldest" finish the right one.</li>
 *   <li>Takes prefetch: one script call moves up to {@value #PREFETCH} items (at most half of
 *       what waits, at least one) into {@code taken} and this process hands them out one by
 *       one. Nothing can be lost by it: prefetched items are taken, leased and put back if the
 *       process dies. A take that finds nothing puts back dead consumers' items first, then
 *       blocks in {@code BLMOVE items -> taken} (reliable-queue pattern) in slices of
 *       {@value RedisQueue#WAIT_SLICE_MILLIS} ms, looking for dead consumers between slices.</li>
 *   <li>Acknowledgements go behind ({@link WriteBehind}), trimming the oldest {@code n} of the
 *       taken list in one call per batch: an acknowledgement lost with its process means a
 *       redelivery, which at-least-once allows. A refused item is finished at once, by value
 *       ({@code LREM}), since it was never handed out.</li>
 *   <li>Leases: the connection's renewal thread renews this process's lease every third of the
 *       lease time from its first take on. The scripts that put items back build the
 *       {@code taken:} and {@code lease:} keys of other consumers from the object's key prefix
 *       (same hash slot, so valid on Redis Cluster too).</li>
 *   <li>A take whose connection breaks may or may not have moved items into the taken list:
 *       the consumer then takes under a new id ({@link Generation}) and lets the old lease run
 *       out, so whatever the old list holds is delivered again (at least once, never stuck in a
 *       live process). Waiting takes ride out an unreachable server for up to the cluster's
 *       timeout ({@link RedisQueue#ridingOut}).</li>
 *   <li>A consumer that lives but did not renew in time (a pause longer than the lease) has its
 *       items taken over: they are delivered again, and its own later {@code taskDone()}s count
 *       for items it took after; join() may then return while the first taker still works on
 *       an item. Pick a lease longer than the longest pause.</li>
 * </ul>
 */
public final class RedisJoinableQueue extends RedisQueue implements JoinableQueueBackend {
    private static final long serialVersionUID = 1L;
    static final int PREFETCH = 64;
    private static final System.Logger LOG = System.getLogger(RedisJoinableQueue.class.getName());
    private static final Map<ConsumerKey, Consumer> CONSUMERS = new ConcurrentHashMap<>();

    /** Lua: put the items of consumers whose lease ran out back at the head; {@code back} counts them. ARGV[1] is the key prefix. */
    private static final String RECOVER_LUA =
            "local back = 0 "
            + "for _, id in ipairs(redis.call('SMEMBERS', KEYS[3])) do "
            + "  if redis.call('EXISTS', ARGV[1] .. 'lease:' .. id) == 0 then "
            + "    local t = ARGV[1] .. 'taken:' .. id "
            + "    local items = redis.call('LRANGE', t, 0, -1) "
            + "    for i = #items, 1, -1 do redis.call('LPUSH', KEYS[2], items[i]) end "
            + "    back = back + #items redis.call('DEL', t) redis.call('SREM', KEYS[3], id) "
            + "  end "
            + "end ";
    /**
     * KEYS meta, items, room, consumers, taken, lease; ARGV prefix, n, lease ms, id. Registers and
     * leases the consumer, takes up to n items (at most half of what waits, at least one) into its
     * taken list, first putting back dead consumers' items when the queue is empty. Returns the
     * items (maybe none), -1 when closed and empty.
     */
    private static final Script TAKE = new Script(
            "redis.call('SADD', KEYS[4], ARGV[4]) "
            + "redis.call('SET', KEYS[6], '1', 'PX', ARGV[3]) "
            + "local len = redis.call('LLEN', KEYS[2]) "
            + "if len == 0 then " + RECOVER_LUA + " len = back end "
            + "if len == 0 then if redis.call('HGET', KEYS[1], 'closed') == '1' then return -1 end return {} end "
            + "local n = math.min(tonumber(ARGV[2]), math.max(1, math.floor(len / 2))) "
            + "local items = redis.call('LPOP', KEYS[2], n) "
            + "redis.call('RPUSH', KEYS[5], unpack(items)) "
            + RedisQueue.ROOM_TOKEN_LUA
            + "return items");
    /**
     * KEYS meta, taken, done; ARGV n, item. Finishes the n oldest taken items, or (with an item)
     * that item; subtracts what it removed from the unfinished count and leaves a token for joins
     * when that reaches 0. Returns how many it removed.
     */
    private static final Script DONE = new Script(
            "local n "
            + "if ARGV[2] then n = redis.call('LREM', KEYS[2], 1, ARGV[2]) "
            + "else n = math.min(tonumber(ARGV[1]), redis.call('LLEN', KEYS[2])) "
            + "  if n > 0 then redis.call('LTRIM', KEYS[2], n, -1) end end "
            + "if n > 0 and redis.call('HINCRBY', KEYS[1], 'unfinished', -n) <= 0 then "
            + "  redis.call('RPUSH', KEYS[3], '1') redis.call('LTRIM', KEYS[3], -64, -1) "
            + "  redis.call('PEXPIRE', KEYS[3], 60000) end "
            + "return n");
    /** KEYS meta, items, consumers; ARGV prefix. Puts back dead consumers' items; returns the unfinished count. */
    private static final Script CHECK = new Script(
            RECOVER_LUA + "return tonumber(redis.call('HGET', KEYS[1], 'unfinished') or '0')");
    /**
     * KEYS items, taken; ARGV k. Puts the newest k items of a taken list (fetched ahead, never
     * handed out) back at the head of the queue, in their order. Returns how many.
     */
    private static final Script GIVE_BACK = new Script(
            "local len = redis.call('LLEN', KEYS[2]) "
            + "local k = math.min(tonumber(ARGV[1]), len) "
            + "if k <= 0 then return 0 end "
            + "local back = redis.call('LRANGE', KEYS[2], len - k, -1) "
            + "redis.call('LTRIM', KEYS[2], 0, len - k - 1) "
            + "for i = #back, 1, -1 do redis.call('LPUSH', KEYS[1], back[i]) end "
            + "return k");
    /** How long items fetched ahead may wait for this process's next get before they go back to the queue. */
    static final long IDLE_GIVE_BACK_NANOS = 200_000_000L;
    /** KEYS lease; ARGV lease ms. */
    private static final Script RENEW = new Script("redis.call('SET', KEYS[1], '1', 'PX', ARGV[1]) return 1");

    final String prefixKey;
    final String consumersKey;
    final String doneKey;

    /** @see RedisQueue#RedisQueue(ClusterConnection, String, int) */
    public RedisJoinableQueue(ClusterConnection connection, String name, int maxSize) {
        super(connection, "joinable", name, maxSize);
        this.prefixKey = connection.key(kind, name, "");
        this.consumersKey = connection.key(kind, name, "consumers");
        this.doneKey = connection.key(kind, name, "done");
    }

    @Override
    boolean joinable() {
        return true;
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
                        return connection().server().callOnce("get from " + this, j -> j.blmove(
                                itemsKey.getBytes(StandardCharsets.UTF_8), taken,
                                ListDirection.LEFT, ListDirection.RIGHT, waitMillis / 1000.0));
                    }, me::startAfresh);
                }
                if (value != null) {
                    me.lastTake = System.nanoTime();
                    return handOut(me, value);
                }
            }
        } finally {
            me.lock.unlock();
        }
    }

    /** @return the item, now counted as got by this process; a refused item is finished at once, and its get fails */
    private Object handOut(Consumer me, byte[] value) {
        Generation generation = me.generation;
        Object item;
        try {
            item = decode(value);
        } catch (ClusterFailure e) {
            done(generation.takenKey, 1, value, false);
            throw e;
        }
        synchronized (me) {
            me.got.add(generation);
        }
        return item;
    }

    /** @return {@link #CLOSED} when the queue is closed and empty, else null (the items are in {@code me.prefetched}) */
    private Object fetch(Consumer me) {
        Generation g = me.generation;
        Object answer = connection().server().callOnce("get from " + this, j -> TAKE.run(j,
                bytes(metaKey, itemsKey, roomKey, consumersKey, g.takenKey, g.leaseKey),
                bytes(prefixKey, Integer.toString(PREFETCH), Long.toString(connection().lease().toMillis()), g.id)));
        if (answer instanceof Long) {
            return CLOSED;
        }
        for (Object value : (List<?>) answer) {
            me.prefetched.add((byte[]) value);
        }
        return null;
    }

    @Override
    public void taskDone() {
        Consumer me = consumer();
        Generation oldest;
        synchronized (me) {
            oldest = me.got.poll();
            if (oldest == null) {
                throw new IllegalStateException("taskDone() called more times than this process got items from " + this);
            }
        }
        WriteBehind.of(connection()).add(oldest.acks, Boolean.TRUE, 1);
    }

    private void done(String takenKey, int n, byte[] item, boolean behind) {
        List<byte[]> args = bytes(Integer.toString(n));
        if (item != null) {
            args.add(item);
        }
        // Idempotent enough to retry: a repeated trim after a lost answer finishes one more of
        // this process's items early at worst; refusing to retry would leave join() waiting.
        java.util.function.Function<redis.clients.jedis.Jedis, Object> finish = j -> DONE.run(j, bytes(metaKey, takenKey, doneKey), args);
        if (behind) {
            connection().server().callBehind("task done on " + this, finish);
        } else {
            connection().server().call("task done on " + this, finish);
        }
    }

    @Override
    public boolean join(long timeoutNanos) throws InterruptedException {
        WriteBehind.of(connection()).flush(); // this process's puts and acknowledgements first
        long deadline = System.nanoTime() + timeoutNanos;
        while (true) {
            long unfinished = connection().server().call("join " + this, j -> (Long) CHECK.run(j,
                    bytes(metaKey, itemsKey, consumersKey), bytes(prefixKey)));
            if (unfinished <= 0) {
                return true;
            }
            long waitMillis = waitMillis(timeoutNanos, deadline);
            if (waitMillis == 0) {
                return false;
            }
            awaitToken(doneKey, waitMillis);
        }
    }

    @Override
    public long unfinished() {
        String value = connection().server().call("unfinished tasks of " + this, j -> j.hget(metaKey, "unfinished"));
        return value == null ? 0 : Math.max(0, Long.parseLong(value));
    }

    private Consumer consumer() {
        ClusterConnection c = connection();
        return CONSUMERS.computeIfAbsent(new ConsumerKey(c, name), k -> new Consumer(this, c));
    }

    /** The consumer of one queue in this process, over one connection (identity: a new connection, a new consumer). */
    private record ConsumerKey(ClusterConnection connection, String name) {
    }

    /**
     * This process's consumer of a queue: its current {@link Generation}, the items it fetched
     * ahead, and the generation of each item it got and has not finished (oldest first).
     */
    private static final class Consumer {
        final RedisJoinableQueue queue;
        final ClusterConnection connection;
        final ReentrantLock lock = new ReentrantLock();
        final ArrayDeque<byte[]> prefetched = new ArrayDeque<>();
        final ArrayDeque<Generation> got = new ArrayDeque<>();
        volatile Generation generation;
        /** When a get last handed out an item (guarded by {@link #lock}, read racily by the renewal thread). */
        volatile long lastTake = System.nanoTime();

        Consumer(RedisJoinableQueue queue, ClusterConnection connection) {
            this.queue = queue;
            this.connection = connection;
            this.generation = new Generation(queue);
            long period = connection.lease().toMillis() / 3;
            connection.renewals().scheduleAtFixedRate(this::renew, period, period, TimeUnit.MILLISECONDS);
        }

        /**
         * After a take whose connection broke (under {@link #lock}): what it may have moved into
         * the taken list is unknown here, so this process takes under a new id from now on and
         * stops renewing the old one's lease; whatever the old taken list holds (items fetched
         * ahead, one moved by the broken call, items got and not finished) is delivered again
         * once that lease runs out. At least once, nothing stuck.
         */
        void startAfresh() {
            LOG.log(prefetched.isEmpty() ? System.Logger.Level.DEBUG : System.Logger.Level.WARNING,
                    "a get from {0} lost its connection: its {1} items fetched ahead will be delivered again after the lease",
                    queue, prefetched.size());
            prefetched.clear();
            generation = new Generation(queue);
        }

        private void renew() {
            Generation g = generation;
            try {
                connection.server().callOnce("renew a lease on " + queue, j -> RENEW.run(j, bytes(g.leaseKey),
                        bytes(Long.toString(connection.lease().toMillis()))));
                giveBackIdle();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot renew the lease of this process''s taken items: {0}",
                        e.getMessage());
            }
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
                    connection.server().callOnce("give back to " + queue, j -> GIVE_BACK.run(j,
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
    private static final class Generation {
        final String id = UUID.randomUUID().toString();
        final String takenKey;
        final String leaseKey;
        final WriteBehind.Sink<Boolean> acks;

        Generation(RedisJoinableQueue queue) {
            takenKey = queue.prefixKey + "taken:" + id;
            leaseKey = queue.prefixKey + "lease:" + id;
            acks = batch -> queue.done(takenKey, batch.size(), null, true);
        }
    }
}
