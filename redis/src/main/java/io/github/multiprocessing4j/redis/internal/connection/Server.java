package io.github.multiprocessing4j.redis.internal.connection;

import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import redis.clients.jedis.Connection;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocketFactory;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.NoSuchElementException;
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
 *       {@code BZPOPMIN}) for a timeout of the caller's, in slices, riding out a restart and
 *       answering interrupts: see {@link BlockingCalls}.</li>
 *   <li>{@link #waitingUpTo}: one such wait as the command of a {@code call} or
 *       {@code callOnce}, for a caller that loops itself. A blocking command must go through one
 *       of these two: a wait sent otherwise holds the JVM's exit back (see {@link BlockingCalls}).</li>
 * </ul>
 *
 * <p>"Cannot be reached" includes a server that answers but refuses to run anything yet
 * ({@code LOADING} its data after a restart, {@code BUSY} in a long script, {@code MASTERDOWN},
 * {@code TRYAGAIN}): the command was not run, so every kind of call waits for it as for a server
 * that is down.
 *
 * <p>Implementation notes. Connections come from a pool of {@link #MAX_CONNECTIONS}: a thread
 * blocked in a blocking command holds one for as long as it waits, so the pool is sized for many
 * blocked threads at once. Every connection reads with the cluster's timeout as socket timeout,
 * except that the client lifts it for blocking commands, hence {@link BlockingCalls}'s watchdog.
 * When a connection breaks, the idle ones in the pool are dropped too (they went to the same
 * server and are most likely broken as well), so that the calls after it fail at connecting,
 * before anything was sent, and can wait for the server safely. A connection that sat in the
 * pool while the server restarted is caught by {@link CheckedWhenIdle}. A retry connects and
 * reads within what is left of its call's time ({@link ConnectDeadline}); a pooled connection
 * used by a retry gets the full timeout back when a plain call borrows it next.
 */
public final class Server implements AutoCloseable {
    /** Blocked getters and lock waiters each hold a connection while they wait. */
    public static final int MAX_CONNECTIONS = 128;
    private static final long MAX_PAUSE_MILLIS = 500;
    /**
     * The smallest {@code proto-max-bulk-len} Redis and Valkey can be configured with (1 MiB): an
     * argument no larger always fits, so only larger ones need the server's own limit.
     */
    static final long SMALLEST_BULK_LIMIT = 1 << 20;
    /** Redis's and Valkey's default {@code proto-max-bulk-len}: assumed when the server will not say. */
    static final long DEFAULT_BULK_LIMIT = 512L << 20;

    /** A command that waits on the server for {@code seconds} and returns null when that ran out. */
    @FunctionalInterface
    public interface BlockingCommand<T> {
        T run(Jedis jedis, double seconds);
    }

    private final ServerAddress address;
    private final Duration timeout;
    private final int timeoutMillis;
    // Jedis 8 deprecates JedisPool and DefaultJedisClientConfig's TLS settings in favour of its new
    // RedisClient API; the per-call borrowing and the blocking calls here are built on the pool, so
    // moving is a change of its own (the deprecated API is still supported in Jedis 8).
    @SuppressWarnings("deprecation")
    private final JedisPool pool;
    private final BlockingCalls blocking = new BlockingCalls(this);
    private volatile boolean closed;
    private volatile Runnable beforeEachCall;
    /** The server's {@code proto-max-bulk-len}, read at the first argument that needs it; 0 until then. */
    private volatile long bulkLimit;

    /**
     * Connects and checks the server answers (a PING) within {@code timeout}. A
     * {@code rediss://} address is verified against {@code tls} (null: the JDK's default trust
     * store), and the server's certificate must name the host of the URL.
     *
     * @throws ClusterFailure when the server cannot be reached, refuses the credentials, or its
     *     certificate is not trusted
     */
    @SuppressWarnings("deprecation") // JedisPool and the TLS settings: see the field
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
        this.pool = new JedisPool(poolConfig, new CheckedWhenIdle(ConnectDeadline.sockets(at, clientConfig, millis), clientConfig));
        try {
            call("connect", Jedis::ping);
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
    }

    /** For tests: slices shorter than {@link BlockingCalls#BLOCKING_SLICE}, to see them re-issued. */
    void blockingSlice(Duration slice) {
        blocking.slice(slice);
    }

    /** For tests: the blocking calls (the exit hook's step, the waits in progress). */
    BlockingCalls blockingCalls() {
        return blocking;
    }

    public ServerAddress address() {
        return address;
    }

    public Duration timeout() {
        return timeout;
    }

    /**
     * Refuses, before anything is sent, an argument the server would refuse: one longer than its
     * {@code proto-max-bulk-len}. Redis reads an argument's length first and, over its limit,
     * answers a protocol error and closes the connection, often while the client is still writing
     * the megabytes, so that the client may see only a reset connection (the command "may or may
     * not have been carried out") instead of the refusal. The limit is read once per process, at
     * the first argument over 1 MiB (no server accepts less); a server that will not say
     * ({@code CONFIG} refused or renamed) is taken to have the default, 512 MB. A limit lowered
     * after it was read is still met by the server's refusal.
     *
     * @param what the argument, for the message ("an item of queue 'jobs'")
     * @param bytes its length
     * @throws IllegalArgumentException when it is longer than the server accepts
     * @throws ClusterFailure when the server could not be asked (the call fails as another would)
     */
    public void checkArgumentFits(String what, long bytes) {
        if (bytes <= SMALLEST_BULK_LIMIT) {
            return;
        }
        long limit = bulkLimit();
        if (bytes > limit) {
            throw new IllegalArgumentException(what + ": " + bytes + " bytes encoded, more than the server " + address
                    + " accepts (its proto-max-bulk-len is " + limit + " bytes); nothing was sent");
        }
    }

    private long bulkLimit() {
        long limit = bulkLimit;
        if (limit == 0) {
            limit = call("read the server's proto-max-bulk-len", jedis -> {
                try {
                    String value = jedis.configGet("proto-max-bulk-len").get("proto-max-bulk-len");
                    return value == null ? DEFAULT_BULK_LIMIT : Long.parseLong(value.trim());
                } catch (JedisDataException | NumberFormatException refused) {
                    return DEFAULT_BULK_LIMIT; // CONFIG refused (an ACL, a managed server) or renamed
                }
            });
            bulkLimit = limit;
        }
        return limit;
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
            int readTimeout = ConnectDeadline.millisLeft(timeoutMillis);
            if (connection.getSoTimeout() != readTimeout) {
                connection.setSoTimeout(readTimeout); // a retry has less time; a plain call after it, the full timeout
            }
        } catch (JedisException e) {
            jedis.close();
            throw failure(what, e, false);
        }
        try (jedis) {
            try {
                return command.apply(jedis);
            } catch (JedisDataException e) {
                if (closedByTheServer(e)) {
                    // Not to the pool: the next command on it would meet a reset connection (CI
                    // saw "the connection broke" on the put after a refused oversized item).
                    jedis.getConnection().setBroken();
                }
                throw e;
            }
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
    <T> T callBy(long deadline, String what, Function<Jedis, T> command) {
        return ConnectDeadline.within(deadline, () -> callOnce(what, command));
    }

    /**
     * Runs a command that waits on the server, for up to {@code timeoutNanos} (negative: as long
     * as it takes; not 0: use a non-blocking command for that), surviving a restart of the server:
     * see {@link BlockingCalls}.
     *
     * @return what the command returned, or null when the timeout passed without an answer
     * @throws InterruptedException when the thread is interrupted while waiting
     * @throws ClusterFailure when the server stayed unreachable for the cluster's timeout, answers
     *     an error, or this server is closed
     */
    public <T> T callBlocking(String what, long timeoutNanos, BlockingCommand<T> command) throws InterruptedException {
        return blocking.call(what, timeoutNanos, command);
    }

    /**
     * One wait on the server of up to {@code millis}, as the command of a {@link #call} or
     * {@link #callOnce} (whose caller loops and decides what a broken connection means): the
     * wait is guarded as {@link #callBlocking}'s are, so a server that froze, {@link #close()}
     * and the JVM's exit cut it (the call then sees a break); an interrupt does not.
     */
    public <T> Function<Jedis, T> waitingUpTo(long millis, BlockingCommand<T> command) {
        return jedis -> blocking.waitOn(jedis, millis, false, command);
    }

    /**
     * Sleeps for the pause (with jitter, so that many clients do not reconnect in step), never
     * past the deadline. An interrupt meanwhile does not end the call: it is kept (set again on
     * return) for the caller to act on. A retrying call is bounded by the timeout anyway, an
     * interruptible wait looks at the interrupt status after each call, and a wait that must
     * ignore interrupts ({@code lock()}) must not fail because of one while the server is away.
     */
    long pause(String what, long pauseMillis, long deadline) {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        long sleep = Math.max(1, Math.min(left, pauseMillis / 2 + ThreadLocalRandom.current().nextLong(pauseMillis / 2 + 1)));
        long wakeAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(sleep);
        boolean interrupted = false;
        for (long nanos = TimeUnit.MILLISECONDS.toNanos(sleep); nanos > 0; nanos = wakeAt - System.nanoTime()) {
            try {
                TimeUnit.NANOSECONDS.sleep(nanos);
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        checkOpen(what);
        return Math.min(MAX_PAUSE_MILLIS, pauseMillis * 2);
    }

    boolean isClosed() {
        return closed;
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
        if (firstLine(e).contains("invalid bulk length")) {
            // The server reads an argument's length before its bytes and closes the connection
            // at one over its limit: the command never ran, and sending it again would fail again.
            return new ClusterFailure(prefix + "the server refused the command: an argument (an item or a message) is "
                    + "larger than it accepts, its proto-max-bulk-len (512 MB unless configured); nothing was carried out ("
                    + firstLine(e) + ")", e, false);
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
     * @return whether the server closes the connection after this error: a protocol error (an
     *     argument over its {@code proto-max-bulk-len}, "invalid bulk length"), after which Redis
     *     replies and closes the connection
     */
    private static boolean closedByTheServer(JedisDataException e) {
        String error = e.getMessage();
        return error != null && error.contains("Protocol error");
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
        blocking.close();
        pool.close();
    }

    @Override
    public String toString() {
        return address.toString();
    }
}