package io.github.multiprocessing4j.redis.internal;

import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;

import javax.net.ssl.SSLSocketFactory;
import java.time.Duration;
import java.util.function.Function;

/**
 * One cluster's connections to its server, and the one place where the client's exceptions
 * become the library's: every call names the server (never its credentials) and what it was
 * doing.
 *
 * <p>Implementation notes. Connections come from a pool of {@link #MAX_CONNECTIONS}: a thread
 * blocked in a blocking command holds one for as long as it waits, so the pool is sized for many
 * blocked threads at once. A call that fails because the connection broke (the server restarting,
 * a network hiccup) is retried on a new connection with growing pauses until {@code timeout} has
 * passed since the call began; only then does it fail. A script or command that is not idempotent
 * must say so ({@link #callOnce}) and is never retried: the caller decides.
 */
public final class Server implements AutoCloseable {
    /** Blocked getters and lock waiters each hold a connection while they wait. */
    public static final int MAX_CONNECTIONS = 128;

    private final ServerAddress address;
    private final Duration timeout;
    private final JedisPool pool;
    private volatile Runnable beforeEachCall;

    /**
     * Connects and checks the server answers (a PING) within {@code timeout}.
     *
     * @throws ClusterFailure when the server cannot be reached or refuses the credentials
     */
    public Server(ServerAddress address, char[] password, Duration timeout, SSLSocketFactory tls) {
        this.address = address;
        this.timeout = timeout;
        int millis = (int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis()));
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
            config.ssl(true);
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
        this.pool = new JedisPool(poolConfig, new HostAndPort(address.host(), address.port()), config.build());
        try {
            call("connect", Jedis::ping);
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
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
        long deadline = System.nanoTime() + timeout.toNanos();
        long pauseMillis = 10;
        while (true) {
            try {
                return callOnce(what, command);
            } catch (ClusterFailure e) {
                if (!e.unreachable() || System.nanoTime() - deadline >= 0) {
                    throw e;
                }
            }
            sleep(pauseMillis);
            pauseMillis = Math.min(500, pauseMillis * 2);
        }
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
     * Runs {@code command} once on a pooled connection.
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
     * own sender.
     *
     * @throws ClusterFailure when the connection fails or the server answers an error
     */
    public <T> T callBehind(String what, Function<Jedis, T> command) {
        try (Jedis jedis = pool.getResource()) {
            return command.apply(jedis);
        } catch (JedisAccessControlException e) {
            throw new ClusterFailure(address + ": " + what + ": the server refused the credentials ("
                    + firstLine(e) + ")", e, false);
        } catch (JedisConnectionException e) {
            throw new ClusterFailure(address + ": " + what + ": cannot reach the server within "
                    + timeout.toMillis() + " ms (" + firstLine(e) + ")", e, true);
        } catch (JedisDataException e) {
            throw new ClusterFailure(address + ": " + what + ": " + firstLine(e), e, false);
        } catch (JedisException e) {
            throw new ClusterFailure(address + ": " + what + ": " + firstLine(e), e, false);
        }
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

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClusterFailure("interrupted while waiting for the server to come back", e, false);
        }
    }

    @Override
    public void close() {
        pool.close();
    }

    @Override
    public String toString() {
        return address.toString();
    }
}
