package io.github.multiprocessing4j.redis;

import io.github.multiprocessing4j.ProcessPool;
import io.github.multiprocessing4j.redis.testing.Agents;
import io.github.multiprocessing4j.redis.testing.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The pool's figures over two worker agents on loopback, printed ("figure: ..."); the assertions
 * are far looser than the targets (2 noisy cores shared with other builds): they catch a pool that
 * became pathologically slow, the printed figures are what to compare with the targets.
 */
class ClusterPoolFiguresTest {
    static RedisServer redis;
    static Agents agents;
    static Cluster cluster;

    @BeforeAll
    static void start() {
        redis = RedisServer.start();
        agents = new Agents(ClusterPoolFiguresTest.class);
        agents.start(redis.url(), "figures", 2);
        agents.start(redis.url(), "figures", 2);
        cluster = Cluster.builder(redis.url()).prefix("figures").allowClasses("io.github.multiprocessing4j.**").connect();
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
        if (agents != null) {
            agents.close();
        }
        redis.close();
    }

    @Test
    void oneTaskAtATimeRoundTrip() {
        try (ProcessPool pool = ProcessPool.builder().cluster(cluster).processes(2).build()) {
            for (int i = 0; i < 2_000; i++) {
                pool.apply(() -> 1);
            }
            long[] nanos = new long[3_000];
            for (int i = 0; i < nanos.length; i++) {
                long t = System.nanoTime();
                pool.apply(() -> 1);
                nanos[i] = System.nanoTime() - t;
            }
            Arrays.sort(nanos);
            double median = nanos[nanos.length / 2] / 1e6;
            System.out.printf("figure: cluster pool, one task at a time round trip: median %.3f ms, p99 %.3f ms%n", median,
                    nanos[nanos.length * 99 / 100] / 1e6);
            assertThat(median).isLessThan(20);
        }
    }

    @Test
    void chunkSizeOneThroughputWithTwoAgents() {
        List<Integer> inputs = IntStream.range(0, 40_000).boxed().collect(Collectors.toList());
        try (ProcessPool pool = ProcessPool.builder().cluster(cluster).processes(4).build()) {
            pool.map(x -> x, inputs.subList(0, 20_000), 1); // warm-up
            long t = System.nanoTime();
            List<Integer> out = pool.map(x -> x, inputs, 1);
            double seconds = (System.nanoTime() - t) / 1e9;
            assertThat(out).isEqualTo(inputs);
            System.out.printf("figure: cluster pool, chunk size 1, 4 workers on 2 agents: %.0f tasks/s%n", inputs.size() / seconds);
            assertThat(inputs.size() / seconds).isGreaterThan(500);
        }
    }

    @Test
    void mapOfAMillionInts() {
        List<Integer> inputs = IntStream.range(0, 1_000_000).boxed().collect(Collectors.toList());
        try (ProcessPool pool = ProcessPool.builder().cluster(cluster).processes(4).build()) {
            List<Double> rates = new ArrayList<>();
            for (int run = 0; run < 3; run++) {
                long t = System.nanoTime();
                List<Integer> out = pool.map(x -> x * x, inputs);
                double seconds = (System.nanoTime() - t) / 1e9;
                assertThat(out.get(999_999)).isEqualTo(999_999 * 999_999);
                rates.add(inputs.size() / seconds);
            }
            System.out.printf("figure: cluster pool, map of 1M ints (default chunks, 4 workers on 2 agents): first %.0f,"
                    + " then %.0f and %.0f items/s%n", rates.get(0), rates.get(1), rates.get(2));
            assertThat(rates.get(2)).isGreaterThan(20_000);
        }
    }
}
