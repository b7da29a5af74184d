package io.github.multiprocessing4j.cli.tour;

import io.github.multiprocessing4j.ChildProcess;
import io.github.multiprocessing4j.Multiprocessing;
import io.github.multiprocessing4j.ProcessInfo;
import io.github.multiprocessing4j.cli.support.Await;
import io.github.multiprocessing4j.cli.support.ChildGroup;
import io.github.multiprocessing4j.cli.support.Narrator;
import io.github.multiprocessing4j.cli.support.ScratchDir;
import io.github.multiprocessing4j.cli.tour.ProcFs.ProcStat;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Lesson chapter 2, orphans: a child A starts a grandchild B; the tour kills A with SIGKILL, and
 * B lives on, adopted by another parent, and finishes its work.
 *
 * <p>Implementation notes. B is not a child of the tour, so the tour learns B's pid from a file B
 * writes, and watches B through {@code /proc}. B's "done" is its exit; since its adoptive parent
 * may take a while to reap it, a zombie B counts as ended. Whatever happens, B does not outlive
 * the chapter: it is killed by pid (through a {@link ProcessHandle}, which checks the start time)
 * if it has not ended by the deadline.
 */
final class OrphanChapter implements TourChapter {
    private static final long GRANDCHILD_WORK_MILLIS = 1500;
    private static final Duration GRANDCHILD_FINISH_TIMEOUT = Duration.ofSeconds(10);

    @Override
    public void run(Narrator n, ScratchDir dir) throws Exception {
        String grandchildPidFile = dir.file("B.pid");
        String grandchildDoneFile = dir.file("B.done");
        ChildProcess a = new ChildProcess("A", () -> startGrandchild(grandchildPidFile, grandchildDoneFile));
        a.start();
        Optional<ProcessHandle> b = Optional.empty();
        try {
            n.act("Started child A (pid " + a.pid() + "); A starts its own child B, a grandchild of the tour.");
            long bPid = Long.parseLong(ScratchDir.awaitHandOver(grandchildPidFile, Await.BOOT_TIMEOUT));
            b = ProcessHandle.of(bPid);
            n.observe("B is pid " + bPid + "; /proc says its parent is " + parentOf(bPid) + ".");

            n.act("a.kill(): SIGKILL to A, which cannot catch it and dies on the spot.");
            a.kill();
            a.join();
            n.confirm(a.exitCode().equals(OptionalInt.of(-9)), "A is dead, with exit code "
                    + Narrator.exitCodeOf(a) + ": ended by signal 9, SIGKILL");
            Optional<ProcStat> bNow = ProcFs.stat(bPid);
            n.confirm(ProcFs.isRunning(bPid), "B (pid " + bPid + ") is still alive: it is an orphan now");
            n.confirm(bNow.isPresent() && bNow.get().parentPid() != a.pid(), "B was re-parented: its parent is"
                    + " now " + parentOf(bPid) + ", no longer A (pid " + a.pid() + ")");

            n.act("Waiting for B to finish its work on its own...");
            boolean finished = Await.until(() -> !ProcFs.isRunning(bPid), GRANDCHILD_FINISH_TIMEOUT);
            n.confirm(finished && ScratchDir.handedOver(grandchildDoneFile), "B finished its work and ended on"
                    + " its own, although its parent had died long before");
        } finally {
            ChildGroup.stop(a);
            ChildGroup.destroy(b);
        }
    }

    private static String parentOf(long pid) {
        return ProcFs.stat(pid).map(s -> ProcFs.describe(s.parentPid())).orElse("(gone)");
    }

    /** The target of A: starts B, a non-daemon child, then waits for it (until A is killed). */
    private static void startGrandchild(String grandchildPidFile, String grandchildDoneFile) throws InterruptedException {
        ChildProcess b = new ChildProcess("B", () -> workAsOrphan(grandchildPidFile, grandchildDoneFile));
        b.start();
        Narrator.childSays("I started B, pid " + b.pid() + "; now I wait for it with join()");
        b.join();
    }

    /** The target of B: tells the tour its pid, works a while, then says who its parent is now. */
    private static void workAsOrphan(String grandchildPidFile, String grandchildDoneFile) throws InterruptedException {
        ProcessInfo me = Multiprocessing.currentProcess();
        ScratchDir.handOver(grandchildPidFile, Long.toString(me.pid()));
        Thread.sleep(GRANDCHILD_WORK_MILLIS);
        ProcessInfo parent = Multiprocessing.parentProcess().orElseThrow();
        Narrator.childSays("done working. My parent pid now (from /proc/self/stat): "
                + ProcFs.describe(ProcFs.currentParentPid()) + ".");
        Narrator.childSays("Multiprocessing.parentProcess() still names the process that started me: "
                + parent.name() + ", pid " + parent.pid() + ".");
        ScratchDir.handOver(grandchildDoneFile, "");
    }
}
