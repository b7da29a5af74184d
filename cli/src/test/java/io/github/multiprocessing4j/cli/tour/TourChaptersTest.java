package io.github.multiprocessing4j.cli.tour;

import io.github.multiprocessing4j.cli.Mp4jRun;
import org.junit.jupiter.api.Test;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs each chapter of {@code mp4j tour} as the real command, in its own JVM, so that the lines
 * its child processes print land in the output read here, and checks the facts each chapter is
 * about.
 */
class TourChaptersTest {
    /**
     * Runs one chapter and checks it went as the lesson says.
     *
     * @return its output with every run of white space made one space, so that a check does not
     *     depend on where the narrator wrapped a line; children's lines keep their "| name (pid N):" prefix
     */
    private static String tour(String chapter) throws Exception {
        Mp4jRun.Result result = Mp4jRun.asProcess("tour", "--chapter", chapter);
        assertThat(result.out()).as("the tour's output").doesNotContain("!!");
        assertThat(result.exitCode()).as("exit code; the tour printed:%n%s%s", result.out(), result.err()).isZero();
        assertThat(result.err()).doesNotContain("Exception", "\tat ");
        assertThat(result.out()).contains("Tour finished: every point was shown");
        return result.out().replaceAll("\\s+", " ");
    }

    private static long number(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertThat(m.find()).as("'%s' in:%n%s", regex, text).isTrue();
        return Long.parseLong(m.group(1));
    }

    @Test
    void everyChapterHasAnIntroductionAndAUniqueName() {
        assertThat(TourChapters.names()).doesNotHaveDuplicates().allMatch(name -> name.matches("[a-z-]+"));
        for (TourChapters.Entry chapter : TourChapters.ALL) {
            assertThat(chapter.introduction()).as(chapter.name()).isNotEmpty().allMatch(p -> p.length() > 80 && !p.contains("\n"));
        }
    }

    @Test
    void pidsChapterShowsTheChildKnowsItsParentAndDiesOfSigterm() throws Exception {
        String out = tour("pids");

        long tourPid = number(out, "currentProcess\\(\\) says name MainProcess, pid (\\d+)");
        long childPid = number(out, "child\\.pid\\(\\) = (\\d+)");
        assertThat(out).contains("| pid-demo (pid " + childPid + "): currentProcess(): pid " + childPid + ", name pid-demo")
                .contains("| pid-demo (pid " + childPid + "): parentProcess(): pid " + tourPid + ", name MainProcess")
                .contains("exitCode() = -15");
    }

    @Test
    void zombieChapterShowsAChildProcessIsReapedAtOnceAndARealZombie() throws Exception {
        String out = tour("zombie");

        assertThat(out).contains("| quick-exit (pid ").contains("although nobody called join()")
                .contains("exitCode() is 3");
        long zombiePid = number(out, "/proc/(\\d+)/stat says: state Z, parent pid \\d+");
        assertThat(out).contains("OK the short sleep has exited, yet it is still listed, in state Z");
        assertThat(ProcFs.hasEntry(zombiePid)).as("zombie %d left behind", zombiePid).isFalse();
    }

    @Test
    void orphanChapterShowsTheGrandchildOutlivesItsKilledParentAndIsReParented() throws Exception {
        String out = tour("orphan");

        long aPid = number(out, "Started child A \\(pid (\\d+)\\)");
        long bPid = number(out, "B is pid (\\d+);");
        assertThat(out).contains("A is dead, with exit code -9").contains("OK B (pid " + bPid + ") is still alive");
        long adoptiveParent = number(out, "OK B was re-parented: its parent is now pid (\\d+)");
        long parentSeenByB = number(out, "\\| B \\(pid " + bPid + "\\): done working\\. My parent pid now \\(from /proc/self/stat\\): pid (\\d+)");
        assertThat(adoptiveParent).isNotEqualTo(aPid);
        assertThat(parentSeenByB).isNotEqualTo(aPid);
        assertThat(out).contains("| B (pid " + bPid + "): Multiprocessing.parentProcess() still names the process that"
                + " started me: A, pid " + aPid);
        assertThat(ProcFs.isRunning(bPid)).as("grandchild left running").isFalse();
    }

    @Test
    void daemonChapterShowsTheDaemonDiesWithItsParentAndTheNonDaemonIsWaitedFor() throws Exception {
        String out = tour("daemon");

        long xiaobao = number(out, "\\| xiaobao \\(pid (\\d+)\\): xiaobao is alive");
        assertThat(out).containsPattern("\\| parent \\(pid \\d+\\): haha")
                .doesNotContain("| xiaobao (pid " + xiaobao + "): xiaobao is dying")
                .contains("OK xiaobao (pid " + xiaobao + ") was gone");
        long dabao = number(out, "\\| dabao \\(pid (\\d+)\\): dabao is alive");
        assertThat(out.indexOf("| dabao (pid " + dabao + "): dabao is dying")).as("dabao's last words")
                .isGreaterThan(out.lastIndexOf("): haha"));
    }

    @Test
    void daemonChildrenChapterShowsADaemonMayNotStartAProcess() throws Exception {
        String out = tour("daemon-children");

        assertThat(out).contains("| little-daemon (pid ")
                .contains("caught java.lang.IllegalStateException: daemonic processes are not allowed to have children")
                .contains("exit code 0");
    }

    @Test
    void ticketsChapterShowsTheLockSellsTheOnlyTicketOnce() throws Exception {
        String out = tour("tickets");

        assertThat(out).contains("WITHOUT the lock").contains("with the lock")
                .containsPattern("\\| buyer-\\d+ \\(pid \\d+\\): searches: 1 ticket left")
                .contains("OK with the lock exactly one buyer got the ticket, and the file says 0")
                .contains("Data safe, as every run with the lock")
                .contains("1 success, 9 failures; the file now says {\"ticket_num\": 0}")
                .contains("The price of safety");
    }

    @Test
    void queueChapterShowsABoundedQueueFullEmptyAndInOrder() throws Exception {
        String out = tour("queue");

        assertThat(out).contains("OK q.isFull() = true: the queue holds 5 items")
                .contains("OK putNowait on a full queue does not wait: it throws QueueFullException")
                .contains("gave up with QueueFullException")
                .contains("OK v1..v5 = [111, 222, 333, 444, 555]: first in, first out")
                .contains("OK getNowait on an empty queue does not wait: it throws QueueEmptyException")
                .contains("the lesson prints 'already taken out'");
    }

    @Test
    void ipcChapterShowsQueuesAndPipesBetweenProcesses() throws Exception {
        String out = tour("ipc");

        assertThat(out).containsPattern("\\| child \\(pid \\d+\\): toChild.get\\(\\) -> \"hello child")
                .containsPattern("\\| producer \\(pid \\d+\\): hello llx")
                .containsPattern("\\| consumer \\(pid \\d+\\): zd")
                .contains("OK recv() threw EOFException")
                .containsPattern("\\| ping \\(pid \\d+\\): recv\\(\\) again -> EOFException");
    }

    @Test
    void producerConsumerChapterShowsBothWaysToStopTheEatersAndEveryItemEatenOnce() throws Exception {
        String out = tour("producer-consumer");

        assertThat(out).contains("q = new ProcessQueue<String>()").contains("q.put(SENTINEL) 2 times")
                .contains("OK every eater stopped on its sentinel and ended")
                .contains("q = new ProcessJoinableQueue<String>()")
                .contains("OK when the cooks have ended, both daemon eaters are still alive")
                .containsPattern("OK eater-1 \\(pid \\d+\\) has ended").containsPattern("OK eater-2 \\(pid \\d+\\) has ended");
        assertThat(Pattern.compile("OK Every one of the 6 items made was eaten exactly once").matcher(out).results().count())
                .as("runs with every item eaten once").isEqualTo(2);
        assertThat(Pattern.compile("\\| eater-\\d \\(pid \\d+\\): ate cook-\\d's \\S+ #\\d").matcher(out).results().count())
                .as("items eaten in the two runs").isEqualTo(12);
    }

    @Test
    void poolChapterMapsWithProgressAndMatchesTheLoopInBothRounds() throws Exception {
        String out = tour("pool");

        assertThat(out).contains("squares = pool.map(x -> (long) x * x, numbers, progressBar)")
                .contains("OK Both give the same 100,000 results, item by item: sum 333,328,333,350,000 on both sides,")
                .contains("OK The sum is what the formula n(n-1)(2n-1)/6 gives for n = 100,000.")
                .contains("squares[99,999] = 9,999,800,001")
                .contains("stirred = pool.map(x -> stir((long) x * x, 2000), numbers, progressBar)")
                .containsPattern("OK Both give the same 100,000 results, item by item: sum -?[\\d,]+ on both sides,"
                        + " stirred\\[0] = 0")
                .containsPattern("close\\(\\) took [\\d.]+ m?s; every worker has ended");
        assertThat(Pattern.compile("\\] 100% 100,000/100,000").matcher(out).results().count())
                .as("progress of both map calls reaching the end").isEqualTo(2);
        assertThat(Pattern.compile("(One process was [\\d.]+ times faster than the pool of \\d+|The pool of \\d+ was"
                + " [\\d.]+ times faster than one process|One process and the pool of \\d+ were about as fast)")
                .matcher(out).results().count())
                .as("both rounds timed and compared").isEqualTo(2);
    }
}
