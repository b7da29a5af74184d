package io.github.multiprocessing4j.cli.tour;

import io.github.multiprocessing4j.ChildProcess;
import io.github.multiprocessing4j.cli.support.Await;
import io.github.multiprocessing4j.cli.support.ChildGroup;
import io.github.multiprocessing4j.cli.support.Narrator;
import io.github.multiprocessing4j.cli.support.ScratchDir;

import java.util.OptionalInt;

/**
 * Lesson chapter 3, second rule of daemons: a daemonic process may not start children. A daemon
 * child tries, and catches the {@link IllegalStateException} that Python raises as an
 * {@code AssertionError}.
 */
final class DaemonChildrenChapter implements TourChapter {
    private static final String EXPECTED_MESSAGE = "daemonic processes are not allowed to have children";

    @Override
    public void run(Narrator n, ScratchDir dir) throws Exception {
        String outcome = dir.file("outcome");
        ChildProcess daemon = ChildProcess.builder(() -> tryToHaveAChild(outcome)).name("little-daemon")
                .daemon(true).build();
        daemon.start();
        try {
            n.act("Started the daemon 'little-daemon' (pid " + daemon.pid() + "); it calls new ChildProcess(...).start().");
            String caught = ScratchDir.awaitHandOver(outcome, Await.BOOT_TIMEOUT);
            daemon.join(Await.BOOT_TIMEOUT);
            n.confirm(caught.equals(IllegalStateException.class.getName() + ": " + EXPECTED_MESSAGE),
                    "start() in a daemon threw " + caught);
            n.confirm(daemon.exitCode().equals(OptionalInt.of(0)), "the daemon caught it and ended normally"
                    + " (exit code " + Narrator.exitCodeOf(daemon) + ")");
        } finally {
            ChildGroup.stop(daemon);
        }
    }

    /** The daemon's target: tries to start a child, and reports what happened. */
    private static void tryToHaveAChild(String outcomeFile) {
        try {
            new ChildProcess("grandchild", () -> { }).start();
            Narrator.childSays("I started a child?! That should not have been possible.");
            ScratchDir.handOver(outcomeFile, "started");
        } catch (IllegalStateException e) {
            Narrator.childSays("caught " + e);
            ScratchDir.handOver(outcomeFile, e.toString());
        }
    }
}
