package io.github.multiprocessing4j.bench;

import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.args.ListDirection;
import redis.clients.jedis.params.SetParams;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What a plain Redis client does on this machine's loopback server, with no library on top:
 * the floor under the section "cluster"'s figures of the library, and the Java counterpart of
 * {@code bench_cluster.py}'s {@code redis-raw} section, measured the same way (one producer, one
 * consumer; ints as decimal strings; an end marker; the clock from the producer's start after a
 * barrier to the consumer's receipt of the end marker). Producer and consumer are two threads of
 * this JVM with a connection each, where {@code bench_cluster.py} has two processes: either way
 * two clients and the server share the machine's two cores.
 *
 * <p>Jedis 8 as the library uses it: RESP2, one connection per thread, no pool.
 */
final class RedisBaselines {
    static final String ONE_PER_CALL = "raw Jedis: LPUSH / BRPOP, one item per call, 1 -> 1 thread";
    static final String HUNDRED_PER_CALL = "raw Jedis: RPUSH 100 values per call / LPOP count 100 (BLPOP when empty)";
    static final String PIPELINED = "raw Jedis: pipeline of 100 single RPUSH / LPOP count 100";
    static final String RELIABLE = "raw Jedis: reliable: LPUSH / BLMOVE to processing list + LREM ack";
    static final String ROUND_TRIP = "raw Jedis: round trip LPUSH -> echo thread (BRPOP+LPUSH) -> BRPOP";
    static final String LEASE_LOCK = "raw Jedis: SET NX PX + compare-and-delete script (EVALSHA), uncontended pairs";

    private static final String END = "-1";
    private static final int BATCH = 100;
    private static final int WARM_ROUND_TRIPS = 100;
    private static final long CONSUMER_DEADLINE_SECONDS = 300;
    private static final String RELEASE = "if redis.call('GET', KEYS[1]) == ARGV[1] then "
            + "return redis.call('DEL', KEYS[1]) end return 0";

    private final String section;
    private final HostAndPort server;

    RedisBaselines(String section, int port) {
        this.section = section;
        this.server = new HostAndPort("127.0.0.1", port);
    }

    Jedis connect() {
        return new Jedis(server, DefaultJedisClientConfig.builder().protocol(RedisProtocol.RESP2)
                .timeoutMillis(30_000).build());
    }

    void measureAll(BenchConfig config, Results results) throws Exception {
        int n = config.clusterItems();
        int batched = config.clusterBatchItems();
        record(results, ONE_PER_CALL, n, "items/s", config, rep -> pair(Mode.ONE_PER_CALL, n, "one:" + rep));
        record(results, HUNDRED_PER_CALL, batched, "items/s", config,
                rep -> pair(Mode.HUNDRED_PER_CALL, batched, "hundred:" + rep));
        record(results, PIPELINED, batched, "items/s", config, rep -> pair(Mode.PIPELINED, batched, "pipelined:" + rep));
        record(results, RELIABLE, n, "items/s", config, rep -> pair(Mode.RELIABLE, n, "reliable:" + rep));
        roundTrips(config, results);
        leaseLock(config, results);
    }

    private enum Mode { ONE_PER_CALL, HUNDRED_PER_CALL, PIPELINED, RELIABLE }

    @FunctionalInterface
    private interface Repetition {
        double run(int rep) throws Exception;
    }

    private void record(Results results, String what, long n, String unit, BenchConfig config, Repetition repetition)
            throws Exception {
        double[] values = new double[config.clusterReps()];
        for (int rep = 0; rep < values.length; rep++) {
            values[rep] = repetition.run(rep);
        }
        results.record(section, what, "-", n, unit, values);
    }

    /** Items per second from one producer thread to one consumer thread through list {@code key}. */
    private double pair(Mode mode, int n, String key) throws Exception {
        String list = "bench:list:" + key;
        CyclicBarrier start = new CyclicBarrier(2);
        AtomicLong end = new AtomicLong();
        AtomicLong received = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread consumer = new Thread(() -> {
            try (Jedis jedis = connect()) {
                jedis.ping();
                start.await();
                received.set(consume(jedis, mode, list));
                end.set(System.nanoTime());
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "bench-redis-consumer");
        consumer.start();
        long t0;
        try (Jedis jedis = connect()) {
            jedis.ping();
            start.await(30, TimeUnit.SECONDS);
            t0 = System.nanoTime();
            produce(jedis, mode, list, n);
            consumer.join(TimeUnit.SECONDS.toMillis(CONSUMER_DEADLINE_SECONDS));
            if (consumer.isAlive()) {
                jedis.lpush(list, END); // the consumer is blocked in a pop: let it go before failing
                consumer.join();
                throw new IllegalStateException(mode + ": the consumer did not finish within "
                        + CONSUMER_DEADLINE_SECONDS + " s");
            }
            if (failure.get() != null) {
                throw new IllegalStateException(mode + ": the consumer failed", failure.get());
            }
            if (received.get() != n) {
                throw new IllegalStateException(mode + ": the consumer got " + received.get() + " items, not " + n);
            }
            if (mode == Mode.RELIABLE && jedis.llen(list + ":processing") != 0) {
                throw new IllegalStateException("reliable: items left unacknowledged");
            }
            jedis.del(list, list + ":processing");
        }
        return n / ((end.get() - t0) / 1e9);
    }

    private static void produce(Jedis jedis, Mode mode, String list, int n) {
        switch (mode) {
            case ONE_PER_CALL, RELIABLE -> {
                for (int i = 0; i < n; i++) {
                    jedis.lpush(list, Integer.toString(i));
                }
                jedis.lpush(list, END);
            }
            case HUNDRED_PER_CALL -> {
                for (int b = 0; b < n; b += BATCH) {
                    String[] values = new String[Math.min(BATCH, n - b)];
                    for (int i = 0; i < values.length; i++) {
                        values[i] = Integer.toString(b + i);
                    }
                    jedis.rpush(list, values);
                }
                jedis.rpush(list, END);
            }
            case PIPELINED -> {
                for (int b = 0; b < n; b += BATCH) {
                    Pipeline pipeline = jedis.pipelined();
                    for (int i = b; i < Math.min(b + BATCH, n); i++) {
                        pipeline.rpush(list, Integer.toString(i));
                    }
                    pipeline.sync();
                }
                jedis.rpush(list, END);
            }
        }
    }

    /** @return the items consumed before the end marker */
    private static long consume(Jedis jedis, Mode mode, String list) {
        long n = 0;
        switch (mode) {
            case ONE_PER_CALL -> {
                while (!END.equals(jedis.brpop(0, list).get(1))) {
                    n++;
                }
            }
            case HUNDRED_PER_CALL, PIPELINED -> {
                while (true) {
                    List<String> values = jedis.lpop(list, BATCH);
                    if (values == null || values.isEmpty()) {
                        values = List.of(jedis.blpop(0, list).get(1));
                    }
                    for (String v : values) {
                        if (END.equals(v)) {
                            return n;
                        }
                        n++;
                    }
                }
            }
            case RELIABLE -> {
                String processing = list + ":processing";
                while (true) {
                    String v = jedis.blmove(list, processing, ListDirection.RIGHT, ListDirection.LEFT, 0);
                    jedis.lrem(processing, 1, v);
                    if (END.equals(v)) {
                        return n;
                    }
                    n++;
                }
            }
        }
        return n;
    }

    /** Median and p99, in microseconds, of round trips through an echo thread. */
    private void roundTrips(BenchConfig config, Results results) throws Exception {
        int n = config.clusterRoundTrips();
        double[] median = new double[config.clusterReps()];
        double[] p99 = new double[config.clusterReps()];
        for (int rep = 0; rep < median.length; rep++) {
            long[] nanos = pingPong(n);
            Arrays.sort(nanos);
            median[rep] = nanos[n / 2] / 1e3;
            p99[rep] = nanos[Math.min(n - 1, (int) Math.round(0.99 * (n - 1)))] / 1e3;
        }
        results.record(section, ROUND_TRIP + ", median", "-", n, "us", median);
        results.record(section, ROUND_TRIP + ", p99", "-", n, "us", p99);
    }

    private long[] pingPong(int n) throws Exception {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread echo = new Thread(() -> {
            try (Jedis jedis = connect()) {
                while (true) {
                    String v = jedis.brpop(0, "bench:ping").get(1);
                    jedis.lpush("bench:pong", v);
                    if (END.equals(v)) {
                        return;
                    }
                }
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "bench-redis-echo");
        echo.start();
        long[] nanos = new long[n];
        try (Jedis jedis = connect()) {
            for (int i = 0; i < WARM_ROUND_TRIPS + n; i++) { // from 0: END, -1, ends the echo
                long t0 = System.nanoTime();
                jedis.lpush("bench:ping", Integer.toString(i));
                List<String> popped = jedis.brpop(30, "bench:pong");
                long t1 = System.nanoTime();
                if (popped == null) {
                    throw new IllegalStateException("echo: no answer to " + i + " within 30 s", failure.get());
                }
                String back = popped.get(1);
                if (!back.equals(Integer.toString(i))) {
                    throw new IllegalStateException("echo: sent " + i + ", got " + back);
                }
                if (i >= WARM_ROUND_TRIPS) {
                    nanos[i - WARM_ROUND_TRIPS] = t1 - t0;
                }
            }
            jedis.lpush("bench:ping", END);
            echo.join(TimeUnit.SECONDS.toMillis(30));
            jedis.del("bench:ping", "bench:pong");
        }
        if (failure.get() != null) {
            throw new IllegalStateException("echo thread failed", failure.get());
        }
        return nanos;
    }

    /**
     * Uncontended acquire+release pairs of the simplest lease lock (SET NX PX with a random
     * token; release by a script that deletes the key only if it still holds the token): two
     * round trips per pair, what a Redis lock cannot go under without pipelining.
     */
    private void leaseLock(BenchConfig config, Results results) throws Exception {
        int n = config.clusterIncrements();
        try (Jedis jedis = connect()) {
            String release = jedis.scriptLoad(RELEASE);
            List<String> key = List.of("bench:lock");
            SetParams lease = SetParams.setParams().nx().px(1500);
            record(results, LEASE_LOCK, n, "pairs/s", config, rep -> {
                long t0 = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    String token = rep + ":" + i;
                    if (!"OK".equals(jedis.set(key.get(0), token, lease))) {
                        throw new IllegalStateException("uncontended SET NX failed");
                    }
                    if (!Long.valueOf(1).equals(jedis.evalsha(release, key, List.of(token)))) {
                        throw new IllegalStateException("release did not delete the lock");
                    }
                }
                return n / ((System.nanoTime() - t0) / 1e9);
            });
        }
    }
}
