package io.github.multiprocessing4j.cli;

import io.github.multiprocessing4j.cli.lesson.IpcCommand;
import io.github.multiprocessing4j.cli.lesson.PoolCommand;
import io.github.multiprocessing4j.cli.lesson.ProducerConsumerCommand;
import io.github.multiprocessing4j.cli.lesson.QueueCommand;
import io.github.multiprocessing4j.cli.lesson.TicketsCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/**
 * {@code mp4j lesson}: the lesson's later programs (locks, queues, pools), one subcommand each;
 * {@code mp4j lesson list} lists them.
 */
@Command(name = "lesson",
        description = "Runs one of the lesson's programs with real processes.",
        subcommands = {LessonCommand.ListCommand.class, TicketsCommand.class, QueueCommand.class, IpcCommand.class,
                ProducerConsumerCommand.class, PoolCommand.class})
public final class LessonCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "missing lesson name");
    }

    /** {@code mp4j lesson list}: the lessons there are, from the subcommands themselves. */
    @Command(name = "list", description = "Lists the lessons.")
    static final class ListCommand implements Callable<Integer> {
        @Spec
        private CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            out.println("Lessons (the process chapters are in 'mp4j tour'):");
            // From the subcommands themselves, so that a new lesson shows up here without a second list.
            spec.parent().subcommands().forEach((name, lesson) -> {
                if (!name.equals(spec.name())) {
                    out.printf("  %-18s %s%n", name, lesson.getCommandSpec().usageMessage().description()[0]);
                }
            });
            out.flush();
            return 0;
        }
    }
}
