package io.github.multiprocessing4j.cli.support;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Polling with a deadline: true as soon as the condition holds, false at the deadline, interruptible. */
class AwaitTest {
    @Test
    void returnsTrueOnceTheConditionHoldsPollingUntilThen() throws InterruptedException {
        AtomicInteger polls = new AtomicInteger();

        boolean held = Await.until(() -> polls.incrementAndGet() == 3, Duration.ofSeconds(10), Duration.ofNanos(100_000));

        assertThat(held).isTrue();
        assertThat(polls).hasValue(3);
    }

    @Test
    void returnsFalseWhenTheConditionDoesNotHoldByTheDeadline() throws InterruptedException {
        long started = System.nanoTime();

        boolean held = Await.until(() -> false, Duration.ofMillis(50));

        assertThat(held).isFalse();
        assertThat(System.nanoTime() - started).isGreaterThanOrEqualTo(Duration.ofMillis(50).toNanos());
    }

    @Test
    void anInterruptEndsTheWaitWithInterruptedExceptionAndClearsTheFlag() {
        Thread.currentThread().interrupt();

        assertThatThrownBy(() -> Await.until(() -> false, Duration.ofSeconds(10))).isInstanceOf(InterruptedException.class);
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
    }
}
