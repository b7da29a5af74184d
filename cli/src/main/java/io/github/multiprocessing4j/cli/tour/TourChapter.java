package io.github.multiprocessing4j.cli.tour;

import io.github.multiprocessing4j.cli.support.Narrator;
import io.github.multiprocessing4j.cli.support.ScratchDir;

/**
 * One chapter of {@code mp4j tour}: a piece of the lesson, run with real processes and
 * explained as it happens. To add a chapter, implement this interface, write its introduction
 * in {@code introductions/NAME.txt} next to this class, and list it in {@link TourChapters#ALL}.
 *
 * <p>A chapter must clean up after itself: every process it starts has ended (joined, or killed
 * by pid) when {@link #run} returns or throws. It should take no more than about five seconds.
 *
 * <p>Targets of child processes must be serializable: write them as static methods called from
 * a lambda that captures only Strings and numbers (a {@code Path} is not serializable, nor is a
 * chapter instance).
 */
@FunctionalInterface
public interface TourChapter {
    /**
     * Runs the chapter, telling the reader what happens. The tour has already printed the
     * heading and the introduction.
     *
     * @param narrator where to explain and report what was observed
     * @param scratch an empty directory for the files through which children report back,
     *     deleted after the chapter
     * @throws Exception when the chapter cannot go on; the tour reports it and moves on
     */
    void run(Narrator narrator, ScratchDir scratch) throws Exception;
}
