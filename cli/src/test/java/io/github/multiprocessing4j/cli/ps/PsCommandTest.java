package io.github.multiprocessing4j.cli.ps;

import io.github.multiprocessing4j.ChildProcess;
import io.github.multiprocessing4j.Multiprocessing;
import io.github.multiprocessing4j.cli.Mp4jRun;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code mp4j ps} against a real child of this test JVM. */
class PsCommandTest {
    private static final long MY_PID = ProcessHandle.current().pid();

    @Test
    void listsARunningChildIndentedUnderThisJvm() throws Exception {
        ChildProcess sleeper = ChildProcess.builder(() -> Thread.sleep(60_000)).name("ps-test-sleeper").daemon(true).build();
        sleeper.start();
        try {
            long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            while (Multiprocessing.processTable().stream().noneMatch(p -> p.pid() == sleeper.pid())) {
                assertThat(System.nanoTime() - deadline).as("the child's record to appear").isNegative();
                Thread.sleep(10);
            }

            Mp4jRun.Result all = Mp4jRun.inProcess("ps");
            Mp4jRun.Result mine = Mp4jRun.inProcess("ps", "--tree", Long.toString(MY_PID));

            assertThat(all.exitCode()).isZero();
            assertThat(all.out()).containsPattern("(?m)^\\s*" + MY_PID + "\\s+0\\s+MainProcess\\s+no\\s+running/\\w")
                    .containsPattern("(?m)^\\s*" + sleeper.pid() + "\\s+" + MY_PID
                            + "\\s+\\\\_ ps-test-sleeper\\s+yes\\s+running/[RS]\\s+\\d+s\\s+\\d+\\.\\d$");
            assertThat(mine.exitCode()).isZero();
            assertThat(mine.out().lines()).hasSize(3).first().asString().contains("PID", "PPID", "NAME", "DAEMON",
                    "STATE", "AGE", "RSS");
        } finally {
            sleeper.kill();
            sleeper.join();
        }
    }

    @Test
    void anUnknownTreeIsSaidSo() {
        Mp4jRun.Result result = Mp4jRun.inProcess("ps", "--tree", "mp4j-1-1");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.out()).isEqualTo("(no multiprocessing4j tree 'mp4j-1-1' running)" + System.lineSeparator());
    }
}
