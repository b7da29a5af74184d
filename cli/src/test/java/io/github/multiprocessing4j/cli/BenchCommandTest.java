package io.github.multiprocessing4j.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code mp4j bench}: runs a checkout's {@code bench/run} with its arguments as they are. A
 * stand-in {@code bench/run} in a checkout of its own records what it was given; the real one is
 * asked for its usage only (a real run takes minutes and builds the benchmark), by a separate
 * JVM: what it prints goes to that JVM's stdout, not into this one's test report.
 */
class BenchCommandTest {
    private static final String THIS_JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

    @TempDir
    Path checkout;

    @Test
    void benchRunGetsTheArgumentsInTheirOrderAfterTheJavaThatRunsMp4j() throws IOException {
        standInRunner(7);

        int exitCode = run(checkout, "--quick", "--only", "start,mem", "--child-jvm-arg", "-Xmx64m").exitCode();

        assertThat(exitCode).as("bench/run's exit code").isEqualTo(7);
        assertThat(Files.readAllLines(checkout.resolve("bench/arguments")))
                .containsExactly("--java", THIS_JAVA, "--quick", "--only", "start,mem", "--child-jvm-arg", "-Xmx64m");
        assertThat(Path.of(Files.readString(checkout.resolve("bench/directory")).strip())).isEqualTo(checkout.toRealPath());
    }

    @Test
    void aJavaNamedInTheArgumentsIsTheOneUsed() throws IOException {
        standInRunner(0);

        int exitCode = run(checkout, "--java", "/opt/jdk/bin/java", "--quick").exitCode();

        assertThat(exitCode).isZero();
        assertThat(Files.readAllLines(checkout.resolve("bench/arguments")))
                .containsExactly("--java", "/opt/jdk/bin/java", "--quick");
    }

    @Test
    void afterADoubleDashHelpIsBenchRunsOwn() throws IOException {
        standInRunner(0);

        run(checkout, "--", "--help");

        assertThat(Files.readAllLines(checkout.resolve("bench/arguments"))).containsExactly("--java", THIS_JAVA, "--help");
    }

    @Test
    void aCheckoutWithoutBenchRunIsReportedInOneLine() {
        Run result = run(checkout, "--quick");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err().lines()).singleElement().asString()
                .startsWith("mp4j: bench failed: " + checkout.resolve("bench/run") + " is missing or not executable");
    }

    /**
     * As the real command: this build's checkout is found above cli/target, and its bench/run
     * answers (its usage: it builds nothing), on the command's own stdout.
     */
    @Test
    void theCheckoutThisCommandWasBuiltInIsFound() throws Exception {
        Mp4jRun.Result result = Mp4jRun.asProcess("bench", "--", "--help");

        assertThat(result.exitCode()).as("exit code; stderr: %s", result.err()).isZero();
        assertThat(result.out()).startsWith("usage: bench/run ");
        assertThat(result.err()).isEmpty();
    }

    /** A {@code bench/run} that writes its arguments and working directory beside itself, then exits with {@code exitCode}. */
    private void standInRunner(int exitCode) throws IOException {
        Path runner = checkout.resolve(BenchCommand.RUNNER);
        Files.createDirectories(runner.getParent());
        Files.writeString(runner, "#!/bin/sh\n"
                + "here=$(dirname \"$0\")\n"
                + "printf '%s\\n' \"$@\" > \"$here/arguments\"\n"
                + "pwd -P > \"$here/directory\"\n"
                + "exit " + exitCode + "\n");
        Files.setPosixFilePermissions(runner, PosixFilePermissions.fromString("rwx------"));
    }

    private record Run(int exitCode, String err) {
    }

    private static Run run(Path checkout, String... args) {
        OneLineErrors errors = new OneLineErrors();
        StringWriter err = new StringWriter();
        int exitCode = new CommandLine(new BenchCommand(checkout)).setErr(new PrintWriter(err))
                .setParameterExceptionHandler(errors).setExecutionExceptionHandler(errors).execute(args);
        return new Run(exitCode, err.toString());
    }
}
