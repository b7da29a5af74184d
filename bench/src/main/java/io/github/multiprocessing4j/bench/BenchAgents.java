package io.github.multiprocessing4j.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The worker agents of the section "cluster": each a JVM of its own running
 * {@code io.github.multiprocessing4j.redis.WorkerAgent}'s {@code main} on the bench jar's class
 * path (what {@code mp4j worker --class-path app.jar} runs on a machine), a separate process
 * tree standing for one machine. Its workers are its children.
 *
 * <p>Stopped by pid only: {@link #killMachine} SIGKILLs an agent and every process under it (a
 * machine lost), {@link #close} asks every agent still running to end (SIGTERM: the agent kills
 * its workers and unregisters), SIGKILLs what is left after 10 s, and waits for the agents'
 * workers to be gone, so that the bench leaves no process behind. A killed agent cannot remove its
 * process table ({@code /dev/shm/mp4j-PID-TICKS}), nor a killed spare JVM under it its readiness
 * files ({@code /dev/shm/mp4j-spare-PID...}); the library leaves those to the next program that
 * starts a process and to the next spare, so {@link #close} removes the files of the processes
 * it killed, once they are gone.
 */
final class BenchAgents implements AutoCloseable {
    private static final long START_TIMEOUT_MILLIS = 60_000;

    private final ScratchDirectory logs;
    private final List<Process> started = new ArrayList<>();
    private final List<ProcessHandle> descendants = new ArrayList<>();
    /**
     * The files in shared memory of the processes {@link #killMachine} killed, named while they
     * lived (a pid the system gives again later is another program's), for {@link #close}.
     */
    private final List<Path> killedFiles = new ArrayList<>();

    BenchAgents() throws IOException {
        this.logs = ScratchDirectory.create();
    }

    /**
     * Starts an agent of {@code processes} slots under {@code prefix} that deserializes the
     * bench's classes, and waits until it has registered on the server (its first line).
     *
     * @throws IllegalStateException when it exits or has not registered within 60 s (it is killed then)
     */
    Process start(String redisUrl, String prefix, int processes) throws IOException, InterruptedException {
        Path log = Path.of(logs.file("agent-" + started.size() + ".log"));
        List<String> command = List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // The agent only places workers (tasks and results go between the pool and the
                // workers through the server): a small, quickly started JVM, as the tests' agents.
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"),
                "io.github.multiprocessing4j.redis.WorkerAgent", "--redis", redisUrl, "--prefix", prefix,
                "--processes", Integer.toString(processes), "--allow", "io.github.multiprocessing4j.bench.*");
        Process agent = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        started.add(agent);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MILLIS);
        while (!Files.readString(log).contains("mp4j worker agent")) {
            if (!agent.isAlive() || System.nanoTime() > deadline) {
                agent.destroyForcibly().waitFor();
                throw new IllegalStateException("worker agent " + agent.pid() + " did not start: "
                        + Files.readString(log).strip());
            }
            Thread.sleep(20);
        }
        return agent;
    }

    /** @return whether {@code pid} is a process under {@code agent} (one of its workers) */
    static boolean runs(Process agent, long pid) {
        return agent.toHandle().descendants().anyMatch(p -> p.pid() == pid);
    }

    /**
     * A machine lost: SIGKILLs the agent, then at once every process that was under it (its
     * workers, a spare JVM), each by its pid, and waits for the agent's end. The workers' ends
     * are awaited at {@link #close}.
     */
    void killMachine(Process agent) throws InterruptedException, IOException {
        List<ProcessHandle> under = agent.toHandle().descendants().toList();
        killedFiles.addAll(sharedMemoryFiles("mp4j-" + agent.pid() + "-")); // its tree's table
        for (ProcessHandle p : under) {
            killedFiles.addAll(sharedMemoryFiles("mp4j-spare-" + p.pid() + ".")); // a spare's readiness
        }
        agent.destroyForcibly();
        under.forEach(ProcessHandle::destroyForcibly);
        descendants.addAll(under);
        agent.waitFor();
    }

    /** @return the entries of the shared-memory directory whose name starts with {@code prefix} */
    private static List<Path> sharedMemoryFiles(String prefix) throws IOException {
        Path shm = Path.of(System.getProperty("mp4j.shmDir", "/dev/shm"));
        try (Stream<Path> entries = Files.list(shm)) {
            return entries.filter(p -> p.getFileName().toString().startsWith(prefix)).toList();
        }
    }

    /** Deletes a file, or a directory (a table) with the files in it; nothing when it is gone already. */
    private static void delete(Path path) throws IOException {
        if (Files.isDirectory(path)) {
            try (Stream<Path> files = Files.list(path)) {
                for (Path file : files.toList()) {
                    Files.deleteIfExists(file);
                }
            }
        }
        Files.deleteIfExists(path);
    }

    @Override
    public void close() throws IOException, InterruptedException {
        for (Process agent : started) {
            if (agent.isAlive()) {
                descendants.addAll(agent.toHandle().descendants().toList());
                agent.destroy();
            }
        }
        for (Process agent : started) {
            if (!agent.waitFor(10, TimeUnit.SECONDS)) {
                System.err.printf(Locale.ROOT, "  !! worker agent %d did not end within 10 s of SIGTERM: SIGKILL%n",
                        agent.pid());
                descendants.addAll(agent.toHandle().descendants().toList());
                agent.destroyForcibly().waitFor();
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (ProcessHandle p : descendants) {
            while (p.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            if (p.isAlive()) {
                p.destroyForcibly(); // an agent's worker that outlived it: its pid is known, nothing else is touched
            }
        }
        for (Path file : killedFiles) {
            delete(file);
        }
        logs.close();
    }
}
