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
 * When the boot budget looks at whether a JVM has booted (its record or marker): not while it is
 * younger than three quarters of the shortest boot the budget has seen, then no sooner after a
 * look than a sixteenth of the JVM's age at that look (a quarter before any boot has been seen).
 */
class BootBudgetTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final Duration WAIT = Duration.ofSeconds(30);

    @RegisterExtension
    final SharedObjects shared = new SharedObjects();

    @Test
    void beforeABootHasBeenSeenAJvmNeverLookedAtIsLookedAtAtOnce() {
        BootBudget budget = new BootBudget(new ChildTable(), null);
        long now = System.nanoTime();

        assertThat(budget.lookDue(now, 0, now)).isTrue();
        budget.bootSeen(0); // a child that ended before any look found it booted teaches nothing
        assertThat(budget.lookDue(now, 0, now)).isTrue();
    }

    @Test
    void aJvmYoungerThanThreeQuartersOfTheShortestBootSeenIsNotLookedAt() {
        BootBudget budget = new BootBudget(new ChildTable(), null);
        long now = System.nanoTime();
        budget.bootSeen(80 * MS);

        assertThat(budget.lookDue(now - 10 * MS, 0, now)).isFalse();
        assertThat(budget.lookDue(now - 59 * MS, 0, now)).isFalse();
        assertThat(budget.lookDue(now - 61 * MS, 0, now)).isTrue();

        budget.bootSeen(200 * MS); // a slower boot does not raise the bound
        assertThat(budget.lookDue(now - 61 * MS, 0, now)).isTrue();
        budget.bootSeen(40 * MS); // a faster one lowers it
        assertThat(budget.lookDue(now - 29 * MS, 0, now)).isFalse();
        assertThat(budget.lookDue(now - 31 * MS, 0, now)).isTrue();
    }

    @Test
    void beforeABootHasBeenSeenALookComesAQuarterOfTheJvmsAgeAfterTheLastOne() {
        BootBudget budget = new BootBudget(new ChildTable(), null);
        long spawnedAt = System.nanoTime();
        long lookedAt = spawnedAt + 160 * MS;

        assertThat(budget.lookDue(spawnedAt, lookedAt, lookedAt + 39 * MS)).isFalse();
        assertThat(budget.lookDue(spawnedAt, lookedAt, lookedAt + 40 * MS)).isTrue();
        // a young JVM: as often as the spares' thread looks
        assertThat(budget.lookDue(spawnedAt, spawnedAt + 8 * MS, spawnedAt + 10 * MS)).isTrue();
    }

    @Test
    void onceABootHasBeenSeenALookComesASixteenthOfTheJvmsAgeAfterTheLastOne() {
        BootBudget budget = new BootBudget(new ChildTable(), null);
        budget.bootSeen(20 * MS);
        long spawnedAt = System.nanoTime();
        long lookedAt = spawnedAt + 160 * MS;

        assertThat(budget.lookDue(spawnedAt, lookedAt, lookedAt + 9 * MS)).isFalse();
        assertThat(budget.lookDue(spawnedAt, lookedAt, lookedAt + 10 * MS)).isTrue();
        assertThat(budget.lookDue(spawnedAt, spawnedAt + 16 * MS, spawnedAt + 17 * MS)).isTrue();
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
            BootBudget budget = new BootBudget(new ChildTable(), null);
            // counted as booting no longer than until the next look is due (the spares' thread
            // of this JVM may have looked at the child a moment before it booted)
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (RuntimeContext.get().children().bootingCount(budget, System.nanoTime()) != 0
                    && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            long now = System.nanoTime();

            assertThat(RuntimeContext.get().children().bootingCount(budget, now)).isZero();
            // learnt from the child: a JVM spawned just now is not worth a look, one spawned
            // before this child's start is
            assertThat(budget.lookDue(now, 0, now)).isFalse();
            assertThat(budget.lookDue(beforeStart, 0, now)).isTrue();
        } finally {
            release.set();
            child.join(WAIT);
        }
        assertThat(child.exitCode()).hasValue(0);
    }
}
