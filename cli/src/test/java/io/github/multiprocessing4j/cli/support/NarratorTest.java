package io.github.multiprocessing4j.cli.support;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** How the narration wraps its paragraphs: at spaces, never inside JSON or between a figure and its unit. */
class NarratorTest {
    private static final int WIDTH = 92;

    private static List<String> narrate(String text) {
        StringWriter out = new StringWriter();
        new Narrator(new PrintWriter(out)).observe(text);
        return out.toString().lines().toList();
    }

    @Test
    void jsonAndFiguresAreNeverSplitWhereverTheLineEnds() {
        for (int pad = 0; pad <= WIDTH; pad++) {
            String text = "x".repeat(pad) + " the file now says {\"ticket_num\": 1} and [1, 2] \"a b\"; buying took"
                    + " 0.3 s. Then 10,000 squares in 12.5 ms, said the pool of 2 workers, again and again and again.";

            List<String> lines = narrate(text);

            assertThat(String.join(" ", lines).replaceAll("\\s+", " ").strip()).isEqualTo(("= " + text).replaceAll("\\s+", " "));
            assertThat(lines).as("pad %d", pad).anyMatch(l -> l.contains("{\"ticket_num\": 1}"))
                    .anyMatch(l -> l.contains("[1, 2]")).anyMatch(l -> l.contains("\"a b\""))
                    .anyMatch(l -> l.contains("0.3 s.")).anyMatch(l -> l.contains("10,000 squares"))
                    .anyMatch(l -> l.contains("12.5 ms")).anyMatch(l -> l.contains("2 workers"));
            assertThat(lines.subList(1, lines.size())).allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(WIDTH));
        }
    }

    @Test
    void aBracketThatNeverClosesOrAListOfNumbersStillWraps() {
        String unclosed = "a { that never closes " + "word ".repeat(60);
        String numbers = "the squares are 0, 1, 4, 9, 16, 25, 36, 49, 64, 81, 100, 121, 144, 169, 196, 225, 256, 289, 324,"
                + " 361, 400, 441, 484, 529, 576, 625, 676, 729, 784, 841, 900, 961";

        assertThat(narrate(unclosed)).hasSizeGreaterThan(2).allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(WIDTH));
        assertThat(narrate(numbers)).hasSize(2).allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(WIDTH));
    }

    @Test
    void thePiecesAreTheUnbreakableRuns() {
        assertThat(Narrator.unbreakable("says {\"ticket_num\": 1} took 0.3 s. and 3, then \"x y\" [a [b c]] end"))
                .containsExactly("says", "{\"ticket_num\": 1}", "took", "0.3 s.", "and", "3,", "then", "\"x y\"",
                        "[a [b c]]", "end");
    }
}
