package io.github.multiprocessing4j.internal.queue;

import io.github.multiprocessing4j.internal.shm.SharedSegment;
import io.github.multiprocessing4j.internal.sync.RobustMutex;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static io.github.multiprocessing4j.internal.queue.QueueDescriptor.PUT_LOCK;
import static io.github.multiprocessing4j.internal.queue.QueueDescriptor.SPARE;
import static io.github.multiprocessing4j.internal.queue.QueueDescriptor.TAIL;
import static io.github.multiprocessing4j.internal.queue.QueueDescriptor.TAIL_NAMES;
import static io.github.multiprocessing4j.internal.queue.QueueDescriptor.NAME_SLOT;
import static io.github.multiprocessing4j.internal.queue.QueueDescriptor.chunkOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The spares of a queue's chunk chain: a queue that holds a few chunks' worth of items, drained
 * and filled again, cycles through the same segments (no new file per chunk switch), keeps at
 * most {@link ChunkChain#MAX_SPARES}, and removes them all with its last item; a consumer does
 * not wait for a producer holding the put lock to retire a chunk.
 */
class ChunkReuseTest {
    private static final int CHUNK = 4096;
    /** One item per chunk: a second one does not fit beside it. */
    private static final int ITEM_SIZE = 2500;
    private static final ByteQueue.RecordReader<byte[]> COPY = TestQueues.COPY;

    private ByteQueue queue;
    private SharedSegment header;
    private final Set<String> chunksSeen = new HashSet<>();

    @BeforeEach
    void createQueue() {
        queue = ByteQueue.create(0, CHUNK);
        header = queue.header();
    }

    @AfterEach
    void removeQueue() {
        TestQueues.closeAndDrain(queue);
    }

    @Test
    void aQueueFilledAndDrainedAgainCyclesThroughTheSameChunks() {
        int held = 5;
        for (int round = 0; round < 10; round++) {
            for (int i = 0; i < held; i++) {
                put(item(round * held + i));
            }
            for (int i = 0; i < held; i++) {
                assertThat(queue.takeUninterruptibly(0, COPY)).isEqualTo(item(round * held + i));
            }
        }
        assertThat(chunksSeen.size()).as("chunk segments used over 10 rounds of " + held + " chunks")
                .isLessThanOrEqualTo(held + 2);
    }

    @Test
    void atMostMaxSparesAreKeptAndClosingRemovesThemAll() {
        int held = ChunkChain.MAX_SPARES + 4;
        for (int i = 0; i < held; i++) {
            put(item(i));
        }
        for (int i = 0; i < held; i++) {
            assertThat(queue.takeUninterruptibly(0, COPY)).isEqualTo(item(i));
        }
        assertThat(header.getLongVolatile(SPARE)).isEqualTo(ChunkChain.MAX_SPARES);
        for (int i = 0; i < 3; i++) {
            put(item(100 + i)); // takes spares off the stack: the ones below stay usable
        }
        assertThat(header.getLongVolatile(SPARE)).isEqualTo(ChunkChain.MAX_SPARES - 3);
        for (int i = 0; i < 3; i++) {
            assertThat(queue.takeUninterruptibly(0, COPY)).isEqualTo(item(100 + i));
        }

        queue.close();

        for (String name : chunksSeen) {
            assertThatThrownBy(() -> SharedSegment.attach(header.treeId(), name)).as(name)
                    .isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // such a take never ends
    void aConsumerPutsOffRetiringAChunkWhileAProducerHoldsThePutLock() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            put(item(i)); // three chunks
        }
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch letGo = new CountDownLatch(1);
        Thread producer = new Thread(() -> {
            RobustMutex putLock = new RobustMutex(header, PUT_LOCK, false, "put lock");
            putLock.acquireUninterruptibly();
            held.countDown();
            try {
                letGo.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                putLock.release();
            }
        });
        producer.start();
        held.await();
        try {
            assertThat(queue.takeUninterruptibly(0, COPY)).isEqualTo(item(0));
            assertThat(queue.takeUninterruptibly(0, COPY)).as("the take that leaves chunk 0").isEqualTo(item(1));
            assertThat(header.getLongVolatile(SPARE)).as("chunk 0, put off").isZero();
        } finally {
            letGo.countDown();
            producer.join();
        }
        assertThat(queue.takeUninterruptibly(0, COPY)).as("the take that leaves chunk 1").isEqualTo(item(2));
        assertThat(header.getLongVolatile(SPARE)).as("chunk 0 retired now, then chunk 1").isEqualTo(2);
    }

    private void put(byte[] item) {
        assertThat(queue.put(item, ByteQueue.BYTE_ARRAY, 0)).isTrue();
        long chunk = chunkOf(header.getLongVolatile(TAIL));
        int slot = TAIL_NAMES + (int) (chunk & 1) * NAME_SLOT;
        chunksSeen.add(SegmentNames.read(header, slot + 8));
    }

    private static byte[] item(int n) {
        byte[] item = new byte[ITEM_SIZE];
        Arrays.fill(item, (byte) n);
        return item;
    }
}
