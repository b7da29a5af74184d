package io.github.multiprocessing4j.cli.lesson;

import io.github.multiprocessing4j.cli.Mp4jRun;
import io.github.multiprocessing4j.cli.WorkerProcess;
import io.github.multiprocessing4j.cli.RedisWithPassword;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code mp4j lesson producer-consumer --redis}: two cooks and two eaters as tasks on two worker
 * agents (two {@code mp4j worker} process trees standing for machines), the queue on a
 * redis-server of the test's own.
 */
class ClusterProducerConsumerTest extends RedisWithPassword {
    private static final Pattern WHO = Pattern.compile("\\| (cook|eater)-\\d+ on \\S+:(\\d+): ");

    @Test
    void cooksAndEatersRunOnTheAgentsAndEveryItemIsEatenExactlyOnce() throws Exception {
        try (WorkerProcess first = WorkerProcess.start(Map.of("MP4J_REDIS_URL", url), "--processes", "2",
                "--prefix", "lessontest");
             WorkerProcess second = WorkerProcess.start(Map.of("MP4J_REDIS_URL", url), "--processes", "2",
                     "--prefix", "lessontest")) {
            Mp4jRun.Result tooMany = Mp4jRun.inProcess("lesson", "producer-consumer", "--redis", url, "--prefix",
                    "lessontest", "--producers", "3", "--consumers", "2");
            assertThat(tooMany.exitCode()).isEqualTo(1);
            assertThat(tooMany.errLines()).singleElement().asString().contains("have 4 free processes, and this lesson"
                    + " needs 5").doesNotContain(PASSWORD);

            Set<Long> workers = ConcurrentHashMap.newKeySet(); // what ran under the two commands during the run
            Thread sampler = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    for (WorkerProcess w : List.of(first, second)) {
                        w.descendants().forEach(p -> workers.add(p.pid()));
                    }
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            sampler.start();
            Mp4jRun.Result run;
            try {
                run = Mp4jRun.inProcess("lesson", "producer-consumer", "--redis", url, "--prefix", "lessontest",
                        "--items", "5", "--delay-ms", "10");
            } finally {
                sampler.interrupt();
                sampler.join();
            }

            assertThat(run.exitCode()).as("it printed:%n%s%s", run.out(), run.err()).isZero();
            assertThat(run.out()).contains("Every one of the 10 items made was eaten exactly once").doesNotContain("!!")
                    .doesNotContain(PASSWORD).contains("cook-1 ran on ").contains("cook-2 ran on ");
            Set<Long> cooks = new HashSet<>();
            Set<Long> eaters = new HashSet<>();
            Matcher m = WHO.matcher(run.out());
            while (m.find()) {
                (m.group(1).equals("cook") ? cooks : eaters).add(Long.parseLong(m.group(2)));
            }
            // Two cooks, in one or two workers: a cook given to a worker still booting is taken back
            // for a ready worker that holds nothing, such as one whose cook has finished (CI saw
            // both cooks in one worker once).
            assertThat(cooks).hasSizeBetween(1, 2);
            assertThat(eaters).isNotEmpty();
            assertThat(workers).as("the processes under the two mp4j worker commands").containsAll(cooks)
                    .containsAll(eaters);
        }
    }
}
