package io.github.multiprocessing4j.internal.util;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;

import static org.assertj.core.api.Assertions.assertThat;

/** An uninterruptible wait goes on through interrupts and leaves the interrupt status set. */
class UninterruptiblyTest {

    @AfterEach
    void clearInterrupt() {
        Thread.interrupted();
    }

    @Test
    void awaitGoesOnThroughAnInterruptUntilTheLatchOpensAndKeepsTheStatus() {
        CountDownLatch latch = new CountDownLatch(1);
        Thread waiter = Thread.currentThread();
        Thread helper = new Thread(() -> {
            pause(30);
            waiter.interrupt();
            pause(100);
            latch.countDown();
        });
        helper.start();
        Uninterruptibly.await(latch);
        assertThat(latch.getCount()).isZero();
        assertThat(Thread.interrupted()).isTrue();
    }

    @Test
    void joinGoesOnThroughAnInterruptUntilTheThreadEnds() {
        Thread sleeper = new Thread(() -> pause(150));
        sleeper.start();
        Thread.currentThread().interrupt();
        Uninterruptibly.join(sleeper);
        assertThat(sleeper.isAlive()).isFalse();
        assertThat(Thread.interrupted()).isTrue();
    }

    @Test
    void aWaitThatWasNotInterruptedLeavesTheStatusClear() {
        Uninterruptibly.await(new CountDownLatch(0));
        assertThat(Thread.interrupted()).isFalse();
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
