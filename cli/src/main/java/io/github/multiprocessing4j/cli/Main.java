package io.github.multiprocessing4j.cli;

import io.github.multiprocessing4j.cli.ps.PsCommand;
import io.github.multiprocessing4j.cli.tour.TourCommand;
import io.github.multiprocessing4j.cli.worker.WorkerCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/**
 * The {@code mp4j} command: demos of Python's {@code multiprocessing} lesson with real
 * processes ({@code tour}, {@code lesson}), a view of the live process trees ({@code ps}), and
 * a machine's worker agent of a cluster ({@code worker}).
 */
@Command(name = "mp4j", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        scope = ScopeType.INHERIT, // every subcommand gets --help and --version
        description = "Python's multiprocessing lesson, run with real JVM processes.",
        subcommands = {TourCommand.class, PsCommand.class, LessonCommand.class, WorkerCommand.class,
                HelpCommand.class})
public final class Main implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    /**
     * Runs the command and exits with its exit code.
     *
     * @param args the command line
     */
    public static void main(String[] args) {
        int exitCode = commandLine().execute(args);
        // Return normally on success: the JVM then waits for non-daemon children, as Python does.
        if (exitCode != 0) {
            System.exit(exitCode);
        }
    }

    /** @return the {@code mp4j} command line, with the one-line error handling, ready to execute */
    public static CommandLine commandLine() {
        OneLineErrors errors = new OneLineErrors();
        return new CommandLine(new Main())
                .setParameterExceptionHandler(errors)
                .setExecutionExceptionHandler(errors);
    }

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "missing command; the commands are: "
                + String.join(", ", spec.subcommands().keySet()));
    }

    /** The version from the jar's manifest. */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Main.class.getPackage().getImplementationVersion();
            return new String[] {"mp4j " + (version != null ? version : "(development build)")};
        }
    }
}
