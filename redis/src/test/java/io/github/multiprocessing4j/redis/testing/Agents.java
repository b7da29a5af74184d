package io.github.multiprocessing4j.redis.testing;

import io.github.multiprocessing4j.testing.TestFiles;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Worker agents of a test, each a separate process tree standing for a machine: a JVM running
 * {@code WorkerAgent.main} on the test's class path, except that of the test classes it sees only
 * those of the classes given (copied to a directory of its own): a class the test has and the
 * agents lack is then missing on the "other machines", as it would be.
 *
 * <p>Stopped by pid ({@link #kill} SIGKILL, {@link #close} SIGTERM), never by name; {@link #close}
 * also waits for the agents' workers to end, so that no process outlives the test class.
 */
public final class Agents implements AutoCloseable {
    private final Path directory;
    private final String classPath;
    private final List<Process> started = new ArrayList<>();
    private final List<ProcessHandle> workers = new ArrayList<>();

    /** @param testClasses the test classes (and their nested classes) the agents have */
    public Agents(Class<?>... testClasses) {
        try {
            directory = TestFiles.tempDirectory("agents");
            Path classes = directory.resolve("classes");
            Path testRoot = null;
            for (Class<?> type : testClasses) {
                Path root = Paths.get(type.getProtectionDomain().getCodeSource().getLocation().toURI());
                testRoot = root;
                Path file = root.resolve(type.getName().replace('.', '/') + ".class");
                Path target = classes.resolve(root.relativize(file));
                Files.createDirectories(target.getParent());
                try (Stream<Path> siblings = Files.list(file.getParent())) {
                    String simple = type.getName().substring(type.getName().lastIndexOf('.') + 1);
                    for (Path s : (Iterable<Path>) siblings::iterator) {
                        String n = s.getFileName().toString();
                        if (n.equals(simple + ".class") || n.startsWith(simple + "$")) {
                            Files.copy(s, target.getParent().resolve(n));
                        }
                    }
                }
            }
            List<String> entries = new ArrayList<>();
            for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
                if (testRoot == null || !Paths.get(e).toAbsolutePath().equals(testRoot.toAbsolutePath())) {
                    entries.add(e);
                }
            }
            entries.add(classes.toString());
            classPath = String.join(File.pathSeparator, entries);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Starts an agent and waits until it has registered (its first line of output). */
    public Process start(String url, String prefix, int processes) {
        try {
            Path log = directory.resolve("agent-" + started.size() + ".log");
            List<String> command = new ArrayList<>(List.of(
                    Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                    "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", classPath,
                    "io.github.multiprocessing4j.redis.WorkerAgent", "--redis", url, "--prefix", prefix,
                    "--processes", Integer.toString(processes), "--allow", "io.github.multiprocessing4j.**"));
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            started.add(p);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!Files.readString(log).contains("mp4j worker agent")) {
                if (!p.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("the agent did not start:\n" + Files.readString(log));
                }
                Thread.sleep(20);
            }
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** @return the agent's worker processes now */
    public static List<ProcessHandle> workersOf(Process agent) {
        return agent.toHandle().children().toList();
    }

    /** SIGKILLs the agent (a machine lost); its workers end by themselves (their lifeline), and are awaited at {@link #close}. */
    public void kill(Process agent) {
        workers.addAll(workersOf(agent));
        agent.destroyForcibly();
        try {
            agent.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** @return everything the agents wrote */
    public String logs() {
        StringBuilder all = new StringBuilder();
        try (Stream<Path> logs = Files.list(directory)) {
            for (Path log : (Iterable<Path>) logs.filter(p -> p.toString().endsWith(".log"))::iterator) {
                all.append("--- ").append(log.getFileName()).append('\n').append(Files.readString(log));
            }
        } catch (IOException e) {
            all.append(e);
        }
        return all.toString();
    }

    /** Stops every agent (SIGTERM, SIGKILL after 10 s), waits for their workers' ends, and deletes their directory. */
    @Override
    public void close() {
        for (Process p : started) {
            if (p.isAlive()) {
                workers.addAll(workersOf(p));
                p.destroy();
            }
        }
        for (Process p : started) {
            try {
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        for (ProcessHandle w : workers) {
            while (w.isAlive() && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        TestFiles.deleteRecursively(directory); // the agents' copies of the test classes and their logs
    }
}
