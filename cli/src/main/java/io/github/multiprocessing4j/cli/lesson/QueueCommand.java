package io.github.multiprocessing4j.cli.lesson;

import io.github.multiprocessing4j.cli.support.Narrator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * {@code mp4j lesson queue}: the lesson's chapter 5 walk-through of a bounded queue. See
 * {@link QueueLesson}.
 */
@Command(name = "queue",
        description = {"A bounded queue: put, get, full, empty, timeouts (chapter 5, queues).",
                "The lesson's Queue(5) on a real ProcessQueue: five puts fill it, a sixth fails at once"
                        + " (putNowait) or after a timeout (put with a Duration); five gets return the items in"
                        + " order, a sixth fails at once (getNowait) or after a timeout (get with a Duration)."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:the queue behaved as the lesson says", "1:it did not (marked !! in the output)",
                "2:wrong usage"})
public final class QueueCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Option(names = "--timeout-ms", paramLabel = "MS", defaultValue = "1000",
            description = "How long the timed put and get wait, 0.." + Limits.MAX_DELAY_MILLIS + " ms (default:"
                    + " ${DEFAULT-VALUE}; the lesson waits 3 s).")
    private long timeoutMillis;

    @Override
    public Integer call() throws Exception {
        try {
            Limits.delayMillis("--timeout-ms", timeoutMillis);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        Narrator n = new Narrator(spec.commandLine().getOut());
        n.explain("The lesson's queue: first in, first out. A queue between processes is a pipe plus a lock; here"
                + " it is a ProcessQueue, a queue in shared memory that any process of the tree can put into and"
                + " get from.");
        QueueLesson.walkThrough(n, Duration.ofMillis(timeoutMillis));
        return n.surprises() == 0 ? 0 : 1;
    }
}
