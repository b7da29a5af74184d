package io.github.multiprocessing4j.cli.tour;

import io.github.multiprocessing4j.cli.lesson.QueueLesson;
import io.github.multiprocessing4j.cli.support.Narrator;
import io.github.multiprocessing4j.cli.support.ScratchDir;

import java.time.Duration;

/**
 * Lesson chapter 5, queues: the walk-through of {@code mp4j lesson queue}, a {@code Queue(5)}
 * filled, overfilled, emptied and over-emptied, with short timeouts.
 */
final class QueueChapter implements TourChapter {
    /** The lesson's timeout=3 (seconds), shortened for the tour. */
    private static final Duration TIMEOUT = Duration.ofMillis(300);

    @Override
    public void run(Narrator n, ScratchDir scratch) throws Exception {
        QueueLesson.walkThrough(n, TIMEOUT);
    }
}
