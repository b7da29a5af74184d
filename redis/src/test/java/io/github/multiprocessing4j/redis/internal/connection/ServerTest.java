package io.github.multiprocessing4j.redis.internal.connection;

import io.github.multiprocessing4j.ChildProcess;
import io.github.multiprocessing4j.StartMethod;
import io.github.multiprocessing4j.redis.testing.RedisServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.util.KeyValue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
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

    @Test
    void atTheExitEveryWaitInProgressIsCutAndLaterWaitsAreShortYetStillAnswered() throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try (Server server = new Server(ServerAddress.parse(redis.url()).address(), null, Duration.ofSeconds(5), null)) {
            String sliced = "mp4j:test:{exit}:sliced";
            String looped = "mp4j:test:{exit}:looped";
            Future<String> slicedTake = threads.submit(() -> server.callBlocking("take", -1, (j, s) -> value(j.blpop(s, sliced))));
            Future<String> loopedTake = threads.submit(() -> {
                String got = null;
                while (got == null) { // a caller that loops itself, as a queue's get does
                    got = value(server.call("take", server.waitingUpTo(60_000, (j, s) -> j.blpop(s, looped))));
                }
                return got;
            });
            BlockingCalls calls = server.blockingCalls();
            awaitWaits(calls, "both sent in full", List.of(10_000L, 60_000L));

            calls.cutAtExit();

            awaitWaits(calls, "both cut and sent again, short", List.of(BlockingCalls.EXIT_SLICE_MILLIS, BlockingCalls.EXIT_SLICE_MILLIS));
            assertThat(slicedTake).isNotDone();
            assertThat(loopedTake).isNotDone();
            try (Jedis raw = new Jedis("127.0.0.1", redis.port())) {
                raw.rpush(sliced, "one");
                raw.rpush(looped, "two");
            }
            assertThat(slicedTake.get(5, TimeUnit.SECONDS)).isEqualTo("one");
            assertThat(loopedTake.get(5, TimeUnit.SECONDS)).isEqualTo("two");
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void aConnectionClosedUnderItsCommandFailsInsteadOfConnectingAgainOnItsOwn() {
        try (Server server = new Server(ServerAddress.parse(redis.url()).address(), null, Duration.ofSeconds(5), null)) {
            // What a cut that lands before the wait's command went out leaves behind.
            assertThatThrownBy(() -> server.callOnce("ping", jedis -> {
                try {
                    jedis.getConnection().forceDisconnect();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                return jedis.ping();
            })).isInstanceOf(ClusterFailure.class);
            String pong = server.callOnce("ping", Jedis::ping);
            assertThat(pong).isEqualTo("PONG"); // the pool makes a new one
        }
    }

    @Test
    void aJvmThatExitsWhileAThreadWaitsOnTheServerCutsTheWait() throws Exception {
        String url = redis.url();
        ChildProcess child = ChildProcess.builder(() -> {
            Server server = new Server(ServerAddress.parse(url).address(), null, Duration.ofSeconds(5), null);
            Thread waiter = new Thread(() -> {
                try {
                    server.callBlocking("take", -1, (j, s) -> j.blpop(s, "mp4j:test:{exit}:never"));
                } catch (InterruptedException | RuntimeException ignored) {
                    // the JVM is going
                }
            });
            waiter.setDaemon(true);
            waiter.start();
            BlockingCalls calls = server.blockingCalls();
            try {
                awaitWaits(calls, "sent in full", List.of(10_000L));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            // Hooks run side by side: this one sees the library's cut the wait, or ends the JVM with 5.
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    awaitWaits(calls, "cut and sent again, short", List.of(BlockingCalls.EXIT_SLICE_MILLIS));
                } catch (InterruptedException | AssertionError e) {
                    System.err.println("the exit hook of the test saw: " + e); // on the test's output, for a failure's why
                    Runtime.getRuntime().halt(5);
                }
            }));
        }).startMethod(StartMethod.COLD).build();
        child.start();
        if (!child.join(Duration.ofSeconds(60))) {
            child.kill();
            child.join();
        }
        assertThat(child.exitCode()).as("0: the wait was cut at exit; 5: it was not").hasValue(0);
    }

    /** Waits until the waits in progress are exactly {@code millis} (sent for those times), for up to 5 s. */
    static void awaitWaits(BlockingCalls calls, String what, List<Long> millis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        List<Long> seen = calls.waitsInProgressMillis();
        while (!seen.stream().sorted().toList().equals(millis)) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("waits in progress " + seen + ", not " + what + " " + millis);
            }
            Thread.sleep(1);
            seen = calls.waitsInProgressMillis();
        }
    }

    static String value(KeyValue<String, String> popped) {
        return popped == null ? null : popped.getValue();
    }
}
