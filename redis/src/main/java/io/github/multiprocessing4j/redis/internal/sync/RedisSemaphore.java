package io.github.multiprocessing4j.redis.internal.sync;

import io.github.multiprocessing4j.redis.internal.connection.ClusterConnection;
import io.github.multiprocessing4j.redis.internal.connection.ClusterHandle;
import io.github.multiprocessing4j.redis.internal.connection.Lease;
import io.github.multiprocessing4j.redis.internal.connection.LuaScript;

import io.github.multiprocessing4j.spi.SemaphoreBackend;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link io.github.multiprocessing4j.ProcessSemaphore} (or bounded one) on the server, whose
 * permits are leases.
 *
 * <p>Keys, all in the slot of {@code {name}}:
 * <pre>
 *  meta       hash: initial (the permits it was made with), bounded (0 or 1); written once by the
 *             first program that names the semaphore
 *  permits    how many permits there are in all: initial, plus the releases of an unbounded
 *             semaphore by processes holding none (Python's release without acquire)
 *  holders    sorted set: one member per permit taken ("processId:threadId:n"), scored with the
 *             server time (ms) at which its lease lapses
 *  reclaimed  how many permits came back from lapsed leases
 *  wake       the notification list: a release pushes one element (kept short)
 * </pre>
 * Available permits are {@code permits - |holders|} once lapsed members are removed; every script
 * that looks removes them first (with the server's clock, {@code TIME}, so that the machines'
 * clocks do not matter).
 *
 * <p>Implementation notes. A permit this JVM holds is in {@link #HELD} with its lease, which is
 * renewed on the connection's renewal thread. {@code release()} gives back the calling thread's
 * permit if it holds one, else any this JVM holds; with none held here, an unbounded semaphore
 * gains a permit and a bounded one refuses (its permits are leases only their holders give back).
 * A permit whose lease was found lapsed stays counted as lost until a release takes it off and
 * throws {@link IllegalMonitorStateException}, so that the holder learns it.
 */
public final class RedisSemaphore extends ClusterHandle implements SemaphoreBackend {
    private static final long serialVersionUID = 1L;
    private static final System.Logger LOG = System.getLogger(RedisSemaphore.class.getName());
    private static final Map<String, Held> HELD = new ConcurrentHashMap<>();
    private static final AtomicLong PERMIT_NUMBERS = new AtomicLong();

    private static final String NOW_AND_LAPSED = """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            local lapsed = redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
            if lapsed > 0 then redis.call('INCRBY', KEYS[3], lapsed) end
            """;
    /** Returns {0|1 created, initial, bounded}. */
    private static final LuaScript CREATE = new LuaScript("""
            local initial = redis.call('HGET', KEYS[1], 'initial')
            if initial then return {0, tonumber(initial), tonumber(redis.call('HGET', KEYS[1], 'bounded'))} end
            redis.call('HSET', KEYS[1], 'initial', ARGV[1], 'bounded', ARGV[2])
            redis.call('SET', KEYS[2], ARGV[1])
            return {1, tonumber(ARGV[1]), tonumber(ARGV[2])}
            """);
    /** KEYS permits, holders, reclaimed. Returns {-1} closed, {1, lapsed} taken, {0, lapsed, ms until the first lease lapses (0: none held)}. */
    private static final LuaScript ACQUIRE = new LuaScript(NOW_AND_LAPSED + """
            local permits = redis.call('GET', KEYS[1])
            if not permits then return {-1} end
            if redis.call('ZSCORE', KEYS[2], ARGV[1]) then return {1, lapsed} end
            if redis.call('ZCARD', KEYS[2]) < tonumber(permits) then
              redis.call('ZADD', KEYS[2], now + tonumber(ARGV[2]), ARGV[1])
              return {1, lapsed}
            end
            local first = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
            if first[2] then return {0, lapsed, tonumber(first[2]) - now} end
            return {0, lapsed, 0}
            """);
    /** KEYS permits, holders, reclaimed. Returns available permits, or -1 when closed. */
    private static final LuaScript AVAILABLE = new LuaScript(NOW_AND_LAPSED + """
            local permits = redis.call('GET', KEYS[1])
            if not permits then return -1 end
            return tonumber(permits) - redis.call('ZCARD', KEYS[2])
            """);
    /** KEYS holders, wake. Returns 1 when the member was still there. */
    private static final LuaScript GIVE_BACK = new LuaScript("""
            if redis.call('ZREM', KEYS[1], ARGV[1]) == 0 then return 0 end
            redis.call('RPUSH', KEYS[2], '1')
            redis.call('LTRIM', KEYS[2], 0, 15)
            redis.call('PEXPIRE', KEYS[2], ARGV[2])
            return 1
            """);
    /** KEYS permits, wake. Returns 1, or -1 when closed. */
    private static final LuaScript ADD_PERMIT = new LuaScript("""
            if not redis.call('GET', KEYS[1]) then return -1 end
            redis.call('INCR', KEYS[1])
            redis.call('RPUSH', KEYS[2], '1')
            redis.call('LTRIM', KEYS[2], 0, 15)
            redis.call('PEXPIRE', KEYS[2], ARGV[1])
            return 1
            """);
    /** KEYS holders. Returns 1 when renewed. */
    private static final LuaScript RENEW = new LuaScript("""
            if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[2]), ARGV[1])
            return 1
            """);

    private final boolean bounded;
    private final String meta;
    private final String permits;
    private final String holders;
    private final String reclaimed;
    private final String wake;

    private RedisSemaphore(ClusterConnection connection, String name, boolean bounded) {
        super(connection, name);
        this.bounded = bounded;
        this.meta = connection.key("semaphore", name, "meta");
        this.permits = connection.key("semaphore", name, "permits");
        this.holders = connection.key("semaphore", name, "holders");
        this.reclaimed = connection.key("semaphore", name, "reclaimed");
        this.wake = connection.key("semaphore", name, "wake");
    }

    /**
     * The semaphore named {@code name}, made with {@code initial} permits if no program made it
     * before (the first one wins). One round trip.
     *
     * @throws IllegalStateException when it exists with another number of permits or the other
     *     kind (bounded or not)
     */
    public static RedisSemaphore open(ClusterConnection connection, String name, int initial, boolean bounded) {
        RedisSemaphore s = new RedisSemaphore(connection, name, bounded);
        List<?> answer = (List<?>) connection.server().call("create semaphore " + name,
                j -> CREATE.run(j, List.of(s.meta, s.permits), List.of(Integer.toString(initial), bounded ? "1" : "0")));
        long existing = (Long) answer.get(1);
        boolean existingBounded = (Long) answer.get(2) == 1;
        if (existing != initial || existingBounded != bounded) {
            throw new IllegalStateException("the semaphore '" + name + "' exists on " + connection.ref() + " as "
                    + describe(existing, existingBounded) + ", not " + describe(initial, bounded)
                    + ": the first program to name it decides; name it the same way everywhere, or close it first");
        }
        return s;
    }

    private static String describe(long permits, boolean bounded) {
        return (bounded ? "a bounded semaphore" : "a semaphore") + " of " + permits + " permits";
    }

    /** The permits this JVM holds of one semaphore, and how many of its leases were found lapsed. */
    private static final class Held {
        final Deque<Permit> permits = new ArrayDeque<>();
        int lost;
    }

    private record Permit(String member, Thread thread, Lease lease) {
    }

    private Held held() {
        return HELD.computeIfAbsent(ref + "/" + holders, k -> new Held());
    }

    @Override
    public boolean bounded() {
        return bounded;
    }

    @Override
    public boolean tryAcquire() {
        return attempt(newMember()) > 0;
    }

    @Override
    public boolean acquire(long timeoutNanos) throws InterruptedException {
        String member = newMember();
        return WaitLoop.run(timeoutNanos, true, () -> attempt(member), this::awaitRelease) > 0;
    }

    private static String newMember() {
        return Lease.currentOwner() + ":" + PERMIT_NUMBERS.incrementAndGet();
    }

    private long attempt(String member) {
        ClusterConnection c = connection();
        List<?> answer = (List<?>) c.server().call("acquire semaphore " + name, j -> ACQUIRE.run(j,
                List.of(permits, holders, reclaimed), List.of(member, Long.toString(c.lease().toMillis()))));
        long status = (Long) answer.get(0);
        if (status < 0) {
            throw closed();
        }
        long lapsed = (Long) answer.get(1);
        if (lapsed > 0) {
            LOG.log(System.Logger.Level.WARNING, "semaphore ''{0}'': {1} permit(s) came back from holders whose lease "
                    + "lapsed (they died, paused or lost the server for longer than {2} ms)", name, lapsed, c.lease().toMillis());
        }
        if (status == 0) {
            long left = (Long) answer.get(2);
            return left > 0 ? -left : -1;
        }
        Held held = held();
        Lease[] lease = new Lease[1];
        lease[0] = Lease.renewing(c, "a permit of semaphore '" + name + "'", () -> renew(c, member, held, lease[0]));
        synchronized (held) {
            held.permits.add(new Permit(member, Thread.currentThread(), lease[0]));
        }
        return 1;
    }

    private boolean renew(ClusterConnection c, String member, Held held, Lease lease) {
        boolean renewed = (Long) c.server().callOnce("renew a permit of semaphore " + name,
                j -> RENEW.run(j, List.of(holders), List.of(member, Long.toString(c.lease().toMillis())))) == 1;
        if (!renewed) {
            synchronized (held) {
                if (held.permits.removeIf(p -> p.lease == lease)) {
                    held.lost++;
                }
            }
        }
        return renewed;
    }

    private void awaitRelease(long millis) throws InterruptedException {
        awaitNotification("wait for semaphore " + name, wake, millis);
    }

    @Override
    public void release() {
        ClusterConnection c = connection();
        String wakeTtl = Long.toString(2 * c.lease().toMillis());
        Held held = held();
        Permit permit;
        synchronized (held) {
            permit = takeHeldPermit(held);
            if (permit == null && held.lost > 0) {
                held.lost--;
                throw lapsed();
            }
        }
        if (permit != null) {
            permit.lease.end();
            long done = (Long) c.server().callOnce("release semaphore " + name,
                    j -> GIVE_BACK.run(j, List.of(holders, wake), List.of(permit.member, wakeTtl)));
            if (done != 1) {
                permit.lease.markLost("its lease had lapsed when it was given back");
                throw lapsed();
            }
            return;
        }
        if (bounded) {
            throw new IllegalStateException("this process holds no permit of the bounded semaphore '" + name
                    + "': across machines its permits are leases that only their holders give back");
        }
        long done = (Long) c.server().callOnce("release semaphore " + name,
                j -> ADD_PERMIT.run(j, List.of(permits, wake), List.of(wakeTtl)));
        if (done < 0) {
            throw closed();
        }
    }

    /** The calling thread's oldest permit, else this JVM's oldest; removed from {@code held}. */
    private static Permit takeHeldPermit(Held held) {
        for (Iterator<Permit> it = held.permits.iterator(); it.hasNext(); ) {
            Permit p = it.next();
            if (p.thread == Thread.currentThread()) {
                it.remove();
                return p;
            }
        }
        return held.permits.pollFirst();
    }

    private IllegalMonitorStateException lapsed() {
        return new IllegalMonitorStateException("a permit of semaphore '" + name + "' held by this process lapsed before "
                + "it was given back (its holder paused or lost the server for longer than the lease): the server gave it to "
                + "others meanwhile, so more holders than permits may have overlapped");
    }

    private IllegalStateException closed() {
        return new IllegalStateException("the semaphore '" + name + "' on " + ref + " was closed");
    }

    @Override
    public int availablePermits() {
        ClusterConnection c = connection();
        long available = (Long) c.server().call("look at semaphore " + name,
                j -> AVAILABLE.run(j, List.of(permits, holders, reclaimed), List.of()));
        if (available < 0) {
            throw closed();
        }
        return (int) Math.max(0, available);
    }

    @Override
    public long reclaimed() {
        return readNumber("read reclaimed of semaphore " + name, reclaimed);
    }

    @Override
    public void close() {
        connection().server().call("delete semaphore " + name, j -> j.del(meta, permits, holders, reclaimed, wake));
    }

    @Override
    public String toString() {
        return "semaphore '" + name + "' on " + ref;
    }
}
