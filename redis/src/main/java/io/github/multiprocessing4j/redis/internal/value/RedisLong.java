package io.github.multiprocessing4j.redis.internal.value;

import io.github.multiprocessing4j.redis.internal.connection.ClusterConnection;
import io.github.multiprocessing4j.redis.internal.connection.ClusterHandle;
import io.github.multiprocessing4j.redis.internal.connection.LuaScript;
import io.github.multiprocessing4j.spi.LongBackend;

import java.util.List;

/**
 * A {@link io.github.multiprocessing4j.SharedLong} on the server: one string key holding the
 * number in decimal, changed with {@code INCRBY} and, for compare-and-set, a script.
 */
public final class RedisLong extends ClusterHandle implements LongBackend {
    private static final long serialVersionUID = 1L;
    private static final LuaScript COMPARE_AND_SET = new LuaScript(
            "local v = redis.call('GET', KEYS[1]) or '0' "
            + "if v == ARGV[1] then redis.call('SET', KEYS[1], ARGV[2]) return 1 end return 0");

    private final String key;

    public RedisLong(ClusterConnection connection, String name) {
        super(connection, name);
        this.key = connection.key("long", name, "value");
    }

    @Override
    public long get() {
        return readNumber("get " + name, key);
    }

    @Override
    public void set(long value) {
        connection().server().call("set " + name, j -> j.set(key, Long.toString(value)));
    }

    @Override
    public long getAndAdd(long delta) {
        // Sent at most once: an increment whose answer was lost may have happened.
        return connection().server().callOnceReconnecting("add to " + name, j -> j.incrBy(key, delta)) - delta;
    }

    @Override
    public boolean compareAndSet(long expected, long value) {
        Object done = connection().server().callOnceReconnecting("compare-and-set " + name,
                j -> COMPARE_AND_SET.run(j, List.of(key), List.of(Long.toString(expected), Long.toString(value))));
        return Long.valueOf(1).equals(done);
    }

    @Override
    public void close() {
        connection().server().call("delete " + name, j -> j.del(key));
    }

    @Override
    public String toString() {
        return name + " on " + ref;
    }
}
