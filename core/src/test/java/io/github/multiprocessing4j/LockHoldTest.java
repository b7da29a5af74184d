package io.github.multiprocessing4j;

import io.github.multiprocessing4j.testing.SharedObjects;
import io.github.multiprocessing4j.testing.TestFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

import static io.github.multiprocessing4j.testing.TestFiles.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code try (var held = lock.hold())}, Python's {@code with lock:}, across processes. */
class LockHoldTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @RegisterExtension
    final SharedObjects shared = new SharedObjects();

    @Test
    void aChildAndTheParentHoldingTheLockForABlockLoseNoUpdate() throws Exception {
        ProcessLock lock = shared.track(new ProcessLock());
        SharedLong counter = shared.track(new SharedLong());
        int perProcess = 10_000;
        ChildProcess child = new ChildProcess(() -> {
            for (int n = 0; n < perProcess; n++) {
                try (var held = lock.hold()) {
                    counter.set(counter.get() + 1); // not atomic: only the lock makes it exact
                }
            }
        });
        child.start();
        for (int n = 0; n < perProcess; n++) {
            try (var held = lock.hold()) {
                counter.set(counter.get() + 1);
            }
        }
        child.join();
        assertThat(child.exitCode()).hasValue(0);
        assertThat(counter.get()).isEqualTo(2L * perProcess);
        assertThat(lock.isLocked()).isFalse();
    }

    @Test
    void theLockStillWorksAfterManyHoldsOneOfWhichThrows() throws Exception {
        ProcessRLock lock = shared.track(new ProcessRLock());
        for (int n = 0; n < 1_000; n++) {
            int round = n;
            try (var held = lock.hold()) {
                assertThat(lock.holdCount()).isEqualTo(1);
                if (round == 500) {
                    throw new IllegalStateException("the body failed");
                }
            } catch (IllegalStateException e) {
                assertThat(round).isEqualTo(500);
            }
            assertThat(lock.isLocked()).isFalse();
        }
        ChildProcess child = new ChildProcess(() -> {
            if (!lock.acquire(Duration.ofSeconds(10))) {
                throw new AssertionError("the lock was not released by the holdings' close");
            }
            lock.release();
        });
        child.start();
        child.join();
        assertThat(child.exitCode()).hasValue(0);
    }

    @Test
    void aHoldWithATimeoutThrowsWhileAChildHoldsTheLockAndSucceedsAfter() throws Exception {
        ProcessLock lock = shared.track(new ProcessLock());
        ProcessEvent done = shared.track(new ProcessEvent());
        String held = dir.resolve("held").toString();
        ChildProcess holder = new ChildProcess(() -> {
            try (var holding = lock.hold()) {
                TestFiles.write(held, "yes");
                done.await();
            }
        });
        holder.start();
        await(Path.of(held), WAIT);
        assertThatThrownBy(() -> lock.hold(Duration.ofMillis(100))).isInstanceOf(TimeoutException.class);
        assertThat(lock.isHeldByCurrentThread()).isFalse();
        done.set();
        try (var holding = lock.hold(WAIT)) {
            assertThat(lock.isHeldByCurrentThread()).isTrue();
        }
        holder.join();
        assertThat(holder.exitCode()).hasValue(0);
        assertThat(lock.isLocked()).isFalse();
    }

    @Test
    void holdIsNotEndedByAnInterruptAndKeepsTheStatus() {
        ProcessLock lock = shared.track(new ProcessLock());
        Thread.currentThread().interrupt();
        try (var held = lock.hold()) {
            assertThat(lock.isHeldByCurrentThread()).isTrue();
        } finally {
            assertThat(Thread.interrupted()).isTrue();
        }
        assertThat(lock.isLocked()).isFalse();
    }

    @Test
    void closingAHoldingTwiceReleasesOnce() {
        ProcessRLock lock = shared.track(new ProcessRLock());
        lock.lock();
        Holding inner = lock.hold();
        inner.close();
        inner.close();
        assertThat(lock.holdCount()).isEqualTo(1);
        lock.unlock();
        assertThat(lock.isLocked()).isFalse();
    }

    @Test
    void aSecondTryLockByTheHolderThrowsForALockAndCountsForAnRLock() {
        ProcessLock lock = shared.track(new ProcessLock());
        assertThat(lock.tryLock()).isTrue();
        assertThatThrownBy(lock::tryLock).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(lock::hold).isInstanceOf(IllegalStateException.class);
        assertThat(lock.isHeldByCurrentThread()).isTrue();
        lock.unlock();
        assertThat(lock.isLocked()).isFalse();

        ProcessRLock rlock = shared.track(new ProcessRLock());
        assertThat(rlock.tryLock()).isTrue();
        assertThat(rlock.tryLock()).isTrue();
        assertThat(rlock.holdCount()).isEqualTo(2);
        rlock.unlock();
        rlock.unlock();
        assertThat(rlock.isLocked()).isFalse();
    }

    @Test
    void aSemaphoresHoldTakesOnePermitAndGivesItBackEvenWhenTheBodyThrows() throws Exception {
        ProcessBoundedSemaphore slots = shared.track(new ProcessBoundedSemaphore(1));
        ProcessEvent done = shared.track(new ProcessEvent());
        String held = dir.resolve("held").toString();
        ChildProcess holder = new ChildProcess(() -> {
            try (var holding = slots.hold()) {
                TestFiles.write(held, "yes");
                done.await();
                throw new IllegalStateException("the body failed");
            }
        });
        holder.start();
        await(Path.of(held), WAIT);
        assertThatThrownBy(() -> slots.hold(Duration.ofMillis(100))).isInstanceOf(TimeoutException.class);
        done.set();
        holder.join();
        assertThat(holder.exitCode().orElseThrow()).isNotZero();
        assertThat(slots.availablePermits()).isEqualTo(1);
        for (int n = 0; n < 1_000; n++) {
            try (var holding = slots.hold(WAIT)) {
                assertThat(slots.availablePermits()).isZero();
            }
        }
        assertThat(slots.availablePermits()).isEqualTo(1);
    }
}
