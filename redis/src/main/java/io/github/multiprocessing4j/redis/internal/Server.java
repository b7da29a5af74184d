package io.github.multiprocessing4j.redis.internal;

import org.apache.commons.pool2.PooledObject;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import redis.clients.jedis.Connection;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.DefaultJedisSocketFactory;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.HostAndPortMapper;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.JedisFactory;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.JedisSocketFactory;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.SslOptions;
import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;

import javax.net.ssl.HostnameVerifier;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocketFactory;
import java.io.IOException;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * One cluster's connections to its server, and the one place where the client's exceptions
 * become the library's: every failure is a {@link ClusterFailure} that names the server (never
 * its credentials) and what was being done.
 *
 * <h2>Which call to use (for the backends)</h2>
 * <ul>
 *   <li>{@link #call}: idempotent commands and scripts (reads, {@code SET}, {@code DEL}, a script
 *       that checks a token before it writes). A broken connection is retried on a new one, with
 *       growing pauses, until the cluster's timeout has passed since the call began.</li>
 *   <li>{@link #callOnceReconnecting}: commands that must not run twice ({@code INCR}, a
 *       {@code LPUSH}, a script that takes something). Sent at most once; while no connection can
 *       be made at all (the server restarting) it waits for one, up to the timeout, because then
 *       the command was certainly not sent. A connection that breaks after the command was sent
 *       fails the call ({@link ClusterFailure#maybeDone()} is true): the caller decides.</li>
 *   <li>{@link #callOnce}: the same, but it fails at once when the server cannot be reached
 *       (a renewal that must not hold up its thread, a probe).</li>
 *   <li>{@link #callBlocking}: a command that waits on the server ({@code BLPOP}, {@code BLMOVE},
 *       {@code BZPOPMIN}) for a timeout of the caller's. See below.</li>
 * </ul>
 *
 * <h2>Blocking commands: {@code callBlocking(what, timeoutNanos, (jedis, seconds) -> ...)}</h2>
 * The command gets the seconds to wait (always at least 1 ms: Redis reads 0 as "forever") and
 * returns {@code null} when that wait ran out, as {@code BLPOP} does. The server then:
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
 *       {@link #close()} with a {@link ClusterFailure}.</li>
 * </ul>
 * The command must be safe to re-issue after a break. A plain {@code BLPOP} whose answer was lost
 * in the break has taken its item from the list for nobody: where an item must not be lost, move
 * it ({@code BLMOVE}) into a list of the taker's own and acknowledge it from there (the reliable
 * queue pattern); after a break, look in that list before waiting again.
 *
 * <p>"Cannot be reached" includes a server that answers but refuses to run anything yet
 * ({@code LOADING} its data after a restart, {@code BUSY} in a long script, {@code MASTERDOWN},
 * {@code TRYAGAIN}): the command was not run, so every kind of call waits for it as for a server
 * that is down.
 *
 * <p>Implementation notes. Connections come from a pool of {@link #MAX_CONNECTIONS}: a thread
 * blocked in a blocking command holds one for as long as it waits, so the pool is sized for many
 * blocked threads at once. Every connection reads with the cluster's timeout as socket timeout,
 * except that the client lifts it for blocking commands, hence the watchdog. When a connection
 * breaks, the idle ones in the pool are dropped too (they went to the same server and are most
 * likely broken as well), so that the calls after it fail at connecting, before anything was
 * sent, and can wait for the server safely. Nobody sees the break of a connection that sat in
 * the pool while the server restarted: a connection idle for {@link #IDLE_CHECK} or more is
 * checked with a PING when borrowed (one round trip more for a caller that calls less than ten
 * times a second; none under load, where the pool hands out the connection just returned), so
 * that a non-repeatable call after a quiet restart does not fail with "may or may not". The
 * watchdog is one daemon thread per server, started by the first blocking call and stopped by
 * {@link #close()}. A new connection made while a call
 * retries gets only what is left of that call's time to connect and to shake hands (the
 * thread's {@link #CONNECT_BY}), so that a server that dies and then stops answering in the
 * middle of a reconnect does not stretch the call to twice the timeout; a pooled connection
 * used by a retry reads with what is left too, and gets the full timeout back when a plain call
 * borrows it next.
 */
public final class Server implements AutoCloseable {
    /** Blocked getters and lock waiters each hold a connection while they wait. */
    public static final int MAX_CONNECTIONS = 128;
    /** The longest single wait sent to the server: longer waits are re-issued slice by slice. */
    public static final Duration BLOCKING_SLICE = Duration.ofSeconds(10);
    /** How often the watchdog looks at the blocked calls (interrupts, overdue waits). */
    static final long WATCH_PERIOD_MILLIS = 50;
    private static final long MAX_PAUSE_MILLIS = 500;
    /** A pooled connection idle this long is checked (PING) before use: its server may have restarted meanwhile. */
    static final Duration IDLE_CHECK = Duration.ofMillis(100);
    /** When the calling thread's retry must end ({@code System.nanoTime()}), 0 when it has no deadline. */
    private static final ThreadLocal<long[]> CONNECT_BY = ThreadLocal.withInitial(() -> new long[1]);

    /** A command that waits on the server for {@code seconds} and returns null when that ran out. */
    @FunctionalInterface
    public interface BlockingCommand<T> {
        T run(Jedis jedis, double seconds);
    }

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

    private final ServerAddress address;
    private final Duration timeout;
    private final int timeoutMillis;
    private final JedisPool pool;
    private final Map<Waiting, Boolean> waiting = new ConcurrentHashMap<>();
    private volatile ScheduledExecutorService watchdog;
    private volatile boolean closed;
    private volatile long sliceMillis = BLOCKING_SLICE.toMillis();
    private volatile Runnable beforeEachCall;

    /**
     * Connects and checks the server answers (a PING) within {@code timeout}. A
     * {@code rediss://} address is verified against {@code tls} (null: the JDK's default trust
     * store), and the server's certificate must name the host of the URL.
     *
     * @throws ClusterFailure when the server cannot be reached, refuses the credentials, or its
     *     certificate is not trusted
     */
    public Server(ServerAddress address, char[] password, Duration timeout, SSLSocketFactory tls) {
        this.address = address;
        this.timeout = timeout;
        int millis = (int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis()));
        this.timeoutMillis = millis;
        DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(millis)
                .socketTimeoutMillis(millis)
                .database(address.database())
                .clientName("mp4j")
                .protocol(RedisProtocol.RESP2); // what Redis 7.0 and Valkey both speak; pinned, not negotiated
        if (address.user() != null) {
            config.user(address.user());
        }
        if (password != null) {
            config.password(new String(password));
        }
        if (address.tls()) {
            SSLParameters verifyHost = new SSLParameters();
            verifyHost.setEndpointIdentificationAlgorithm("HTTPS"); // the certificate must name the URL's host
            config.ssl(true).sslParameters(verifyHost);
            if (tls != null) {
                config.sslSocketFactory(tls);
            }
        }
        GenericObjectPoolConfig<Jedis> poolConfig = new GenericObjectPoolConfig<>();
        poolConfig.setMaxTotal(MAX_CONNECTIONS);
        poolConfig.setMaxIdle(16);
        poolConfig.setMinIdle(0);
        poolConfig.setJmxEnabled(false);
        poolConfig.setMaxWait(timeout);
        poolConfig.setTestOnBorrow(true); // only connections idle for IDLE_CHECK: see CheckedWhenIdle
        JedisClientConfig clientConfig = config.build();
        HostAndPort at = new HostAndPort(address.host(), address.port());
        this.pool = new JedisPool(poolConfig, new CheckedWhenIdle(socketsWithinDeadline(at, clientConfig, millis), clientConfig));
        try {
            call("connect", Jedis::ping);
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
    }

    /** For tests: slices shorter than {@link #BLOCKING_SLICE}, to see them re-issued. */
    void blockingSlice(Duration slice) {
        this.sliceMillis = Math.max(1, slice.toMillis());
    }

    public ServerAddress address() {
        return address;
    }

    public Duration timeout() {
        return timeout;
    }

    /**
     * Runs {@code command} on a pooled connection, retrying on a new connection while the server
     * cannot be reached, for up to the cluster's timeout. For idempotent commands only.
     *
     * @throws ClusterFailure when it still fails at the timeout, or the server answers an error
     */
    public <T> T call(String what, Function<Jedis, T> command) {
        return retrying(what, command, false);
    }

    /**
     * Makes every later call (but {@link #callBehind}'s) run {@code hook} first: the write-behind
     * stream's wait for the writes made before, so that a process's calls reach the server in the
     * order it made them.
     */
    public void beforeEachCall(Runnable hook) {
        this.beforeEachCall = hook;
    }

    /**
     * Runs {@code command} once on a pooled connection; fails at once when the server cannot be
     * reached.
     *
     * @throws ClusterFailure when the connection fails or the server answers an error
     */
    public <T> T callOnce(String what, Function<Jedis, T> command) {
        Runnable hook = beforeEachCall;
        if (hook != null) {
            hook.run();
        }
        return callBehind(what, command);
    }

    /**
     * Runs {@code command} once, without waiting for the write-behind stream: for that stream's
     * own sender. Fails at once when the server cannot be reached.
     *
     * @throws ClusterFailure when the connection fails or the server answers an error
     */
    public <T> T callBehind(String what, Function<Jedis, T> command) {
        checkOpen(what);
        Jedis jedis;
        try {
            jedis = pool.getResource();
        } catch (JedisException e) {
            throw failure(what, e, false);
        }
        try {
            Connection connection = jedis.getConnection();
            int readTimeout = millisLeft(timeoutMillis);
            if (connection.getSoTimeout() != readTimeout) {
                connection.setSoTimeout(readTimeout); // a retry has less time; a plain call after it, the full timeout
            }
        } catch (JedisException e) {
            jedis.close();
            throw failure(what, e, false);
        }
        try (jedis) {
            return command.apply(jedis);
        } catch (JedisException e) {
            if (e instanceof JedisConnectionException) {
                pool.clear(); // the idle connections went to the same server: most likely broken too
            }
            throw failure(what, e, true);
        }
    }

    /**
     * Runs {@code command} at most once: waits (reconnecting with growing pauses, for up to the
     * cluster's timeout) while no connection can be made, then sends it once.
     *
     * @throws ClusterFailure when no connection could be made within the timeout, when the
     *     connection broke after the command was sent ({@link ClusterFailure#maybeDone()}), or the
     *     server answers an error
     */
    public <T> T callOnceReconnecting(String what, Function<Jedis, T> command) {
        return retrying(what, command, true);
    }

    private <T> T retrying(String what, Function<Jedis, T> command, boolean onlyUnsent) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pauseMillis = 10;
        try {
            return callOnce(what, command);
        } catch (ClusterFailure e) {
            if (!e.unreachable() || (onlyUnsent && e.maybeDone()) || System.nanoTime() - deadline >= 0) {
                throw e;
            }
        }
        while (true) {
            pauseMillis = pause(what, pauseMillis, deadline);
            try {
                return callBy(deadline, what, command);
            } catch (ClusterFailure e) {
                if (!e.unreachable() || (onlyUnsent && e.maybeDone()) || System.nanoTime() - deadline >= 0) {
                    throw e;
                }
            }
        }
    }

    /** {@link #callOnce}, where a connection made for it must be made (connected, authenticated) by {@code deadline}. */
    private <T> T callBy(long deadline, String what, Function<Jedis, T> command) {
        long[] connectBy = CONNECT_BY.get();
        long before = connectBy[0];
        connectBy[0] = deadline == 0 ? 1 : deadline; // 0 means none
        try {
            return callOnce(what, command);
        } finally {
            connectBy[0] = before;
        }
    }

    /**
     * Sockets that connect and shake hands within the cluster's timeout, or within what is left
     * of the calling thread's {@link #CONNECT_BY} when that is less.
     */
    private static JedisSocketFactory socketsWithinDeadline(HostAndPort at, JedisClientConfig config, int timeoutMillis) {
        DefaultJedisSocketFactory normal = new DefaultJedisSocketFactory(at, config);
        return () -> {
            int left = millisLeft(timeoutMillis);
            return left == timeoutMillis ? normal.createSocket()
                    : new DefaultJedisSocketFactory(at, withTimeouts(config, left)).createSocket();
        };
    }

    /** @return the timeout, or what is left of the calling thread's {@link #CONNECT_BY} when less (at least 1 ms) */
    private static int millisLeft(int timeoutMillis) {
        long by = CONNECT_BY.get()[0];
        if (by == 0) {
            return timeoutMillis;
        }
        return (int) Math.max(1, Math.min(timeoutMillis, TimeUnit.NANOSECONDS.toMillis(by - System.nanoTime())));
    }

    /** Makes connections; checks one before use only when it sat idle for {@link #IDLE_CHECK}. */
    private static final class CheckedWhenIdle extends JedisFactory {
        CheckedWhenIdle(JedisSocketFactory sockets, JedisClientConfig config) {
            super(sockets, config);
        }

        @Override
        public boolean validateObject(PooledObject<Jedis> pooled) {
            if (pooled.getIdleDuration().compareTo(IDLE_CHECK) < 0) {
                return true;
            }
            Jedis jedis = pooled.getObject();
            try {
                return jedis.isConnected() && "PONG".equals(jedis.ping());
            } catch (JedisException e) {
                return false; // dropped quietly (the client's own check logs a stack trace): the next one is made new
            }
        }
    }

    /** What a socket factory reads of {@code config}, with other timeouts (no credentials: a socket needs none). */
    private static JedisClientConfig withTimeouts(JedisClientConfig config, int millis) {
        return new JedisClientConfig() {
            @Override
            public int getConnectionTimeoutMillis() {
                return millis;
            }

            @Override
            public int getSocketTimeoutMillis() {
                return millis;
            }

            @Override
            public boolean isSsl() {
                return config.isSsl();
            }

            @Override
            public SSLSocketFactory getSslSocketFactory() {
                return config.getSslSocketFactory();
            }

            @Override
            public SSLParameters getSslParameters() {
                return config.getSslParameters();
            }

            @Override
            public SslOptions getSslOptions() {
                return config.getSslOptions();
            }

            @Override
            public HostnameVerifier getHostnameVerifier() {
                return config.getHostnameVerifier();
            }

            @Override
            public HostAndPortMapper getHostAndPortMapper() {
                return config.getHostAndPortMapper();
            }
        };
    }

    /**
     * Runs a command that waits on the server, for up to {@code timeoutNanos} (negative: as long
     * as it takes; not 0: use a non-blocking command for that), surviving a restart of the server:
     * see the class comment.
     *
     * @return what the command returned, or null when the timeout passed without an answer
     * @throws InterruptedException when the thread is interrupted while waiting
     * @throws ClusterFailure when the server stayed unreachable for the cluster's timeout, answers
     *     an error, or this server is closed
     */
    public <T> T callBlocking(String what, long timeoutNanos, BlockingCommand<T> command) throws InterruptedException {
        if (timeoutNanos == 0) {
            throw new IllegalArgumentException("callBlocking needs a timeout: negative or positive, not 0");
        }
        long start = System.nanoTime();
        long unreachableSince = 0;
        boolean lastChance = false;
        long pauseMillis = 10;
        while (true) {
            if (Thread.interrupted()) {
                throw new InterruptedException(address + ": " + what + ": interrupted");
            }
            long left = timeoutNanos < 0 ? Long.MAX_VALUE : timeoutNanos - (System.nanoTime() - start);
            long waitMillis = Math.max(1, Math.min(sliceMillis, TimeUnit.NANOSECONDS.toMillis(left)));
            if (left <= 0) {
                lastChance = true;
            }
            try {
                Function<Jedis, T> wait = jedis -> waitOn(jedis, waitMillis, command);
                T result = unreachableSince == 0 ? callOnce(what, wait) : callBy(unreachableSince + timeout.toNanos(), what, wait);
                if (result != null || lastChance || (timeoutNanos > 0 && System.nanoTime() - start - timeoutNanos >= 0)) {
                    return result; // an answer, or the wait ran out on the server: no extra look
                }
                unreachableSince = 0;
                pauseMillis = 10;
                continue;
            } catch (ClusterFailure e) {
                if (Thread.interrupted()) { // the watchdog cut the connection because of the interrupt
                    throw new InterruptedException(address + ": " + what + ": interrupted");
                }
                if (!e.unreachable() || closed) {
                    throw e;
                }
                long now = System.nanoTime();
                if (unreachableSince == 0) {
                    unreachableSince = now;
                } else if (now - unreachableSince - timeout.toNanos() >= 0) {
                    throw e;
                }
                pauseMillis = pause(what, pauseMillis, unreachableSince + timeout.toNanos());
            }
        }
    }

    private <T> T waitOn(Jedis jedis, long waitMillis, BlockingCommand<T> command) {
        Waiting wait = new Waiting(Thread.currentThread(), jedis,
                System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis) + timeout.toNanos());
        waiting.put(wait, Boolean.TRUE);
        startWatchdog();
        try {
            if (closed) {
                throw new ClusterFailure(address + ": closed", null, false);
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
                if (watchdog == null && !closed) {
                    ScheduledThreadPoolExecutor w = new ScheduledThreadPoolExecutor(1, task -> {
                        Thread t = new Thread(task, "mp4j-redis-watchdog " + address);
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

    /** Sleeps for the pause (with jitter, so that many clients do not reconnect in step), never past the deadline. */
    private long pause(String what, long pauseMillis, long deadline) {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        long sleep = Math.max(1, Math.min(left, pauseMillis / 2 + ThreadLocalRandom.current().nextLong(pauseMillis / 2 + 1)));
        try {
            Thread.sleep(sleep);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClusterFailure(address + ": " + what + ": interrupted while waiting for the server to come back",
                    e, false);
        }
        checkOpen(what);
        return Math.min(MAX_PAUSE_MILLIS, pauseMillis * 2);
    }

    private void checkOpen(String what) {
        if (closed) {
            throw new ClusterFailure(address + ": " + what + ": the cluster connection is closed", null, false);
        }
    }

    private ClusterFailure failure(String what, JedisException e, boolean sent) {
        String prefix = address + ": " + what + ": ";
        if (e instanceof JedisAccessControlException) {
            String hint = firstLine(e).startsWith("NOAUTH")
                    ? ": the server wants a password, in the URL (redis://user:password@host or redis://:password@host)" : "";
            return new ClusterFailure(prefix + "the server refused the credentials (" + firstLine(e) + ")" + hint, e, false);
        }
        Throwable tls = tlsCause(e);
        if (tls != null) {
            return new ClusterFailure(prefix + "the TLS handshake failed (" + firstLine(tls) + "): the server's certificate "
                    + "must chain to a certificate of the trust store (Cluster.builder(url).trustStore(path, password)) "
                    + "and name the host of the URL", e, false);
        }
        if (closed) {
            return new ClusterFailure(prefix + "the cluster connection is closed", e, false);
        }
        if (!sent && e.getCause() instanceof NoSuchElementException) {
            return new ClusterFailure(prefix + "all " + MAX_CONNECTIONS + " connections of this process are in use (each "
                    + "blocked call holds one) and none came free within " + timeout.toMillis() + " ms", e, false);
        }
        if (e instanceof JedisDataException && notReady(e.getMessage())) {
            // Refused before it ran: safe to send again, like a connection that could not be made.
            return new ClusterFailure(prefix + "the server is not ready (" + firstLine(e) + ")", e, true, false);
        }
        if (e instanceof JedisConnectionException) {
            return sent
                    ? new ClusterFailure(prefix + "the connection broke; the command may or may not have been carried out ("
                            + firstLine(e) + ")", e, true, true)
                    : new ClusterFailure(prefix + "cannot reach the server within " + timeout.toMillis() + " ms ("
                            + firstLine(e) + ")", e, true, false);
        }
        return new ClusterFailure(prefix + firstLine(e), e, false);
    }

    /**
     * @return whether the server refused a command without running it because it cannot serve
     *     yet: loading its data after a restart, busy in a long script, a replica without its
     *     primary, a cluster slot in migration
     */
    private static boolean notReady(String error) {
        return error != null && (error.startsWith("LOADING") || error.startsWith("BUSY")
                || error.startsWith("MASTERDOWN") || error.startsWith("TRYAGAIN"));
    }

    private static Throwable tlsCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SSLException || t instanceof CertificateException) {
                return t;
            }
        }
        return null;
    }

    private static String firstLine(Throwable e) {
        Throwable t = e;
        String message = null;
        while (t != null && message == null) {
            message = t.getMessage();
            t = t.getCause();
        }
        if (message == null) {
            return e.getClass().getSimpleName();
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    /**
     * Closes the connections: calls waiting on the server fail with a {@link ClusterFailure} at
     * once, and the watchdog thread ends. Idempotent.
     */
    @Override
    public void close() {
        closed = true;
        synchronized (this) {
            ScheduledExecutorService w = watchdog;
            if (w != null) {
                w.shutdownNow();
            }
        }
        for (Waiting w : waiting.keySet()) {
            cut(w);
        }
        pool.close();
    }

    @Override
    public String toString() {
        return address.toString();
    }
}
