package io.github.multiprocessing4j.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code mp4j bench [ARG...]}: runs the side-by-side benchmark of the checkout this {@code mp4j}
 * was built in ({@code bench/run}, which measures CPython's {@code multiprocessing} and this
 * library one after the other and prints one table), its arguments passed on unchanged.
 *
 * <p>Implementation notes. The benchmark needs the whole checkout (its CPython scripts, its Maven
 * build), so this command only finds and runs {@code bench/run}: the checkout is the one whose
 * {@code cli/target} holds this command's classes ({@code mp4j.jar}, or {@code classes} in a
 * build), and an {@code mp4j} copied elsewhere says that it finds none. Unless the arguments name a
 * {@code --java}, the benchmark runs with the JVM that runs {@code mp4j} ({@code bin/mp4j} takes
 * {@code JAVA_HOME}'s), where {@code bench/run} alone would take the first {@code java} on the
 * path. Every argument is {@code bench/run}'s, options included (unknown ones here are not
 * refused: {@code bench/run} says what it takes), but {@code --help} and {@code --version},
 * which are {@code mp4j}'s; {@code mp4j bench -- --help} shows {@code bench/run}'s.
 */
@Command(name = "bench",
        description = {"Runs the side-by-side benchmark of this checkout (bench/run) against CPython.",
                "CPython's multiprocessing and multiprocessing4j are measured one after the other on this machine"
                        + " and shown in one table, each figure beside its design target. A full run takes about"
                        + " 15 minutes; --quick is a smoke test.",
                "ARG... are bench/run's: --quick, --only SECTION,..., --java PATH, --child-jvm-arg OPTION,"
                        + " --cluster-python PATH ('mp4j bench -- --help' lists them). Without --java, the"
                        + " benchmark runs with the java that runs mp4j.",
                "Needs the checkout mp4j was built in (bench/ beside cli/), Maven and python3."})
final class BenchCommand implements Callable<Integer> {
    /** The benchmark's runner, relative to the checkout's root. */
    static final Path RUNNER = Path.of("bench", "run");

    @Parameters(paramLabel = "ARG", arity = "0..*", description = "An argument of bench/run, passed on as it is.")
    private List<String> arguments = new ArrayList<>();

    /** The checkout's root, when one was given instead of the one this command was built in. */
    private final Path checkout;

    BenchCommand() {
        this(null);
    }

    /** @param checkout the checkout whose {@code bench/run} to run; null for the one this command was built in */
    BenchCommand(Path checkout) {
        this.checkout = checkout;
    }

    /**
     * Options of {@code bench/run} are not this command's: picocli takes a word it does not know
     * that starts with a dash as a positional argument ({@link #arguments}) instead of refusing it.
     *
     * @param spec this command's model, which picocli gives before it parses a command line
     */
    @Spec
    void unknownOptionsAreArguments(CommandSpec spec) {
        spec.parser().unmatchedOptionsArePositionalParams(true);
    }

    @Override
    public Integer call() throws IOException, InterruptedException {
        Path root = checkout != null ? checkout : builtIn().orElseThrow(() -> new IllegalStateException(
                "no checkout of multiprocessing4j around this mp4j (" + codeLocation().map(Path::toString)
                        .orElse("its location is unknown") + "): the benchmark runs from the checkout mp4j was"
                        + " built in (bin/mp4j bench there), or as bench/run in a checkout"));
        Path runner = root.resolve(RUNNER);
        if (!Files.isExecutable(runner)) {
            throw new IllegalStateException(runner + " is missing or not executable: the benchmark runs from a full"
                    + " checkout of multiprocessing4j");
        }
        List<String> command = new ArrayList<>(List.of(runner.toString()));
        if (!arguments.contains("--java")) {
            command.addAll(List.of("--java", Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        }
        command.addAll(arguments);
        Process bench = new ProcessBuilder(command).directory(root.toFile()).inheritIO().start();
        try {
            return bench.waitFor();
        } catch (InterruptedException e) {
            bench.descendants().forEach(ProcessHandle::destroy);
            bench.destroy();
            throw e;
        }
    }

    /** @return the checkout this command was built in: the root above its {@code cli/target}, if there is one */
    private static Optional<Path> builtIn() {
        return codeLocation()
                .map(Path::getParent) // cli/target
                .filter(target -> target.getFileName() != null && target.getFileName().toString().equals("target"))
                .map(Path::getParent) // cli
                .filter(cli -> cli.getFileName() != null && cli.getFileName().toString().equals("cli"))
                .map(Path::getParent)
                .filter(root -> Files.isDirectory(root.resolve(RUNNER.getParent())));
    }

    /** @return where this command's classes were loaded from: {@code mp4j.jar}, or a build's {@code classes} */
    private static Optional<Path> codeLocation() {
        try {
            var source = BenchCommand.class.getProtectionDomain().getCodeSource();
            return source == null ? Optional.empty() : Optional.of(Path.of(source.getLocation().toURI()).toAbsolutePath());
        } catch (URISyntaxException | IllegalArgumentException | SecurityException e) {
            return Optional.empty();
        }
    }
}
