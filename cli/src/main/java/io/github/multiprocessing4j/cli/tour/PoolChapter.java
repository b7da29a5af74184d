package io.github.multiprocessing4j.cli.tour;

import io.github.multiprocessing4j.Multiprocessing;
import io.github.multiprocessing4j.cli.lesson.PoolLesson.Plan;
import io.github.multiprocessing4j.cli.lesson.PoolLesson;
import io.github.multiprocessing4j.cli.support.Narrator;
import io.github.multiprocessing4j.cli.support.ProgressBar;
import io.github.multiprocessing4j.cli.support.ScratchDir;

/**
 * Beyond the lesson, Python's {@code multiprocessing.Pool}: the two rounds of
 * {@code mp4j lesson pool} on fewer numbers, x * x and then a heavier function, each through
 * {@code ProcessPool.map} with a progress bar and through a loop in this process, compared item
 * by item and timed.
 *
 * <p>Only the results are confirmed: which side is faster depends on the machine and on what
 * else runs on it, so the times are reported, not checked.
 */
final class PoolChapter implements TourChapter {
    /** Small enough for a quick chapter, large enough that the pool's mechanics show. */
    private static final int ITEMS = 100_000;
    /** About 4 µs of computing per item here: the loop of the second round takes a few tenths of a second. */
    private static final int WORK = 2_000;
    /** A tour on a big machine should not start dozens of JVMs. */
    private static final int MAX_PROCESSES = 4;

    @Override
    public void run(Narrator n, ScratchDir scratch) throws Exception {
        Plan plan = new Plan(ITEMS, Math.min(Multiprocessing.cpuCount(), MAX_PROCESSES), 0, WORK);
        PoolLesson.run(plan, n, ProgressBar.outputIsTerminal());
        n.explain("mp4j lesson pool does the same with a million numbers; --work, --processes and --chunk-size"
                + " change the function's weight, the workers and the chunks.");
    }
}
