package io.github.multiprocessing4j.redis.internal.connection;

import org.apache.commons.pool2.PooledObject;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.JedisFactory;
import redis.clients.jedis.JedisSocketFactory;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisException;

import java.time.Duration;

/**
 * Makes the pool's connections, each connected once; checks one before use only when it sat idle
 * for {@link #IDLE_CHECK}.
 *
 * <p>Implementation notes. Nobody sees the break of a connection that sat in the pool while the
 * server restarted, so a non-repeatable call after a quiet restart would fail with "may or may
 * not have been carried out". Checking every borrow costs a round trip per call; checking only
 * connections idle for {@link #IDLE_CHECK} costs one for a caller that calls less than ten times
 * a second and none under load, where the pool hands out the connection just returned. The pool
 * must have {@code testOnBorrow} set for this check to run.
 *
 * <p>A connection whose socket was closed under it (a wait cut by {@link BlockingCalls}) would
 * open a new socket at its next command, on its own: unauthenticated, and unknown to whoever cut
 * it. A cut that lands after a wait registered but before its command went out then let that
 * command wait its whole slice on the new socket (CI saw an exiting JVM's wait not cut). So
 * sockets are made only while the pool makes a connection ({@link #MAKING}); a command on a cut
 * connection fails as a broken connection, which every caller already handles.
 */
@SuppressWarnings("deprecation") // JedisFactory, as JedisPool: see Server's pool field
final class CheckedWhenIdle extends JedisFactory {
    /** A pooled connection idle this long is checked (PING) before use: its server may have restarted meanwhile. */
    static final Duration IDLE_CHECK = Duration.ofMillis(100);

    /** Whether the calling thread is in {@link #makeObject()}, the only place a socket is made. */
    private static final ThreadLocal<Boolean> MAKING = ThreadLocal.withInitial(() -> Boolean.FALSE);

    CheckedWhenIdle(JedisSocketFactory sockets, JedisClientConfig config) {
        super(() -> {
            if (!MAKING.get()) {
                throw new JedisConnectionException("the connection was closed under its command: not connecting again on its own");
            }
            return sockets.createSocket();
        }, config);
    }

    @Override
    public PooledObject<Jedis> makeObject() throws Exception {
        MAKING.set(Boolean.TRUE);
        try {
            return super.makeObject();
        } finally {
            MAKING.set(Boolean.FALSE);
        }
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
