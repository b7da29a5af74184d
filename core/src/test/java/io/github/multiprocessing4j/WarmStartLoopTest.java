package io.github.multiprocessing4j;

import io.github.multiprocessing4j.internal.runtime.RuntimeContext;
import io.github.multiprocessing4j.testing.SharedObjects;
import io.github.multiprocessing4j.testing.TestFiles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Starts as programs make them: a program's first start after {@link Multiprocessing#prestart},
 * a start/join loop that never waits for spares, many children started at once. These catch
 * hangs and wrong children, not speed (the machine the suite runs on may be loaded).
 */
class WarmStartLoopTest {
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final int CHILDREN = 24;

    @RegisterExtension
    final SharedObjects shared = new SharedObjects();

    @BeforeEach
    @AfterEach
    void noSpares() {
        Multiprocessing.discardSpares();
    }

    @Test
    void aPrestartedSpareTakesTheProgramsFirstStart() throws Exception {
        Multiprocessing.prestart(1);
        TestFiles.awaitCondition(() -> RuntimeContext.get().spares().readyCount() == 1, WAIT, "a prestarted spare");
        Set<Long> spares = RuntimeContext.get().spares().readyPids();

        ProcessQueue<String> said = shared.track(new ProcessQueue<>());
        ChildProcess first = ChildProcess.builder(() -> said.put(Multiprocessing.currentProcess().name()))
                .name("first").startMethod(StartMethod.WARM).build();
        first.start();
        assertThat(said.get(WAIT)).isEqualTo("first");
        assertThat(first.join(WAIT)).isTrue();
        assertThat(first.exitCode()).hasValue(0);
        assertThat(spares).as("the first start took the prestarted spare").containsExactly(first.pid());
        TestFiles.awaitCondition(() -> RuntimeContext.get().spares().readyCount() >= 1, WAIT,
                "the prestarted spare replaced");
    }

    @Test
    void aPoolThatTakesPrestartedSparesHasThemReplaced() throws Exception {
        Multiprocessing.prestart(1);
        TestFiles.awaitCondition(() -> RuntimeContext.get().spares().readyCount() == 1, WAIT, "a prestarted spare");
        Set<Long> spares = RuntimeContext.get().spares().readyPids();
        // A pool's workers ask for no spares of their own, but the count the program fixed stays.
        try (ProcessPool pool = ProcessPool.builder().processes(1).startMethod(StartMethod.WARM).build()) {
            assertThat(pool.apply(() -> 7)).isEqualTo(7);
            assertThat(pool.workerPids()).as("the worker took the prestarted spare").containsExactlyElementsOf(spares);
            TestFiles.awaitCondition(() -> RuntimeContext.get().spares().readyCount() == 1, WAIT,
                    "the prestarted spare replaced while the pool runs");
        }
    }

    @Test
    void prestartRejectsANegativeCountAndZeroBootsNothing() {
        assertThatThrownBy(() -> Multiprocessing.prestart(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-1");
        Multiprocessing.prestart(0);
        assertThat(RuntimeContext.get().spares().readyCount()).isZero();
    }

    /** Nothing waits for spares between rounds: each start finds the spare booted for it still booting, or none. */
    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void aStartJoinLoopOfTwentyRoundsRunsEveryChildOnceAndLeavesNoProcess() throws Exception {
        List<Long> pids = new ArrayList<>();
        for (int round = 0; round < 20; round++) {
            ProcessQueue<Integer> got = shared.track(new ProcessQueue<>());
            int expected = round;
            ChildProcess child = ChildProcess.builder(() -> got.put(expected)).startMethod(StartMethod.WARM).build();
            child.start();
            assertThat(got.get(WAIT)).isEqualTo(round);
            assertThat(child.join(WAIT)).as("round %d joined", round).isTrue();
            assertThat(child.exitCode()).hasValue(0);
            pids.add(child.pid());
        }
        assertThat(pids).doesNotHaveDuplicates();
        assertThat(Multiprocessing.activeChildren()).isEmpty();
    }

    /**
     * A spare taken the moment it is spawned gets its message before its {@code main} begins, and
     * becomes the child without preparing (as a cold child does); one taken later has prepared.
     * Either way it is the child named, and {@code terminate()} ends it by the signal.
     */
    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void aSpareTakenWhileItsJvmBootsBecomesTheChildAndEndsBySignalWhenTerminated() throws Exception {
        ProcessQueue<String> said = shared.track(new ProcessQueue<>());
        ChildProcess first = ChildProcess.builder(() -> said.put("first")).startMethod(StartMethod.WARM).build();
        first.start(); // asks for a spare
        assertThat(said.get(WAIT)).isEqualTo("first");
        assertThat(first.join(WAIT)).isTrue();
        TestFiles.awaitCondition(() -> RuntimeContext.get().spares().readyCount() == 1, WAIT, "a spare spawned");
        Set<Long> spawned = RuntimeContext.get().spares().readyPids();

        ChildProcess second = ChildProcess.builder(() -> {
            said.put(Multiprocessing.currentProcess().name());
            Thread.sleep(120_000);
        }).name("second").startMethod(StartMethod.WARM).build();
        second.start();
        assertThat(said.get(WAIT)).isEqualTo("second");
        second.terminate();
        assertThat(second.join(WAIT)).isTrue();
        assertThat(spawned).as("the spare spawned for it").containsExactly(second.pid());
        assertThat(second.exitCode()).hasValue(-15);
        assertThat(second.failure()).isEmpty();
    }

    /**
     * More children than processors at once, spares booting beside them: every one runs and is joined.
     * Twenty-four, not the benchmark's 200: on a loaded machine each boot can take seconds.
     */
    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void manyChildrenStartedTogetherAllRunAndJoin() throws Exception {
        ProcessQueue<Integer> got = shared.track(new ProcessQueue<>());
        List<ChildProcess> children = new ArrayList<>();
        for (int i = 0; i < CHILDREN; i++) {
            int n = i;
            ChildProcess child = ChildProcess.builder(() -> got.put(n)).startMethod(StartMethod.WARM).build();
            child.start();
            children.add(child);
        }
        List<Integer> values = new ArrayList<>();
        for (int i = 0; i < CHILDREN; i++) {
            values.add(got.get(WAIT));
        }
        for (ChildProcess child : children) {
            assertThat(child.join(WAIT)).isTrue();
            assertThat(child.exitCode()).hasValue(0);
        }
        assertThat(values).containsExactlyInAnyOrderElementsOf(java.util.stream.IntStream.range(0, CHILDREN).boxed().toList());
        assertThat(Multiprocessing.activeChildren()).isEmpty();
    }
}
