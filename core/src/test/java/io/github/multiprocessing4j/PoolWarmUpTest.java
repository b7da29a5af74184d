package io.github.multiprocessing4j;

import io.github.multiprocessing4j.internal.process.ProcessContext;
import io.github.multiprocessing4j.internal.registry.LocalTreeRegistry;
import io.github.multiprocessing4j.internal.shm.SharedSegment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link PoolWarmUp}: a pool used every so often has its process and each of its workers run the
 * pool exercise once; a pool used back to back does not, nor one whose process turned it off.
 * Each case in a child of its own (the warm-up is once per JVM), whose pool's workers are its
 * children; the child says whether its own warm-up and each worker's ran to their end. A process
 * killed during its warm-up leaves none of the exercise's segments once reaped.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PoolWarmUpTest {
    /** Tasks 25 ms apart, each an idle task (the pool held nothing meanwhile): the third warms up. */
    private static final int TASKS_EVERY_SO_OFTEN = 4;

    @Test
    void aPoolUsedEverySoOftenWarmsUpInItsProcessAndInEachWorker() throws Exception {
        assertThat(whatTheChildSays(TASKS_EVERY_SO_OFTEN, 25))
                .isEqualTo("pool's process warmed up: true, workers warmed up: [true, true]");
    }

    @Test
    void aPoolUsedBackToBackDoesNotWarmUp() throws Exception {
        assertThat(whatTheChildSays(200, 0))
                .isEqualTo("pool's process warmed up: false, workers warmed up: [false, false]");
    }

    @Test
    void aProcessThatTurnedItOffDoesNotWarmUpNorAskItsWorkers() throws Exception {
        assertThat(whatTheChildSays(TASKS_EVERY_SO_OFTEN, 25, "-D" + IdleFeedWarmUp.ENABLED_PROPERTY + "=false"))
                .isEqualTo("pool's process warmed up: false, workers warmed up: [false, false]");
    }

    @Test
    void aProcessKilledDuringItsWarmUpLeavesNoneOfItsSegmentsOnceReaped() throws Exception {
        ProcessQueue<Integer> keepsTheTree = new ProcessQueue<>(); // an idle tree is released whole
        try {
            Path tree = ((LocalTreeRegistry) ProcessContext.current().registry()).directory();
            killDuringItsWarmUp(tree);
        } finally {
            keepsTheTree.unlink();
        }
    }

    private static void killDuringItsWarmUp(Path tree) throws Exception {
        ChildProcess child = ChildProcess.builder(() -> {
            PoolWarmUp.start();
            Thread.sleep(TimeUnit.MINUTES.toMillis(1));
        }).startMethod(StartMethod.COLD).build();
        child.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (scratchSegmentsOf(tree, child.pid()).isEmpty()) {
            assertThat(System.nanoTime() - deadline).as("the child's warm-up made no segment").isNegative();
            Thread.sleep(2);
        }
        child.kill(); // in the middle of the exercise: its pool's channels are there
        child.join();
        assertThat(Multiprocessing.activeChildren()).doesNotContain(child); // reaped
        assertThat(scratchSegmentsOf(tree, child.pid())).isEmpty();
    }

    /** The scratch segments ({@code seg-scratchKIND-PID-...}) of process {@code pid} in the tree's directory. */
    private static List<String> scratchSegmentsOf(Path tree, long pid) throws Exception {
        try (Stream<Path> files = Files.list(tree)) {
            return files.map(f -> f.getFileName().toString())
                    .filter(n -> n.startsWith("seg-" + SharedSegment.SCRATCH_KIND) && n.contains("-" + pid + "-"))
                    .toList();
        }
    }

    /**
     * A child makes a pool of two, maps over a few ints, applies {@code tasks} tasks
     * {@code gapMillis} apart, then asks each worker at once (two tasks that wait for each
     * other's start, so that each worker runs one) whether its warm-up ran.
     */
    private static String whatTheChildSays(int tasks, long gapMillis, String... jvmArgs) throws Exception {
        ProcessQueue<String> said = new ProcessQueue<>();
        try {
            ChildProcess child = ChildProcess.builder(() -> {
                ProcessBarrier bothWorkers = new ProcessBarrier(2);
                try (ProcessPool pool = new ProcessPool(2)) {
                    pool.map(x -> x * x, IntStream.range(0, 100).boxed().toList());
                    for (int i = 0; i < tasks; i++) {
                        if (gapMillis > 0) {
                            Thread.sleep(gapMillis);
                        }
                        pool.apply(x -> x + 1, i);
                    }
                    Thread.sleep(200); // the collector starts the warm-up once the caller has its answer
                    boolean processWarmedUp = ranToItsEnd();
                    List<Future<Boolean>> asked = new ArrayList<>();
                    for (int w = 0; w < 2; w++) {
                        asked.add(pool.submit(() -> {
                            bothWorkers.await(); // each worker holds one of the two
                            return ranToItsEnd();
                        }));
                    }
                    List<Boolean> workers = new ArrayList<>();
                    for (Future<Boolean> answer : asked) {
                        workers.add(answer.get());
                    }
                    said.put("pool's process warmed up: " + processWarmedUp + ", workers warmed up: " + workers);
                } finally {
                    bothWorkers.unlink();
                }
            }).startMethod(StartMethod.COLD).jvmArgs(jvmArgs).build();
            child.start();
            child.join();
            assertThat(child.exitCode()).hasValue(0);
            return said.get();
        } finally {
            said.unlink();
        }
    }

    /** In the child or a worker: whether its warm-up started and ran all its rounds. */
    private static boolean ranToItsEnd() throws InterruptedException {
        Thread warmUp = PoolWarmUp.thread();
        if (warmUp == null) {
            return false;
        }
        warmUp.join(TimeUnit.SECONDS.toMillis(60));
        return !warmUp.isAlive() && PoolWarmUp.finished();
    }
}
