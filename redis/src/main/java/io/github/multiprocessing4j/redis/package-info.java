/**
 * The library's objects across machines, on a Redis (or Valkey) server: a
 * {@link io.github.multiprocessing4j.redis.Cluster} is a connection that hands out queues, locks,
 * semaphores, events and shared longs by name (every program that names one meets it) as the
 * core's own types ({@code ProcessQueue}, {@code ProcessLock}, ...), and hosts process pools
 * ({@code ProcessPool.builder().cluster(cluster)}) whose workers run on the machines' worker
 * agents ({@link io.github.multiprocessing4j.redis.WorkerAgent}, or {@code mp4j worker}).
 * {@link io.github.multiprocessing4j.redis.AgentStatus} reads the agents as {@code mp4j ps --redis}
 * shows them; {@link io.github.multiprocessing4j.redis.ClusterException} is how a call that the
 * server did not answer fails.
 *
 * <p>What differs from one machine: holdings are leases that lapse when their holder dies (a
 * lock is not strict mutual exclusion: use its fencing token), a joinable queue's items are
 * delivered at least once, and everything read from the server is deserialized through an
 * allow-list. {@code Cluster}'s documentation has the details, and {@code docs/CLUSTER.md} in the
 * repository a table of every object.
 */
package io.github.multiprocessing4j.redis;
