package io.github.multiprocessing4j.redis.internal.connection;

import redis.clients.jedis.DefaultJedisSocketFactory;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.HostAndPortMapper;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.JedisSocketFactory;
import redis.clients.jedis.SslOptions;

import javax.net.ssl.HostnameVerifier;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocketFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The deadline of a retrying call, for the connections made and used on its behalf: a new
 * connection gets only what is left of the call's time to connect and to shake hands, and a
 * pooled one reads with what is left.
 *
 * <p>Implementation notes. Without it, a server that dies and then stops answering in the middle
 * of a reconnect would stretch the call to twice the cluster's timeout. The pool makes its
 * connections inside {@code getResource()}, on the calling thread, and offers no way to pass a
 * deadline along, so the deadline is the calling thread's ({@link #BY}), set for the length of
 * one call by {@link #within}; 0 there means "no deadline: the full timeout".
 */
final class ConnectDeadline {
    /** When the calling thread's retry must end ({@code System.nanoTime()}), 0 when it has no deadline. */
    private static final ThreadLocal<long[]> BY = ThreadLocal.withInitial(() -> new long[1]);

    private ConnectDeadline() {
    }

    /** Runs {@code call} with {@code deadline} ({@code System.nanoTime()}) as the calling thread's. */
    static <T> T within(long deadline, Supplier<T> call) {
        long[] by = BY.get();
        long before = by[0];
        by[0] = deadline == 0 ? 1 : deadline; // 0 means none
        try {
            return call.get();
        } finally {
            by[0] = before;
        }
    }

    /** @return the timeout, or what is left of the calling thread's deadline when less (at least 1 ms) */
    static int millisLeft(int timeoutMillis) {
        long by = BY.get()[0];
        if (by == 0) {
            return timeoutMillis;
        }
        return (int) Math.max(1, Math.min(timeoutMillis, TimeUnit.NANOSECONDS.toMillis(by - System.nanoTime())));
    }

    /**
     * Sockets that connect and shake hands within the cluster's timeout, or within what is left
     * of the calling thread's deadline when that is less.
     */
    static JedisSocketFactory sockets(HostAndPort at, JedisClientConfig config, int timeoutMillis) {
        DefaultJedisSocketFactory normal = new DefaultJedisSocketFactory(at, config);
        return () -> {
            int left = millisLeft(timeoutMillis);
            return left == timeoutMillis ? normal.createSocket()
                    : new DefaultJedisSocketFactory(at, withTimeouts(config, left)).createSocket();
        };
    }

    /** What a socket factory reads of {@code config}, with other timeouts (no credentials: a socket needs none). */
    @SuppressWarnings("deprecation") // the TLS getters, as the settings: see Server's pool field
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
}
