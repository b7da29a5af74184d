package io.github.multiprocessing4j.cli;

import io.github.multiprocessing4j.cli.support.RedisUrl;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * Reports a mistake in one line on stderr, never with a stack trace: a usage mistake with a
 * pointer to the command's help (exit code 2), a failure while running with what went wrong
 * (exit code 1). A server URL in the line (picocli echoes a misplaced argument) has its password
 * masked.
 */
final class OneLineErrors implements IParameterExceptionHandler, IExecutionExceptionHandler {
    @Override
    public int handleParseException(ParameterException e, String[] args) {
        CommandLine command = e.getCommandLine();
        command.getErr().println("mp4j: " + oneLine(e.getMessage()) + " (see '"
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

    private static String oneLine(String message) {
        return RedisUrl.mask(message.replaceAll("\\s*\\R\\s*", " ").strip());
    }
}
