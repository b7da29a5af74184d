package io.github.multiprocessing4j.cli.lesson;

import io.github.multiprocessing4j.cli.Mp4jRun;
import io.github.multiprocessing4j.cli.lesson.TicketSale.Outcome;
import io.github.multiprocessing4j.cli.lesson.TicketSale.Plan;
import io.github.multiprocessing4j.cli.support.ScratchDir;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The ticket sale with real buyer processes: exact with the lock, oversold without it. The
 * buyers of the in-process runs print to this JVM's stdout, which the build shows but nobody
 * checks; {@link #theCommandPrintsEachBuyersLinesAndASummary} checks the printed form.
 */
class TicketSaleTest {
    /** Long enough for a broken lock to show (the buyers start together), short enough for a test. */
    private static final long SHORT_MIN_MILLIS = 20;
    private static final long SHORT_MAX_MILLIS = 50;
    /**
     * Without the lock every buyer must read before the first one writes. The buyers leave the
     * start line within a few milliseconds of each other; a buyer would have to stall for a
     * whole second between leaving it and reading to keep the race from happening.
     */
    private static final long RACE_DELAY_MILLIS = 1000;

    private static Outcome sell(Plan plan) throws Exception {
        try (ScratchDir dir = ScratchDir.create("tickets-test")) {
            Outcome outcome = TicketSale.run(plan, dir);
            assertThat(outcome.crashed()).as("buyers that crashed").isZero();
            assertThat(TicketSale.readTicketNum(Path.of(dir.file(TicketSale.DATA_FILE))))
                    .as("the file, read again").isEqualTo(outcome.finalCount());
            return outcome;
        }
    }

    @RepeatedTest(3)
    void withTheLockExactlyOneOfTenBuyersGetsTheOnlyTicket() throws Exception {
        Outcome outcome = sell(new Plan(10, 1, true, SHORT_MIN_MILLIS, SHORT_MAX_MILLIS));

        assertThat(outcome.successes()).isEqualTo(1);
        assertThat(outcome.failures()).isEqualTo(9);
        assertThat(outcome.finalCount()).isZero();
        assertThat(outcome.dataSafe()).isTrue();
        assertThat(outcome.verdict()).startsWith("Data safe");
    }

    @Test
    void withTheLockThreeTicketsGoToThreeBuyers() throws Exception {
        Outcome outcome = sell(new Plan(10, 3, true, SHORT_MIN_MILLIS, SHORT_MAX_MILLIS));

        assertThat(outcome.successes()).isEqualTo(3);
        assertThat(outcome.failures()).isEqualTo(7);
        assertThat(outcome.finalCount()).isZero();
    }

    @Test
    void withoutTheLockTheOnlyTicketIsSoldSeveralTimes() throws Exception {
        Outcome outcome = sell(new Plan(10, 1, false, RACE_DELAY_MILLIS, RACE_DELAY_MILLIS));

        assertThat(outcome.successes()).isGreaterThan(1);
        assertThat(outcome.oversold()).isEqualTo(outcome.successes() - 1);
        assertThat(outcome.finalCount()).isZero();
        assertThat(outcome.dataSafe()).isFalse();
        assertThat(outcome.verdict()).startsWith("Data NOT safe").contains(outcome.oversold() + " oversold",
                "read 1 ticket before the first of them wrote 0");
    }

    @Test
    void theCommandPrintsEachBuyersLinesAndASummary() throws Exception {
        Mp4jRun.Result result = Mp4jRun.asProcess("lesson", "tickets", "--buyers", "3", "--tickets", "2",
                "--delay-ms", SHORT_MIN_MILLIS + ".." + SHORT_MAX_MILLIS);

        assertThat(result.exitCode()).as("exit code; it printed:%n%s%s", result.out(), result.err()).isZero();
        assertThat(result.err()).isEmpty();
        String out = result.out();
        for (int i = 1; i <= 3; i++) {
            assertThat(out).containsPattern("\\| buyer-" + i + " \\(pid \\d+\\): searches: [0-2] tickets? left")
                    .containsPattern("\\| buyer-" + i + " \\(pid \\d+\\): (bought a ticket|could not buy)");
        }
        assertThat(out.replaceAll("\\s+", " ")).contains("Summary: 2 successes, 1 failure; the file now says"
                + " {\"ticket_num\": 0}").contains("Data safe");
        assertThat(out).doesNotContainPattern("\\| buyer-\\d+ \\(pid \\d+\\): bought a ticket \\(read 0");
        Matcher ticketFile = Pattern.compile("The ticket file (\\S+) says").matcher(out.replaceAll("\\s+", " "));
        assertThat(ticketFile.find()).as("the ticket file's path in:%n%s", out).isTrue();
        assertThat(Path.of(ticketFile.group(1)).getParent()).as("the ticket file's directory, left behind").doesNotExist();
    }

    @Test
    void terminatedTheLessonLeavesNoScratchDirectory() throws Exception {
        Path ticketDir;
        try (Mp4jRun.Running lesson = Mp4jRun.start("lesson", "tickets", "--buyers", "1", "--delay-ms", "10000..10000")) {
            ticketDir = whenABuyerWaits(lesson);

            lesson.process().destroy(); // SIGTERM, as kill PID

            assertThat(lesson.awaitExit(Duration.ofSeconds(30))).isEqualTo(143);
            assertThat(ticketDir).as("the scratch directory after SIGTERM").doesNotExist();
        }
        cleanUpAfterTheKilledTree();
    }

    @Test
    void aScratchDirectoryLeftByAKilledLessonIsDeletedByTheNextRun() throws Exception {
        Path ticketDir;
        try (Mp4jRun.Running lesson = Mp4jRun.start("lesson", "tickets", "--buyers", "1", "--delay-ms", "10000..10000")) {
            ticketDir = whenABuyerWaits(lesson);

            lesson.process().destroyForcibly(); // SIGKILL: no hook runs

            assertThat(lesson.awaitExit(Duration.ofSeconds(30))).isEqualTo(137);
            assertThat(ticketDir).as("nothing ran to delete it").isDirectory();
        }
        cleanUpAfterTheKilledTree();
        assertThat(ticketDir).as("deleted by the next run").doesNotExist();
    }

    /** @return the lesson's scratch directory, once its buyer sits in its network delay */
    private static Path whenABuyerWaits(Mp4jRun.Running lesson) throws Exception {
        Matcher file = lesson.awaitOutput("The ticket file (\\S+) says", Duration.ofSeconds(30));
        lesson.awaitOutput("buyer-1 \\(pid \\d+\\): searches", Duration.ofSeconds(30));
        Path dir = Path.of(file.group(1)).getParent();
        assertThat(dir).isDirectory();
        return dir;
    }

    /** The next run: it removes what the killed one left (its tree's table, its scratch directory). */
    private static void cleanUpAfterTheKilledTree() throws Exception {
        Mp4jRun.Result next = Mp4jRun.asProcess("lesson", "tickets", "--buyers", "1", "--delay-ms", "0");
        assertThat(next.exitCode()).as("the next run; it printed:%n%s%s", next.out(), next.err()).isZero();
    }
}
