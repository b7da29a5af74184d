/**
 * multiprocessing4j across machines: the library's queues, locks, shared values and process pool
 * on a Redis (or Valkey) server, obtained from a {@link io.github.multiprocessing4j.redis.Cluster}.
 */
module io.github.multiprocessing4j.redis {
    requires transitive io.github.multiprocessing4j;
    requires redis.clients.jedis;
    requires org.apache.commons.pool2;

    exports io.github.multiprocessing4j.redis;
}
