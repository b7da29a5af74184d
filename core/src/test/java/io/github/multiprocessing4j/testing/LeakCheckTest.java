package io.github.multiprocessing4j.testing;

import io.github.multiprocessing4j.ChildProcess;
import io.github.multiprocessing4j.SharedMemory;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/**
 * The leak check itself can fail: a class that leaves a child running, a named shared memory
 * block, or a temporary directory of the test JVM's, is reported, and cleaned up.
 */
class LeakCheckTest {

    @Test
    void aTestClassThatLeavesAChildRunningFailsAndTheChildIsKilled() {
        Throwable failure = theOneFailureOf(Leaky.class);
        assertThat(failure).hasMessageContaining("leaked").hasMessageContaining("process " + Leaky.pid);
        assertThat(ProcessHandle.of(Leaky.pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    }

    @Test
    void aTestClassThatLeavesANamedBlockFailsAndTheBlockIsUnlinked() {
        Throwable failure = theOneFailureOf(LeakyNamed.class);
        assertThat(failure).hasMessageContaining("leaked").hasMessageContaining("mp4j-named-" + LeakyNamed.NAME);
        assertThatThrownBy(() -> SharedMemory.attachNamed(LeakyNamed.NAME)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aTestClassThatLeavesATemporaryDirectoryFailsAndTheDirectoryIsDeleted() {
        Throwable failure = theOneFailureOf(LeakyTemp.class);
        assertThat(failure).hasMessageContaining("leaked").hasMessageContaining(LeakyTemp.left.toString());
        assertThat(LeakyTemp.left).doesNotExist();
    }

    /** Runs {@code testClass} with LeakCheck, as the build does, and returns the one failure it must end with. */
    private static Throwable theOneFailureOf(Class<?> testClass) {
        Events events = EngineTestKit.engine("junit-jupiter")
                .configurationParameter("junit.jupiter.extensions.autodetection.enabled", "true")
                .selectors(selectClass(testClass))
                .execute()
                .containerEvents();

        assertThat(events.failed().count()).isEqualTo(1);
        return events.failed().stream().findFirst().orElseThrow()
                .getPayload(org.junit.platform.engine.TestExecutionResult.class).orElseThrow()
                .getThrowable().orElseThrow();
    }

    /** Run only by the test above, through the test kit; makes a temporary directory with a file and never deletes it. */
    static class LeakyTemp {
        static volatile java.nio.file.Path left;

        @Test
        void leaves() throws java.io.IOException {
            left = TestFiles.tempDirectory("leaky");
            java.nio.file.Files.writeString(left.resolve("data"), "left behind");
        }
    }

    /** Run only by the test above, through the test kit; creates a named block and never unlinks it. */
    static class LeakyNamed {
        static final String NAME = "leaky-" + ProcessHandle.current().pid();

        @Test
        void leaves() {
            SharedMemory.createNamed(NAME, 8).close();
        }
    }

    /** Run only by the test above, through the test kit; starts a child and never ends it. */
    static class Leaky {
        static volatile long pid;

        @Test
        void leaves() {
            ChildProcess p = new ChildProcess(() -> Thread.sleep(120_000));
            p.start();
            pid = p.pid();
        }
    }
}
