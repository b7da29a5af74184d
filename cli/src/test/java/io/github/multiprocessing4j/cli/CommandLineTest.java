package io.github.multiprocessing4j.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/** The command line's shape: help everywhere, and one clear line for every usage mistake. */
class CommandLineTest {
    @ParameterizedTest
    @ValueSource(strings = {"", "help", "tour", "ps", "lesson", "lesson list", "lesson tickets", "lesson queue",
            "lesson ipc", "lesson producer-consumer", "lesson pool", "bench", "worker"})
    void everyCommandHasHelp(String command) {
        String[] args = (command + " --help").strip().split(" ");

        Mp4jRun.Result result = Mp4jRun.inProcess(args);

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).startsWith(("Usage: mp4j " + command).strip() + " ");
        assertThat(result.err()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"tour --bogus", "tour --chapter nope", "tour extra", "ps --tree", "ps --nope", "nope", "lesson",
            "lesson nope", "lesson tickets --buyers 0", "lesson tickets --buyers -3", "lesson tickets --buyers 101",
            "lesson tickets --buyers ten", "lesson tickets --tickets -1", "lesson tickets --delay-ms -5",
            "lesson tickets --delay-ms 300..100", "lesson tickets --delay-ms 1..2..3", "lesson tickets --delay-ms fast",
            "lesson tickets --delay-ms ..", "lesson tickets --delay-ms 99999999999", "lesson tickets --delay-ms 0..10001", "lesson tickets --no-lock extra", "lesson queue --timeout-ms -1",
            "lesson queue --timeout-ms 10001", "lesson queue --timeout-ms soon", "lesson queue --timeout-ms",
            "lesson queue extra", "lesson queue --items 3", "lesson ipc extra", "lesson ipc --items 3",
            "lesson producer-consumer --producers 0", "lesson producer-consumer --producers 21",
            "lesson producer-consumer --consumers 0", "lesson producer-consumer --consumers 21",
            "lesson producer-consumer --items -1", "lesson producer-consumer --items 1001",
            "lesson producer-consumer --items many", "lesson producer-consumer --delay-ms -1",
            "lesson producer-consumer --delay-ms 10001", "lesson producer-consumer --sentinel --joinable",
            "lesson producer-consumer --joinable --sentinel", "lesson producer-consumer --sentinel extra",
            "lesson producer-consumer --buyers 3", "lesson pool --items 0", "lesson pool --items -5",
            "lesson pool --items 10000001", "lesson pool --items many", "lesson pool --items", "lesson pool --processes 0",
            "lesson pool --processes 65", "lesson pool --processes two", "lesson pool --chunk-size 0",
            "lesson pool --chunk-size -1", "lesson pool --work -1", "lesson pool --work 1000001", "lesson pool extra",
            "lesson pool --sentinel", "worker --nope", "worker --redis redis://h --processes 0",
            "worker --redis redis://h --processes two", "worker --redis redis://h extra", "ps --watch 0", "ps --watch soon",
            "ps --forget-lost", "ps --count 3", "ps --watch 1 --count 0", "ps --watch 1 --count x", "ps --json extra", "lesson producer-consumer --redis redis://h --sentinel",
            "lesson producer-consumer --prefix p", "frobnicate", "help nope"})
    void aUsageMistakeGivesOneLineAndExitCode2(String command) {
        Mp4jRun.Result result = Mp4jRun.inProcess(command.split(" "));

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.errLines()).singleElement().asString().startsWith("mp4j: ").contains("--help");
        assertThat(result.err()).doesNotContain("Exception", "\tat ");
        assertThat(result.out()).isEmpty();
    }

    @Test
    void anUnknownChapterIsNamedAndTheRealOnesListed() {
        Mp4jRun.Result result = Mp4jRun.inProcess("tour", "--chapter", "zombies");

        assertThat(result.err()).contains("'zombies'", "pids, zombie, orphan, daemon, daemon-children, tickets, queue, ipc,"
                + " producer-consumer, pool");
    }

    @Test
    void anUnknownCommandIsNamedAndTheCommandsListed() throws Exception {
        Mp4jRun.Result top = Mp4jRun.asProcess("frobnicate");
        Mp4jRun.Result lesson = Mp4jRun.inProcess("lesson", "nope");

        assertThat(top.exitCode()).isEqualTo(2);
        assertThat(top.errLines()).containsExactly("mp4j: unknown command 'frobnicate'; the commands are: tour, ps,"
                + " lesson, bench, worker, help (see 'mp4j --help')");
        assertThat(top.out()).isEmpty();
        assertThat(lesson.errLines()).containsExactly("mp4j: unknown command 'nope'; the commands are: list, tickets,"
                + " queue, ipc, producer-consumer, pool (see 'mp4j lesson --help')");
    }

    @Test
    void helpIsACommandToo() throws Exception {
        Mp4jRun.Result help = Mp4jRun.asProcess("help");
        Mp4jRun.Result helpLesson = Mp4jRun.inProcess("help", "lesson");

        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).startsWith("Usage: mp4j ").contains("tour", "ps", "lesson", "bench", "worker", "help");
        assertThat(help.err()).isEmpty();
        assertThat(helpLesson.exitCode()).isZero();
        assertThat(helpLesson.out()).startsWith("Usage: mp4j lesson ");
    }

    @Test
    void theRealCommandExitsWith2AndNoStackTrace() throws Exception {
        Mp4jRun.Result result = Mp4jRun.asProcess("tour", "--bogus");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.errLines()).containsExactly("mp4j: Unknown option: '--bogus' (see 'mp4j tour --help')");
        assertThat(result.out()).isEmpty();
    }

    @Test
    void aChapterNamedTwiceRunsOnceWhereItWasFirstNamed() throws Exception {
        Mp4jRun.Result result = Mp4jRun.asProcess("tour", "-c", "queue,daemon-children,queue", "--chapter", "daemon-children");

        assertThat(result.exitCode()).as("exit code; it printed:%n%s%s", result.out(), result.err()).isZero();
        assertThat(result.out().lines().filter(l -> l.startsWith("== Chapter ")))
                .containsExactly("== Chapter 1/2: Queues: first in, first out, full and empty ==",
                        "== Chapter 2/2: A daemon may not have children ==");
    }

    @Test
    void theTourListsItsChapters() {
        Mp4jRun.Result result = Mp4jRun.inProcess("tour", "--list");

        assertThat(result.exitCode()).isZero();
        assertThat(result.out().lines().map(l -> l.split(" ")[0]))
                .containsExactly("pids", "zombie", "orphan", "daemon", "daemon-children", "tickets", "queue", "ipc",
                        "producer-consumer", "pool");
    }

    @Test
    void lessonHelpAndListNameEveryLessonThereIsAndPromiseNoOther() {
        Mp4jRun.Result help = Mp4jRun.inProcess("lesson", "--help");
        Mp4jRun.Result list = Mp4jRun.inProcess("lesson", "list");
        Mp4jRun.Result listHelp = Mp4jRun.inProcess("lesson", "list", "--help");

        assertThat(help.out()).contains("list", "tickets", "queue", "ipc", "producer-consumer", "pool")
                .doesNotContainIgnoringCase("planned");
        assertThat(list.exitCode()).isZero();
        assertThat(list.out().lines().findFirst()).hasValue("Lessons (the process chapters are in 'mp4j tour'):");
        assertThat(list.out().lines().skip(1).map(l -> l.strip().split(" ")[0]))
                .containsExactly("tickets", "queue", "ipc", "producer-consumer", "pool");
        assertThat(list.out() + listHelp.out()).doesNotContainIgnoringCase("planned").doesNotContain("Written");
    }
}
