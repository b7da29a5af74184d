package io.github.multiprocessing4j.cli.ps;

import io.github.multiprocessing4j.ChildProcess;
import io.github.multiprocessing4j.Multiprocessing;
import io.github.multiprocessing4j.StartMethod;
import io.github.multiprocessing4j.cli.Mp4jRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code mp4j ps} against real children of this test JVM, and a real tree of another one. */
class PsCommandTest {
    private static final long MY_PID = ProcessHandle.current().pid();
    private static final long MY_PARENT = ProcessHandle.current().parent().orElseThrow().pid();
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() - deadline).as(what).isNegative();
            Thread.sleep(10);
        }
    }

    private static boolean listed(long pid, String state) {
        return Multiprocessing.processTable().stream().anyMatch(p -> p.pid() == pid && p.state().equals(state));
    }

    @Test
    void listsARunningChildIndentedUnderThisJvmWhoseParentIsItsLauncher() throws Exception {
        ChildProcess sleeper = ChildProcess.builder(() -> Thread.sleep(60_000)).name("ps-test-sleeper").daemon(true).build();
        sleeper.start();
        try {
            await(() -> listed(sleeper.pid(), "running"), "the child's record to appear");

            Mp4jRun.Result all = Mp4jRun.inProcess("ps");
            Mp4jRun.Result mine = Mp4jRun.inProcess("ps", "--tree", Long.toString(MY_PID));
            Mp4jRun.Result json = Mp4jRun.inProcess("ps", "--tree", Long.toString(MY_PID), "--json");

            assertThat(all.exitCode()).isZero();
            assertThat(all.out()).containsPattern("(?m)^\\s*" + MY_PID + "\\s+" + MY_PARENT + "\\s+MainProcess\\s+no\\s+running/\\w")
                    .containsPattern("(?m)^\\s*" + sleeper.pid() + "\\s+" + MY_PID
                            + "\\s+\\\\_ ps-test-sleeper\\s+yes\\s+running/[RS]\\s+\\d+s\\s+\\d+\\.\\d$");
            assertThat(mine.exitCode()).isZero();
            assertThat(mine.out().lines()).hasSize(3).first().asString().contains("PID", "PPID", "NAME", "DAEMON",
                    "STATE", "AGE", "RSS");
            assertThat(json.exitCode()).isZero();
            assertThat(json.out().lines()).singleElement().asString()
                    .startsWith("{\"schema\":\"mp4j-ps/1\",\"time\":\"")
                    .contains("\"processes\":[{\"pid\":" + MY_PID + ",\"ppid\":" + MY_PARENT + ",\"name\":\"MainProcess\","
                            + "\"state\":\"running\"")
                    .contains("\"children\":[{\"pid\":" + sleeper.pid() + ",\"ppid\":" + MY_PID
                            + ",\"name\":\"ps-test-sleeper\",\"state\":\"running\"")
                    .containsPattern("\"daemon\":true,\"startMethod\":\"(warm|cold)\",\"startedAt\":\"[-0-9T:.]+Z\","
                            + "\"rssBytes\":\\d+,\"orphan\":false,\"children\":\\[]}");
        } finally {
            sleeper.kill();
            sleeper.join();
        }
    }

    /** The child's JVM is held at its start by -XX:+PauseAtStartup until its pause file is deleted. */
    @Test
    void aChildWhoseJvmIsStillBootingIsListedAsBooting() throws Exception {
        Path pauseFile = dir.resolve("pause");
        ChildProcess paused = ChildProcess.builder(() -> Thread.sleep(60_000)).name("ps-test-booting").daemon(true)
                .startMethod(StartMethod.COLD)
                .jvmArgs("-XX:+UnlockDiagnosticVMOptions", "-XX:+PauseAtStartup", "-XX:PauseAtStartupFile=" + pauseFile)
                .build();
        paused.start();
        try {
            await(() -> Files.exists(pauseFile) && listed(paused.pid(), "booting"), "the booting child's row");

            Mp4jRun.Result table = Mp4jRun.inProcess("ps", "--tree", Long.toString(MY_PID));
            Mp4jRun.Result json = Mp4jRun.inProcess("ps", "--tree", Long.toString(MY_PID), "--json");

            assertThat(table.out()).containsPattern("(?m)^\\s*" + paused.pid() + "\\s+" + MY_PID
                    + "\\s+\\\\_ ps-test-booting\\s+yes\\s+booting/\\w\\s");
            assertThat(json.out()).contains("{\"pid\":" + paused.pid() + ",\"ppid\":" + MY_PID
                    + ",\"name\":\"ps-test-booting\",\"state\":\"booting\"").contains("\"startMethod\":\"cold\"");
        } finally {
            Files.deleteIfExists(pauseFile);
            paused.kill();
            paused.join();
        }
    }

    @Test
    void anUnknownTreeIsSaidSo() {
        Mp4jRun.Result result = Mp4jRun.inProcess("ps", "--tree", "mp4j-1-1");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.out()).isEqualTo("(no multiprocessing4j tree 'mp4j-1-1' running)" + System.lineSeparator());
    }

    @Test
    void watchWithACountShowsThatManyTablesABlankLineBetweenThemWhenNotOnATerminal() {
        Mp4jRun.Result result = Mp4jRun.inProcess("ps", "--tree", "mp4j-1-1", "--watch", "0.1", "--count", "3");

        assertThat(result.exitCode()).as("the last look's: no such tree").isEqualTo(1);
        assertThat(result.out()).doesNotContain("\033");
        List<String> lines = result.out().lines().toList();
        assertThat(lines).hasSize(9);
        for (int i = 0; i < 3; i++) {
            assertThat(lines.get(3 * i)).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ \\(every 0\\.1 s, " + (i + 1)
                    + " of 3\\)");
            assertThat(lines.get(3 * i + 1)).isEqualTo("(no multiprocessing4j tree 'mp4j-1-1' running)");
            assertThat(lines.get(3 * i + 2)).isEmpty();
        }
    }

    @Test
    void watchWithJsonPrintsOneObjectPerLine() {
        Mp4jRun.Result result = Mp4jRun.inProcess("ps", "--tree", "mp4j-1-1", "--watch", "0.1", "--count", "2", "--json");

        assertThat(result.out().lines()).hasSize(2).allSatisfy(line -> assertThat(line)
                .matches("\\{\"schema\":\"mp4j-ps/1\",\"time\":\"[-0-9T:.]+Z\",\"trees\":\\[]}"));
    }

    @Test
    void watchingATreeShowsItLiveAndEndsWhenTheTreeHasEnded() throws Exception {
        try (Mp4jRun.Running lesson = Mp4jRun.start("lesson", "tickets", "--buyers", "1", "--delay-ms", "1500..1500")) {
            long root = lesson.process().pid();

            Mp4jRun.Result watch = Mp4jRun.inProcess("ps", "--tree", Long.toString(root), "--watch", "0.2");

            assertThat(watch.exitCode()).isZero();
            assertThat(watch.out()).containsPattern("(?m)^\\s*" + root + "\\s+\\d+\\s+MainProcess\\s")
                    .containsPattern("(?m)^\\s*\\d+\\s+" + root + "\\s+\\\\_ buyer-1\\s+no\\s+running/")
                    .endsWith("(no multiprocessing4j tree '" + root + "' running)" + System.lineSeparator()
                            + System.lineSeparator());
            assertThat(lesson.awaitExit(WAIT)).as("the lesson's exit code; it printed:%n%s", lesson.output()).isZero();
        }
    }
}
