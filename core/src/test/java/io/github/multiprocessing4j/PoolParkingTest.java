package io.github.multiprocessing4j;

import io.github.multiprocessing4j.internal.pool.PoolParking;
import io.github.multiprocessing4j.testing.SharedObjects;
import io.github.multiprocessing4j.testing.TestFiles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A closed pool's workers kept for the next pool of the same configuration
 * ({@code mp4j.poolKeepAliveSeconds}): taken over whole by such a pool (one of the same
 * initializer too, which does not run it again), ended after their time, by
 * {@link Multiprocessing#discardSpares()}, or at once by a pool that may not keep them; one that
 * died while kept is never handed out.
 */
class PoolParkingTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @RegisterExtension
    final SharedObjects shared = new SharedObjects();

    @AfterEach
    void endKeptWorkers() {
        System.clearProperty(PoolParking.KEEP_ALIVE_PROPERTY);
        Multiprocessing.discardSpares();
        assertThat(PoolParking.parkedWorkers()).isZero();
    }

    @Test
    void aClosedPoolsWorkersServeTheNextPoolOfTheSameConfiguration() throws Exception {
        SerializableFunction<Integer, Integer> square = x -> x * x;
        List<Long> first;
        try (ProcessPool pool = new ProcessPool(2)) {
            first = bothWorkersRun(pool);
            assertThat(pool.map(square, range(100))).endsWith(99 * 99);
        }
        assertThat(PoolParking.parkedWorkers()).isEqualTo(2);
        first.forEach(pid -> assertThat(isAlive(pid)).as("kept worker " + pid).isTrue());
        assertThat(Multiprocessing.activeChildren()).as("the library's, as spares are")
                .noneMatch(child -> first.contains(child.pid()));

        try (ProcessPool next = new ProcessPool(2)) {
            assertThat(next.workerPids()).containsExactlyInAnyOrderElementsOf(first);
            assertThat(PoolParking.parkedWorkers()).isZero();
            // the same function class again, under a new id; then another function, a task, a map of each
            assertThat(next.map(square, range(1_000))).hasSize(1_000).endsWith(999 * 999);
            assertThat(next.map(x -> x + 1, range(10))).containsExactlyElementsOf(range(1, 11));
            assertThat(next.apply(PoolParkingTest::pid)).isIn(first);
            assertThat(bothWorkersRun(next)).containsExactlyInAnyOrderElementsOf(first);
        }
        try (ProcessPool third = new ProcessPool(2)) {
            assertThat(third.workerPids()).as("kept again, taken again").containsExactlyInAnyOrderElementsOf(first);
            assertThat(third.map(square, range(10))).endsWith(81);
        }
    }

    @Test
    void keptWorkersEndAfterTheirTime() throws Exception {
        System.setProperty(PoolParking.KEEP_ALIVE_PROPERTY, "0.3");
        List<Long> pids;
        try (ProcessPool pool = new ProcessPool(2)) {
            pids = bothWorkersRun(pool);
        }
        assertThat(PoolParking.parkedWorkers()).isEqualTo(2);
        awaitEnded(pids);
        TestFiles.awaitCondition(() -> PoolParking.parkedWorkers() == 0, WAIT, "the group let go");
    }

    @Test
    void discardSparesEndsKeptWorkersAtOnce() throws Exception {
        List<Long> pids;
        try (ProcessPool pool = new ProcessPool(2)) {
            pids = bothWorkersRun(pool);
        }
        Multiprocessing.discardSpares();
        assertThat(PoolParking.parkedWorkers()).isZero();
        pids.forEach(pid -> assertThat(isAlive(pid)).as("worker " + pid).isFalse());
    }

    @Test
    void aPoolThatMayNotKeepItsWorkersEndsThem() throws Exception {
        List<Long> ended = new ArrayList<>();
        try (ProcessPool pool = ProcessPool.builder().processes(2).maxTasksPerChild(100).build()) {
            ended.addAll(bothWorkersRun(pool));
        }
        ProcessPool terminated = new ProcessPool(2);
        ended.addAll(bothWorkersRun(terminated));
        terminated.terminate();
        System.setProperty(PoolParking.KEEP_ALIVE_PROPERTY, "0");
        try (ProcessPool pool = new ProcessPool(2)) {
            ended.addAll(bothWorkersRun(pool));
        }
        assertThat(PoolParking.parkedWorkers()).isZero();
        awaitEnded(ended);
    }

    @Test
    void aPoolOfTheSameInitializerTakesThemWithoutRunningItAgain() throws Exception {
        List<Long> kept;
        try (ProcessPool pool = ProcessPool.builder().processes(2).initializer(PoolParkingTest::initialize).build()) {
            kept = bothWorkersRun(pool);
            assertThat(pool.apply(() -> initializations)).isEqualTo(1);
        }
        SerializableRunnable another = () -> initializations += 10;
        try (ProcessPool other = ProcessPool.builder().processes(2).initializer(another).build()) {
            assertThat(other.workerPids()).as("another initializer").doesNotContainAnyElementsOf(kept);
            assertThat(other.apply(() -> initializations)).isEqualTo(10);
        }
        try (ProcessPool same = ProcessPool.builder().processes(2).initializer(PoolParkingTest::initialize).build()) {
            assertThat(same.workerPids()).containsExactlyInAnyOrderElementsOf(kept);
            assertThat(same.map(x -> initializations, range(10))).as("run once in each worker").containsOnly(1);
        }
    }

    /** How many times the initializers ran in this JVM (a pool's worker). */
    private static int initializations;

    private static void initialize() {
        initializations++;
    }

    @Test
    void onlyAPoolOfTheSameConfigurationTakesThem() throws Exception {
        List<Long> kept;
        try (ProcessPool pool = new ProcessPool(2)) {
            kept = bothWorkersRun(pool);
        }
        try (ProcessPool one = new ProcessPool(1);
             ProcessPool otherOptions = ProcessPool.builder().processes(2).jvmArgs("-Dmp4j.test.other=1").build()) {
            assertThat(one.apply(PoolParkingTest::pid)).isNotIn(kept);
            assertThat(otherOptions.apply(PoolParkingTest::pid)).isNotIn(kept);
            assertThat(otherOptions.workerPids()).doesNotContainAnyElementsOf(kept);
        }
        try (ProcessPool same = new ProcessPool(2)) {
            assertThat(same.workerPids()).containsExactlyInAnyOrderElementsOf(kept);
        }
    }

    @Test
    void aKeptWorkerThatDiedIsNeverHandedOut() throws Exception {
        List<Long> kept;
        try (ProcessPool pool = new ProcessPool(2)) {
            kept = bothWorkersRun(pool);
        }
        ProcessHandle.of(kept.get(0)).orElseThrow().destroyForcibly();
        awaitEnded(List.of(kept.get(0)));
        try (ProcessPool next = new ProcessPool(2)) {
            assertThat(next.workerPids()).doesNotContainAnyElementsOf(kept); // the group is ended whole
            assertThat(next.map(x -> x * 2, range(100))).endsWith(198);
        }
        awaitEnded(List.of(kept.get(1)));
    }

    /**
     * Runs a task on each of the pool's two workers at once (they meet at a barrier), so both
     * have booted and idle once it returns.
     *
     * @return the two workers' pids
     */
    private List<Long> bothWorkersRun(ProcessPool pool) throws Exception {
        ProcessBarrier meet = shared.track(new ProcessBarrier(2));
        List<Future<Long>> runs = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            runs.add(pool.submit(() -> {
                meet.await();
                return pid();
            }));
        }
        List<Long> pids = new ArrayList<>();
        for (Future<Long> run : runs) {
            pids.add(run.get());
        }
        assertThat(pids).doesNotHaveDuplicates();
        return pids;
    }

    private static long pid() {
        return ProcessHandle.current().pid();
    }

    private static boolean isAlive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    private static void awaitEnded(List<Long> pids) {
        for (long pid : pids) {
            TestFiles.awaitCondition(() -> !isAlive(pid), WAIT, "the end of worker " + pid);
        }
    }

    private static List<Integer> range(int from, int to) {
        return IntStream.range(from, to).boxed().collect(Collectors.toList());
    }

    private static List<Integer> range(int to) {
        return range(0, to);
    }
}
