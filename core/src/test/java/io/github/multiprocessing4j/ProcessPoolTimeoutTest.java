package io.github.multiprocessing4j;

import io.github.multiprocessing4j.testing.SharedObjects;
import io.github.multiprocessing4j.testing.TestFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeoutException;

import static io.github.multiprocessing4j.ProcessPool.timed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * ProcessPool's time limits, {@code cancel(true)} and {@code maxMemoryPerChild}, with real
 * runaway tasks: a task past its limit is interrupted, and its worker killed and replaced when
 * the task does not end within the grace; the other tasks the worker held run elsewhere; a
 * worker past its memory limit is replaced after its task. Bounds are generous (a loaded
 * machine): they catch hangs, not slowness.
 */
class ProcessPoolTimeoutTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Duration LIMIT = Duration.ofMillis(300);

    /** What the memory-hungry task keeps, in the worker that runs it. */
    static final List<byte[]> KEPT = new ArrayList<>();

    @RegisterExtension
    final SharedObjects shared = new SharedObjects();

    /** @return a pool of one worker, terminated after the test (closing it would wait for what runs) */
    private ProcessPool pool(ProcessPool.Builder builder) {
        ProcessPool pool = builder.processes(1).build();
        shared.track(pool::terminate);
        return pool;
    }

    private static long pid() {
        return Multiprocessing.currentProcess().pid();
    }

    private static void awaitGone(long pid) {
        TestFiles.awaitCondition(() -> ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true), WAIT,
                "the end of killed worker " + pid);
    }

    @Test
    void aRunawayLoopTimesOutAndAFreshWorkerTakesOver() throws Exception {
        ProcessPool pool = pool(ProcessPool.builder().taskTimeout(LIMIT).interruptGrace(Duration.ofMillis(200)));
        long first = pool.apply(ProcessPoolTimeoutTest::pid);
        Future<Object> runaway = pool.submit(() -> {
            while (true) {
                Thread.onSpinWait(); // deaf to interrupts
            }
        });
        assertThatThrownBy(() -> runaway.get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(TimeoutException.class).hasMessageContaining("pid " + first);
        long next = pool.apply(ProcessPoolTimeoutTest::pid);
        assertThat(next).isNotEqualTo(first);
        awaitGone(first);
        assertThat(pool.map(x -> x * 2, List.of(1, 2, 3))).containsExactly(2, 4, 6); // the pool's limit: met
    }

    @Test
    void aTaskThatIgnoresInterruptsIsKilledAfterTheGrace() throws Exception {
        Duration grace = Duration.ofMillis(700);
        ProcessPool pool = pool(ProcessPool.builder().interruptGrace(grace));
        long first = pool.apply(ProcessPoolTimeoutTest::pid);
        long start = System.nanoTime();
        CompletableFuture<Object> stubborn = pool.applyAsync(timed(LIMIT, () -> {
            while (true) {
                try {
                    Thread.sleep(60_000);
                } catch (InterruptedException ignored) {
                    // carries on regardless
                }
            }
        }));
        assertThatThrownBy(stubborn::join).isInstanceOf(CompletionException.class).hasCauseInstanceOf(TimeoutException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(LIMIT.plus(grace));
        assertThat(pool.apply(ProcessPoolTimeoutTest::pid)).isNotEqualTo(first);
        awaitGone(first);
    }

    @Test
    void aTaskThatEndsWhenInterruptedFailsWithTheTimeoutAndKeepsItsWorker() {
        ProcessPool pool = pool(ProcessPool.builder().interruptGrace(WAIT)); // never killed within the test
        long first = pool.apply(ProcessPoolTimeoutTest::pid);
        CompletableFuture<String> throwing = pool.applyAsync(timed(LIMIT, () -> {
            try {
                Thread.sleep(60_000);
                return "slept";
            } catch (InterruptedException e) {
                throw new IllegalStateException("cleaned up");
            }
        }));
        assertThatThrownBy(throwing::join).isInstanceOf(CompletionException.class)
                .cause().isInstanceOf(TimeoutException.class)
                .cause().isInstanceOf(IllegalStateException.class).hasMessage("cleaned up");
        CompletableFuture<String> returning = pool.applyAsync(timed(LIMIT, () -> {
            try {
                Thread.sleep(60_000);
                return "slept";
            } catch (InterruptedException e) {
                return "partial";
            }
        }));
        assertThatThrownBy(returning::join).isInstanceOf(CompletionException.class).hasCauseInstanceOf(TimeoutException.class);
        SerializableFunction<Long, String> sleeping = millis -> {
            Thread.sleep(millis);
            return "slept";
        };
        CompletableFuture<String> applied = pool.applyAsync(timed(LIMIT, sleeping), 60_000L); // a function with its argument
        assertThatThrownBy(applied::join).isInstanceOf(CompletionException.class)
                .cause().isInstanceOf(TimeoutException.class).cause().isInstanceOf(InterruptedException.class);
        // the same worker, and the interrupt does not reach its next task
        assertThat(pool.apply(() -> {
            Thread.sleep(50);
            return pid();
        })).isEqualTo(first);
    }

    @Test
    void theOtherTasksOfAKilledWorkerRunElsewhereAndATimedMapFails() throws Exception {
        ProcessPool pool = pool(ProcessPool.builder().interruptGrace(Duration.ofMillis(200)));
        long first = pool.apply(ProcessPoolTimeoutTest::pid);
        CompletableFuture<Object> runaway = pool.applyAsync(timed(LIMIT, () -> {
            while (true) {
                Thread.onSpinWait();
            }
        }));
        List<CompletableFuture<Long>> queued = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            queued.add(pool.applyAsync(ProcessPoolTimeoutTest::pid)); // behind it, on the pool's one worker
        }
        assertThatThrownBy(runaway::join).hasCauseInstanceOf(TimeoutException.class);
        for (CompletableFuture<Long> f : queued) {
            assertThat(f.get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)).isNotEqualTo(first);
        }
        awaitGone(first);

        assertThatThrownBy(() -> pool.map(timed(LIMIT, (Integer x) -> {
            if (x == 3) {
                while (true) {
                    Thread.onSpinWait();
                }
            }
            return x;
        }), List.of(1, 2, 3, 4), 1)).isInstanceOf(CompletionException.class).hasCauseInstanceOf(TimeoutException.class);
        assertThat(pool.map(timed(WAIT, (Integer x) -> x + 1), List.of(1, 2), 1)).containsExactly(2, 3);
    }

    @Test
    void cancelTrueStopsARunningTaskTheWayATimeoutDoes() throws Exception {
        ProcessPool pool = pool(ProcessPool.builder()); // the default grace: room for a loaded machine to answer
        ProcessQueue<String> events = shared.track(new ProcessQueue<>());
        long first = pool.apply(ProcessPoolTimeoutTest::pid);

        // a sleeping task ends when interrupted: its worker stays
        Future<?> sleeper = pool.submit(() -> {
            events.put("sleeping");
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                events.put("interrupted");
            }
        });
        assertThat(events.get(WAIT)).isEqualTo("sleeping");
        assertThat(sleeper.cancel(true)).isTrue();
        assertThat(events.get(WAIT)).isEqualTo("interrupted");
        assertThat(pool.apply(ProcessPoolTimeoutTest::pid)).isEqualTo(first);

        // a loop deaf to interrupts has its worker killed and replaced
        Future<?> loop = pool.submit(() -> {
            events.put("looping");
            while (true) {
                Thread.onSpinWait();
            }
        });
        assertThat(events.get(WAIT)).isEqualTo("looping");
        assertThat(loop.cancel(true)).isTrue();
        assertThatThrownBy(loop::get).isInstanceOf(java.util.concurrent.CancellationException.class);
        awaitGone(first);
        long second = pool.apply(ProcessPoolTimeoutTest::pid);
        assertThat(second).isNotEqualTo(first);

        // a task cancelled with cancel(true) while queued in its worker never runs
        ProcessEvent release = shared.track(new ProcessEvent());
        Future<?> blocker = pool.submit(() -> {
            release.await();
        });
        Future<?> skipped = pool.submit(() -> {
            events.put("ran");
        });
        Thread.sleep(200); // both reach the worker
        assertThat(skipped.cancel(true)).isTrue();
        Thread.sleep(500); // the worker reads the cancellation before the task before it ends (else it would interrupt it)
        release.set();
        blocker.get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
        assertThat(pool.apply(ProcessPoolTimeoutTest::pid)).isEqualTo(second);
        assertThatThrownBy(() -> events.get(Duration.ofMillis(200))).isInstanceOf(QueueEmptyException.class);
    }

    @Test
    void aWorkerPastItsMemoryLimitIsReplacedAfterItsTask() throws Exception {
        ProcessPool pool = pool(ProcessPool.builder().maxMemoryPerChild(200L << 20));
        long first = pool.apply(ProcessPoolTimeoutTest::pid);
        CompletableFuture<Long> hungry = pool.applyAsync(() -> {
            for (int i = 0; i < 250; i++) {
                KEPT.add(new byte[1 << 20]);
            }
            return pid();
        });
        CompletableFuture<Long> next = pool.applyAsync(ProcessPoolTimeoutTest::pid); // held by the same worker
        assertThat(hungry.get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(first); // delivered
        assertThat(next.get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)).isNotEqualTo(first);
        awaitGone(first);
        assertThat(pool.apply(() -> KEPT.size())).isZero(); // a fresh worker
    }
}
