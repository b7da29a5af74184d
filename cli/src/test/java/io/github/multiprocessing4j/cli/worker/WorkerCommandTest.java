package io.github.multiprocessing4j.cli.worker;

import io.github.multiprocessing4j.ProcessPool;
import io.github.multiprocessing4j.cli.Mp4jRun;
import io.github.multiprocessing4j.cli.WorkerProcess;
import io.github.multiprocessing4j.redis.Cluster;
import io.github.multiprocessing4j.cli.RedisWithPassword;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code mp4j worker} and {@code mp4j ps --redis} against a redis-server of the test's own that
 * requires a password: the commands run as real processes, the agents' workers run the test's
 * tasks, and the password shows in no output and on no command line of a process they start.
 */
class WorkerCommandTest extends RedisWithPassword {
    @Test
    void aWorkerRunsAPoolsTasksWithTheClassPathGivenAndEndsOnSigtermWithItsWorkers() throws Exception {
        try (WorkerProcess worker = WorkerProcess.start(Map.of("MP4J_REDIS_URL", url), "--processes", "2",
                "--prefix", "clitest");
             Cluster cluster = Cluster.builder(url).prefix("clitest").connect()) {
            List<Long> pids;
            try (ProcessPool pool = ProcessPool.builder().cluster(cluster).processes(2).build()) {
                // A lambda of this test class: the command's own class path lacks it, --class-path has it.
                pids = pool.map(x -> pidAfter(50), IntStream.range(0, 40).boxed().toList(), 1);
                List<ProcessHandle> under = worker.descendants();
                assertThat(under.stream().map(ProcessHandle::pid)).as("the agent and its workers").contains(worker.agentPid())
                        .containsAll(pids.stream().distinct().toList());
                assertThat(worker.agent().parent().map(ProcessHandle::pid)).contains(worker.command().pid());
                for (ProcessHandle p : under) {
                    assertThat(WorkerProcess.commandLine(p.pid())).as("the command line of %s", p.pid())
                            .doesNotContain(PASSWORD).doesNotContain("redis://");
                }
                List<Long> agentsChildren = worker.agent().children().map(ProcessHandle::pid).toList();
                assertThat(agentsChildren).as("the workers are the agent's children").containsAll(pids);
                assertThat(pids.stream().distinct().count()).isEqualTo(2);

                worker.terminate(); // SIGTERM, while the pool still uses its workers
                assertThat(worker.awaitExit(30)).as("mp4j worker's exit code").contains(143);
                for (ProcessHandle p : under) {
                    assertThat(p.onExit()).as("process %s ended with the command", p.pid())
                            .succeedsWithin(Duration.ofSeconds(10));
                }
            }
            assertThat(pids).doesNotContain(ProcessHandle.current().pid());
            assertThat(worker.output()).contains("mp4j worker agent ").doesNotContain(PASSWORD);
        }
    }

    @Test
    void psListsTwoAgentsThenOneAsLostAfterKill9() throws Exception {
        List<WorkerProcess> workers = new ArrayList<>();
        try {
            // One with the URL on its command line (the user's choice), one from the environment.
            workers.add(WorkerProcess.start(Map.of(), "--redis", url, "--processes", "1", "--prefix", "pstest",
                    "--lease-ms", "600"));
            workers.add(WorkerProcess.start(Map.of("MP4J_REDIS_URL", url), "--processes", "3", "--prefix", "pstest",
                    "--lease-ms", "600"));
            for (WorkerProcess w : workers) {
                for (ProcessHandle p : w.descendants()) {
                    assertThat(WorkerProcess.commandLine(p.pid())).doesNotContain(PASSWORD);
                }
            }
            long first = workers.get(0).agentPid();
            long second = workers.get(1).agentPid();

            Mp4jRun.Result both = Mp4jRun.inProcess("ps", "--redis", url, "--prefix", "pstest");

            assertThat(both.exitCode()).as(both.err()).isZero();
            assertThat(both.out()).doesNotContain(PASSWORD)
                    .contains("cluster redis://127.0.0.1:" + redis.port() + "/0, prefix pstest: 2 agents, 0 of 4 processes busy")
                    .containsPattern("(?m)^\\S+\\s+" + first + "\\s+worker agent\\s+running\\s+0/1\\s+0\\s+\\d+\\.\\ds ago\\s+\\d+s$")
                    .containsPattern("(?m)^\\S+\\s+" + second + "\\s+worker agent\\s+running\\s+0/3\\s+0\\s+\\d+\\.\\ds ago\\s+\\d+s$");
            assertThat(both.out().lines().findFirst()).isPresent();

            ProcessHandle.of(second).orElseThrow().destroyForcibly(); // kill -9 the agent: a machine lost
            workers.get(1).descendants();
            String lost = "";
            long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            while (System.nanoTime() < deadline && !lost.contains("lost")) {
                WorkerProcess.sleep(100);
                lost = Mp4jRun.inProcess("ps", "--redis", url, "--prefix", "pstest").out();
            }
            assertThat(lost).contains("2 agents (1 lost), 0 of 1 processes busy")
                    .containsPattern("(?m)^\\S+\\s+" + first + "\\s+worker agent\\s+running\\s")
                    .containsPattern("(?m)^\\S+\\s+" + second + "\\s+worker agent\\s+lost\\s")
                    .doesNotContain(PASSWORD);
            assertThat(workers.get(1).awaitExit(10)).as("mp4j worker ends with its agent's code (SIGKILL)").contains(137);

            Mp4jRun.Result forgot = Mp4jRun.inProcess("ps", "--redis", url, "--prefix", "pstest", "--forget-lost");
            Mp4jRun.Result after = Mp4jRun.inProcess("ps", "--redis", url, "--prefix", "pstest");
            assertThat(forgot.out()).contains("forgot the lost agents ").contains(":" + second);
            assertThat(after.out()).contains("1 agent, 0 of 1 processes busy").doesNotContain(Long.toString(second));
        } finally {
            workers.forEach(WorkerProcess::close);
        }
    }

    @Test
    void psShowsABusyAgentsWorkersUnderIt() throws Exception {
        try (WorkerProcess worker = WorkerProcess.start(Map.of("MP4J_REDIS_URL", url), "--processes", "2",
                "--prefix", "busytest");
             Cluster cluster = Cluster.builder(url).prefix("busytest").connect();
             ProcessPool pool = ProcessPool.builder().cluster(cluster).processes(2).build()) {
            List<Long> workerPids = pool.map(x -> pidAfter(200), IntStream.range(0, 10).boxed().toList(), 1)
                    .stream().distinct().toList();
            assertThat(workerPids).hasSize(2);
            String out = "";
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            Pattern busyAgent = Pattern.compile("worker agent\\s+running\\s+2/2\\s+10\\s"); // 10 tasks: its workers'
            while (System.nanoTime() < deadline && !busyAgent.matcher(out).find()) {
                out = Mp4jRun.inProcess("ps", "--redis", url, "--prefix", "busytest").out();
            }
            assertThat(out).contains("2 of 2 processes busy").containsPattern(busyAgent)
                    .containsPattern("(?m)^\\S+\\s+" + worker.agentPid() + "\\s+worker agent\\s");
            for (long pid : workerPids) {
                assertThat(out).containsPattern("(?m)^\\S+\\s+" + pid + "\\s+\\\\_ \\S+ \\(pool \\S+\\)\\s+running\\s+\\d+\\s+\\d+s$");
            }
        }
    }

    /**
     * A task long enough that both workers of a new pool have booted before the first has run its
     * share: a ready worker that runs out takes back the tasks a booting one was given.
     */
    private static long pidAfter(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return ProcessHandle.current().pid();
    }
}
