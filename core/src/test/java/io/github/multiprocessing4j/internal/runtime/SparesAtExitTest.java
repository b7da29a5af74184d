package io.github.multiprocessing4j.internal.runtime;

import io.github.multiprocessing4j.ChildProcess;
import io.github.multiprocessing4j.Multiprocessing;
import io.github.multiprocessing4j.internal.launch.ChildMain;
import io.github.multiprocessing4j.internal.os.Platform;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a JVM's exit does with its spares ({@link Spares#stopAtExit}): none may outlive the exit
 * hook, since HotSpot's exit would wait up to 300 ms for each one's reaper thread, and a spare
 * still booting reads its lifeline's end only once booted.
 */
class SparesAtExitTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @AfterEach
    void discardSpares() {
        Multiprocessing.discardSpares();
    }

    @Test
    void theExitHookLeavesNoSpareAliveNotEvenOneStillBooting() throws Exception {
        // A first child and its exit settle this class path's class-data archive: the spares after
        // it do not dump one (the hook would wait for such a spare rather than kill it).
        ChildProcess first = new ChildProcess(() -> { });
        first.start();
        assertThat(first.join(WAIT)).isTrue();
        Multiprocessing.discardSpares();
        Spares spares = RuntimeContext.get().spares();

        Multiprocessing.prestart(2);
        Set<Long> pids = awaitSpawned(spares, 2);
        boolean anyBooting = pids.stream().anyMatch(pid -> !Files.exists(ChildMain.spareReadyMarker(pid)));

        spares.stopAtExit();

        for (long pid : pids) {
            assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).as("spare " + pid + " after the hook").isEmpty();
            assertThat(ChildMain.spareReadyMarker(pid)).doesNotExist();
            try (Stream<Path> files = Files.list(Platform.sharedMemoryRoot())) {
                assertThat(files.map(f -> f.getFileName().toString())).noneMatch(name -> name.startsWith("mp4j-" + pid + "-"));
            }
        }
        System.out.println("spares at the hook: " + pids + (anyBooting ? ", one at least still booting" : ", all prepared"));
    }

    private static Set<Long> awaitSpawned(Spares spares, int count) throws InterruptedException, IOException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (spares.readyPids().size() < count) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("spares spawned: " + spares.readyPids() + ", not " + count + " within " + WAIT);
            }
            TimeUnit.MILLISECONDS.sleep(1);
        }
        return spares.readyPids();
    }
}
