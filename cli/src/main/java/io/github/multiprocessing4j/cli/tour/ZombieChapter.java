package io.github.multiprocessing4j.cli.tour;

import io.github.multiprocessing4j.ChildProcess;
import io.github.multiprocessing4j.cli.support.Await;
import io.github.multiprocessing4j.cli.support.ChildGroup;
import io.github.multiprocessing4j.cli.support.Narrator;
import io.github.multiprocessing4j.cli.support.ScratchDir;
import io.github.multiprocessing4j.cli.tour.ProcFs.ProcStat;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;

/**
 * Lesson chapter 2, zombies: that a JVM reaps its children at once, so a {@link ChildProcess}
 * never lingers as a zombie; then a real zombie, made by a parent that never waits.
 *
 * <p>Implementation notes. The real zombie comes from {@code sh -c 'sleep 0.3 & exec sleep 2'}:
 * the shell forks the short sleep and then replaces itself with {@code sleep 2}, a program that
 * never calls {@code wait()}, so the short sleep, once ended, stays a zombie for as long as
 * {@code sleep 2} lives. Then it is orphaned and adopted by init (or a subreaper), which reaps it;
 * how soon depends on that process (a container's init may poll every couple of seconds), so not
 * seeing it reaped in time is reported as a note, not a failure.
 */
final class ZombieChapter implements TourChapter {
    private static final String CARELESS_PARENT = "sleep 0.3 & exec sleep 2";
    private static final long ZOMBIE_LOOK_AT_MILLIS = 600;
    private static final Duration CARELESS_PARENT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration ADOPTER_REAP_TIMEOUT = Duration.ofSeconds(4);
    private static final int QUICK_EXIT_CODE = 3;

    @Override
    public void run(Narrator n, ScratchDir unused) throws Exception {
        n.explain("A JVM is a careful parent: the JDK keeps a thread waiting for each process it started, and "
                + "that thread reaps the process the instant it exits. So a ChildProcess never lingers as a "
                + "zombie, even before you call join(); the library keeps its exit code for you.");
        showJvmReapsAtOnce(n);
        n.explain("To see a real zombie we need a careless parent. `sh -c '" + CARELESS_PARENT + "'` starts a "
                + "short sleep in the background, then turns itself into `sleep 2`, a program that never waits "
                + "for children. When the short sleep ends after 0.3 s, nobody reaps it.");
        showRealZombie(n);
    }

    private static void showJvmReapsAtOnce(Narrator n) throws Exception {
        ChildProcess quick = new ChildProcess("quick-exit", ZombieChapter::exitAtOnce);
        long started = System.nanoTime();
        quick.start();
        try {
            long pid = quick.pid();
            n.act("Started 'quick-exit' (pid " + pid + "), which calls System.exit(" + QUICK_EXIT_CODE
                    + ") at once. I do not call join(): I only watch /proc/" + pid + ".");
            boolean vanished = Await.until(() -> !ProcFs.hasEntry(pid), Await.BOOT_TIMEOUT);
            n.confirm(vanished, "/proc/" + pid + " is gone (" + Narrator.seconds(System.nanoTime() - started)
                    + " after start, JVM boot included) although nobody called join(): the JDK reaped the child"
                    + " the moment it exited, so no zombie was left behind");
            quick.join();
            n.confirm(quick.exitCode().equals(OptionalInt.of(QUICK_EXIT_CODE)), "join() still returns, and "
                    + "exitCode() is " + Narrator.exitCodeOf(quick) + ": the library kept the exit status that the"
                    + " kernel has already forgotten");
        } finally {
            ChildGroup.stop(quick);
        }
    }

    private static void showRealZombie(Narrator n) throws Exception {
        Process careless = new ProcessBuilder("sh", "-c", CARELESS_PARENT)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        long started = System.nanoTime();
        Optional<ProcessHandle> shortSleep = Optional.empty();
        try {
            // The shell forks the background sleep before it execs, so the child shows up at once.
            Await.until(() -> careless.children().findAny().isPresent(), Await.BOOT_TIMEOUT);
            shortSleep = careless.children().findAny();
            long zombiePid = shortSleep.orElseThrow(() -> new IllegalStateException(
                    "sh (pid " + careless.pid() + ") did not start its background sleep")).pid();
            n.act("The careless parent is pid " + careless.pid() + " (now `sleep 2`); its background child, the"
                    + " short sleep, is pid " + zombiePid + ". I wait until 0.6 s have passed, so the short"
                    + " sleep has ended.");
            Thread.sleep(Math.max(0, ZOMBIE_LOOK_AT_MILLIS - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)));
            Optional<ProcStat> stat = ProcFs.stat(zombiePid);
            n.observe("/proc/" + zombiePid + "/stat says: " + stat.map(s -> "state " + s.state() + ", parent pid "
                    + s.parentPid()).orElse("nothing (no such process)"));
            n.confirm(stat.isPresent() && stat.get().isZombie() && stat.get().parentPid() == careless.pid(),
                    "the short sleep has exited, yet it is still listed, in state Z: a zombie, waiting for its"
                            + " parent `sleep 2` to reap it");

            n.act("Now I wait for `sleep 2` to end. This JVM is its parent, and reaps it.");
            if (!careless.waitFor(CARELESS_PARENT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("`sleep 2` (pid " + careless.pid() + ") did not end in time");
            }
            long parentEnded = System.nanoTime();
            ProcFs.stat(zombiePid).ifPresent(s -> n.observe("The zombie has lost its parent and been"
                    + " adopted by " + ProcFs.describe(s.parentPid()) + ": orphans go to init (or the nearest"
                    + " 'subreaper'), whose job is to reap them."));
            boolean reaped = Await.until(() -> !ProcFs.hasEntry(zombiePid), ADOPTER_REAP_TIMEOUT);
            if (reaped) {
                n.confirm(true, "the zombie " + zombiePid + " is gone, " + Narrator.millis(System.nanoTime() - parentEnded)
                        + " after its careless parent ended: its adoptive parent reaped it");
            } else {
                n.note("the zombie " + zombiePid + " is still there " + ADOPTER_REAP_TIMEOUT.toSeconds() + " s after"
                        + " its parent ended: its adoptive parent " + ProcFs.stat(zombiePid)
                        .map(s -> ProcFs.describe(s.parentPid())).orElse("(unknown)")
                        + " reaps slowly, or not at all (some containers run a PID 1 that is not a real init).");
            }
        } finally {
            careless.destroyForcibly();
            careless.waitFor(CARELESS_PARENT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            ChildGroup.destroy(shortSleep);
        }
    }

    /** The target of 'quick-exit': ends at once with a telling exit code. */
    private static void exitAtOnce() {
        Narrator.childSays("exiting with System.exit(" + QUICK_EXIT_CODE + ")");
        System.exit(QUICK_EXIT_CODE);
    }
}
