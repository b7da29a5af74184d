package io.github.multiprocessing4j.redis.internal.sync;

import io.github.multiprocessing4j.redis.internal.connection.ClusterConnection;
import io.github.multiprocessing4j.redis.internal.connection.ClusterHandle;
import io.github.multiprocessing4j.redis.internal.connection.Lease;
import io.github.multiprocessing4j.redis.internal.connection.LuaScript;

import io.github.multiprocessing4j.spi.LockBackend;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link io.github.multiprocessing4j.ProcessLock} (or {@code ProcessRLock}) on the server: a
 * lease with a fencing token.
 *
 * <p>Keys, all in the slot of {@code {name}}:
 * <pre>
 *  owner      "processId:threadId token" of the holding, with a TTL of the lease; absent when free
 *  fence      the last fencing token handed out (INCR per holding; kept by close, so tokens keep
 *             growing if the name is used again)
 *  released   the token of the last holding released by its holder (or ended by close): a fence
 *             ahead of it when the lock is free means the last holding lapsed (a takeover)
 *  takeovers  how many holdings lapsed and were taken over
 *  wake       the notification list: a release pushes one element (the list is kept at one)
 * </pre>
 *
 * <p>Implementation notes. Uncontended, {@code acquire} and {@code release} are one script call
 * each (the two round trips of the target). Who holds what in this JVM is in {@link #HELD}, shared
 * by every handle of the same lock in the JVM (deserialized copies included): re-entrant
 * acquisitions, {@link #isHeldByCurrentThread()} and {@link #fencingToken()} never ask the server.
 * The acquire script recognises its own owner string, so a retry after a lost answer (the
 * connection broke after the script ran) finds the holding it made instead of waiting on itself;
 * release is never retried (a retry would find the lock released and report a lapse).
 */
public final class RedisLock extends ClusterHandle implements LockBackend {
    private static final long serialVersionUID = 1L;
    private static final System.Logger LOG = System.getLogger(RedisLock.class.getName());
    /** The holdings of this JVM, by lock; at most one thread of a JVM holds a lock. */
    private static final Map<String, Holding> HELD = new ConcurrentHashMap<>();

    /** Returns {1, token, 1 when it took over a lapsed holding} or {0, milliseconds the holding in the way has left}. */
    private static final LuaScript ACQUIRE = new LuaScript("""
            local cur = redis.call('GET', KEYS[1])
            if cur then
              local mine = ARGV[1] .. ' '
              if string.sub(cur, 1, #mine) == mine then
                redis.call('PEXPIRE', KEYS[1], ARGV[2])
                return {1, tonumber(string.sub(cur, #mine + 1)), 0}
              end
              return {0, redis.call('PTTL', KEYS[1])}
            end
            local last = redis.call('GET', KEYS[2])
            local token = redis.call('INCR', KEYS[2])
            local takeover = 0
            if last and redis.call('GET', KEYS[3]) ~= last then
              redis.call('INCR', KEYS[4])
              takeover = 1
            end
            redis.call('SET', KEYS[1], ARGV[1] .. ' ' .. token, 'PX', ARGV[2])
            return {1, token, takeover}
            """);
    private static final LuaScript RELEASE = new LuaScript("""
            if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
            redis.call('DEL', KEYS[1])
            redis.call('SET', KEYS[2], ARGV[2])
            redis.call('RPUSH', KEYS[3], '1')
            redis.call('LTRIM', KEYS[3], 0, 0)
            redis.call('PEXPIRE', KEYS[3], ARGV[3])
            return 1
            """);
    private static final LuaScript RENEW = new LuaScript("""
            if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
            redis.call('PEXPIRE', KEYS[1], ARGV[2])
            return 1
            """);

    /** Deletes all but the fence, and marks its last token released so that the next holder is no takeover. */
    private static final LuaScript CLOSE = new LuaScript("""
            redis.call('DEL', KEYS[1], KEYS[3], KEYS[4], KEYS[5])
            local last = redis.call('GET', KEYS[2])
            if last then redis.call('SET', KEYS[3], last) end
            return 1
            """);

    private final boolean reentrant;
    private final String owner;
    private final String fence;
    private final String released;
    private final String takeovers;
    private final String wake;
    /** This lock among the JVM's holdings: the same name on another server is another lock. */
    private final String heldKey;

    public RedisLock(ClusterConnection connection, String name, boolean reentrant) {
        super(connection, name);
        this.reentrant = reentrant;
        String kind = reentrant ? "rlock" : "lock";
        this.owner = connection.key(kind, name, "owner");
        this.fence = connection.key(kind, name, "fence");
        this.released = connection.key(kind, name, "released");
        this.takeovers = connection.key(kind, name, "takeovers");
        this.wake = connection.key(kind, name, "wake");
        this.heldKey = ref + "/" + owner;
    }

    /** The holding of this JVM: one thread's, counted for re-entrant locks. */
    private static final class Holding {
        final Thread thread = Thread.currentThread();
        final long token;
        final String value;
        final Lease lease;
        int holds = 1;

        Holding(long token, String value, Lease lease) {
            this.token = token;
            this.value = value;
            this.lease = lease;
        }
    }

    @Override
    public boolean reentrant() {
        return reentrant;
    }

    @Override
    public boolean tryAcquire() {
        if (heldAgain()) {
            return true;
        }
        return attempt() > 0;
    }

    @Override
    public boolean acquire(long timeoutNanos) throws InterruptedException {
        if (heldAgain()) {
            return true;
        }
        return WaitLoop.run(timeoutNanos, true, this::attempt, this::awaitRelease) > 0;
    }

    @Override
    public void acquireUninterruptibly() {
        if (!heldAgain()) {
            WaitLoop.runUninterruptibly(-1, this::attempt, this::awaitRelease);
        }
    }

    /** @return true when the calling thread holds the lock already and (re-entrant) holds it once more */
    private boolean heldAgain() {
        Holding h = HELD.get(heldKey);
        if (h == null || h.thread != Thread.currentThread()) {
            return false;
        }
        if (!reentrant) {
            throw new IllegalStateException("this thread already holds the lock '" + name
                    + "', which is not re-entrant (use cluster.rlock to acquire a lock again while holding it)");
        }
        h.holds++;
        return true;
    }

    /** One try on the server: the token when the lock is now held, else minus the time the holding in the way has left. */
    private long attempt() {
        ClusterConnection c = connection();
        String me = Lease.currentOwner();
        List<?> answer = (List<?>) c.server().call("acquire lock " + name,
                j -> ACQUIRE.run(j, List.of(owner, fence, released, takeovers), List.of(me, leaseMillis(c))));
        if (((Long) answer.get(0)) == 0) {
            long left = (Long) answer.get(1);
            return left > 0 ? -left : -1;
        }
        long token = (Long) answer.get(1);
        String value = me + " " + token;
        if ((Long) answer.get(2) == 1) {
            LOG.log(System.Logger.Level.WARNING, "lock ''{0}'': the lease of the previous holding lapsed (its holder died, "
                    + "paused or lost the server for longer than {1} ms): taken over with fencing token {2}",
                    name, c.lease().toMillis(), token);
        }
        Lease lease = Lease.renewing(c, "lock '" + name + "' (fencing token " + token + ")",
                () -> (Long) c.server().callOnce("renew lock " + name,
                        j -> RENEW.run(j, List.of(owner), List.of(value, leaseMillis(c)))) == 1);
        HELD.put(heldKey, new Holding(token, value, lease));
        return token;
    }

    private void awaitRelease(long millis) throws InterruptedException {
        awaitNotification("wait for lock " + name, wake, millis);
    }

    private static String leaseMillis(ClusterConnection c) {
        return Long.toString(c.lease().toMillis());
    }

    @Override
    public void release() {
        String key = heldKey;
        Holding h = HELD.get(key);
        if (h == null || h.thread != Thread.currentThread()) {
            throw new IllegalMonitorStateException("the calling thread does not hold the lock '" + name + "'");
        }
        if (--h.holds > 0) {
            if (h.lease.lost()) {
                throw lapsed(h);
            }
            return;
        }
        HELD.remove(key, h);
        h.lease.end();
        if (h.lease.lost()) {
            throw lapsed(h);
        }
        ClusterConnection c = connection();
        Long done = (Long) c.server().callOnce("release lock " + name, j -> RELEASE.run(j,
                List.of(owner, released, wake), List.of(h.value, Long.toString(h.token), Long.toString(2 * c.lease().toMillis()))));
        if (done != 1) {
            h.lease.markLost("it was no longer this holder's when released (its lease lapsed, or the lock was closed): "
                    + "another holder may have had the lock meanwhile");
            throw lapsed(h);
        }
    }

    private IllegalMonitorStateException lapsed(Holding h) {
        return new IllegalMonitorStateException("the lease of lock '" + name + "' (fencing token " + h.token
                + ") lapsed while this thread held it: another holder may have had the lock meanwhile, so what was done "
                + "under it may have overlapped with that holder (a resource that checks fencing tokens refused it)");
    }

    @Override
    public boolean isHeldByCurrentThread() {
        Holding h = HELD.get(heldKey);
        return h != null && h.thread == Thread.currentThread() && !h.lease.lost();
    }

    @Override
    public int holdCount() {
        Holding h = HELD.get(heldKey);
        return h != null && h.thread == Thread.currentThread() ? h.holds : 0;
    }

    @Override
    public boolean isLocked() {
        return connection().server().call("look at lock " + name, j -> j.exists(owner));
    }

    @Override
    public long fencingToken() {
        Holding h = HELD.get(heldKey);
        if (h == null || h.thread != Thread.currentThread()) {
            throw new IllegalMonitorStateException("the calling thread does not hold the lock '" + name + "'");
        }
        if (h.lease.lost()) {
            throw lapsed(h);
        }
        return h.token;
    }

    @Override
    public long takeovers() {
        return readNumber("read takeovers of lock " + name, takeovers);
    }

    @Override
    public void close() {
        connection().server().call("delete lock " + name, j -> CLOSE.run(j, List.of(owner, fence, released, takeovers, wake), List.of()));
    }

    @Override
    public String toString() {
        return "lock '" + name + "' on " + ref;
    }
}
