package io.github.multiprocessing4j.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Help;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/**
 * {@code mp4j lesson}: the lesson's later programs (locks, queues, pools), one subcommand each.
 * None is written yet; {@code mp4j lesson list} tells which are planned.
 */
@Command(name = "lesson",
        description = "Runs one of the lesson's programs with real processes.",
        subcommands = LessonCommand.ListCommand.class,
        footerHeading = "%nPlanned lessons (not written yet):%n",
        footer = {
            "  tickets            buying tickets with and without a lock (chapter 4)",
            "  queue              a bounded queue: put, get, full, empty (chapter 5)",
            "  ipc                two processes talking through a queue (chapter 5)",
            "  producer-consumer  cooks and eaters around a queue (chapter 6)",
            "  pool               a pool of worker processes",
            ""})
public final class LessonCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "missing lesson name");
    }

    /** {@code mp4j lesson list}: the lessons, written and planned. */
    @Command(name = "list", description = "Lists the lessons, written and planned.")
    static final class ListCommand implements Callable<Integer> {
        @Spec
        private CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            out.println("No lesson is written yet; the process chapters are in 'mp4j tour'.");
            Help lessonHelp = spec.parent().commandLine().getHelp();
            out.print(lessonHelp.footerHeading() + lessonHelp.footer());
            out.flush();
            return 0;
        }
    }
}
