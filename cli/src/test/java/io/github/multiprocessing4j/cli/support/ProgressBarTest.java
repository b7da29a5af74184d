package io.github.multiprocessing4j.cli.support;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

/** The progress bar: redrawn in place on a terminal, a few plain lines elsewhere. */
class ProgressBarTest {
    private final StringWriter out = new StringWriter();
    private final Narrator narrator = new Narrator(new PrintWriter(out));

    @Test
    void theBarShowsTheShareDoneThePercentageAndTheCounts() {
        assertThat(ProgressBar.bar(620_000, 1_000_000)).isEqualTo("[##################............]  62%   620,000/1,000,000");
        assertThat(ProgressBar.bar(0, 5)).isEqualTo("[..............................]   0% 0/5");
        assertThat(ProgressBar.bar(5, 5)).isEqualTo("[##############################] 100% 5/5");
    }

    @Test
    void withoutATerminalALineIsPrintedAtEachQuarterPassedAndAtTheEnd() {
        ProgressBar bar = new ProgressBar(narrator, false);
        for (long done : new long[] {0, 10, 24, 25, 30, 49, 80, 99, 100, 100}) {
            bar.progress(done, 100);
        }

        assertThat(out.toString().lines()).containsExactly(
                "    [#######.......................]  25%  25/100",
                "    [########################......]  80%  80/100",
                "    [##############################] 100% 100/100");
    }

    @Test
    void onATerminalTheLineIsRedrawnWhenThePercentageMovesAndEndedByTheNextLine() {
        ProgressBar bar = new ProgressBar(narrator, true);
        for (long done : new long[] {0, 1, 2, 3, 1000, 1000}) {
            bar.progress(done, 1000);
        }
        narrator.observe("done");

        assertThat(out.toString()).isEqualTo("\r    [..............................]   0%     0/1,000"
                + "\r    [##############################] 100% 1,000/1,000" + System.lineSeparator()
                + "  = done" + System.lineSeparator());
    }

    @Test
    void theFirstResultsAreTimed() {
        ProgressBar bar = new ProgressBar(narrator, false);
        long since = System.nanoTime();
        assertThat(bar.firstResultNanos(since)).isEqualTo(-1);

        bar.progress(0, 10);
        assertThat(bar.firstResultNanos(since)).isEqualTo(-1);
        bar.progress(3, 10);
        long first = bar.firstResultNanos(since);
        bar.progress(10, 10);

        assertThat(first).isBetween(0L, System.nanoTime() - since);
        assertThat(bar.firstResultNanos(since)).isEqualTo(first);
    }
}
