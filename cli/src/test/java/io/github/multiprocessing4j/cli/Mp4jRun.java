package io.github.multiprocessing4j.cli;

import io.github.multiprocessing4j.testing.TestFiles;

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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
        int code = Main.commandLine(args).setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(args);
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
        List<String> command = commandLine(args);
        Path out = TestFiles.tempFile("run", ".out");
        Path err = TestFiles.tempFile("run", ".err");
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

    private static List<String> commandLine(String... args) {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        return command;
    }

    /**
     * Starts {@code java -cp <this test's class path> ...Main args} and returns at once, for a test
     * that watches it or signals it while it runs.
     */
    public static Running start(String... args) throws IOException {
        Path output = TestFiles.tempFile("run", ".out");
        Process process = new ProcessBuilder(commandLine(args)).redirectErrorStream(true)
                .redirectOutput(output.toFile()).start();
        return new Running(process, output);
    }

    /**
     * An {@code mp4j} command still running. {@link #close()} kills by pid whatever is left of it
     * and of the processes seen under it, and waits for them.
     */
    public static final class Running implements AutoCloseable {
        private final Process process;
        private final Path output;
        private final List<ProcessHandle> seen = new ArrayList<>();

        private Running(Process process, Path output) {
            this.process = process;
            this.output = output;
        }

        /** @return the command's process */
        public Process process() {
            return process;
        }

        /** @return what it printed so far, stdout and stderr together */
        public String output() throws IOException {
            return Files.readString(output);
        }

        /**
         * Waits until the output matches {@code pattern}, remembering the processes under the
         * command meanwhile.
         *
         * @return the match
         * @throws AssertionError when the output does not match within {@code timeout}
         */
        public Matcher awaitOutput(String pattern, Duration timeout)
                throws IOException, InterruptedException {
            Pattern p = Pattern.compile(pattern);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                descendants();
                Matcher m = p.matcher(output());
                if (m.find()) {
                    return m;
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("no '" + pattern + "' within " + timeout + " in:\n" + output());
                }
                Thread.sleep(20);
            }
        }

        /** @return the processes under the command now, remembered for {@link #close()} */
        public List<ProcessHandle> descendants() {
            List<ProcessHandle> now = process.descendants().toList();
            seen.addAll(now);
            return now;
        }

        /** @return the exit code once the command has ended, waiting up to {@code timeout} */
        public int awaitExit(Duration timeout) throws InterruptedException, IOException {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("still running after " + timeout + "; it printed:\n" + output());
            }
            return process.exitValue();
        }

        @Override
        public void close() throws IOException {
            descendants();
            process.destroyForcibly();
            process.onExit().join(); // not waitFor(): a close() that throws InterruptedException is a lint warning
            for (ProcessHandle p : seen) {
                p.destroyForcibly();
                p.onExit().join();
            }
            Files.deleteIfExists(output);
        }
    }
}
