package io.github.multiprocessing4j.cli.tour;

import io.github.multiprocessing4j.cli.lesson.IpcLesson;
import io.github.multiprocessing4j.cli.support.Narrator;
import io.github.multiprocessing4j.cli.support.ScratchDir;

/**
 * Lesson chapter 5, inter-process communication: the programs of {@code mp4j lesson ipc}, a
 * parent and children talking through queues and pipes.
 */
final class IpcChapter implements TourChapter {
    @Override
    public void run(Narrator n, ScratchDir scratch) throws Exception {
        IpcLesson.run(n);
    }
}
