package io.github.multiprocessing4j;

import io.github.multiprocessing4j.testing.BlockingCall;
import io.github.multiprocessing4j.testing.SharedObjects;
import io.github.multiprocessing4j.testing.TestFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.github.multiprocessing4j.testing.TestFiles.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProcessSemaphoreTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @RegisterExtension
    final SharedObjects shared = new SharedObjects();

    @Test
    void noMoreProcessesThanPermitsAreInsideAtOnce() throws Exception {
        ProcessSemaphore permits = shared.track(new ProcessSemaphore(2));
        SharedLong inside = shared.track(new SharedLong());
        SharedLong most = shared.track(new SharedLong());
        List<ChildProcess> children = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            children.add(new ChildProcess(() -> {
                for (int round = 0; round < 20; round++) {
                    permits.acquire();
                    try {
                        long now = inside.incrementAndGet();
                        long seen = most.get();
                        while (now > seen && !most.compareAndSet(seen, now)) {
                            seen = most.get();
                        }
                        Thread.sleep(2);
                        inside.addAndGet(-1);
                    } finally {
                        permits.release();
                    }
                }
            }));
        }
        for (ChildProcess c : children) {
            c.start();
        }
        for (ChildProcess c : children) {
            c.join();
            assertThat(c.exitCode()).hasValue(0);
        }
        assertThat(most.get()).isBetween(1L, 2L);
        assertThat(permits.availablePermits()).isEqualTo(2);
        assertThat(permits.reclaimed()).isZero();
    }

    @Test
    void permitsHeldByAKilledProcessComeBackWithinASecond() throws Exception {
        ProcessSemaphore permits = shared.track(new ProcessSemaphore(3));
        String held = dir.resolve("held").toString();
        ChildProcess holder = new ChildProcess(() -> {
            permits.acquire();
            permits.acquire();
            TestFiles.write(held, "yes");
            Thread.sleep(60_000);
        });
        holder.start();
        await(Path.of(held), WAIT);
        assertThat(permits.tryAcquire()).isTrue(); // the third permit
        assertThat(permits.tryAcquire()).isFalse();
        holder.kill();
        holder.join();
        long start = System.nanoTime();
        assertThat(permits.acquire(Duration.ofSeconds(5))).isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
        assertThat(permits.reclaimed()).isEqualTo(2);
        assertThat(permits.availablePermits()).isEqualTo(1); // the parent holds two
        permits.release();
        permits.release();
        assertThat(permits.availablePermits()).isEqualTo(3);
    }

    @Test
    void aPermitReleasedByAnotherProcessWakesAWaiter() throws Exception {
        ProcessSemaphore signal = shared.track(new ProcessSemaphore(0));
        ChildProcess releaser = new ChildProcess(signal::release);
        releaser.start();
        assertThat(signal.acquire(WAIT)).isTrue();
        releaser.join();
        assertThat(signal.availablePermits()).isZero();
    }

    @Test
    void acquireWithTimeoutGivesUpAndTryAcquireDoesNotWait() throws Exception {
        ProcessSemaphore permits = shared.track(new ProcessSemaphore(1));
        assertThat(permits.tryAcquire()).isTrue();
        assertThat(permits.tryAcquire()).isFalse();
        long start = System.nanoTime();
        assertThat(permits.acquire(Duration.ofMillis(200))).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(200));
        assertThat(permits.acquire(Duration.ZERO)).isFalse();
        permits.release();
        assertThat(permits.acquire(Duration.ZERO)).isTrue();
        permits.release();
    }

    @Test
    void interruptingAWaiterTakesNoPermit() throws Exception {
        ProcessSemaphore permits = shared.track(new ProcessSemaphore(0));
        BlockingCall waiter = BlockingCall.start(permits::acquire);
        Thread.sleep(50);
        waiter.interrupt();
        assertThat(waiter.thrown(WAIT)).isInstanceOf(InterruptedException.class);
        permits.release();
        assertThat(permits.availablePermits()).isEqualTo(1);
        Thread.currentThread().interrupt();
        assertThatThrownBy(() -> permits.acquire(WAIT)).isInstanceOf(InterruptedException.class);
        assertThat(permits.availablePermits()).isEqualTo(1);
    }

    @Test
    void aBoundedSemaphoreRefusesAReleaseAboveItsInitialValue() throws Exception {
        ProcessBoundedSemaphore permits = shared.track(new ProcessBoundedSemaphore(2));
        assertThatThrownBy(permits::release).isInstanceOf(IllegalStateException.class);
        permits.acquire();
        permits.release();
        assertThatThrownBy(permits::release).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("released too many times");
        assertThat(permits.availablePermits()).isEqualTo(2);
    }

    @Test
    void aBoundedSemaphoreGetsBackAKilledHoldersPermit() throws Exception {
        ProcessBoundedSemaphore permits = shared.track(new ProcessBoundedSemaphore(1));
        String held = dir.resolve("held").toString();
        ChildProcess holder = new ChildProcess(() -> {
            permits.acquire();
            TestFiles.write(held, "yes");
            Thread.sleep(60_000);
        });
        holder.start();
        await(Path.of(held), WAIT);
        holder.kill();
        holder.join();
        assertThat(permits.acquire(Duration.ofSeconds(5))).isTrue();
        permits.release();
        assertThatThrownBy(permits::release).isInstanceOf(IllegalStateException.class);
        assertThat(permits.reclaimed()).isEqualTo(1);
    }

    @Test
    void aNegativeInitialValueIsRefused() {
        assertThatThrownBy(() -> new ProcessSemaphore(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ProcessBoundedSemaphore(-1)).isInstanceOf(IllegalArgumentException.class);
    }
}
