package io.github.multiprocessing4j.internal.pool;

import io.github.multiprocessing4j.internal.serial.Wire;
import io.github.multiprocessing4j.spi.PoolWorker;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * When the pool nudges a worker ({@link PoolWorker#wake}): with the first chunk put into the
 * inbox of a worker that held nothing for a while, and with the close of its inbox; never with a
 * chunk for a busy worker, nor before it is ready.
 */
class WorkerHandleTest {
    private long ids;

    @Test
    void aChunkForAWorkerThatIdledComesWithANudgeAndOneForABusyWorkerDoesNot() throws Exception {
        Inbox inbox = new Inbox();
        Worker process = new Worker();
        WorkerHandle worker = new WorkerHandle(1, process, inbox);
        worker.ready = true;
        idle();

        Chunk first = chunk();
        worker.send(first);
        assertThat(worker.flush()).as("it idled since it started").isTrue();
        Chunk second = chunk();
        worker.send(second);
        assertThat(worker.flush()).as("busy with the first").isFalse();
        assertThat(process.wakes).isEqualTo(1);
        assertThat(inbox.messages).hasSize(2);

        assertThat(worker.answered(first.id)).isSameAs(first);
        assertThat(worker.answered(second.id)).isSameAs(second);
        assertThat(worker.answered(second.id)).as("answered already").isNull();
        idle();
        worker.send(chunk());
        assertThat(worker.flush()).as("it idled again").isTrue();
        assertThat(process.wakes).isEqualTo(2);

        worker.close();
        assertThat(process.wakes).as("its inbox closed: it is to end").isEqualTo(3);
        worker.close();
        assertThat(process.wakes).as("closed once").isEqualTo(3);
    }

    @Test
    void aBootingWorkersChunksWaitInTheParentAndItsFirstFlushOnceReadyNudgesIt() throws Exception {
        Inbox inbox = new Inbox();
        Worker process = new Worker();
        WorkerHandle worker = new WorkerHandle(1, process, inbox);
        idle();
        worker.send(chunk());
        assertThat(worker.flush()).isFalse();
        assertThat(inbox.messages).isEmpty();
        assertThat(process.wakes).isZero();

        worker.ready = true;
        assertThat(worker.flush()).isTrue();
        assertThat(inbox.messages).hasSize(1);
        assertThat(process.wakes).isEqualTo(1);
    }

    private Chunk chunk() {
        long id = ++ids;
        return new Chunk(id, new byte[] {(byte) id}, 1, (int) id, null, null, 0);
    }

    /** Longer than a worker must have held nothing for a nudge. */
    private static void idle() throws InterruptedException {
        Thread.sleep(WorkerHandle.WAKE_AFTER_IDLE_NANOS / 1_000_000 + 2);
    }

    /** An inbox that keeps what is put into it. */
    private static final class Inbox implements MessageChannel {
        final List<byte[]> messages = new ArrayList<>();

        @Override
        public void put(byte[] message) {
            messages.add(message);
        }

        @Override
        public Wire.Reader take() {
            throw new AssertionError("the parent never takes from an inbox");
        }

        @Override
        public Wire.Reader poll() {
            throw new AssertionError("the parent never takes from an inbox");
        }

        @Override
        public void close() {
        }

        @Override
        public int discard() {
            return 0;
        }
    }

    /** A worker that counts its nudges. */
    private static final class Worker implements PoolWorker {
        int wakes;

        @Override
        public void wake() {
            wakes++;
        }

        @Override
        public long pid() {
            return 1;
        }

        @Override
        public String name() {
            return "PoolWorker-1";
        }

        @Override
        public void kill() {
        }

        @Override
        public void join() {
        }

        @Override
        public int exitCode() {
            return 0;
        }

        @Override
        public Throwable failure() {
            return null;
        }
    }
}
