package io.github.multiprocessing4j.cli.tour;

import io.github.multiprocessing4j.ChildProcess;
import io.github.multiprocessing4j.cli.support.Await;
import io.github.multiprocessing4j.cli.support.ChildGroup;
import io.github.multiprocessing4j.cli.support.Narrator;
import io.github.multiprocessing4j.cli.support.ScratchDir;

import java.io.Serializable;
import java.time.Duration;

/**
 * Lesson chapter 3, daemons: the lesson's program, where the main process starts a daemon child
 * "xiaobao", prints "haha" and ends, taking xiaobao with it; then the same program with a
 * non-daemon child, "dabao", which its parent waits for.
 *
 * <p>Implementation notes. The lesson's main process is played by a child of the tour, named
 * "parent", so that the tour can watch from outside how it ends. Its baby reports each step
 * through a file: its pid, "alive" after its first line and "dying" after its second, so the
 * tour knows, and does not merely hope, that xiaobao never printed its second line.
 */
final class DaemonChapter implements TourChapter {
    private static final long BABY_SLEEP_MILLIS = 3000;
    /** The library ends a daemon within a second of its parent; a loaded machine may add a little. */
    private static final Duration DAEMON_END_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration PARENT_TIMEOUT = Await.BOOT_TIMEOUT.plusMillis(BABY_SLEEP_MILLIS);

    /** The files through which a run's processes report to the tour; Strings, to be serializable. */
    private record Reports(String babyPid, String babyAlive, String babyDying, String parentDone) implements Serializable {
        static Reports in(ScratchDir dir, String baby) {
            return new Reports(dir.file(baby + ".pid"), dir.file(baby + ".alive"), dir.file(baby + ".dying"),
                    dir.file(baby + "-parent.done"));
        }
    }

    @Override
    public void run(Narrator n, ScratchDir dir) throws Exception {
        n.explain("Here the lesson's main process is itself a child of the tour, named 'parent', so that the "
                + "tour can watch it from outside. So that you see xiaobao's first line, 'parent' waits until "
                + "xiaobao has said it is alive before printing 'haha' (in the lesson xiaobao does not even get "
                + "that far).");
        runDaemonVariant(n, Reports.in(dir, "xiaobao"));
        n.explain("For contrast, the same program with a non-daemon child, 'dabao'. When a process's code ends, "
                + "its JVM, like Python, first waits for its non-daemon children, so dabao is allowed to finish.");
        runNonDaemonVariant(n, Reports.in(dir, "dabao"));
    }

    private static void runDaemonVariant(Narrator n, Reports reports) throws Exception {
        ChildProcess parent = new ChildProcess("parent", () -> lessonMainProgram("xiaobao", true, reports));
        parent.start();
        try {
            n.act("Started 'parent' (pid " + parent.pid() + "), which starts xiaobao with daemon(true).");
            long babyPid = Long.parseLong(ScratchDir.awaitHandOver(reports.babyPid(), Await.BOOT_TIMEOUT));
            ScratchDir.awaitHandOver(reports.parentDone(), Await.BOOT_TIMEOUT);
            long parentDone = System.nanoTime();
            boolean ended = Await.until(() -> !ProcFs.isRunning(babyPid), DAEMON_END_TIMEOUT);
            long endedAfter = System.nanoTime() - parentDone;
            parent.join(PARENT_TIMEOUT);
            n.confirm(ended, "xiaobao (pid " + babyPid + ") was gone " + Narrator.millis(endedAfter) + " after its"
                    + " parent's code ended: the parent's exit ended its daemon child");
            n.confirm(!ScratchDir.handedOver(reports.babyDying()), "'xiaobao is dying' was never printed: the"
                    + " daemon did not live to finish its 3 s sleep");
            n.observe("'parent' exit code: " + Narrator.exitCodeOf(parent) + ".");
        } finally {
            ChildGroup.stop(parent);
        }
    }

    private static void runNonDaemonVariant(Narrator n, Reports reports) throws Exception {
        ChildProcess parent = new ChildProcess("parent", () -> lessonMainProgram("dabao", false, reports));
        parent.start();
        try {
            n.act("Started 'parent' (pid " + parent.pid() + "), which starts dabao, not a daemon.");
            ScratchDir.awaitHandOver(reports.parentDone(), Await.BOOT_TIMEOUT);
            long parentDone = System.nanoTime();
            parent.join(PARENT_TIMEOUT);
            long exitedAfter = System.nanoTime() - parentDone;
            n.confirm(ScratchDir.handedOver(reports.babyDying()), "dabao lived to print 'dabao is dying'");
            n.confirm(!parent.isAlive() && exitedAfter >= Duration.ofMillis(BABY_SLEEP_MILLIS / 2).toNanos(),
                    "'parent' exited " + Narrator.seconds(exitedAfter) + " after its code ended: its JVM waited for"
                            + " its non-daemon child (exit code " + Narrator.exitCodeOf(parent) + ")");
        } finally {
            ChildGroup.stop(parent);
        }
    }

    /** The lesson's main program, run by 'parent': start the baby, say haha, end. */
    private static void lessonMainProgram(String babyName, boolean daemon, Reports reports) throws InterruptedException {
        ChildProcess baby = ChildProcess.builder(() -> task(babyName, reports)).name(babyName).build();
        baby.setDaemon(daemon); // the lesson's p.daemon = True: before start()
        baby.start();
        ScratchDir.handOver(reports.babyPid(), Long.toString(baby.pid()));
        ScratchDir.awaitHandOver(reports.babyAlive(), Await.BOOT_TIMEOUT);
        Narrator.childSays("haha");
        ScratchDir.handOver(reports.parentDone(), "");
    }

    /** The lesson's task(name). */
    private static void task(String name, Reports reports) throws InterruptedException {
        Narrator.childSays(name + " is alive");
        ScratchDir.handOver(reports.babyAlive(), "");
        Thread.sleep(BABY_SLEEP_MILLIS);
        Narrator.childSays(name + " is dying");
        ScratchDir.handOver(reports.babyDying(), "");
    }
}
