package io.github.multiprocessing4j.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code mp4j help [COMMAND...]}: the help of {@code mp4j} or of one of its commands, as
 * {@code --help} prints it; for those who type {@code help} first. A word that is no command is
 * reported as {@link OneLineErrors} reports it anywhere, with the list of the commands.
 */
@Command(name = "help", description = "Shows the help of mp4j, or of COMMAND (what 'mp4j COMMAND --help' shows).")
final class HelpCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Parameters(paramLabel = "COMMAND", arity = "0..*",
            description = "A command, and a subcommand of it if it has any: e.g. 'lesson tickets'.")
    private List<String> command = new ArrayList<>();

    @Override
    public Integer call() {
        CommandLine target = spec.parent().commandLine();
        for (String name : command) {
            CommandLine sub = target.getSubcommands().get(name);
            if (sub == null) {
                throw new UnmatchedArgumentException(target, List.of(name));
            }
            target = sub;
        }
        PrintWriter out = spec.commandLine().getOut();
        target.usage(out);
        out.flush();
        return 0;
    }
}
