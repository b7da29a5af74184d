package io.github.multiprocessing4j.internal.sync;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/** The pause of the wait loop: what it notices about the machine it runs on. */
class BackoffTest {

    @Test
    void aWaitWhoseYieldRunsAnotherThreadNotesThatTheMachineIsCrowded() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> spinners = new ArrayList<>();
        // One runnable thread more than there are CPUs: some CPU has one waiting beside the waiter.
        for (int i = 0; i <= Runtime.getRuntime().availableProcessors(); i++) {
            Thread spinner = new Thread(() -> {
                while (!stop.get()) {
                    Thread.onSpinWait();
                }
            }, "spinner-" + i);
            spinner.setDaemon(true);
            spinner.start();
            spinners.add(spinner);
        }
        try {
            boolean crowded = false;
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (!crowded && System.nanoTime() - deadline < 0) {
                Backoff backoff = new Backoff();
                long busyPhaseEnd = System.nanoTime() + 100_000;
                while (!crowded && System.nanoTime() - busyPhaseEnd < 0) {
                    backoff.pause(); // spins 20 µs, then yields: a yield that waits for a spinner is noted
                    crowded = Backoff.isCrowded(System.nanoTime());
                }
            }
            assertThat(crowded).as("a yield that let a spinner run marked the machine crowded").isTrue();
        } finally {
            stop.set(true);
            for (Thread spinner : spinners) {
                spinner.join();
            }
        }
    }

    @Test
    void aNudgeThatComesWhileTheWaitLooksIsNotLost() {
        long shortest = Long.MAX_VALUE;
        for (int attempt = 0; attempt < 3; attempt++) {
            Backoff backoff = new Backoff();
            long young = System.nanoTime() + 6_000_000; // past the busy phase, its pauses grown past a millisecond
            while (System.nanoTime() - young < 0) {
                backoff.pause();
            }
            Backoff.wakeAll(); // between two looks, as a nudge that comes while the wait looks its shared word
            long before = System.nanoTime();
            backoff.pause();
            shortest = Math.min(shortest, System.nanoTime() - before);
        }
        // Lost, the nudge would leave the wait to its next pause of a millisecond or more.
        assertThat(shortest).as("the pause after the nudge, ns").isLessThan(500_000L);
    }
}
