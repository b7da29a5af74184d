package io.github.multiprocessing4j;

import io.github.multiprocessing4j.testing.BlockingCall;
import io.github.multiprocessing4j.testing.SharedObjects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProcessEventTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @RegisterExtension
    final SharedObjects shared = new SharedObjects();

    @Test
    void childrenWaitingForTheEventGoWhenItIsSet() throws Exception {
        ProcessEvent go = shared.track(new ProcessEvent());
        ProcessEvent ready = shared.track(new ProcessEvent());
        SharedLong started = shared.track(new SharedLong());
        List<ChildProcess> children = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            children.add(new ChildProcess(() -> {
                if (started.incrementAndGet() == 2) {
                    ready.set();
                }
                go.await();
            }));
        }
        for (ChildProcess c : children) {
            c.start();
        }
        assertThat(ready.await(WAIT)).isTrue();
        assertThat(go.isSet()).isFalse();
        go.set();
        assertThat(go.isSet()).isTrue();
        for (ChildProcess c : children) {
            assertThat(c.join(WAIT)).isTrue();
            assertThat(c.exitCode()).hasValue(0);
        }
        go.clear();
        assertThat(go.isSet()).isFalse();
    }

    @Test
    void awaitWithTimeoutGivesUpAndReturnsAtOnceWhenSet() throws Exception {
        ProcessEvent event = shared.track(new ProcessEvent());
        long start = System.nanoTime();
        assertThat(event.await(Duration.ofMillis(200))).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(200));
        event.set();
        event.set();
        assertThat(event.await(Duration.ZERO)).isTrue();
        event.await();
    }

    @Test
    void aPingPongOfTwoEventsBetweenTwoProcessesKeepsInStep() throws Exception {
        // A wait must return only for a set() that came while it waited: once, a set() seen and
        // cleared already could wake the next wait, and the child ran ahead of its partner.
        int rounds = 20_000;
        ProcessEvent ping = shared.track(new ProcessEvent());
        ProcessEvent pong = shared.track(new ProcessEvent());
        SharedLong sent = shared.track(new SharedLong());
        SharedLong wokenForNothing = shared.track(new SharedLong());
        ChildProcess partner = new ChildProcess(() -> {
            for (int i = 1; i <= rounds; i++) {
                ping.await();
                if (sent.get() != i) {
                    wokenForNothing.set(i);
                    return;
                }
                ping.clear();
                pong.set();
            }
        });
        partner.start();
        for (int i = 1; i <= rounds; i++) {
            sent.set(i);
            ping.set();
            while (!pong.await(Duration.ofMillis(100))) {
                assertThat(partner.isAlive()).as("the partner, woken for nothing in round %d", wokenForNothing.get()).isTrue();
            }
            pong.clear();
        }
        assertThat(partner.join(WAIT)).isTrue();
        assertThat(partner.exitCode()).hasValue(0);
        assertThat(wokenForNothing.get()).isZero();
    }

    @Test
    void interruptingAWaiterThrows() throws Exception {
        ProcessEvent event = shared.track(new ProcessEvent());
        BlockingCall waiter = BlockingCall.start(event::await);
        Thread.sleep(50);
        waiter.interrupt();
        assertThat(waiter.thrown(WAIT)).isInstanceOf(InterruptedException.class);
        Thread.currentThread().interrupt();
        assertThatThrownBy(() -> event.await(WAIT)).isInstanceOf(InterruptedException.class);
        assertThat(event.isSet()).isFalse();
    }
}
