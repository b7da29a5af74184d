package io.github.multiprocessing4j;

import io.github.multiprocessing4j.testing.SharedObjects;
import io.github.multiprocessing4j.testing.TestFiles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * ProcessPool when workers die: SIGKILL, {@code Runtime.halt}, running out of memory; the tasks
 * they held fail with {@link WorkerDiedException} within a second, the others are unaffected, and
 * the pool replaces the worker and goes on. Also the worker's life cycle: the initializer, its
 * failure, and {@code maxTasksPerChild}.
 */
class ProcessPoolRobustnessTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    /** The bound the pool promises for failing a dead worker's tasks, with room for a loaded machine. */
    private static final long DEATH_NOTICE_MILLIS = 2_000;

    @RegisterExtension
    final SharedObjects shared = new SharedObjects();

    private final List<ProcessPool> pools = new ArrayList<>();

    @AfterEach
    void terminatePools() {
        for (ProcessPool p : pools) {
            p.terminate();
            assertThat(p.isTerminated()).isTrue();
        }
    }

    private ProcessPool track(ProcessPool pool) {
        pools.add(pool);
        return pool;
    }

    @Test
    void aKilledWorkerFailsExactlyTheTaskItHeldAndIsReplaced() throws Exception {
        ProcessPool pool = track(new ProcessPool(2));
        ProcessQueue<Long> victimRuns = shared.track(new ProcessQueue<>());
        ProcessQueue<Long> survivorRuns = shared.track(new ProcessQueue<>());
        ProcessEvent release = shared.track(new ProcessEvent());
        Future<Long> victims = pool.submit(() -> blockReportingPid(victimRuns, release));
        Future<Long> survivors = pool.submit(() -> blockReportingPid(survivorRuns, release));
        long victim = victimRuns.get(WAIT);
        long survivor = survivorRuns.get(WAIT);
        assertThat(victim).isNotEqualTo(survivor); // one task per worker

        long killedAt = System.nanoTime();
        ProcessHandle.of(victim).orElseThrow().destroyForcibly();
        assertThatThrownBy(victims::get).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOfSatisfying(WorkerDiedException.class, e -> {
                    assertThat(e.pid()).isEqualTo(victim);
                    assertThat(e.exitCode()).isEqualTo(-9);
                });
        assertThat((System.nanoTime() - killedAt) / 1_000_000).isLessThan(DEATH_NOTICE_MILLIS);
        assertThat(survivors.isDone()).isFalse();

        release.set();
        assertThat(survivors.get()).isEqualTo(survivor);
        assertThat(pool.apply(() -> 7)).isEqualTo(7);
        TestFiles.awaitCondition(() -> pool.workerPids().size() == 2, WAIT, "a replacement worker");
        assertThat(pool.workerPids()).doesNotContain(victim).contains(survivor);
        assertThat(pool.map(x -> x * x, IntStream.range(0, 1000).boxed().collect(Collectors.toList())))
                .hasSize(1000).endsWith(999 * 999);
    }

    @Test
    void largeArgumentsAWorkerHeldWhenItDiedGoWholeToAnother() {
        // arrays of a MiB go into a chunk's message by reference (spliced), so a chunk sent again
        // (a retry: what the dead worker held) must be written again from the arrays themselves
        ProcessPool pool = track(ProcessPool.builder().processes(2).retries(1).build());
        List<byte[]> arrays = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            byte[] array = new byte[(1 << 20) + i];
            java.util.Arrays.fill(array, (byte) (i + 1));
            arrays.add(array);
        }
        arrays.get(0)[0] = -1; // its task halts the first worker it runs on
        SharedLong halted = shared.track(new SharedLong());
        ResultIterator<Long> sums = pool.imap(array -> {
            if (array[0] == -1 && halted.compareAndSet(0, 1)) {
                Runtime.getRuntime().halt(3);
            }
            Thread.sleep(20);
            long sum = 0;
            for (byte b : array) {
                sum += b;
            }
            return sum;
        }, arrays, 1);
        assertThat(sums.next()).as("array 0, its retry").isEqualTo(arrays.get(0).length - 2L);
        for (int i = 1; i < arrays.size(); i++) {
            assertThat(sums.next()).as("array %d", i).isEqualTo((long) (i + 1) * arrays.get(i).length);
        }
        assertThat(sums.hasNext()).isFalse();
        assertThat(halted.get()).isEqualTo(1);
    }

    private static long blockReportingPid(ProcessQueue<Long> running, ProcessEvent release) throws InterruptedException {
        long pid = Multiprocessing.currentProcess().pid();
        running.put(pid);
        release.await();
        return pid;
    }

    @Test
    void aWorkerThatHaltsFailsItsTasksWithItsExitCode() {
        ProcessPool pool = track(new ProcessPool(1));
        assertThatThrownBy(() -> pool.apply(() -> {
            Runtime.getRuntime().halt(42);
            return 0;
        })).isInstanceOf(CompletionException.class)
                .cause().isInstanceOfSatisfying(WorkerDiedException.class, e -> assertThat(e.exitCode()).isEqualTo(42));
        // a map whose chunk kills its worker fails, and the pool goes on
        assertThatThrownBy(() -> pool.map(x -> {
            if (x == 50) {
                System.exit(3);
            }
            return x;
        }, IntStream.range(0, 100).boxed().collect(Collectors.toList()), 10))
                .isInstanceOf(CompletionException.class).hasCauseInstanceOf(WorkerDiedException.class);
        assertThat(pool.map(x -> -x, List.of(1, 2, 3))).containsExactly(-1, -2, -3);
    }

    @Test
    void aWorkerOutOfMemoryFailsItsTask() {
        ProcessPool pool = track(ProcessPool.builder().processes(1).jvmArgs("-Xmx32m").build());
        assertThatThrownBy(() -> pool.apply(() -> {
            List<long[]> hog = new ArrayList<>();
            while (true) {
                hog.add(new long[1 << 20]);
            }
        })).isInstanceOf(CompletionException.class)
                .cause().isInstanceOfSatisfying(WorkerDiedException.class, e -> assertThat(e.exitCode()).isEqualTo(3));
        assertThat(pool.apply(() -> "recovered")).isEqualTo("recovered");
    }

    @Test
    void workersKilledOneAfterAnotherNeverHangThePool() throws Exception {
        ProcessPool pool = track(new ProcessPool(2));
        ProcessQueue<Long> running = shared.track(new ProcessQueue<>());
        ProcessEvent never = shared.track(new ProcessEvent());
        for (int round = 0; round < 3; round++) {
            Future<Long> f = pool.submit(() -> blockReportingPid(running, never));
            long pid = running.get(WAIT);
            ProcessHandle.of(pid).orElseThrow().destroyForcibly();
            assertThatThrownBy(f::get).hasCauseInstanceOf(WorkerDiedException.class);
        }
        assertThat(pool.map(x -> x + 1, IntStream.range(0, 100).boxed().collect(Collectors.toList()), 1))
                .hasSize(100).endsWith(100);
    }

    @Test
    void maxTasksPerChildReplacesAWorkerAfterItsTasks() {
        ProcessPool pool = track(ProcessPool.builder().processes(1).maxTasksPerChild(2).build());
        List<Long> pids = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            pids.add(pool.apply(() -> Multiprocessing.currentProcess().pid()));
        }
        Map<Long, Integer> tasksPerPid = new HashMap<>();
        pids.forEach(p -> tasksPerPid.merge(p, 1, Integer::sum));
        assertThat(tasksPerPid).hasSize(3).allSatisfy((pid, n) -> assertThat(n).isEqualTo(2));
        assertThat(pids.get(0)).isEqualTo(pids.get(1)).isNotEqualTo(pids.get(2));
        // a map chunk counts as one task
        assertThat(pool.map(x -> x, IntStream.range(0, 100).boxed().collect(Collectors.toList()), 10)).hasSize(100);
    }

    @Test
    void theInitializerRunsOncePerWorkerBeforeItsTasks() {
        SharedLong runs = shared.track(new SharedLong());
        ProcessPool pool = ProcessPool.builder().processes(2)
                .initializer(() -> {
                    runs.incrementAndGet();
                    System.setProperty("pool.test.initialized", "yes");
                })
                .build();
        try {
            List<String> seen = pool.map(x -> System.getProperty("pool.test.initialized"), List.of(1, 2, 3, 4), 1);
            assertThat(seen).containsOnly("yes");
        } finally {
            pool.close();
        }
        assertThat(runs.get()).isEqualTo(2);
    }

    @Test
    void anInitializerThatThrowsBreaksThePoolInsteadOfLooping() {
        ProcessPool pool = track(ProcessPool.builder().processes(1)
                .initializer(() -> {
                    throw new IllegalStateException("no database");
                })
                .build());
        // the task fails, or is refused when the pool broke before it was submitted
        assertThatThrownBy(() -> pool.apply(() -> 1)).hasRootCauseMessage("no database");
        TestFiles.awaitCondition(pool::isShutdown, WAIT, "the broken pool to shut down");
        assertThatThrownBy(() -> pool.apply(() -> 1)).isInstanceOf(RejectedExecutionException.class)
                .hasRootCauseMessage("no database");
    }

    @Test
    void badJvmArgumentsBreakThePoolWithTheJvmsWords() {
        ProcessPool pool = track(ProcessPool.builder().processes(1).jvmArgs("-XX:+NoSuchOption").build());
        // the task fails with WorkerDiedException, or is refused when the pool broke before it was submitted
        assertThatThrownBy(() -> pool.apply(() -> 1)).hasStackTraceContaining("NoSuchOption");
        TestFiles.awaitCondition(pool::isShutdown, WAIT, "the broken pool to shut down");
        assertThatThrownBy(() -> pool.apply(() -> 1)).isInstanceOf(RejectedExecutionException.class)
                .hasStackTraceContaining("NoSuchOption");
    }
}
