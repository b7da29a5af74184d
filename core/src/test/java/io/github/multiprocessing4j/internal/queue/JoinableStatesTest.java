package io.github.multiprocessing4j.internal.queue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

/** The table of a process's joinable-queue bookkeeping: one state per queue, whatever the handle, until it is let go. */
class JoinableStatesTest {
    private final ByteQueue queue = ByteQueue.create(0, ByteQueue.DEFAULT_CHUNK_SIZE);
    private final JoinableStates table = new JoinableStates();

    @AfterEach
    void removeQueue() {
        queue.close();
    }

    @Test
    void everyHandleOfAQueueFindsTheSameState() throws Exception {
        ByteQueue otherHandle = copy(queue);
        assertThat(otherHandle).isNotSameAs(queue);
        assertThat(table.of(otherHandle)).isSameAs(table.of(queue));
    }

    @Test
    void aStateIsForgottenWhenItsQueueIsFinishedOrTheTableIsClosed() {
        JoinableState first = table.of(queue);
        first.removeLogs();
        JoinableState second = table.of(queue);
        assertThat(second).isNotSameAs(first);
        table.close();
        assertThat(table.of(queue)).isNotSameAs(second);
    }

    @Test
    void twoQueuesOfOneTreeHaveTwoStates() {
        ByteQueue other = ByteQueue.create(0, ByteQueue.DEFAULT_CHUNK_SIZE);
        try {
            assertThat(other.header().treeId()).isEqualTo(queue.header().treeId());
            assertThat(table.of(other)).isNotSameAs(table.of(queue));
        } finally {
            other.close();
        }
    }

    @Test
    void aStateGivesTheSameRecordingReaderForTheSameReader() {
        JoinableState state = table.of(queue);
        ByteQueue.RecordReader<byte[]> recording = state.recording(TestQueues.COPY);
        assertThat(state.recording(TestQueues.COPY)).isSameAs(recording);
        assertThat(state.livenessCheck()).isSameAs(state.livenessCheck());
    }

    private static ByteQueue copy(ByteQueue queue) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(queue);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return (ByteQueue) in.readObject();
        }
    }
}
