package io.github.multiprocessing4j.internal.sync;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The one wait loop: its deadline, its two ways of treating an interrupt, its liveness hook. */
class WaitTest {

    @AfterEach
    void clearInterrupt() {
        Thread.interrupted();
    }

    @Test
    void aWaitEndsWhenTheAttemptSucceedsAndMakesNoAttemptBeforeItsFirstPause() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        assertThat(Wait.interruptibly(-1, () -> attempts.incrementAndGet() == 3, null)).isTrue();
        assertThat(attempts).hasValue(3);
    }

    @Test
    void aWaitForAResultReturnsWhatTheAttemptYielded() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        String result = Wait.interruptiblyFor(-1, () -> attempts.incrementAndGet() == 2 ? "done" : null, null);
        assertThat(result).isEqualTo("done");
    }

    @Test
    void aWaitWithATimeoutOfZeroReturnsAtOnceWithoutAnAttempt() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        assertThat(Wait.interruptibly(0, () -> attempts.incrementAndGet() > 0, null)).isFalse();
        assertThat(attempts).hasValue(0);
    }

    @Test
    void aWaitThatNeverSucceedsReturnsFalseAtItsDeadline() throws Exception {
        long start = System.nanoTime();
        assertThat(Wait.uninterruptibly(50_000_000, () -> false, null)).isFalse();
        long tookMillis = (System.nanoTime() - start) / 1_000_000;
        assertThat(tookMillis).isBetween(50L, 2_000L);
    }

    @Test
    void anInterruptEndsAnInterruptibleWaitAndClearsTheStatus() throws Exception {
        Thread waiter = Thread.currentThread();
        Thread interrupter = new Thread(() -> {
            sleep(50);
            waiter.interrupt();
        });
        interrupter.start();
        assertThatThrownBy(() -> Wait.interruptibly(-1, () -> false, null)).isInstanceOf(InterruptedException.class);
        assertThat(Thread.interrupted()).as("status after the throw").isFalse();
        interrupter.join();
    }

    @Test
    void anInterruptibleWaitOfAnInterruptedThreadThrowsBeforeItBegins() {
        AtomicInteger attempts = new AtomicInteger();
        Thread.currentThread().interrupt();
        assertThatThrownBy(() -> Wait.interruptibly(-1, () -> attempts.incrementAndGet() > 0, null))
                .isInstanceOf(InterruptedException.class);
        assertThat(attempts).hasValue(0);
    }

    @Test
    void anUninterruptibleWaitGoesOnThroughAnInterruptAndKeepsTheStatus() {
        AtomicBoolean release = new AtomicBoolean();
        Thread waiter = Thread.currentThread();
        Thread helper = new Thread(() -> {
            sleep(30);
            waiter.interrupt();
            sleep(100);
            release.set(true);
        });
        helper.start();
        long start = System.nanoTime();
        assertThat(Wait.uninterruptibly(-1, release::get, null)).isTrue();
        assertThat((System.nanoTime() - start) / 1_000_000).as("waited past the interrupt").isGreaterThanOrEqualTo(100);
        assertThat(Thread.interrupted()).as("interrupt status kept for the caller").isTrue();
    }

    @Test
    void anExceptionFromTheAttemptEndsTheWaitAndAnUninterruptibleWaitStillRestoresTheStatus() {
        Thread.currentThread().interrupt();
        assertThatThrownBy(() -> Wait.uninterruptiblyFor(-1, () -> {
            throw new IOException("broken");
        }, null)).isInstanceOf(IOException.class).hasMessage("broken");
        assertThat(Thread.interrupted()).isTrue();
    }

    @Test
    void theLivenessCheckRunsEveryPeriodAndMayCompleteTheWait() throws Exception {
        AtomicInteger checks = new AtomicInteger();
        long start = System.nanoTime();
        assertThat(Wait.interruptibly(-1, () -> false, () -> checks.incrementAndGet() == 2)).isTrue();
        long tookNanos = System.nanoTime() - start;
        assertThat(checks).hasValue(2);
        assertThat(tookNanos).as("two periods").isGreaterThanOrEqualTo(2 * Wait.LIVENESS_CHECK_NANOS);
    }

    @Test
    void aLivenessCheckThatDoesNotCompleteLetsTheWaitTimeOut() throws Exception {
        AtomicInteger checks = new AtomicInteger();
        assertThat(Wait.interruptibly(600_000_000, () -> false, () -> {
            checks.incrementAndGet();
            return false;
        })).isFalse();
        assertThat(checks.get()).isBetween(1, 2);
    }

    @Test
    void aWakeHasAWaitThatParkedLongLookAtOnceAndThenPauseAsAYoungOne() throws Exception {
        // Parked for over half a second, a wait looks every 20 ms; woken, it looks at once and then
        // pauses as a young wait does (20 µs, doubling up to 2 ms): dozens of looks where there were a few.
        AtomicBoolean done = new AtomicBoolean();
        AtomicInteger[] looks = {new AtomicInteger(), new AtomicInteger()};
        Thread[] waiters = new Thread[2];
        for (int i = 0; i < waiters.length; i++) {
            AtomicInteger counted = looks[i];
            waiters[i] = new Thread(() -> Wait.uninterruptibly(-1, () -> {
                counted.incrementAndGet();
                return done.get();
            }, null), "waiter-" + i);
            waiters[i].start();
        }
        try {
            sleep(Backoff.LONG_WAIT_NANOS / 1_000_000 + 300); // past the young pauses
            int[] long1 = looksIn(looks, 200);
            Wait.wake(waiters[0]);
            int[] afterWake = looksIn(looks, 200);
            Wait.wakeAll();
            int[] afterWakeAll = looksIn(looks, 200);

            for (int parkedLong : long1) {
                assertThat(parkedLong).as("waits parked long: a look every 20 ms").isBetween(1, 15);
            }
            assertThat(afterWake[0]).as("the woken wait pauses briefly again").isGreaterThan(40);
            assertThat(afterWake[1]).as("the other wait is left as it was").isBetween(1, 15);
            assertThat(afterWakeAll[1]).as("every wait woken").isGreaterThan(40);
        } finally {
            done.set(true);
            for (Thread waiter : waiters) {
                waiter.join();
            }
        }
    }

    /** @return how many looks each wait made in the next {@code millis} */
    private static int[] looksIn(AtomicInteger[] looks, long millis) {
        int[] before = new int[looks.length];
        for (int i = 0; i < looks.length; i++) {
            before[i] = looks[i].get();
        }
        sleep(millis);
        int[] made = new int[looks.length];
        for (int i = 0; i < looks.length; i++) {
            made[i] = looks[i].get() - before[i];
        }
        return made;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
