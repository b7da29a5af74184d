package io.github.multiprocessing4j.redis;

import io.github.multiprocessing4j.SharedLong;
import io.github.multiprocessing4j.redis.internal.connection.Server;
import io.github.multiprocessing4j.redis.testing.RedisServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.util.KeyValue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The server failing under a cluster: unreachable, frozen, restarting (SIGKILL, with AOF), stopped for good. */
class ClusterEngineFailureTest {
    private RedisServer redis;
    private final ExecutorService threads = Executors.newCachedThreadPool();

    @AfterEach
    void stop() throws InterruptedException {
        threads.shutdownNow();
        assertThat(threads.awaitTermination(20, TimeUnit.SECONDS)).as("test threads ended").isTrue();
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void aServerThatAcceptsButNeverAnswersFailsConnectWithinTheTimeout() throws Exception {
        // A blackhole without touching any network: a listening socket whose connections are never accepted.
        try (ServerSocket blackhole = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> Cluster.builder("redis://:pw@127.0.0.1:" + blackhole.getLocalPort())
                    .timeout(Duration.ofMillis(800)).connect())
                    .isInstanceOf(ClusterException.class)
                    .hasMessageContaining("127.0.0.1:" + blackhole.getLocalPort())
                    .hasMessageContaining("cannot reach the server within 800 ms")
                    .hasMessageNotContaining("pw");
            assertThat(elapsed(start)).isBetween(Duration.ofMillis(700), Duration.ofMillis(2_500));
        }
    }

    @Test
    void acknowledgedIncrementsSurviveASigkillAndClientsResume() throws Exception {
        redis = RedisServer.start("appendonly yes", "appendfsync always");
        int threadCount = 4;
        int perThread = 1_250;
        try (Cluster cluster = Cluster.builder(redis.url()).timeout(Duration.ofSeconds(10)).connect()) {
            SharedLong counter = cluster.sharedLong("increments");
            counter.set(0);
            AtomicLong attempted = new AtomicLong();
            AtomicLong acknowledged = new AtomicLong();
            Queue<String> failures = new ConcurrentLinkedQueue<>();
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < threadCount; t++) {
                workers.add(threads.submit(() -> {
                    for (int i = 0; i < perThread; i++) {
                        attempted.incrementAndGet();
                        try {
                            counter.incrementAndGet();
                            acknowledged.incrementAndGet();
                        } catch (ClusterException e) {
                            failures.add(e.getMessage());
                        }
                    }
                }));
            }
            awaitAtLeast(acknowledged, 1_000);
            redis.kill();
            long killedAt = System.nanoTime();
            long ackedAtKill = acknowledged.get();
            Thread.sleep(500);
            redis.restart();
            for (Future<?> w : workers) {
                w.get(60, TimeUnit.SECONDS);
            }
            long value = counter.get();
            System.out.printf("increments across SIGKILL: acknowledged %d (%d before the kill), attempted %d, on the server %d,"
                    + " failed %d, restart to end %d ms%n", acknowledged.get(), ackedAtKill, attempted.get(), value,
                    failures.size(), elapsed(killedAt).toMillis());
            assertThat(ackedAtKill).as("the kill came mid-run").isLessThan(threadCount * perThread);
            assertThat(value).isBetween(acknowledged.get(), attempted.get());
            // Only the increments in flight at the kill may fail; the others waited for the server.
            assertThat(failures).hasSizeLessThanOrEqualTo(threadCount)
                    .allSatisfy(m -> assertThat(m).contains("127.0.0.1:" + redis.port()).contains("may or may not"));
        }
    }

    @Test
    void clientsThatWereIdleDuringARestartCarryOnWithoutAFailure() throws Exception {
        redis = RedisServer.start("appendonly yes", "appendfsync always");
        try (Cluster cluster = Cluster.connect(redis.url())) {
            SharedLong counter = cluster.sharedLong("idle");
            List<Future<Long>> warm = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                warm.add(threads.submit(() -> {
                    long last = 0;
                    for (int i = 0; i < 200; i++) {
                        last = counter.incrementAndGet();
                    }
                    return last;
                }));
            }
            for (Future<Long> w : warm) {
                w.get(30, TimeUnit.SECONDS);
            }
            // Several connections now sit in the pool; the server goes away and comes back meanwhile.
            redis.kill();
            Thread.sleep(300);
            redis.restart();
            List<Future<Long>> after = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                after.add(threads.submit(counter::incrementAndGet));
            }
            for (Future<Long> a : after) {
                assertThat(a.get(30, TimeUnit.SECONDS)).isBetween(801L, 804L);
            }
            assertThat(counter.get()).isEqualTo(804);
        }
    }

    @Test
    void callsWaitForAServerStillLoadingItsDataAfterARestart() throws Exception {
        redis = RedisServer.start("appendonly yes", "appendfsync always", "enable-debug-command local");
        try (Cluster cluster = Cluster.builder(redis.url()).timeout(Duration.ofSeconds(20)).connect()) {
            SharedLong n = cluster.sharedLong("loading");
            n.set(41);
            try (Jedis raw = new Jedis("127.0.0.1", redis.port(), 60_000)) {
                raw.sendCommand(() -> "DEBUG".getBytes(java.nio.charset.StandardCharsets.US_ASCII), "POPULATE", "400000", "mp4j:test:filler");
                raw.bgrewriteaof(); // the filler goes into the log, so that loading it takes a while
                while (raw.info("persistence").contains("aof_rewrite_in_progress:1")) {
                    Thread.sleep(20);
                }
            }
            redis.kill();
            redis.restart(); // returns as soon as it accepts connections: it is still loading then
            boolean sawLoading;
            try (Jedis raw = new Jedis("127.0.0.1", redis.port(), 60_000)) {
                sawLoading = raw.info("persistence").contains("loading:1");
            }
            long start = System.nanoTime();
            assertThat(n.incrementAndGet()).isEqualTo(42);
            System.out.println("a call right after the restart (server loading: " + sawLoading + ") answered after "
                    + elapsed(start).toMillis() + " ms");
        }
    }

    @Test
    void aBlockedCallResumesItsWaitAfterARestart() throws Exception {
        redis = RedisServer.start("appendonly yes", "appendfsync always");
        try (Cluster cluster = Cluster.builder(redis.url()).timeout(Duration.ofSeconds(5)).connect()) {
            Server server = cluster.connection().server();
            String key = cluster.connection().key("test", "blocked", "list");
            Future<String> taken = threads.submit(() -> server.callBlocking("take from test list", TimeUnit.SECONDS.toNanos(30),
                    (jedis, seconds) -> value(jedis.blpop(seconds, key))));
            Thread.sleep(300);
            redis.kill();
            Thread.sleep(700);
            redis.restart();
            Thread.sleep(300);
            assertThat(taken.isDone()).as("still waiting").isFalse();
            try (Jedis raw = new Jedis("127.0.0.1", redis.port())) {
                raw.rpush(key, "after the restart");
            }
            assertThat(taken.get(10, TimeUnit.SECONDS)).isEqualTo("after the restart");

            long start = System.nanoTime();
            String none = server.callBlocking("take from test list", TimeUnit.MILLISECONDS.toNanos(400),
                    (jedis, seconds) -> value(jedis.blpop(seconds, key)));
            assertThat(none).as("the wait ran out").isNull();
            assertThat(elapsed(start)).isBetween(Duration.ofMillis(350), Duration.ofMillis(3_000));
        }
    }

    /**
     * An item over the server's bulk limit is refused by the put that was given it, before
     * anything is sent, saying the limit; an item of exactly the limit is stored; nothing else
     * breaks. (Sent, it would be refused by the server, which closes the connection, often while
     * the client still writes: the client then saw only a reset connection.)
     */
    @Test
    void anItemLargerThanTheServerAcceptsIsRefusedByItsPutAndNothingElseBreaks() throws Exception {
        redis = RedisServer.start("proto-max-bulk-len 1mb");
        try (Cluster cluster = Cluster.connect(redis.url())) {
            io.github.multiprocessing4j.ProcessQueue<byte[]> unbounded = cluster.queue("too-large");
            io.github.multiprocessing4j.ProcessQueue<byte[]> bounded = cluster.queue("too-large-bounded", 2);
            unbounded.put(new byte[10]);
            for (io.github.multiprocessing4j.ProcessQueue<byte[]> queue : List.of(unbounded, bounded)) {
                assertThatThrownBy(() -> queue.put(new byte[2 << 20]))
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageStartingWith("the item: ").hasMessageContaining("more than the server").hasMessageContaining("(its proto-max-bulk-len is 1048576 bytes)");
                assertThatThrownBy(() -> queue.put(new byte[1 << 20])).as("one byte over, with the tag byte")
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageStartingWith("the item: ").hasMessageContaining("more than the server").hasMessageContaining("(its proto-max-bulk-len is 1048576 bytes)")
                        .hasMessageContaining("nothing was sent");
            }
            byte[] atTheLimit = new byte[(1 << 20) - 1]; // with the encoding's tag byte: the limit exactly
            atTheLimit[7] = 7;
            bounded.put(atTheLimit);
            unbounded.put(new byte[7]);
            assertThat(unbounded.get(Duration.ofSeconds(10))).hasSize(10);
            assertThat(unbounded.get(Duration.ofSeconds(10))).hasSize(7);
            byte[] taken = bounded.get(Duration.ofSeconds(10));
            assertThat(taken).hasSize(atTheLimit.length);
            assertThat(taken[7]).isEqualTo((byte) 7);
            assertThat(unbounded.qsize()).isZero();
            assertThat(cluster.sharedLong("still-works").incrementAndGet()).isEqualTo(1);
            unbounded.unlink();
            bounded.unlink();
        }
    }

    @Test
    void aBlockedCallAnswersAnInterrupt() throws Exception {
        redis = RedisServer.start();
        try (Cluster cluster = Cluster.connect(redis.url())) {
            Server server = cluster.connection().server();
            String key = cluster.connection().key("test", "interrupted", "list");
            AtomicReference<Thread> waiter = new AtomicReference<>();
            Future<String> taken = threads.submit(() -> {
                waiter.set(Thread.currentThread());
                return server.callBlocking("take", -1, (jedis, seconds) -> value(jedis.blpop(seconds, key)));
            });
            Thread.sleep(300);
            long start = System.nanoTime();
            waiter.get().interrupt();
            assertThatThrownBy(() -> taken.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(InterruptedException.class);
            assertThat(elapsed(start)).isLessThan(Duration.ofSeconds(2));
            assertThat(cluster.sharedLong("still-works").incrementAndGet()).isEqualTo(1);
        }
    }

    @Test
    void aFrozenServerFailsCallsWithinTheTimeoutAndServesThemAgainWhenItThaws() throws Exception {
        redis = RedisServer.start();
        Duration timeout = Duration.ofMillis(1_000);
        try (Cluster cluster = Cluster.builder(redis.url()).timeout(timeout).connect()) {
            SharedLong n = cluster.sharedLong("frozen");
            n.set(5);
            Server server = cluster.connection().server();
            String key = cluster.connection().key("test", "frozen", "list");
            Future<String> blocked = threads.submit(() -> server.callBlocking("take", TimeUnit.MILLISECONDS.toNanos(300),
                    (jedis, seconds) -> value(jedis.blpop(seconds, key))));
            Thread.sleep(100);
            redis.signal("STOP");
            try {
                long start = System.nanoTime();
                assertThatThrownBy(n::get).isInstanceOf(ClusterException.class).hasMessageContaining("127.0.0.1:" + redis.port());
                assertThat(elapsed(start)).isLessThan(timeout.multipliedBy(2).plusMillis(1_000));
                // Due back at 300 ms; cut a timeout later by the watchdog; reconnecting to a frozen server fails too.
                assertThatThrownBy(() -> blocked.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                        .hasCauseInstanceOf(ClusterException.class);
            } finally {
                redis.signal("CONT");
            }
            assertThat(n.get()).isEqualTo(5);
        }
    }

    @Test
    void aServerStoppedForGoodFailsEveryCallWithinTheTimeoutAndLeavesNoThread() throws Exception {
        redis = RedisServer.start();
        Duration timeout = Duration.ofMillis(1_000);
        Cluster cluster = Cluster.builder(redis.url()).timeout(timeout).connect();
        SharedLong n = cluster.sharedLong("stopped");
        n.set(1);
        Server server = cluster.connection().server();
        String key = cluster.connection().key("test", "stopped", "list");
        Future<String> blockedForever = threads.submit(() -> server.callBlocking("take", -1,
                (jedis, seconds) -> value(jedis.blpop(seconds, key))));
        Thread.sleep(200);
        redis.stop();
        List<Runnable> calls = List.of(n::get, () -> n.set(2), n::incrementAndGet, () -> n.compareAndSet(1, 2));
        for (Runnable call : calls) {
            long start = System.nanoTime();
            assertThatThrownBy(call::run).isInstanceOf(ClusterException.class)
                    .hasMessageContaining("redis://127.0.0.1:" + redis.port() + "/0");
            assertThat(elapsed(start)).isLessThan(timeout.plusMillis(1_000));
        }
        assertThatThrownBy(() -> blockedForever.get(timeout.toMillis() + 3_000, TimeUnit.MILLISECONDS))
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(ClusterException.class)
                .cause().hasMessageContaining("127.0.0.1:" + redis.port());
        cluster.close();
        assertThatThrownBy(n::get).isInstanceOf(ClusterException.class).hasMessageContaining("closed");
        assertThat(awaitNoLibraryThreads()).as("threads of the library left after close").isEmpty();
    }

    @Test
    void closingTheClusterEndsABlockedCall() throws Exception {
        redis = RedisServer.start();
        Cluster cluster = Cluster.connect(redis.url());
        Server server = cluster.connection().server();
        String key = cluster.connection().key("test", "closed", "list");
        Future<String> blocked = threads.submit(() -> server.callBlocking("take", -1, (jedis, seconds) -> value(jedis.blpop(seconds, key))));
        Thread.sleep(300);
        cluster.close();
        assertThatThrownBy(() -> blocked.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(ClusterException.class).hasMessageContaining("closed");
        assertThat(awaitNoLibraryThreads()).isEmpty();
    }

    static String value(KeyValue<String, String> popped) {
        return popped == null ? null : popped.getValue();
    }

    static Duration elapsed(long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }

    private static void awaitAtLeast(AtomicLong n, long target) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (n.get() < target) {
            assertThat(System.nanoTime() - deadline).as("reached " + target).isNegative();
            Thread.sleep(1);
        }
    }

    /** @return the names of the library's threads still alive after up to 3 s */
    static List<String> awaitNoLibraryThreads() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        List<String> left;
        do {
            left = Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                    .filter(name -> name.startsWith("mp4j-redis") || name.startsWith("commons-pool")).toList();
            if (!left.isEmpty()) {
                Thread.sleep(50);
            }
        } while (!left.isEmpty() && System.nanoTime() < deadline);
        return left;
    }
}
