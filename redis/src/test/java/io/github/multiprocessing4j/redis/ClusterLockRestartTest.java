package io.github.multiprocessing4j.redis;

import io.github.multiprocessing4j.ProcessLock;
import io.github.multiprocessing4j.redis.testing.RedisServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Lock waits across a restart of the server (with {@code appendonly yes}, so the holding survives
 * it): a waiter rides the outage out, and {@code lock()}, which ignores interrupts, is not failed
 * by an interrupt that comes while the server is away.
 */
class ClusterLockRestartTest {
    @RegisterExtension
    static final RedisServer redis = RedisServer.perClass("appendonly yes", "appendfsync always");

    /** A connection that waits up to 20 s for the server, with a lease that outlives the outage. */
    private static Cluster connect() {
        return Cluster.builder(redis.url()).timeout(Duration.ofSeconds(20)).leaseTime(Duration.ofSeconds(20)).connect();
    }

    @Test
    void aWaitingLockGetsTheLockAfterTheServerRestartedAndTheHolderReleased() throws Exception {
        try (Cluster holderSide = connect(); Cluster waiterSide = connect()) {
            ProcessLock held = holderSide.lock("restart-wait");
            ProcessLock wanted = waiterSide.lock("restart-wait");
            held.acquire();
            long holderToken = held.fencingToken();
            AtomicLong waiterToken = new AtomicLong();
            AtomicReference<Throwable> failed = new AtomicReference<>();
            Thread waiter = new Thread(() -> {
                try {
                    wanted.acquire();
                    waiterToken.set(wanted.fencingToken());
                    wanted.release();
                } catch (Throwable e) {
                    failed.set(e);
                }
            });
            waiter.start();
            Thread.sleep(300); // the waiter is blocked on the lock's notification list
            redis.stop();
            Thread.sleep(1_000);
            redis.restart();
            Thread.sleep(300);
            assertThat(waiter.isAlive()).as("still waiting after the restart").isTrue();
            held.release(); // the holding survived the restart (appendonly), so this is no lapse
            waiter.join(30_000);
            assertThat(waiter.isAlive()).as("waiter still blocked").isFalse();
            assertThat(failed.get()).isNull();
            assertThat(waiterToken.get()).isGreaterThan(holderToken);
        }
    }

    @Test
    void lockIgnoresAnInterruptThatComesWhileTheServerIsAway() throws Exception {
        try (Cluster cluster = connect()) {
            ProcessLock lock = cluster.lock("restart-interrupt");
            AtomicReference<Throwable> failed = new AtomicReference<>();
            AtomicBoolean heldWithInterrupt = new AtomicBoolean();
            redis.stop();
            Thread locker = new Thread(() -> {
                try {
                    lock.lock(); // waits for the server, reconnecting
                    heldWithInterrupt.set(Thread.currentThread().isInterrupted() && lock.isHeldByCurrentThread());
                    Thread.interrupted();
                    lock.unlock();
                } catch (Throwable e) {
                    failed.set(e);
                }
            });
            locker.start();
            Thread.sleep(500);
            locker.interrupt();
            Thread.sleep(500);
            assertThat(locker.isAlive()).as("lock() still waiting for the server after the interrupt").isTrue();
            long restarted = System.nanoTime();
            redis.restart();
            locker.join(30_000);
            assertThat(locker.isAlive()).as("lock() still blocked").isFalse();
            assertThat(failed.get()).as("lock() failed").isNull();
            assertThat(heldWithInterrupt.get()).as("held, with the interrupt status set again").isTrue();
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restarted)).isLessThan(15_000);
        }
    }
}
