package io.github.multiprocessing4j.cli;

import io.github.multiprocessing4j.cli.support.RedisUrl;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reports a mistake in one line on stderr, never with a stack trace: a usage mistake with a
 * pointer to the command's help (exit code 2; a word that is no command gets the list of the
 * commands), a failure while running with what went wrong (exit code 1). A server URL in the line (picocli echoes a misplaced argument) has its password
 * masked.
 */
final class OneLineErrors implements IParameterExceptionHandler, IExecutionExceptionHandler {
    @Override
    public int handleParseException(ParameterException e, String[] args) {
        CommandLine command = e.getCommandLine();
        command.getErr().println("mp4j: " + oneLine(unknownCommand(e).orElse(e.getMessage())) + " (see '"
                + command.getCommandSpec().qualifiedName() + " --help')");
        command.getErr().flush();
        return command.getCommandSpec().exitCodeOnInvalidInput();
    }

    @Override
    public int handleExecutionException(Exception e, CommandLine command, ParseResult parseResult) {
        String what = e.getMessage() != null ? e.getMessage() : e.getClass().getName();
        command.getErr().println("mp4j: " + command.getCommandSpec().name() + " failed: " + oneLine(what));
        command.getErr().flush();
        return command.getCommandSpec().exitCodeOnExecutionException();
    }

    /**
     * A word where a command with subcommands expects one: picocli calls it an unmatched
     * argument at some index, which tells a newcomer nothing; say which commands there are.
     */
    private static Optional<String> unknownCommand(ParameterException e) {
        Map<String, CommandLine> subcommands = e.getCommandLine().getSubcommands();
        if (!(e instanceof UnmatchedArgumentException) || subcommands.isEmpty()) {
            return Optional.empty();
        }
        List<String> unmatched = ((UnmatchedArgumentException) e).getUnmatched();
        if (unmatched.isEmpty() || unmatched.get(0).startsWith("-")) {
            return Optional.empty();
        }
        return Optional.of("unknown command '" + unmatched.get(0) + "'; the commands are: "
                + String.join(", ", subcommands.keySet()));
    }

    private static String oneLine(String message) {
        return RedisUrl.mask(message.replaceAll("\\s*\\R\\s*", " ").strip());
    }
}
