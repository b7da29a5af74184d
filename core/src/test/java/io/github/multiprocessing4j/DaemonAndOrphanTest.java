package io.github.multiprocessing4j;

import io.github.multiprocessing4j.testing.TestFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static io.github.multiprocessing4j.testing.TestFiles.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The lesson's chapters on daemons and orphans, with the cases CPython gets wrong: a daemon
 * outlives a SIGKILLed parent in CPython; here it does not.
 */
class DaemonAndOrphanTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    /** The rule is "within one second"; the bound leaves room for a loaded machine. */
    private static final Duration DAEMON_END_BOUND = Duration.ofSeconds(3);

    @TempDir
    Path dir;

    /** How the parent of a daemon ends. */
    enum ParentEnd { RETURNS, THROWS, CALLS_SYSTEM_EXIT, IS_TERMINATED, IS_KILLED }

    @ParameterizedTest
    @EnumSource(ParentEnd.class)
    void aDaemonEndsWithinASecondOfItsParentHoweverTheParentEnds(ParentEnd end) throws Exception {
        String daemonPidFile = dir.resolve("daemon.pid").toString();
        ChildProcess parent = new ChildProcess("parent", () -> {
            ChildProcess daemon = ChildProcess.builder(() -> {
                TestFiles.write(daemonPidFile, Long.toString(Multiprocessing.currentProcess().pid()));
                Thread.sleep(60_000);
            }).name("xiaobao").daemon(true).build();
            daemon.start();
            TestFiles.await(Path.of(daemonPidFile), Duration.ofSeconds(30));
            switch (end) {
                case THROWS:
                    throw new IllegalStateException("parent fails");
                case CALLS_SYSTEM_EXIT:
                    System.exit(5);
                    break;
                case IS_TERMINATED:
                case IS_KILLED:
                    Thread.sleep(60_000);
                    break;
                default:
                    break;
            }
        });
        parent.start();
        long daemonPid = Long.parseLong(await(Path.of(daemonPidFile), WAIT));
        if (end == ParentEnd.IS_TERMINATED || end == ParentEnd.IS_KILLED) {
            // the parent waits for its end: its daemon runs (a parent that ends by itself may be gone already, the daemon too)
            assertThat(ProcessHandle.of(daemonPid)).isPresent();
        }
        if (end == ParentEnd.IS_TERMINATED) {
            parent.terminate();
        } else if (end == ParentEnd.IS_KILLED) {
            parent.kill();
        }
        assertThat(parent.join(WAIT)).isTrue();
        TestFiles.awaitGone(daemonPid, DAEMON_END_BOUND);
        int expectedExit = end == ParentEnd.RETURNS ? 0 : end == ParentEnd.THROWS ? 1
                : end == ParentEnd.CALLS_SYSTEM_EXIT ? 5 : end == ParentEnd.IS_TERMINATED ? -15 : -9;
        assertThat(parent.exitCode()).hasValue(expectedExit);
    }

    @Test
    void aDaemonMayNotHaveChildren() throws Exception {
        String out = dir.resolve("refused").toString();
        ChildProcess daemon = ChildProcess.builder(() -> {
            try {
                new ChildProcess(() -> { }).start();
                TestFiles.write(out, "started a child");
            } catch (IllegalStateException e) {
                TestFiles.write(out, e.getMessage());
            }
        }).daemon(true).build();
        daemon.start();
        daemon.join();
        assertThat(Files.readString(Path.of(out))).isEqualTo("daemonic processes are not allowed to have children");
        assertThat(daemon.exitCode()).hasValue(0);
    }

    @Test
    void atNormalExitAJvmWaitsForItsNonDaemonChildren() throws Exception {
        String done = dir.resolve("done").toString();
        ChildProcess parent = new ChildProcess(() -> {
            new ChildProcess(() -> {
                Thread.sleep(700);
                TestFiles.write(done, "finished");
            }).start();
            // returns at once: the JVM must not end before its child
        });
        parent.start();
        parent.join();
        assertThat(Path.of(done)).hasContent("finished");
        assertThat(parent.exitCode()).hasValue(0);
    }

    /** Unlike CPython's {@code sys.exit()}, which joins non-daemonic children: documented in ChildProcess. */
    @Test
    void systemExitDoesNotWaitForANonDaemonChildWhichRunsOnAsAnOrphan() throws Exception {
        String pidFile = dir.resolve("orphan.pid").toString();
        String go = dir.resolve("go").toString();
        String done = dir.resolve("done").toString();
        ChildProcess parent = new ChildProcess("exiting-parent", () -> {
            new ChildProcess("orphan", orphan(pidFile, go, () -> TestFiles.write(done, "finished"))).start();
            TestFiles.await(Path.of(pidFile), WAIT);
            System.exit(7);
        });
        parent.start();
        long orphanPid = Long.parseLong(await(Path.of(pidFile), WAIT));
        try {
            assertThat(parent.join(WAIT)).as("System.exit ends the parent without waiting for its child").isTrue();
            assertThat(parent.exitCode()).hasValue(7);
            assertThat(ProcessHandle.of(orphanPid).map(ProcessHandle::isAlive)).hasValue(true);
            TestFiles.write(go, "go");
            assertThat(await(Path.of(done), WAIT)).isEqualTo("finished");
            TestFiles.awaitGone(orphanPid, WAIT);
        } finally {
            ProcessHandle.of(orphanPid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    @Test
    void aNonDaemonChildOfAKilledParentIsAnOrphanThatFinishesItsWork() throws Exception {
        String pidFile = dir.resolve("orphan.pid").toString();
        String go = dir.resolve("go").toString();
        String report = dir.resolve("report").toString();
        ChildProcess parent = new ChildProcess("doomed-parent", () -> {
            new ChildProcess("orphan", orphan(pidFile, go, () -> {
                ProcessInfo recorded = Multiprocessing.parentProcess().orElseThrow();
                long osParent = ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(-1L);
                TestFiles.write(report, recorded.pid() + " " + recorded.name() + " " + osParent + " "
                        + recorded.isAlive());
            })).start();
            Thread.sleep(60_000);
        });
        parent.start();
        long orphanPid = Long.parseLong(await(Path.of(pidFile), WAIT));
        try {
            parent.kill();
            parent.join();
            assertThat(parent.exitCode()).hasValue(-9);
            assertThat(ProcessHandle.of(orphanPid).map(ProcessHandle::isAlive)).hasValue(true);
            TestFiles.write(go, "go");
            String[] seen = await(Path.of(report), WAIT).split(" ");
            assertThat(seen[0]).isEqualTo(Long.toString(parent.pid()));
            assertThat(seen[1]).isEqualTo("doomed-parent");
            assertThat(seen[2]).isNotEqualTo(Long.toString(parent.pid()));
            assertThat(seen[3]).as("the orphan sees its parent is dead").isEqualTo("false");
            TestFiles.awaitGone(orphanPid, WAIT);
        } finally {
            ProcessHandle.of(orphanPid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    /**
     * The target of a child meant to outlive its parent: writes its pid to {@code pidFile}, waits
     * until the file {@code go} exists (the test's sign that its parent is gone), then runs {@code then}.
     */
    private static SerializableRunnable orphan(String pidFile, String go, SerializableRunnable then) {
        return () -> {
            TestFiles.write(pidFile, Long.toString(Multiprocessing.currentProcess().pid()));
            while (!Files.exists(Path.of(go))) {
                Thread.sleep(10);
            }
            then.runWithException();
        };
    }
}
