package io.github.multiprocessing4j.redis.internal.queue;

import io.github.multiprocessing4j.redis.internal.connection.ClusterConnection;
import io.github.multiprocessing4j.redis.internal.connection.ClusterFailure;
import io.github.multiprocessing4j.redis.internal.connection.Lease;
import io.github.multiprocessing4j.redis.internal.connection.LuaScript;
import io.github.multiprocessing4j.redis.internal.connection.WriteBehind;

import io.github.multiprocessing4j.spi.JoinableQueueBackend;

import java.util.List;

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
 *   <li>Leases: one {@link Lease} per consumer, renewed with the connection's others every
 *       third of the lease time from its first take on. The scripts that put items back build the
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
    /**
     * KEYS meta, taken, done; ARGV n, item. Finishes the n oldest taken items, or (with an item)
     * that item; subtracts what it removed from the unfinished count and leaves a token for joins
     * when that reaches 0. Returns how many it removed.
     */
    private static final LuaScript DONE = new LuaScript(
            "local n "
            + "if ARGV[2] then n = redis.call('LREM', KEYS[2], 1, ARGV[2]) "
            + "else n = math.min(tonumber(ARGV[1]), redis.call('LLEN', KEYS[2])) "
            + "  if n > 0 then redis.call('LTRIM', KEYS[2], n, -1) end end "
            + "if n > 0 and redis.call('HINCRBY', KEYS[1], 'unfinished', -n) <= 0 then "
            + "  redis.call('RPUSH', KEYS[3], '1') redis.call('LTRIM', KEYS[3], -64, -1) "
            + "  redis.call('PEXPIRE', KEYS[3], 60000) end "
            + "return n");
    /** KEYS meta, items, consumers; ARGV prefix. Puts back dead consumers' items; returns the unfinished count. */
    private static final LuaScript CHECK = new LuaScript(
            recoverLua("KEYS[3]") + "return tonumber(redis.call('HGET', KEYS[1], 'unfinished') or '0')");

    final String doneKey;

    /** @see RedisQueue#RedisQueue(ClusterConnection, String, int) */
    public RedisJoinableQueue(ClusterConnection connection, String name, int maxSize) {
        super(connection, "joinable", name, maxSize);
        this.doneKey = connection.key(kind, name, "done");
    }

    @Override
    boolean joinable() {
        return true;
    }

    /** @return the item, now counted as got by this process; a refused item is finished at once, and its get fails */
    @Override
    Object handOut(Consumer me, Generation generation, byte[] value) {
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

    /** A joinable queue's acknowledgement is {@code taskDone()}'s: it finishes the oldest taken items. */
    @Override
    void acknowledge(String takenKey, int n) {
        done(takenKey, n, null, true);
    }

    /** A joinable queue fetches ahead even when bounded (its bound counts what waits, not what consumers took). */
    @Override
    int fetchAhead() {
        return PREFETCH;
    }

    /** @return the items waiting on the server (those consumers took, fetched ahead or unfinished, are not counted) */
    @Override
    public long size() {
        return connection().server().call("size of " + this, j -> j.llen(itemsKey));
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
        java.util.function.Function<redis.clients.jedis.Jedis, Object> finish = j -> DONE.runBytes(j, bytes(metaKey, takenKey, doneKey), args);
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
            long unfinished = connection().server().call("join " + this, j -> (Long) CHECK.runBytes(j,
                    bytes(metaKey, itemsKey, consumersKey), bytes(prefixKey)));
            if (unfinished <= 0) {
                return true;
            }
            long waitMillis = waitMillis(timeoutNanos, deadline);
            if (waitMillis == 0) {
                return false;
            }
            awaitNotification("join " + this, doneKey, waitMillis);
        }
    }

    @Override
    public long unfinished() {
        String value = connection().server().call("unfinished tasks of " + this, j -> j.hget(metaKey, "unfinished"));
        return value == null ? 0 : Math.max(0, Long.parseLong(value));
    }
}
