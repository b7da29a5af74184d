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

import java.util.List;
import java.util.concurrent.Callable;

/**
 * The {@code mp4j} command: demos of Python's {@code multiprocessing} lesson with real
 * processes ({@code tour}, {@code lesson}), a view of the live process trees ({@code ps}), the
 * side-by-side benchmark of a checkout ({@code bench}), and a machine's worker agent of a cluster
 * ({@code worker}).
 */
@Command(name = "mp4j", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        scope = ScopeType.INHERIT, // every subcommand gets --help and --version
        description = "Python's multiprocessing lesson, run with real JVM processes.")
public final class Main implements Callable<Integer> {
    /**
     * The commands, in the order help lists them. Only the one a command line names is built
     * ({@link #commandLine(String...)}): picocli builds a command's model by reflection, and
     * building all of them (the lessons, the tour, the worker) took a new JVM about 120 ms before
     * {@code mp4j ps} could start.
     */
    private static final List<Class<?>> COMMANDS = List.of(TourCommand.class, PsCommand.class, LessonCommand.class,
            BenchCommand.class, WorkerCommand.class, HelpCommand.class);

    @Spec
    private CommandSpec spec;

    /**
     * Runs the command and exits with its exit code.
     *
     * @param args the command line
     */
    public static void main(String[] args) {
        int exitCode = commandLine(args).execute(args);
        // Return normally on success: the JVM then waits for non-daemon children, as Python does.
        if (exitCode != 0) {
            System.exit(exitCode);
        }
    }

    /**
     * Returns the {@code mp4j} command line for {@code args}, with the one-line error handling,
     * ready to execute them: with only the command they name when they start with one (other
     * than {@code help}, which shows them all), else with every command.
     *
     * @param args the command line it is for
     * @return the command line
     */
    public static CommandLine commandLine(String... args) {
        OneLineErrors errors = new OneLineErrors();
        CommandLine commandLine = new CommandLine(new Main())
                .setParameterExceptionHandler(errors)
                .setExecutionExceptionHandler(errors);
        Class<?> named = args.length == 0 || args[0].equals(nameOf(HelpCommand.class)) ? null
                : COMMANDS.stream().filter(c -> nameOf(c).equals(args[0])).findFirst().orElse(null);
        for (Class<?> command : named != null ? List.<Class<?>>of(named) : COMMANDS) {
            commandLine.addSubcommand(command);
        }
        return commandLine;
    }

    private static String nameOf(Class<?> command) {
        return command.getAnnotation(Command.class).name();
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
