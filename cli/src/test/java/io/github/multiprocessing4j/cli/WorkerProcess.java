package io.github.multiprocessing4j.cli;

import io.github.multiprocessing4j.testing.TestFiles;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One {@code mp4j worker} of a test, run as the real command: a JVM running {@link Main} whose
 * class path is the test's without the cli's test classes, which it gets through
 * {@code --class-path} instead, so that a task of a test class runs on its workers only if
 * {@code --class-path} reached them. Stopped by pid ({@link #terminate} SIGTERM), never by name;
 * {@link #close} also waits for every process under it.
 */
public final class WorkerProcess implements AutoCloseable {
    private static final Pattern REGISTERED = Pattern.compile("mp4j worker agent \\S+:(\\d+) on ");

    private final Process command;
    private final Path log;
    private final List<ProcessHandle> seen = new ArrayList<>();
    private long agentPid;

    private WorkerProcess(Process command, Path log) {
        this.command = command;
        this.log = log;
    }

    /**
     * Starts {@code mp4j worker args... --class-path <the cli's test classes>} with {@code env}
     * added to (and MP4J_REDIS_URL removed from) this JVM's environment, and waits for the
     * agent's first line.
     */
    public static WorkerProcess start(Map<String, String> env, String... args) {
        try {
            Path testClasses = Paths.get(WorkerProcess.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            List<String> classPath = new ArrayList<>();
            for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
                if (!Paths.get(e).toAbsolutePath().equals(testClasses.toAbsolutePath())) {
                    classPath.add(e);
                }
            }
            List<String> line = new ArrayList<>(List.of(Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                    "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", String.join(File.pathSeparator, classPath),
                    Main.class.getName(), "worker", "--class-path", testClasses.toString()));
            line.addAll(List.of(args));
            Path log = TestFiles.tempFile("worker", ".log");
            ProcessBuilder builder = new ProcessBuilder(line).redirectErrorStream(true).redirectOutput(log.toFile());
            builder.environment().remove("MP4J_REDIS_URL");
            builder.environment().putAll(env);
            WorkerProcess worker = new WorkerProcess(builder.start(), log);
            worker.awaitRegistered();
            return worker;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private void awaitRegistered() throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            Matcher m = REGISTERED.matcher(output());
            if (m.find()) {
                agentPid = Long.parseLong(m.group(1));
                return;
            }
            if (!command.isAlive() || System.nanoTime() > deadline) {
                close();
                throw new IllegalStateException("mp4j worker did not start its agent:\n" + output());
            }
            sleep(20);
        }
    }

    /** @return the {@code mp4j worker} process */
    public Process command() {
        return command;
    }

    /** @return the agent JVM: the pid it registered with, a child of the command */
    public ProcessHandle agent() {
        return ProcessHandle.of(agentPid).orElseThrow(() -> new AssertionError("agent " + agentPid + " is gone"));
    }

    public long agentPid() {
        return agentPid;
    }

    /** @return the processes under the command now (the agent and its workers), remembered for {@link #close}; thread-safe */
    public List<ProcessHandle> descendants() {
        List<ProcessHandle> all = command.toHandle().descendants().toList();
        synchronized (seen) {
            seen.addAll(all);
        }
        return all;
    }

    /** @return what the command and its agent printed so far */
    public String output() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** SIGTERM to the command, by pid. */
    public void terminate() {
        descendants();
        command.toHandle().destroy();
    }

    /** @return the command's exit code, after waiting up to {@code seconds} for it; empty when still running */
    public Optional<Integer> awaitExit(long seconds) throws InterruptedException {
        return command.waitFor(seconds, TimeUnit.SECONDS) ? Optional.of(command.exitValue()) : Optional.empty();
    }

    /** Ends the command (SIGTERM, SIGKILL after 20 s) and waits for everything that ran under it. */
    @Override
    public void close() {
        try {
            if (command.isAlive()) {
                terminate();
                if (!command.waitFor(20, TimeUnit.SECONDS)) {
                    command.destroyForcibly().waitFor();
                }
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            List<ProcessHandle> all;
            synchronized (seen) {
                all = List.copyOf(seen);
            }
            for (ProcessHandle p : all) {
                while (p.isAlive() && System.nanoTime() < deadline) {
                    sleep(20);
                }
                p.destroyForcibly();
            }
            Files.deleteIfExists(log);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** @return the command line of a live process, as the kernel shows it to every user ({@code /proc/PID/cmdline}) */
    public static String commandLine(long pid) throws IOException {
        return new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")), StandardCharsets.UTF_8)
                .replace('\0', ' ');
    }
}
