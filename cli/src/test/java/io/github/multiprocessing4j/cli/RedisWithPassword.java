package io.github.multiprocessing4j.cli;

import io.github.multiprocessing4j.redis.testing.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * A test class's own redis-server that requires a password ({@link #PASSWORD}), so that a test can
 * check that the password shows nowhere: started before the class's tests, stopped by pid after.
 */
public abstract class RedisWithPassword {
    protected static final String PASSWORD = "s3cret-pw";
    protected static RedisServer redis;
    /** {@code redis://:PASSWORD@127.0.0.1:PORT/0} */
    protected static String url;

    @BeforeAll
    static void startRedis() {
        redis = RedisServer.start("requirepass " + PASSWORD);
        url = "redis://:" + PASSWORD + "@127.0.0.1:" + redis.port() + "/0";
    }

    @AfterAll
    static void stopRedis() {
        if (redis != null) {
            redis.close();
        }
    }
}
