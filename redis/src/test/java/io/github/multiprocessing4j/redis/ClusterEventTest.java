package io.github.multiprocessing4j.redis;

import io.github.multiprocessing4j.ChildProcess;
import io.github.multiprocessing4j.ProcessEvent;
import io.github.multiprocessing4j.SharedLong;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static io.github.multiprocessing4j.redis.ClusterChildren.joinOrKill;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A cluster's event, across real processes on a real server. */
class ClusterEventTest extends ClusterTestBase {

    @Test
    void aSetWakesEveryWaiterOfOtherProcessesAtOnce() throws Exception {
        ProcessEvent start = cluster.event("start");
        SharedLong waiting = cluster.sharedLong("start-waiting");
        SharedLong wokeAfter = cluster.sharedLong("start-woke-after");
        SharedLong setAt = cluster.sharedLong("start-set-at");
        start.clear();
        waiting.set(0);
        wokeAfter.set(0);
        List<ChildProcess> waiters = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            waiters.add(ClusterChildren.start(redis.url(), () -> {
                waiting.incrementAndGet();
                if (!start.await(Duration.ofSeconds(60))) {
                    throw new IllegalStateException("not woken");
                }
                // wall clocks of one machine: how long after the set this waiter woke
                wokeAfter.getAndAdd(System.currentTimeMillis() - setAt.get());
            }));
        }
        awaitCount(waiting, 3);
        Thread.sleep(500); // into their waits
        assertThat(start.isSet()).isFalse();
        setAt.set(System.currentTimeMillis());
        start.set();
        for (ChildProcess waiter : waiters) {
            joinOrKill(waiter, WAIT);
            assertThat(waiter.exitCode()).as(waiter.toString()).hasValue(0);
        }
        System.out.println("cluster event: 3 waiters in other processes woke on average " + wokeAfter.get() / 3
                + " ms after the set");
        assertThat(wokeAfter.get() / 3).as("woken by the set, ms on average").isLessThan(1_000);
        assertThat(start.isSet()).isTrue();
        assertThat(start.await(Duration.ZERO)).isTrue();
        start.clear();
        assertThat(start.isSet()).isFalse();
    }

    @Test
    void awaitTimesOutAndEndsOnInterrupt() throws Exception {
        ProcessEvent never = cluster.event("never");
        never.clear();
        long start = System.nanoTime();
        assertThat(never.await(Duration.ofMillis(300))).isFalse();
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isBetween(250L, 2_000L);
        assertThat(never.await(Duration.ZERO)).isFalse();

        assertAnInterruptEnds(never::await);

        Thread.currentThread().interrupt();
        assertThatThrownBy(() -> never.await(Duration.ofSeconds(1))).isInstanceOf(InterruptedException.class);
        assertThatThrownBy(() -> cluster.event("{x}")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ProcessEvent.over(null)).isInstanceOf(NullPointerException.class);
        never.set();
        never.close();
        assertThat(never.isSet()).as("closed: deleted for everyone").isFalse();
    }

    @Test
    void aWaiterWokenByASetThatIsClearedAgainStillReturnsTrue() throws Exception {
        ProcessEvent blink = cluster.event("blink");
        blink.clear();
        AtomicReference<Boolean> result = new AtomicReference<>();
        Thread waiter = new Thread(() -> {
            try {
                result.set(blink.await(Duration.ofSeconds(10)));
            } catch (InterruptedException e) {
                result.set(null);
            }
        });
        waiter.start();
        Thread.sleep(300);
        blink.set();
        blink.clear();
        waiter.join(10_000);
        assertThat(result.get()).isTrue();
    }
}
