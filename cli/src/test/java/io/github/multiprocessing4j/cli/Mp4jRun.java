package io.github.multiprocessing4j.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code mp4j} for a test: in this JVM with captured output, or as a separate JVM (like
 * the real command), whose child processes then write to the same captured output.
 */
public final class Mp4jRun {
    private static final Duration SUBPROCESS_TIMEOUT = Duration.ofSeconds(45);

    /** What a run printed and how it ended. */
    public record Result(int exitCode, String out, String err) {
        /** @return stderr's non-blank lines */
        public List<String> errLines() {
            return err.lines().filter(l -> !l.isBlank()).toList();
        }
    }

    private Mp4jRun() {
    }

    /** Runs the command in this JVM. Children it starts would write to the real stdout: use for commands without children. */
    public static Result inProcess(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    /**
     * Runs {@code java -cp <this test's class path> ...Main args} and waits for it. Whatever is
     * left of it after the timeout is killed by pid, descendants first.
     */
    public static Result asProcess(String... args) throws IOException, InterruptedException {
        return asProcess(Map.of(), args);
    }

    /**
     * As {@link #asProcess(String...)}, with {@code env} changing the environment: each key is set
     * to its value, or removed when the value is empty.
     */
    public static Result asProcess(Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        Path out = Files.createTempFile("mp4j-test-", ".out");
        Path err = Files.createTempFile("mp4j-test-", ".err");
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
            env.forEach((key, value) -> {
                if (value.isEmpty()) {
                    builder.environment().remove(key);
                } else {
                    builder.environment().put(key, value);
                }
            });
            Process process = builder.start();
            boolean ended = false;
            try {
                ended = process.waitFor(SUBPROCESS_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } finally {
                if (!ended) {
                    process.descendants().forEach(ProcessHandle::destroyForcibly);
                    process.destroyForcibly();
                    process.waitFor();
                }
            }
            if (!ended) {
                throw new AssertionError("mp4j " + String.join(" ", args) + " did not end within " + SUBPROCESS_TIMEOUT
                        + "; it printed:\n" + Files.readString(out) + Files.readString(err));
            }
            return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
