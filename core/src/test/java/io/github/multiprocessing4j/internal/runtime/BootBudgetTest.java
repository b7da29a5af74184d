package io.github.multiprocessing4j.internal.runtime;

import io.github.multiprocessing4j.ChildProcess;
import io.github.multiprocessing4j.ProcessEvent;
import io.github.multiprocessing4j.StartMethod;
import io.github.multiprocessing4j.testing.SharedObjects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which JVMs the boot budget counts as booting without a look at their record or marker: those
 * younger than three quarters of the shortest boot it has seen.
 */
class BootBudgetTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final Duration WAIT = Duration.ofSeconds(30);

    @RegisterExtension
    final SharedObjects shared = new SharedObjects();

    @Test
    void noJvmIsSurelyBootingBeforeABootHasBeenSeen() {
        BootBudget budget = new BootBudget(new ChildTable(), null);
        long now = System.nanoTime();

        assertThat(budget.surelyBooting(now, now)).isFalse();
        budget.bootSeen(0); // a child that ended before any look found it booted teaches nothing
        assertThat(budget.surelyBooting(now, now)).isFalse();
    }

    @Test
    void aJvmYoungerThanThreeQuartersOfTheShortestBootSeenIsSurelyBooting() {
        BootBudget budget = new BootBudget(new ChildTable(), null);
        long now = System.nanoTime();
        budget.bootSeen(80 * MS);

        assertThat(budget.surelyBooting(now - 10 * MS, now)).isTrue();
        assertThat(budget.surelyBooting(now - 59 * MS, now)).isTrue();
        assertThat(budget.surelyBooting(now - 61 * MS, now)).isFalse();

        budget.bootSeen(200 * MS); // a slower boot does not raise the bound
        assertThat(budget.surelyBooting(now - 61 * MS, now)).isFalse();
        budget.bootSeen(40 * MS); // a faster one lowers it
        assertThat(budget.surelyBooting(now - 29 * MS, now)).isTrue();
        assertThat(budget.surelyBooting(now - 31 * MS, now)).isFalse();
    }

    @Test
    void aBootedChildIsNotCountedAndTeachesTheBudgetHowLongItsBootTook() throws Exception {
        ProcessEvent booted = shared.track(new ProcessEvent());
        ProcessEvent release = shared.track(new ProcessEvent());
        ChildProcess child = ChildProcess.builder(() -> {
            booted.set();
            release.await();
        }).startMethod(StartMethod.COLD).build();
        long beforeStart = System.nanoTime();
        child.start();
        try {
            assertThat(booted.await(WAIT)).isTrue(); // its target runs: it has recorded itself
            long now = System.nanoTime();
            BootBudget budget = new BootBudget(new ChildTable(), null);

            assertThat(RuntimeContext.get().children().bootingCount(budget, now)).isZero();
            // learnt from the child: a JVM spawned just now boots for sure, one spawned before
            // this child's start may not
            assertThat(budget.surelyBooting(now, now)).isTrue();
            assertThat(budget.surelyBooting(beforeStart, now)).isFalse();
        } finally {
            release.set();
            child.join(WAIT);
        }
        assertThat(child.exitCode()).hasValue(0);
    }
}
