package io.github.multiprocessing4j.cli.lesson;

import io.github.multiprocessing4j.cli.support.Narrator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/**
 * {@code mp4j lesson ipc}: the lesson's chapter 5, processes talking through queues and pipes.
 * See {@link IpcLesson}.
 */
@Command(name = "ipc",
        description = {"Processes talking through a queue and a pipe (chapter 5, IPC).",
                "The parent and a child, then two children (the lesson's program: one puts 'zd', the other gets"
                        + " it), through a ProcessQueue; then the same pairs through a Pipe, where recv() throws"
                        + " EOFException once the other end is closed."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:every message arrived as the lesson says", "1:one did not (marked !! in the output), or"
                + " a child did not answer", "2:wrong usage"})
public final class IpcCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Narrator n = new Narrator(spec.commandLine().getOut());
        n.explain("Processes do not share their memory: each has its own, so a variable set in one is not seen in"
                + " another. To exchange data they need inter-process communication (IPC): a pipe (as between a"
                + " program and its subprocess: stdin, stdout, stderr), or a queue, which is a pipe plus a lock."
                + " Lines starting with '|' are printed by the child processes themselves.");
        IpcLesson.run(n);
        return n.surprises() == 0 ? 0 : 1;
    }
}
