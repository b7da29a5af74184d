package io.github.multiprocessing4j;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A pool that idled runs its next task at once: its worker, whose wait for a chunk polls every
 * 20 ms after half a second, is nudged down its lifeline when the chunk comes, and so runs it
 * within a millisecond or so where it took 0-20 ms. Each round idles past the worker's young
 * pauses; without the nudge, four rounds all start within the bound below one time in sixteen.
 */
class ProcessPoolIdleTest {
    private static final long IDLE_MILLIS = 700;
    /** Half the poll's period: generous for a nudge, which takes a fraction of a millisecond. */
    private static final long BOUND_NANOS = 10_000_000;

    @Test
    void aTaskGivenToAPoolThatIdledStartsAtOnce() throws Exception {
        List<Long> delays = new ArrayList<>();
        try (ProcessPool pool = new ProcessPool(1)) {
            pool.apply(System::nanoTime); // booted and ready
            for (int round = 0; round < 4; round++) {
                Thread.sleep(IDLE_MILLIS);
                long submitted = System.nanoTime();
                long started = pool.apply(System::nanoTime); // one clock for every process of the machine
                delays.add(started - submitted);
            }
        }
        assertThat(delays).as("from the call to the task's first line, ns").allSatisfy(
                delay -> assertThat(delay).isLessThan(BOUND_NANOS));
    }
}
