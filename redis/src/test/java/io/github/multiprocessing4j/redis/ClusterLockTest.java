package io.github.multiprocessing4j.redis;

import io.github.multiprocessing4j.ChildProcess;
import io.github.multiprocessing4j.ProcessEvent;
import io.github.multiprocessing4j.ProcessLock;
import io.github.multiprocessing4j.ProcessRLock;
import io.github.multiprocessing4j.SharedLong;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static io.github.multiprocessing4j.redis.ClusterChildren.joinOrKill;
import static io.github.multiprocessing4j.redis.ClusterChildren.signal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A cluster's lock: a lease with a fencing token, across real processes on a real server. */
class ClusterLockTest extends ClusterTestBase {

    @Test
    void tenBuyersInTenProcessesBuyTheOneTicketOnce() throws Exception {
        ProcessLock lock = cluster.lock("tickets");
        SharedLong tickets = cluster.sharedLong("tickets-left");
        SharedLong sold = cluster.sharedLong("tickets-sold");
        SharedLong ready = cluster.sharedLong("tickets-ready");
        ProcessEvent go = cluster.event("tickets-go");
        tickets.set(1);
        sold.set(0);
        ready.set(0);
        go.clear();
        List<ChildProcess> buyers = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            buyers.add(ClusterChildren.start(redis.url(), () -> {
                ready.incrementAndGet();
                if (!go.await(Duration.ofSeconds(60))) {
                    throw new IllegalStateException("no go");
                }
                lock.acquire();
                try {
                    long left = tickets.get();
                    if (left > 0) {
                        Thread.sleep(50); // read, think, write: only the lock keeps two buyers apart
                        tickets.set(left - 1);
                        sold.incrementAndGet();
                    }
                } finally {
                    lock.release();
                }
            }));
        }
        awaitCount(ready, 10);
        go.set();
        for (ChildProcess buyer : buyers) {
            joinOrKill(buyer, WAIT);
            assertThat(buyer.exitCode()).as(buyer.toString()).hasValue(0);
        }
        assertThat(sold.get()).as("tickets sold").isEqualTo(1);
        assertThat(tickets.get()).isZero();
        assertThat(lock.isLocked()).isFalse();
        assertThat(lock.takeovers()).isZero();
    }

    @Test
    void aWaiterTakesOverWithinTheLeaseWhenTheHolderIsKilledAndTheFencingTokenGrows() throws Exception {
        ProcessLock lock = cluster.lock("killed-holder");
        SharedLong holderToken = cluster.sharedLong("killed-holder-token");
        ProcessEvent held = cluster.event("killed-holder-held");
        held.clear();
        ChildProcess holder = ClusterChildren.start(redis.url(), () -> {
            lock.acquire();
            holderToken.set(lock.fencingToken());
            held.set();
            Thread.sleep(120_000);
        });
        try {
            assertThat(held.await(WAIT)).as("the child holds the lock").isTrue();
            assertThat(lock.tryLock()).isFalse();
            long killed = System.nanoTime();
            holder.kill();
            assertThat(lock.acquire(Duration.ofSeconds(10))).isTrue();
            // how soon is the bench's (section "cluster"); here: within the lease and some slack
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed)).as("takeover after the kill, ms")
                    .isLessThan(2_500);
            assertThat(lock.fencingToken()).isGreaterThan(holderToken.get());
            assertThat(lock.takeovers()).isEqualTo(1);
            lock.release();
        } finally {
            holder.kill();
            holder.join();
        }
    }

    @Test
    void aHolderPausedPastItsLeaseIsToldWhenItReleases() throws Exception {
        ProcessLock lock = cluster.lock("paused-holder");
        SharedLong outcome = cluster.sharedLong("paused-holder-outcome");
        SharedLong holderToken = cluster.sharedLong("paused-holder-token");
        ProcessEvent held = cluster.event("paused-holder-held");
        ProcessEvent release = cluster.event("paused-holder-release");
        outcome.set(0);
        held.clear();
        release.clear();
        ChildProcess holder = ClusterChildren.start(redis.url(), () -> {
            lock.acquire();
            holderToken.set(lock.fencingToken());
            held.set();
            release.await(Duration.ofSeconds(60));
            boolean stillHeld = lock.isHeldByCurrentThread();
            try {
                lock.release();
                outcome.set(2);
            } catch (IllegalMonitorStateException e) {
                outcome.set(stillHeld ? 3 : 1);
            }
        });
        try {
            assertThat(held.await(WAIT)).isTrue();
            signal(holder, "STOP");
            long stopped = System.nanoTime();
            assertThat(lock.acquire(Duration.ofSeconds(10))).as("the lease of a stopped holder lapses").isTrue();
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopped)).isLessThan(2_500);
            long myToken = lock.fencingToken();
            assertThat(myToken).isGreaterThan(holderToken.get());
            signal(holder, "CONT");
            release.set();
            joinOrKill(holder, WAIT);
            assertThat(holder.exitCode()).hasValue(0);
            assertThat(outcome.get()).as("1: release threw IllegalMonitorStateException, and isHeldByCurrentThread "
                    + "was false after the renewal found the lease lost").isIn(1L, 3L);
            assertThat(lock.isHeldByCurrentThread()).as("the paused holder's release did not release our lock").isTrue();
            assertThat(lock.isLocked()).isTrue();
            assertThat(lock.fencingToken()).isEqualTo(myToken);
            lock.release();
            assertThat(lock.isLocked()).isFalse();
        } finally {
            if (holder.isAlive()) {
                signal(holder, "CONT");
                holder.kill();
            }
            holder.join();
        }
    }

    @Test
    void timedAndInterruptibleAcquiresEndOnTimeoutAndInterruptAndLockKeepsTheInterruptStatus() throws Exception {
        ProcessLock lock = cluster.lock("timeouts");
        CountDownLatch taken = new CountDownLatch(1);
        CountDownLatch letGo = new CountDownLatch(1);
        Thread holder = new Thread(() -> {
            lock.lock();
            taken.countDown();
            try {
                letGo.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                lock.unlock();
            }
        });
        holder.start();
        taken.await();

        assertThat(lock.tryLock()).isFalse();
        long start = System.nanoTime();
        assertThat(lock.acquire(Duration.ofMillis(300))).isFalse();
        long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(waited).isBetween(250L, 2_000L);
        assertThat(lock.tryLock(0, TimeUnit.SECONDS)).isFalse();

        assertAnInterruptEnds(lock::lockInterruptibly);

        AtomicReference<Boolean> statusKept = new AtomicReference<>();
        Thread uninterruptible = new Thread(() -> {
            Thread.currentThread().interrupt();
            lock.lock();
            statusKept.set(Thread.currentThread().isInterrupted());
            lock.unlock();
        });
        uninterruptible.start();
        Thread.sleep(300);
        assertThat(uninterruptible.isAlive()).as("lock() waits through an interrupt").isTrue();
        letGo.countDown();
        uninterruptible.join(5_000);
        assertThat(statusKept.get()).isTrue();
        holder.join();
        assertThat(lock.isLocked()).isFalse();
    }

    @Test
    void badInputAndMisuseFailAtTheCall() {
        assertThatThrownBy(() -> cluster.lock("two words")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> cluster.lock("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> cluster.lock("{slot}")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> cluster.lock(null)).isInstanceOf(NullPointerException.class);
        ProcessLock lock = cluster.lock("misuse");
        assertThatThrownBy(lock::release).isInstanceOf(IllegalMonitorStateException.class).hasMessageContaining("misuse");
        assertThatThrownBy(lock::fencingToken).isInstanceOf(IllegalMonitorStateException.class);
        lock.acquire();
        assertThatThrownBy(lock::tryLock).isInstanceOf(IllegalStateException.class).hasMessageContaining("re-entrant");
        assertThatThrownBy(lock::newCondition).isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("cluster");
        lock.release();
        assertThatThrownBy(lock::release).isInstanceOf(IllegalMonitorStateException.class);
        assertThatThrownBy(() -> ProcessLock.over(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void aReentrantLockCountsHoldsUnderOneFencingToken() {
        ProcessRLock lock = cluster.rlock("reentrant");
        lock.acquire();
        long token = lock.fencingToken();
        lock.acquire();
        assertThat(lock.holdCount()).isEqualTo(2);
        assertThat(lock.fencingToken()).isEqualTo(token);
        lock.release();
        assertThat(lock.isLocked()).isTrue();
        lock.release();
        assertThat(lock.isLocked()).isFalse();
        lock.acquire();
        assertThat(lock.fencingToken()).isEqualTo(token + 1);
        lock.release();
    }

    @Test
    void aHandleSentToAnotherConnectionMeetsTheSameLockAndCloseKeepsTheTokensGrowing() throws Exception {
        ProcessLock lock = cluster.lock("closed");
        lock.acquire();
        long before = lock.fencingToken();
        try (Cluster other = Cluster.builder(redis.url()).prefix("other").connect()) {
            ProcessLock elsewhere = other.lock("closed");
            assertThat(elsewhere.tryLock()).as("another prefix is another lock").isTrue();
            elsewhere.unlock();
        }
        lock.close();
        assertThatThrownBy(lock::release).as("close ended the holding").isInstanceOf(IllegalMonitorStateException.class);
        lock.acquire();
        assertThat(lock.fencingToken()).isGreaterThan(before);
        lock.release();
    }

    /**
     * Uncontended acquire+release from one thread costs two script calls a pair (every other
     * command the server counts runs inside those scripts): two round trips. How many pairs a
     * second is the bench's figure (section "cluster"), not this test's.
     */
    @Test
    void uncontendedAcquireAndReleaseIsTwoRoundTrips() {
        ProcessLock lock = cluster.lock("bench");
        for (int i = 0; i < 100; i++) {
            lock.acquire();
            lock.release();
        }
        try (Jedis jedis = new Jedis("127.0.0.1", redis.port())) {
            int pairs = 1_000;
            long scriptsBefore = scriptCalls(jedis);
            for (int i = 0; i < pairs; i++) {
                lock.acquire();
                lock.release();
            }
            long scripts = scriptCalls(jedis) - scriptsBefore;
            assertThat((double) scripts / pairs).as("round trips (script calls) per pair").isEqualTo(2.0);
        }
    }

    /** @return how many scripts the server has run (EVALSHA, and EVAL for a script it did not know yet) */
    private static long scriptCalls(Jedis jedis) {
        long calls = 0;
        for (String line : jedis.info("commandstats").split("\r?\n")) {
            if (line.startsWith("cmdstat_evalsha:") || line.startsWith("cmdstat_eval:")) {
                int at = line.indexOf("calls=") + "calls=".length();
                calls += Long.parseLong(line.substring(at, line.indexOf(',', at)));
            }
        }
        return calls;
    }
}
