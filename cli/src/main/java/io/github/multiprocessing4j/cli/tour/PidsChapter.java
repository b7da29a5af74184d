package io.github.multiprocessing4j.cli.tour;

import io.github.multiprocessing4j.ChildProcess;
import io.github.multiprocessing4j.Multiprocessing;
import io.github.multiprocessing4j.ProcessInfo;
import io.github.multiprocessing4j.cli.support.Await;
import io.github.multiprocessing4j.cli.support.ChildGroup;
import io.github.multiprocessing4j.cli.support.Narrator;
import io.github.multiprocessing4j.cli.support.ScratchDir;

import java.util.OptionalInt;

/**
 * Lesson chapter 1: every process has a PID; a child knows its own and its parent's;
 * {@code isAlive()}, {@code terminate()} and the exit code of a terminated process.
 */
final class PidsChapter implements TourChapter {
    private static final long CHILD_NAP_MILLIS = 30_000; // far longer than the chapter: it ends by terminate()

    @Override
    public void run(Narrator n, ScratchDir dir) throws Exception {
        ProcessInfo me = Multiprocessing.currentProcess();
        n.act("I am the tour: currentProcess() says name " + me.name() + ", pid " + me.pid()
                + ". I start a ChildProcess named 'pid-demo'.");
        String report = dir.file("pid-demo.report");
        ChildProcess child = new ChildProcess("pid-demo", () -> introduceYourself(report));
        child.start();
        try {
            n.observe("child.pid() = " + child.pid() + "; child.isAlive() = " + child.isAlive()
                    + " (true already: start() returns once the OS has created the process)");
            String[] seen = ScratchDir.awaitHandOver(report, Await.BOOT_TIMEOUT).split(" ");
            long childSaysItIs = Long.parseLong(seen[0]);
            long childSaysParentIs = Long.parseLong(seen[1]);
            n.confirm(childSaysItIs == child.pid(), "the child's currentProcess().pid() (" + childSaysItIs
                    + ") is the pid I was given by child.pid() (" + child.pid() + ")");
            n.confirm(childSaysParentIs == me.pid(), "the child's parentProcess().pid() (" + childSaysParentIs
                    + ") is my own pid (" + me.pid() + "): I am its parent");

            n.act("child.terminate(): asks the OS to send SIGTERM, like Python's p.terminate().");
            child.terminate();
            n.observe("right after terminate(): isAlive() = " + child.isAlive()
                    + " (it may still say true: the signal takes a moment to land; Python's lesson"
                    + " notes the same)");
            child.join();
            n.observe("after join(): isAlive() = " + child.isAlive() + ", exitCode() = " + Narrator.exitCodeOf(child));
            n.confirm(!child.isAlive() && child.exitCode().equals(OptionalInt.of(-15)),
                    "a process ended by signal N has exit code -N: -15 for SIGTERM, as in Python");
        } finally {
            ChildGroup.stop(child);
        }
    }

    /** The child's target: tells who it is and who its parent is, then naps until terminated. */
    private static void introduceYourself(String reportFile) throws InterruptedException {
        ProcessInfo me = Multiprocessing.currentProcess();
        ProcessInfo parent = Multiprocessing.parentProcess().orElseThrow();
        Narrator.childSays("currentProcess(): pid " + me.pid() + ", name " + me.name());
        Narrator.childSays("parentProcess():  pid " + parent.pid() + ", name " + parent.name()
                + "  (the OS agrees: my PPID is " + ProcFs.currentParentPid() + ")");
        ScratchDir.handOver(reportFile, me.pid() + " " + parent.pid());
        Thread.sleep(CHILD_NAP_MILLIS);
    }
}
