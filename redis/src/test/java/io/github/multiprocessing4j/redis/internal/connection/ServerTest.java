package io.github.multiprocessing4j.redis.internal.connection;

import io.github.multiprocessing4j.redis.testing.RedisServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.util.KeyValue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ServerTest {
    @RegisterExtension
    static final RedisServer redis = RedisServer.perClass();

    @Test
    void aLongWaitGoesInSlicesAndTakesWhatArrivesInAnyOfThem() throws Exception {
        ExecutorService threads = Executors.newSingleThreadExecutor();
        try (Server server = new Server(ServerAddress.parse(redis.url()).address(), null, Duration.ofSeconds(5), null)) {
            server.blockingSlice(Duration.ofMillis(200));
            String key = "mp4j:test:{slices}:list";
            long start = System.nanoTime();
            String none = server.callBlocking("take", TimeUnit.MILLISECONDS.toNanos(1_100), (j, s) -> value(j.blpop(s, key)));
            assertThat(none).isNull();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(1_050), Duration.ofMillis(3_000));

            Future<String> taken = threads.submit(() -> server.callBlocking("take", -1, (j, s) -> value(j.blpop(s, key))));
            Thread.sleep(900);
            try (Jedis raw = new Jedis("127.0.0.1", redis.port())) {
                raw.rpush(key, "late");
            }
            assertThat(taken.get(5, TimeUnit.SECONDS)).isEqualTo("late");
            assertThatThrownBy(() -> server.callBlocking("take", 0, (j, s) -> value(j.blpop(s, key))))
                    .isInstanceOf(IllegalArgumentException.class);
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void aReconnectThatMeetsAServerThatNoLongerAnswersStillEndsAtTheTimeout() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        // Refused for the first 1.2 s (quick failures, retried), then a listener that never answers.
        Thread blackhole = new Thread(() -> {
            try {
                Thread.sleep(1_200);
                try (ServerSocket s = new ServerSocket(port, 50, InetAddress.getLoopbackAddress())) {
                    Thread.sleep(6_000);
                }
            } catch (Exception ignored) {
                // the test's own timing thread
            }
        });
        blackhole.start();
        long start = System.nanoTime();
        assertThatThrownBy(() -> new Server(ServerAddress.parse("redis://127.0.0.1:" + port).address(), null,
                Duration.ofSeconds(2), null)).isInstanceOf(ClusterFailure.class).hasMessageContaining("cannot reach");
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        System.out.println("connect against refused-then-silent: failed after " + took.toMillis() + " ms (timeout 2000)");
        assertThat(took).as("not 1.2 s + a whole timeout").isLessThan(Duration.ofMillis(2_900));
        blackhole.interrupt();
        blackhole.join();
    }

    static String value(KeyValue<String, String> popped) {
        return popped == null ? null : popped.getValue();
    }
}
