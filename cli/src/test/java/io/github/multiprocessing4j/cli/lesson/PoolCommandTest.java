package io.github.multiprocessing4j.cli.lesson;

import io.github.multiprocessing4j.cli.Mp4jRun;
import io.github.multiprocessing4j.cli.lesson.PoolLesson.Round;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code mp4j lesson pool}, run in this JVM: its pool's workers print nothing, so the whole
 * output is captured here. Output that is not a terminal gets plain progress lines.
 */
class PoolCommandTest {
    private static final Pattern PROGRESS = Pattern.compile("(?m)^ {4}\\[[#.]{30}] +(\\d+)% +([\\d,]+)/([\\d,]+)$");

    /** @return the output, checked for exit code 0, nothing on stderr, no "!!" and no {@code \r} redraws */
    private static String run(String... options) {
        Mp4jRun.Result result = Mp4jRun.inProcess(commandLine(options));
        assertThat(result.exitCode()).as("exit code; it printed:%n%s%s", result.out(), result.err()).isZero();
        assertThat(result.err()).isEmpty();
        assertThat(result.out()).doesNotContain("!!").doesNotContain("\r");
        return result.out();
    }

    private static String[] commandLine(String... options) {
        return Stream.concat(Stream.of("lesson", "pool"), Stream.of(options)).toArray(String[]::new);
    }

    /** @return the plain progress lines as "percent% done/total" */
    private static List<String> progressOf(String out) {
        return PROGRESS.matcher(out).results().map(m -> m.group(1) + "% " + m.group(2) + "/" + m.group(3)).toList();
    }

    /**
     * Checks one map call's progress lines: at most one a quarter, rising, counts of whole chunks
     * (a chunk's results arrive together), the last one at 100%.
     */
    private static void assertProgress(List<String> lines, int items, int chunkSize) {
        assertThat(lines).hasSizeBetween(1, 4).doesNotHaveDuplicates();
        long before = 0;
        for (String line : lines) {
            Matcher m = Pattern.compile("(\\d+)% ([\\d,]+)/([\\d,]+)").matcher(line);
            assertThat(m.matches()).as(line).isTrue();
            long done = Long.parseLong(m.group(2).replace(",", ""));
            assertThat(done).as(line).isGreaterThan(before).isLessThanOrEqualTo(items);
            assertThat(done % chunkSize == 0 || done == items).as("%s: whole chunks of %d", line, chunkSize).isTrue();
            assertThat(Long.parseLong(m.group(1))).isEqualTo(100 * done / items);
            assertThat(m.group(3)).isEqualTo(String.format(Locale.ROOT, "%,d", items));
            before = done;
        }
        assertThat(lines).last().asString().startsWith("100% ");
    }

    @Test
    void bothRoundsReportProgressMatchTheLoopAndAreTimed() {
        String out = run("--items", "20000", "--processes", "2", "--work", "50");
        String flat = out.replaceAll("\\s+", " ");

        assertThat(flat).contains("pool = new ProcessPool(2): 2 worker processes")
                .contains("squares = pool.map(x -> (long) x * x, numbers, progressBar)")
                .contains("chunks of 2,500, the automatic size: 20,000 / (4 x 2 workers), rounded up, as Python does,"
                        + " so 8 chunks")
                .contains("OK Both give the same 20,000 results, item by item: sum 2,666,466,670,000 on both sides,"
                        + " squares[0] = 0, squares[1] = 1, squares[10,000] = 100,000,000, squares[19,999] = 399,960,001.")
                .contains("OK The sum is what the formula n(n-1)(2n-1)/6 gives for n = 20,000.")
                .containsPattern("The pool: 20,000 squares in [\\d.]+ ms, from new ProcessPool\\(2\\) to the last result")
                .containsPattern("One process: 20,000 squares in [\\d.]+ ms")
                .containsPattern("(One process was [\\d.]+ times faster than the pool of 2|The pool of 2 was [\\d.]+ times"
                        + " faster than one process|One process and the pool of 2 were about as fast \\(less than 5% apart\\))\\.")
                .contains("stirred = pool.map(x -> stir((long) x * x, 50), numbers, progressBar)")
                .containsPattern("OK Both give the same 20,000 results, item by item: sum -?[\\d,]+ on both sides,"
                        + " stirred\\[0] = 0, stirred\\[1] = " + String.format(Locale.ROOT, "%,d", PoolLesson.stir(1, 50)))
                .contains("pool.close()").containsPattern("close\\(\\) took [\\d.]+ m?s; every worker has ended");
        List<String> progress = progressOf(out);
        int endOfFirst = progress.indexOf("100% 20,000/20,000");
        assertThat(endOfFirst).as("the first round's last progress line, in %s", progress).isNotNegative();
        assertProgress(progress.subList(0, endOfFirst + 1), 20_000, 2_500);
        assertProgress(progress.subList(endOfFirst + 1, progress.size()), 20_000, 2_500);
    }

    @Test
    void oneItemIsSpokenOfInTheSingular() {
        String flat = run("--items", "1", "--processes", "1", "--work", "1").replaceAll("\\s+", " ");

        assertThat(flat).contains("numbers = the 1 int 0..0,").containsPattern("The pool: 1 square in ")
                .containsPattern("One process: 1 square in ").contains("OK Both give the same 1 result, item by item")
                .contains("mixes the square's bits 1 time (").containsPattern("The pool: 1 result in ")
                .containsPattern("One process: 1 result in ")
                .doesNotContainPattern("\\b1 (squares|results|ints|times|workers|chunks)\\b");
    }

    @Test
    void anExplicitChunkSizeAndNoSecondRound() {
        String out = run("--items", "3000", "--processes", "1", "--chunk-size", "1000", "--work", "0");
        String flat = out.replaceAll("\\s+", " ");

        assertThat(flat).contains("pool = new ProcessPool(1): 1 worker process,")
                .contains("squares = pool.map(x -> (long) x * x, numbers, 1000, progressBar)")
                .contains("chunks of 1,000 (--chunk-size), so 3 chunks")
                .contains("OK Both give the same 3,000 results").contains("squares[2,999] = 8,994,001")
                .doesNotContain("stir(");
        assertProgress(progressOf(out), 3_000, 1_000);
    }

    @Test
    void aMismatchIsCountedAndTheSumsCompared() {
        Round same = PoolLesson.compare(List.of(0L, 1L, 4L), new long[] {0, 1, 4}, 10, 5, 1);
        Round differs = PoolLesson.compare(List.of(0L, 1L, 5L), new long[] {0, 1, 4}, 10, 5, 1);
        Round missing = PoolLesson.compare(List.of(0L, 1L), new long[] {0, 1, 4}, 10, 5, 1);

        assertThat(same.same()).isTrue();
        assertThat(same.poolWon()).isFalse();
        assertThat(differs.same()).isFalse();
        assertThat(differs.mismatches()).isEqualTo(1);
        assertThat(missing.same()).isFalse();
        assertThat(missing.mismatches()).isEqualTo(1);
    }

    @Test
    void sumsAreExactWhereALongWouldOverflow() {
        PoolLesson.ExactSum sum = new PoolLesson.ExactSum();
        BigInteger expected = BigInteger.ZERO;
        for (long v : new long[] {Long.MAX_VALUE, Long.MAX_VALUE, Long.MIN_VALUE, -1, 1L << 40, 3}) {
            sum.add(v);
            expected = expected.add(BigInteger.valueOf(v));
        }

        assertThat(sum.value()).isEqualTo(expected);
        Round big = PoolLesson.compare(List.of(Long.MAX_VALUE, 2L), new long[] {Long.MAX_VALUE, 2}, 1, 1, 1);
        assertThat(big.poolSum()).isEqualTo(BigInteger.valueOf(Long.MAX_VALUE).add(BigInteger.TWO));
    }

    @Test
    void theFiguresAreWrittenForPeople() {
        assertThat(PoolLesson.duration(350_000)).isEqualTo("0.35 ms");
        assertThat(PoolLesson.duration(4_200_000)).isEqualTo("4.2 ms");
        assertThat(PoolLesson.duration(812_400_000)).isEqualTo("812 ms");
        assertThat(PoolLesson.duration(12_340_000_000L)).isEqualTo("12.3 s");
        assertThat(PoolLesson.perItem(3_000_000, 1_000_000)).isEqualTo("3.0 ns");
        assertThat(PoolLesson.perItem(1_250_000_000, 1_000_000)).isEqualTo("1.25 µs");
        assertThat(PoolLesson.comparison(new Round(840, 600, 10, 0, BigInteger.ZERO, BigInteger.ZERO), 2)).isEqualTo("One process was 84 times faster"
                + " than the pool of 2");
        assertThat(PoolLesson.comparison(new Round(500, 100, 900, 0, BigInteger.ZERO, BigInteger.ZERO), 2)).isEqualTo("The pool of 2 was 1.8 times"
                + " faster than one process");
        Round poolAJotFaster = new Round(1000, 100, 1040, 0, BigInteger.ZERO, BigInteger.ZERO);
        Round loopAJotFaster = new Round(1040, 100, 1000, 0, BigInteger.ZERO, BigInteger.ZERO);
        assertThat(PoolLesson.comparison(poolAJotFaster, 2)).isEqualTo("One process and the pool of 2 were about as fast"
                + " (less than 5% apart)");
        assertThat(PoolLesson.comparison(loopAJotFaster, 2)).isEqualTo(PoolLesson.comparison(poolAJotFaster, 2));
        assertThat(poolAJotFaster.poolWon()).as("a win within 5% is no win").isFalse();
        assertThat(PoolLesson.comparison(new Round(1000, 100, 1060, 0, BigInteger.ZERO, BigInteger.ZERO), 2))
                .isEqualTo("The pool of 2 was 1.1 times faster than one process");
        assertThat(PoolLesson.spotIndices(1)).containsExactly(0);
        assertThat(PoolLesson.spotIndices(10)).containsExactly(0, 1, 5, 9);
    }
}
