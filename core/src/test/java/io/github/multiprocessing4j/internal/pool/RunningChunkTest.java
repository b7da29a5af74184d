package io.github.multiprocessing4j.internal.pool;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A worker's side of giving a chunk back ({@link PoolMessages#RELEASE}) and of a cancel before
 * the start: a chunk is given back only if it has not started, so that it never runs twice.
 */
class RunningChunkTest {
    @Test
    void aChunkIsGivenBackOnlyBeforeItStartsAndACopySentAgainRuns() {
        WorkerLoop.RunningChunk running = new WorkerLoop.RunningChunk(Thread.currentThread());
        assertThat(running.start(1)).isEqualTo(WorkerLoop.RunningChunk.RUN);
        assertThat(running.release(1)).as("it runs").isFalse();
        running.end();
        assertThat(running.release(1)).as("it ran: its answer may not have reached the pool yet").isFalse();

        assertThat(running.release(2)).as("not started").isTrue();
        assertThat(running.start(2)).as("the copy in the inbox: skipped, unanswered").isEqualTo(WorkerLoop.RunningChunk.RELEASED);
        running.end();
        assertThat(running.start(2)).as("sent again to this worker: it runs").isEqualTo(WorkerLoop.RunningChunk.RUN);
        running.end();

        assertThat(running.interrupt(3)).as("not started: cancelled when it comes").isFalse();
        assertThat(running.start(3)).isEqualTo(WorkerLoop.RunningChunk.CANCELLED);

        for (long id = 10; id < 10 + 4 * Dispatcher.DEPTH_TASKS; id++) { // as many as a worker remembers
            assertThat(running.start(id)).isEqualTo(WorkerLoop.RunningChunk.RUN);
            running.end();
        }
        assertThat(running.release(10)).as("the oldest of the last started: remembered").isFalse();
        assertThat(running.release(9 + 4 * Dispatcher.DEPTH_TASKS)).as("the last started").isFalse();
    }
}
