package io.github.multiprocessing4j;

import io.github.multiprocessing4j.internal.sync.Wait;
import io.github.multiprocessing4j.testing.SharedObjects;
import io.github.multiprocessing4j.testing.TestFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A byte the parent writes down a child's lifeline ({@link ChildProcess#wake}, which a pool uses
 * for a worker that idled) cuts short the child's long waits: a wait parked for over half a
 * second looks every 20 ms; woken, it looks at once and pauses as a young wait (20 µs, doubling
 * up to 2 ms), dozens of looks where there were a few. Counted, not timed: the child counts its
 * looks in shared memory.
 */
class LifelineNudgeTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int LOOKS = 0;
    private static final int DONE = 1;

    @RegisterExtension
    final SharedObjects objects = new SharedObjects();

    @Test
    void aByteDownTheLifelineCutsShortTheChildsLongWait() throws Exception {
        SharedLongArray shared = objects.track(new SharedLongArray(2));
        ChildProcess child = new ChildProcess(() -> Wait.uninterruptibly(WAIT.toNanos(), () -> {
            shared.set(LOOKS, shared.get(LOOKS) + 1);
            return shared.get(DONE) == 1;
        }, null));
        child.start();
        try {
            TestFiles.awaitCondition(() -> shared.get(LOOKS) > 0, WAIT, "the child's first look");
            Thread.sleep(900); // past the young pauses: half a second parked
            long parkedLong = looksIn(shared, 200);
            child.wake();
            long woken = looksIn(shared, 200);
            assertThat(parkedLong).as("a wait parked long: a look every 20 ms").isBetween(1L, 15L);
            assertThat(woken).as("woken, it pauses briefly again").isGreaterThan(40L);
        } finally {
            shared.set(DONE, 1);
            assertThat(child.join(WAIT)).isTrue();
        }
        assertThat(child.exitCode()).hasValue(0);
    }

    /** @return how many looks the child made in the next {@code millis} */
    private static long looksIn(SharedLongArray shared, long millis) throws InterruptedException {
        long before = shared.get(LOOKS);
        Thread.sleep(millis);
        return shared.get(LOOKS) - before;
    }
}
