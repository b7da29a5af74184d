package io.github.multiprocessing4j.redis;

import io.github.multiprocessing4j.ChildProcess;
import io.github.multiprocessing4j.ProcessBoundedSemaphore;
import io.github.multiprocessing4j.ProcessEvent;
import io.github.multiprocessing4j.ProcessSemaphore;
import io.github.multiprocessing4j.SharedLong;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static io.github.multiprocessing4j.redis.ClusterChildren.joinOrKill;
import static io.github.multiprocessing4j.redis.ClusterChildren.signal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A cluster's semaphore: permits that are leases, across real processes on a real server. */
class ClusterSemaphoreTest extends ClusterTestBase {

    @Test
    void thePermitsOfAKilledHolderComeBackWithinTheLease() throws Exception {
        ProcessSemaphore slots = cluster.semaphore("killed-slots", 2);
        ProcessEvent taken = cluster.event("killed-slots-taken");
        taken.clear();
        ChildProcess holder = ClusterChildren.start(redis.url(), () -> {
            slots.acquire();
            slots.acquire();
            taken.set();
            Thread.sleep(120_000);
        });
        try {
            assertThat(taken.await(WAIT)).isTrue();
            assertThat(slots.availablePermits()).isZero();
            assertThat(slots.tryAcquire()).isFalse();
            Thread.sleep(2_000); // the holder renews: its permits outlive the lease while it lives
            assertThat(slots.availablePermits()).as("a live holder's permits stay taken").isZero();
            long killed = System.nanoTime();
            holder.kill();
            assertThat(slots.acquire(Duration.ofSeconds(10))).isTrue();
            long backMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
            System.out.println("cluster semaphore: a killed holder's permits back after " + backMillis + " ms (lease 1500 ms)");
            assertThat(backMillis).isLessThan(2_500);
            // The holder's two leases were renewed one after the other, so they lapse a moment
            // apart and the acquire may come between them: the second comes back within its lease.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            while (slots.availablePermits() < 1 && System.nanoTime() < deadline) { // a look removes lapsed leases
                Thread.sleep(20);
            }
            assertThat(slots.reclaimed()).isEqualTo(2);
            assertThat(slots.availablePermits()).isEqualTo(1);
            slots.release();
            assertThat(slots.availablePermits()).isEqualTo(2);
        } finally {
            holder.kill();
            holder.join();
        }
    }

    @Test
    void aHolderPausedPastItsLeaseIsToldWhenItGivesThePermitBack() throws Exception {
        ProcessSemaphore one = cluster.semaphore("paused-permit", 1);
        SharedLong outcome = cluster.sharedLong("paused-permit-outcome");
        ProcessEvent taken = cluster.event("paused-permit-taken");
        ProcessEvent giveBack = cluster.event("paused-permit-give-back");
        outcome.set(0);
        taken.clear();
        giveBack.clear();
        ChildProcess holder = ClusterChildren.start(redis.url(), () -> {
            one.acquire();
            taken.set();
            giveBack.await(Duration.ofSeconds(60));
            try {
                one.release();
                outcome.set(2);
            } catch (IllegalMonitorStateException e) {
                outcome.set(1);
            }
        });
        try {
            assertThat(taken.await(WAIT)).isTrue();
            signal(holder, "STOP");
            long stopped = System.nanoTime();
            assertThat(one.acquire(Duration.ofSeconds(10))).as("the permit of a stopped holder comes back").isTrue();
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopped)).isLessThan(2_500);
            signal(holder, "CONT");
            giveBack.set();
            joinOrKill(holder, WAIT);
            assertThat(holder.exitCode()).hasValue(0);
            assertThat(outcome.get()).as("1: the late holder's release threw IllegalMonitorStateException").isEqualTo(1);
            assertThat(one.availablePermits()).as("it did not give back the permit we hold").isZero();
            one.release();
            assertThat(one.availablePermits()).isEqualTo(1);
        } finally {
            if (holder.isAlive()) {
                signal(holder, "CONT");
                holder.kill();
            }
            holder.join();
        }
    }

    @Test
    void aReleaseInAnotherProcessWakesAWaiterAtOnce() throws Exception {
        ProcessSemaphore one = cluster.semaphore("handover", 1);
        ProcessEvent taken = cluster.event("handover-taken");
        ProcessEvent letGo = cluster.event("handover-let-go");
        taken.clear();
        letGo.clear();
        ChildProcess holder = ClusterChildren.start(redis.url(), () -> {
            one.acquire();
            taken.set();
            letGo.await(Duration.ofSeconds(60));
            one.release();
        });
        try {
            assertThat(taken.await(WAIT)).isTrue();
            letGo.set();
            long start = System.nanoTime();
            assertThat(one.acquire(Duration.ofSeconds(10))).isTrue();
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).as("woken by the release, not a lapse")
                    .isLessThan(1_000);
            assertThat(one.reclaimed()).isZero();
            one.release();
            joinOrKill(holder, WAIT);
            assertThat(holder.exitCode()).hasValue(0);
        } finally {
            holder.kill();
            holder.join();
        }
    }

    @Test
    void timeoutsInterruptsAndReleaseWithoutAcquire() throws Exception {
        ProcessSemaphore none = cluster.semaphore("empty", 0);
        long start = System.nanoTime();
        assertThat(none.acquire(Duration.ofMillis(300))).isFalse();
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isBetween(250L, 2_000L);
        assertThat(none.acquire(Duration.ZERO)).isFalse();

        assertAnInterruptEnds(none::acquire);

        none.release(); // Python's release without acquire: one more permit
        assertThat(none.availablePermits()).isEqualTo(1);
        assertThat(cluster.semaphore("empty", 0).tryAcquire()).as("another handle meets the same permits").isTrue();
        assertThat(none.availablePermits()).isZero();
        none.close();
        assertThatThrownBy(none::tryAcquire).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }

    @Test
    void theFirstProgramToNameASemaphoreDecidesItsPermits() {
        ProcessBoundedSemaphore bounded = cluster.boundedSemaphore("decided", 2);
        assertThatThrownBy(() -> cluster.boundedSemaphore("decided", 3)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("2 permits").hasMessageContaining("3 permits");
        assertThatThrownBy(() -> cluster.semaphore("decided", 2)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("bounded");
        assertThatThrownBy(bounded::release).as("a bounded semaphore gives back only permits taken")
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("holds no permit");
        assertThat(bounded.tryAcquire()).isTrue();
        bounded.release();
        assertThat(bounded.availablePermits()).isEqualTo(2);
        assertThatThrownBy(() -> cluster.semaphore("negative", -1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> cluster.semaphore("a b", 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ProcessSemaphore.over(null)).isInstanceOf(NullPointerException.class);
        bounded.close();
    }
}
