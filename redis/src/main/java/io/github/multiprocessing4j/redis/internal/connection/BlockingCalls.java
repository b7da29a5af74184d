package io.github.multiprocessing4j.redis.internal.connection;

import redis.clients.jedis.Jedis;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 *       {@link Server#close()} with a {@link ClusterFailure};</li>
 *   <li>once the JVM is exiting, waits in slices of {@value #EXIT_SLICE_MILLIS} ms (the exit
 *       hook cut the wait in progress): see below.</li>
 * </ul>
 * The command must be safe to re-issue after a break. A plain {@code BLPOP} whose answer was lost
 * in the break has taken its item from the list for nobody: where an item must not be lost, move
 * it ({@code BLMOVE}) into a list of the taker's own and acknowledge it from there (the reliable
 * queue pattern); after a break, look in that list before waiting again.
 *
 * <p>{@link Server#waitingUpTo} is one such wait without the slicing and riding out, for the
 * callers that loop themselves (a queue's get, a channel's receive, a pool's and an agent's
 * reading of their lists): the watchdog, {@code close()} and the exit guard it too, an interrupt
 * does not cut it.
 *
 * <p>Implementation notes. A thread blocked here holds a pooled connection for as long as it
 * waits. The client lifts the socket timeout for blocking commands, so nothing on the socket
 * notices a frozen server or an interrupt: the watchdog does, by closing the socket under the
 * waiting thread, which then sees a broken connection (re-issued, or an interrupt when the thread
 * was interrupted). The watchdog is one daemon thread per server, started by the first blocking
 * call and stopped by {@link #close()}. A cut holds the lock of its {@link Waiting}, and the
 * waiting thread takes that lock before its connection goes back to the pool, so that no cut
 * lands on a connection already handed to someone else.
 *
 * <p>The JVM's exit. HotSpot's exit waits for threads in native code to stop, up to 30 times
 * 10 ms, and a thread blocked in a socket read does not stop: a daemon thread left waiting in a
 * queue's {@code get()} held its program's exit 41-308 ms (the rest of its 250 ms slice), one
 * waiting for an event 325-330 ms (the whole 300). So an exit hook marks every open server's
 * blocking calls as exiting and cuts each wait in progress; the cut call goes on as after any
 * break (its caller decides, nothing is lost: what a cut {@code BLMOVE} moved is delivered again
 * after the lease), and from then on every wait is sent for at most {@value #EXIT_SLICE_MILLIS}
 * ms, so the exit waits for one such short wait at most (12-26 ms from the end of {@code main},
 * measured), and a wait made by another exit hook still gets its answer. A wait registers before it looks whether the JVM is exiting, and the
 * hook marks before it cuts, so no wait slips between the two.
 */
final class BlockingCalls {
    /** The longest single wait sent to the server: longer waits are re-issued slice by slice. */
    static final Duration BLOCKING_SLICE = Duration.ofSeconds(10);
    /** How often the watchdog looks at the blocked calls (interrupts, overdue waits). */
    static final long WATCH_PERIOD_MILLIS = 50;
    /** The longest single wait once the JVM is exiting: HotSpot's exit looks every 10 ms. */
    static final long EXIT_SLICE_MILLIS = 10;
    /** The blocking calls of every server not closed: the exit hook's to cut. */
    private static final Set<BlockingCalls> OPEN = ConcurrentHashMap.newKeySet();
    private static volatile boolean jvmExiting;

    static {
        try {
            Runtime.getRuntime().addShutdownHook(new Thread(BlockingCalls::cutAllAtExit, "mp4j-redis-exit"));
        } catch (IllegalStateException alreadyExiting) { // a server made by another exit hook
            jvmExiting = true;
        }
    }

    /** A wait in progress: whose, on which connection, and when it should be back at the latest. */
    private static final class Waiting {
        final Thread thread;
        final Jedis jedis;
        final boolean cutOnInterrupt;
        final long overdueAt;
        /** What was sent: shorter than asked once the JVM is exiting (0 until known). */
        volatile long millis;

        Waiting(Thread thread, Jedis jedis, boolean cutOnInterrupt, long overdueAt) {
            this.thread = thread;
            this.jedis = jedis;
            this.cutOnInterrupt = cutOnInterrupt;
            this.overdueAt = overdueAt;
        }
    }

    private final Server server;
    private final Map<Waiting, Boolean> waiting = new ConcurrentHashMap<>();
    private volatile ScheduledExecutorService watchdog;
    private volatile long sliceMillis = BLOCKING_SLICE.toMillis();
    private volatile boolean exiting;

    BlockingCalls(Server server) {
        this.server = server;
        OPEN.add(this);
        exiting = jvmExiting; // after joining OPEN: a hook running meanwhile marks it, or it sees the hook's mark
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
                Function<Jedis, T> wait = jedis -> waitOn(jedis, waitMillis, true, command);
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

    /**
     * One wait of up to {@code waitMillis} on {@code jedis}, known to the watchdog, {@link #close()}
     * and the exit hook, which cut it by closing its connection (the command then fails as on a
     * break); an interrupt cuts it only when {@code cutOnInterrupt}.
     */
    <T> T waitOn(Jedis jedis, long waitMillis, boolean cutOnInterrupt, Server.BlockingCommand<T> command) {
        Waiting wait = new Waiting(Thread.currentThread(), jedis, cutOnInterrupt,
                System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis) + server.timeout().toNanos());
        waiting.put(wait, Boolean.TRUE); // before the look at exiting: see the class comment
        startWatchdog();
        try {
            if (server.isClosed()) {
                throw new ClusterFailure(server.address() + ": closed", null, false);
            }
            long millis = exiting ? Math.min(waitMillis, EXIT_SLICE_MILLIS) : waitMillis;
            wait.millis = millis;
            return command.run(jedis, millis / 1000.0);
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
            if ((w.cutOnInterrupt && w.thread.isInterrupted()) || now - w.overdueAt >= 0) {
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

    private static void cutAllAtExit() {
        jvmExiting = true;
        for (BlockingCalls calls : OPEN) {
            calls.cutAtExit();
        }
    }

    /** The exit hook's step for this server's calls (for tests too): later waits are short, waits in progress cut. */
    void cutAtExit() {
        exiting = true;
        for (Waiting w : waiting.keySet()) {
            cut(w);
        }
    }

    /** For tests: how long each wait in progress was sent for (0: being sent). */
    List<Long> waitsInProgressMillis() {
        List<Long> millis = new ArrayList<>();
        for (Waiting w : waiting.keySet()) {
            millis.add(w.millis);
        }
        return millis;
    }

    /**
     * Stops the watchdog and cuts every wait in progress (their calls then fail: the server is
     * closed). Called by {@link Server#close()} after it marked the server closed.
     */
    void close() {
        OPEN.remove(this);
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
