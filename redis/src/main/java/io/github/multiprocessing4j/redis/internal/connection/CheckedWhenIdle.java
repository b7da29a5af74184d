package io.github.multiprocessing4j.redis.internal.connection;

import org.apache.commons.pool2.PooledObject;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.JedisFactory;
import redis.clients.jedis.JedisSocketFactory;
import redis.clients.jedis.exceptions.JedisException;

import java.time.Duration;

/**
 * Makes the pool's connections; checks one before use only when it sat idle for
 * {@link #IDLE_CHECK}.
 *
 * <p>Implementation notes. Nobody sees the break of a connection that sat in the pool while the
 * server restarted, so a non-repeatable call after a quiet restart would fail with "may or may
 * not have been carried out". Checking every borrow costs a round trip per call; checking only
 * connections idle for {@link #IDLE_CHECK} costs one for a caller that calls less than ten times
 * a second and none under load, where the pool hands out the connection just returned. The pool
 * must have {@code testOnBorrow} set for this check to run.
 */
@SuppressWarnings("deprecation") // JedisFactory, as JedisPool: see Server's pool field
final class CheckedWhenIdle extends JedisFactory {
    /** A pooled connection idle this long is checked (PING) before use: its server may have restarted meanwhile. */
    static final Duration IDLE_CHECK = Duration.ofMillis(100);

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
