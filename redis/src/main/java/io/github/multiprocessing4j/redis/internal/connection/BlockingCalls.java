package io.github.multiprocessing4j.redis.internal.connection;

import redis.clients.jedis.Jedis;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A server's commands that wait on it ({@code BLPOP}, {@code BLMOVE}, {@code BZPOPMIN}) for a
 * timeout of the caller's, and the watchdog that guards them: what
 * {@link Server#callBlocking(String, long, Server.BlockingCommand) Server.callBlocking} does.
 *
 * <h2>{@code callBlocking(what, timeoutNanos, (jedis, seconds) -> ...)}</h2>
 * The command gets the seconds to wait (always at least 1 ms: Redis reads 0 as "forever") and
 * returns {@code null} when that wait ran out, as {@code BLPOP} does. The call then:
 * <ul>
 *   <li>issues the wait in slices of at most {@link #BLOCKING_SLICE} and re-issues what is left
 *       after each slice that ran out, until the caller's timeout (negative: forever) has passed;
 *       then it returns {@code null};</li>
 *   <li>when the connection breaks (the server restarting), reconnects with growing pauses and
 *       re-issues the remaining wait; when the caller's timeout passed meanwhile, it issues one
 *       last 1 ms wait, so that an item that arrived before the outage is still handed over;
 *       it fails only when the server stayed unreachable for the cluster's timeout;</li>
 *   <li>guards each wait with a watchdog: a wait that has not come back a cluster timeout after
 *       it should have (a server that froze or a machine that vanished without closing the
 *       socket) has its connection closed and is re-issued as above;</li>
 *   <li>answers an interrupt of the waiting thread within about {@link #WATCH_PERIOD_MILLIS} ms
 *       with {@link InterruptedException} (the wait is abandoned on the server too), and
 *       {@link Server#close()} with a {@link ClusterFailure}.</li>
 * </ul>
 * The command must be safe to re-issue after a break. A plain {@code BLPOP} whose answer was lost
 * in the break has taken its item from the list for nobody: where an item must not be lost, move
 * it ({@code BLMOVE}) into a list of the taker's own and acknowledge it from there (the reliable
 * queue pattern); after a break, look in that list before waiting again.
 *
 * <p>Implementation notes. A thread blocked here holds a pooled connection for as long as it
 * waits. The client lifts the socket timeout for blocking commands, so nothing on the socket
 * notices a frozen server or an interrupt: the watchdog does, by closing the socket under the
 * waiting thread, which then sees a broken connection (re-issued, or an interrupt when the thread
 * was interrupted). The watchdog is one daemon thread per server, started by the first blocking
 * call and stopped by {@link #close()}. A cut holds the lock of its {@link Waiting}, and the
 * waiting thread takes that lock before its connection goes back to the pool, so that no cut
 * lands on a connection already handed to someone else.
 */
final class BlockingCalls {
    /** The longest single wait sent to the server: longer waits are re-issued slice by slice. */
    static final Duration BLOCKING_SLICE = Duration.ofSeconds(10);
    /** How often the watchdog looks at the blocked calls (interrupts, overdue waits). */
    static final long WATCH_PERIOD_MILLIS = 50;

    /** A wait in progress: whose, on which connection, and when it should be back at the latest. */
    private static final class Waiting {
        final Thread thread;
        final Jedis jedis;
        final long overdueAt;

        Waiting(Thread thread, Jedis jedis, long overdueAt) {
            this.thread = thread;
            this.jedis = jedis;
            this.overdueAt = overdueAt;
        }
    }

    private final Server server;
    private final Map<Waiting, Boolean> waiting = new ConcurrentHashMap<>();
    private volatile ScheduledExecutorService watchdog;
    private volatile long sliceMillis = BLOCKING_SLICE.toMillis();

    BlockingCalls(Server server) {
        this.server = server;
    }

    /** For tests: slices shorter than {@link #BLOCKING_SLICE}, to see them re-issued. */
    void slice(Duration slice) {
        this.sliceMillis = Math.max(1, slice.toMillis());
    }

    /** See the class comment, and {@link Server#callBlocking} for what it returns and throws. */
    <T> T call(String what, long timeoutNanos, Server.BlockingCommand<T> command) throws InterruptedException {
        if (timeoutNanos == 0) {
            throw new IllegalArgumentException("callBlocking needs a timeout: negative or positive, not 0");
        }
        long timeout = server.timeout().toNanos();
        long start = System.nanoTime();
        long unreachableSince = 0;
        boolean lastChance = false;
        long pauseMillis = 10;
        while (true) {
            if (Thread.interrupted()) {
                throw new InterruptedException(server.address() + ": " + what + ": interrupted");
            }
            long left = timeoutNanos < 0 ? Long.MAX_VALUE : timeoutNanos - (System.nanoTime() - start);
            long waitMillis = Math.max(1, Math.min(sliceMillis, TimeUnit.NANOSECONDS.toMillis(left)));
            if (left <= 0) {
                lastChance = true;
            }
            try {
                Function<Jedis, T> wait = jedis -> waitOn(jedis, waitMillis, command);
                T result = unreachableSince == 0 ? server.callOnce(what, wait) : server.callBy(unreachableSince + timeout, what, wait);
                if (result != null || lastChance || (timeoutNanos > 0 && System.nanoTime() - start - timeoutNanos >= 0)) {
                    return result; // an answer, or the wait ran out on the server: no extra look
                }
                unreachableSince = 0;
                pauseMillis = 10;
                continue;
            } catch (ClusterFailure e) {
                if (Thread.interrupted()) { // the watchdog cut the connection because of the interrupt
                    throw new InterruptedException(server.address() + ": " + what + ": interrupted");
                }
                if (!e.unreachable() || server.isClosed()) {
                    throw e;
                }
                long now = System.nanoTime();
                if (unreachableSince == 0) {
                    unreachableSince = now;
                } else if (now - unreachableSince - timeout >= 0) {
                    throw e;
                }
                pauseMillis = server.pause(what, pauseMillis, unreachableSince + timeout);
            }
        }
    }

    private <T> T waitOn(Jedis jedis, long waitMillis, Server.BlockingCommand<T> command) {
        Waiting wait = new Waiting(Thread.currentThread(), jedis,
                System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis) + server.timeout().toNanos());
        waiting.put(wait, Boolean.TRUE);
        startWatchdog();
        try {
            if (server.isClosed()) {
                throw new ClusterFailure(server.address() + ": closed", null, false);
            }
            return command.run(jedis, waitMillis / 1000.0);
        } finally {
            synchronized (wait) { // a cut in progress ends before the connection goes back to the pool
                waiting.remove(wait);
            }
        }
    }

    private void startWatchdog() {
        if (watchdog == null) {
            synchronized (this) {
                if (watchdog == null && !server.isClosed()) {
                    ScheduledThreadPoolExecutor w = new ScheduledThreadPoolExecutor(1, task -> {
                        Thread t = new Thread(task, "mp4j-redis-watchdog " + server.address());
                        t.setDaemon(true);
                        return t;
                    });
                    w.scheduleWithFixedDelay(this::watch, WATCH_PERIOD_MILLIS, WATCH_PERIOD_MILLIS, TimeUnit.MILLISECONDS);
                    watchdog = w;
                }
            }
        }
    }

    /** Cuts the connection of a wait whose thread was interrupted or that is overdue. */
    private void watch() {
        long now = System.nanoTime();
        for (Waiting w : waiting.keySet()) {
            if (w.thread.isInterrupted() || now - w.overdueAt >= 0) {
                cut(w);
            }
        }
    }

    private void cut(Waiting w) {
        synchronized (w) {
            if (waiting.remove(w) != null) {
                try {
                    w.jedis.getConnection().forceDisconnect();
                } catch (IOException | RuntimeException ignored) {
                    // the socket is closed or was already: the waiting thread sees the break either way
                }
            }
        }
    }

    /**
     * Stops the watchdog and cuts every wait in progress (their calls then fail: the server is
     * closed). Called by {@link Server#close()} after it marked the server closed.
     */
    void close() {
        synchronized (this) {
            ScheduledExecutorService w = watchdog;
            if (w != null) {
                w.shutdownNow();
            }
        }
        for (Waiting w : waiting.keySet()) {
            cut(w);
        }
    }
}
