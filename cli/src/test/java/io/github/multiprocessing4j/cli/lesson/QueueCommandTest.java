package io.github.multiprocessing4j.cli.lesson;

import io.github.multiprocessing4j.cli.Mp4jRun;
import org.junit.jupiter.api.Test;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code mp4j lesson queue}: the lesson's Queue(5) walk-through, run in this JVM (it starts no process). */
class QueueCommandTest {
    private static final long TIMEOUT_MILLIS = 150;

    /** @return the output with white space runs made one space, so that checks do not depend on line wrapping */
    private static String run(String... args) {
        Mp4jRun.Result result = Mp4jRun.inProcess(args);
        assertThat(result.exitCode()).as("exit code; it printed:%n%s%s", result.out(), result.err()).isZero();
        assertThat(result.err()).isEmpty();
        assertThat(result.out()).doesNotContain("!!");
        return result.out().replaceAll("\\s+", " ");
    }

    @Test
    void theWalkThroughFillsTheQueueFailsToPutGetsInOrderAndFailsToGet() {
        String out = run("lesson", "queue", "--timeout-ms", Long.toString(TIMEOUT_MILLIS));

        assertThat(out).contains("q = new ProcessQueue<Integer>(5)")
                .contains("q.put(111); q.put(222); q.put(333)")
                .contains("q.isFull() = false, q.isEmpty() = false, q.qsize() = 3")
                .contains("OK q.isFull() = true: the queue holds 5 items")
                .contains("> q.putNowait(666) = threw QueueFullException: the queue is full OK putNowait on a full"
                        + " queue does not wait")
                .contains("> q.put(666, Duration.ofMillis(" + TIMEOUT_MILLIS + ")) = threw QueueFullException")
                .contains("OK 666 is not in the queue: still 5 items")
                .contains("OK v1..v5 = [111, 222, 333, 444, 555]: first in, first out")
                .contains("OK q.isEmpty() = true, q.isFull() = false, q.qsize() = 0")
                .contains("> q.getNowait() = threw QueueEmptyException: the queue is empty")
                .contains("the lesson prints 'already taken out'")
                .contains("System.out.println(v1) prints 111")
                .contains("not exact when several processes use the queue");
        assertThat(waited(out, "put")).isGreaterThanOrEqualTo(TIMEOUT_MILLIS);
        assertThat(waited(out, "get")).isGreaterThanOrEqualTo(TIMEOUT_MILLIS);
    }

    @Test
    void aZeroTimeoutGivesUpAtOnce() {
        String out = run("lesson", "queue", "--timeout-ms", "0");

        assertThat(out).contains("q.put(666, Duration.ofMillis(0)) = threw QueueFullException")
                .contains("q.get(Duration.ofMillis(0)); } catch (QueueEmptyException e)");
    }
    private static long waited(String out, String what) {
        Matcher m = Pattern.compile(what + " with a timeout waited (\\d+) ms").matcher(out);
        assertThat(m.find()).as("how long %s waited, in:%n%s", what, out).isTrue();
        return Long.parseLong(m.group(1));
    }
}
