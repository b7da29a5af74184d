package io.github.multiprocessing4j.cli.lesson;

import io.github.multiprocessing4j.cli.Mp4jRun;
import org.junit.jupiter.api.Test;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code mp4j lesson ipc}, run as its own JVM so that its children's lines are read here: the
 * parent and children talk through queues and pipes, and a receiver gets EOF once the other end
 * is closed.
 */
class IpcCommandTest {
    @Test
    void theParentAndTheChildrenTalkThroughQueuesAndPipes() throws Exception {
        Mp4jRun.Result result = Mp4jRun.asProcess("lesson", "ipc");

        assertThat(result.exitCode()).as("exit code; it printed:%n%s%s", result.out(), result.err()).isZero();
        assertThat(result.err()).isEmpty();
        String out = result.out();
        assertThat(out).doesNotContain("!!");
        String flat = out.replaceAll("\\s+", " ");
        long parent = number(flat, "toChild.put\\(\"hello child, I am pid (\\d+)\"\\)");
        long child = number(out, "\\| child \\(pid (\\d+)\\): toChild.get\\(\\) -> \"hello child, I am pid " + parent + "\"");
        assertThat(flat).contains("toParent.get() returned \"hello parent, I am pid " + child + ", you are pid " + parent + "\"")
                .contains("OK both queues are empty again");

        assertThat(out).containsPattern("\\| producer \\(pid \\d+\\): hello llx\\R")
                .containsPattern("\\| consumer \\(pid \\d+\\): zd\\R");
        assertThat(flat).contains("OK the consumer got 'zd' from the producer");

        long pipeChild = number(out, "\\| pipe-child \\(pid (\\d+)\\): recv\\(\\) -> \"hello through the pipe\"");
        assertThat(flat).contains("parentEnd.recv() returned \"hello back from pid " + pipeChild + "\"")
                .contains("OK recv() threw EOFException (\"the other end of the pipe is closed\")")
                .contains("OK pipe-child exited with 0");

        assertThat(out).containsPattern("\\| pong \\(pid \\d+\\): recv\\(\\) -> \"ping\"; send\\(\"pong\"\\); close\\(\\)")
                .containsPattern("\\| ping \\(pid \\d+\\): send\\(\"ping\"\\); recv\\(\\) -> \"pong\"")
                .containsPattern("\\| ping \\(pid \\d+\\): recv\\(\\) again -> EOFException");
        assertThat(flat).contains("OK ping got pong's answer and then EOFException, and both exited with 0");
    }

    private static long number(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertThat(m.find()).as("'%s' in:%n%s", regex, text).isTrue();
        return Long.parseLong(m.group(1));
    }
}
