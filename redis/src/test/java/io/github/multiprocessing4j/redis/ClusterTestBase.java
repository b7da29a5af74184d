package io.github.multiprocessing4j.redis;

import io.github.multiprocessing4j.SharedLong;
import io.github.multiprocessing4j.redis.testing.RedisServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** A test class's own redis-server ({@link RedisServer#perClass}) and a fresh connection per test. */
abstract class ClusterTestBase {
    static final Duration WAIT = Duration.ofSeconds(60);
    @RegisterExtension
    static final RedisServer redis = RedisServer.perClass();
    Cluster cluster;

    /** A wait that a test interrupts. */
    interface Blocking {
        void run() throws Exception;
    }

    @BeforeEach
    void connect() {
        cluster = Cluster.connect(redis.url());
    }

    @AfterEach
    void disconnect() {
        cluster.close();
    }

    /** Waits until {@code count} reaches {@code at least} (other processes count up). */
    static void awaitCount(SharedLong count, long atLeast) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (count.get() < atLeast) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("count " + count.get() + " did not reach " + atLeast + " within " + WAIT);
            }
            Thread.sleep(20);
        }
    }

    /** Runs {@code wait} in a thread, interrupts it after 300 ms, and checks it ends with InterruptedException within 1 s. */
    static void assertAnInterruptEnds(Blocking wait) throws InterruptedException {
        AtomicReference<Throwable> ended = new AtomicReference<>();
        Thread waiter = new Thread(() -> {
            try {
                wait.run();
                ended.set(new AssertionError("the wait ended without an interrupt"));
            } catch (Throwable e) {
                ended.set(e);
            }
        });
        waiter.start();
        Thread.sleep(300);
        long interrupted = System.nanoTime();
        waiter.interrupt();
        waiter.join(5_000);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - interrupted)).as("ms to end after the interrupt")
                .isLessThan(1_000);
        assertThat(ended.get()).isInstanceOf(InterruptedException.class);
    }
}
