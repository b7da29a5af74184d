package io.github.multiprocessing4j.internal.queue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A freed pair's file made new for another pipe: the new queues hold nothing of the old ones, and
 * a take of an old handle still under way never takes the new pipe's items.
 */
class FreedPipeFilesTest {
    private static final ByteQueue.RecordReader<byte[]> COPY = TestQueues.COPY;
    private ByteQueue[] reopened;

    @AfterEach
    void removePair() {
        if (reopened != null) {
            reopened[0].close();
            reopened[1].close();
            reopened[0].segment().unlink();
        }
        FreedPipeFiles.discardAll();
    }

    @Test
    void aReopenedPairIsEmptyAndWorksAsANewOne() {
        ByteQueue[] pair = ByteQueue.createPair(ByteQueue.standardChunkSize());
        for (int i = 0; i < 100; i++) {
            put(pair[0], "old " + i);
            put(pair[1], "old " + i);
        }
        assertThat(text(pair[0].takeUninterruptibly(0, COPY))).isEqualTo("old 0");
        pair[0].close();
        pair[1].close();
        assertThat(FreedPipeFiles.keep(pair[0], pair[1])).isTrue();

        reopened = ByteQueue.createPair(ByteQueue.standardChunkSize());

        assertThat(reopened[0].segment()).as("the kept file").isSameAs(pair[0].segment());
        for (ByteQueue queue : reopened) {
            assertThat(queue.size()).isZero();
            assertThat(queue.isClosed()).isFalse();
            assertThat(queue.takeUninterruptibly(0, COPY)).as("nothing of the old pipe").isNull();
            put(queue, "new");
            assertThat(text(queue.takeUninterruptibly(0, COPY))).isEqualTo("new");
        }
        assertThat(FreedPipeFiles.keptCount()).isZero();
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void aTakeOfAnOldHandleUnderWayFailsAsOnAClosedQueueAndLeavesTheNewPipesItem() throws Exception {
        ByteQueue[] pair = ByteQueue.createPair(ByteQueue.standardChunkSize());
        CompletableFuture<byte[]> straggler = CompletableFuture.supplyAsync(() -> pair[0].takeUninterruptibly(-1, COPY));
        Thread.sleep(200); // waiting, past the closed check of its handle
        assertThat(FreedPipeFiles.keep(pair[0], pair[1])).isTrue();

        reopened = ByteQueue.createPair(ByteQueue.standardChunkSize());
        put(reopened[0], "for the new pipe");

        assertThatThrownBy(() -> straggler.get(20, TimeUnit.SECONDS)).hasCauseInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
        assertThat(text(reopened[0].takeUninterruptibly(0, COPY))).isEqualTo("for the new pipe");
        assertThatThrownBy(() -> put(pair[1], "late")).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        assertThat(reopened[1].size()).isZero();
    }

    @Test
    void aPairThatWentPastItsFirstChunksIsNotKept() {
        ByteQueue[] pair = ByteQueue.createPair(ByteQueue.standardChunkSize());
        byte[] kib = new byte[1024];
        for (int i = 0; i < ByteQueue.FIRST_CHUNK_BYTES / kib.length + 1; i++) {
            pair[1].put(kib, ByteQueue.BYTE_ARRAY, -1);
        }
        TestQueues.closeAndDrain(pair[0]);
        TestQueues.closeAndDrain(pair[1]);

        assertThat(FreedPipeFiles.keep(pair[0], pair[1])).isFalse();
        pair[0].segment().unlink();
    }

    private static void put(ByteQueue queue, String text) {
        queue.put(text.getBytes(StandardCharsets.UTF_8), ByteQueue.BYTE_ARRAY, -1);
    }

    private static String text(byte[] record) {
        return new String(record, StandardCharsets.UTF_8);
    }
}
