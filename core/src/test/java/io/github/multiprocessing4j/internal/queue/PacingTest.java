package io.github.multiprocessing4j.internal.queue;

import io.github.multiprocessing4j.internal.shm.SharedSegment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static io.github.multiprocessing4j.internal.queue.QueueDescriptor.NAME_SLOT;
import static io.github.multiprocessing4j.internal.queue.QueueDescriptor.TAIL;
import static io.github.multiprocessing4j.internal.queue.QueueDescriptor.TAIL_NAMES;
import static io.github.multiprocessing4j.internal.queue.QueueDescriptor.chunkOf;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The pacing of an unbounded queue's producer ({@link ByteQueue}'s class notes): with a consumer
 * draining, a producer that runs ahead reuses drained chunks instead of making a new one per
 * switch; with nobody draining, or a consumer that stopped, it fills the queue with hardly a pause.
 */
class PacingTest {
    private static final int CHUNK = 64 * 1024;
    private static final int ITEM_SIZE = 4096;
    /** 64 chunks' worth. */
    private static final int ITEMS = 64 * CHUNK / ITEM_SIZE;
    /** What the consumer of the several producers spends on each item: far slower than they put. */
    private static final long CONSUMER_WORK_NANOS = 100_000;
    /** Chunk segments a draining test may use: far below the 64 that no pacing makes. */
    private static final int BOUND = 40;
    /** Runs of a draining test before it fails: a busy machine's moment makes pacing give up. */
    private static final int ATTEMPTS = 3;

    private ByteQueue queue;

    @BeforeEach
    void createQueue() {
        queue = ByteQueue.create(0, CHUNK);
    }

    @AfterEach
    void removeQueue() {
        TestQueues.closeAndDrain(queue);
    }

    @Test
    void aProducerAheadOfADrainingConsumerReusesChunks() throws InterruptedException {
        // Without pacing the producer, far faster than a consumer that allocates and copies each
        // item, makes a new chunk at nearly every switch (64 here); with it, a handful cycle. A
        // consumer descheduled past the stall limit on a busy machine makes pacing give up (48
        // once in a whole suite's run on a 2-core machine), hence the fewest of a few attempts.
        assertThat(fewestChunksOfAttempts(queue -> chunksUsedByOneProducer(queue, ITEM_SIZE, ITEMS)))
                .as("chunk segments used for 64 chunks' worth of items").isLessThan(BOUND);
    }

    @Test
    void aProducerOfLargeItemsAheadOfADrainingConsumerReusesTheirChunks() throws InterruptedException {
        // Each item needs a chunk of its own, kept once drained (ChunkChain): without pacing the
        // producer made nearly all 64 new, running ahead of the consumer before it drained one.
        assertThat(fewestChunksOfAttempts(queue -> chunksUsedByOneProducer(queue, 2 * CHUNK, 64)))
                .as("chunk segments used for 64 items of two chunks each").isLessThan(BOUND);
    }

    @Test
    void aProducerOfItemsWhoseChunksFewSparesHoldMakesNoMoreThanTheyHold() throws InterruptedException {
        // Items of 8 MiB or so where shared memory is roomy: the large spares hold three of their
        // chunks (ChunkChain.maxLargeSpareBytes), so the producer paces from a lead of one chunk
        // and the stream cycles through three, every one kept once drained. With the lead of
        // standard chunks (four) it made five or six, and a stream coming in bursts (a pool's map
        // of large results, called again and again) made the extra ones anew at every burst.
        int itemSize = (int) (ChunkChain.maxLargeSpareBytes() * 10 / 34);
        int items = 24;
        int keepable = 3;
        assertThat(fewestChunksOfAttempts(queue -> chunksUsedByOneProducer(queue, itemSize, items), keepable + 1))
                .as("chunk segments used for " + items + " items of " + itemSize + " bytes").isLessThanOrEqualTo(keepable);
    }

    @Test
    void producersAheadOfADrainingConsumerReuseChunks() throws InterruptedException {
        // Several producers pace as one does: 6-13 segments here, and 26 once in a whole suite's
        // run on a busy 2-core machine (five threads on two cores: a consumer descheduled past
        // the pacing limit, then pacing gives up), so the bound is the one-producer test's, far
        // below the 64 that no pacing makes. Between processes a pacing decision taken before the
        // put lock, or a paced put that appended without looking again (another producer may have
        // filled the drained chunk meanwhile), let producers make most of their chunks new
        // (measured in the benchmark's 2x2 and 4x4 cells, see ByteQueue); threads of one JVM
        // seldom show those races, so this test does not pin them down.
        assertThat(fewestChunksOfAttempts(PacingTest::chunksUsedByFourProducers))
                .as("chunk segments used for 64 chunks' worth of items by 4 producers").isLessThan(BOUND);
    }

    /**
     * The fewest chunk segments of up to {@link #ATTEMPTS} runs of {@code run}, each on a queue of
     * its own, stopping at the first under {@link #BOUND}: a run that pacing gave up in is a
     * machine's busy moment, every run of a queue that does not pace makes ~64.
     */
    private static int fewestChunksOfAttempts(DrainingRun run) throws InterruptedException {
        return fewestChunksOfAttempts(run, BOUND);
    }

    /** {@link #fewestChunksOfAttempts(DrainingRun)}, stopping at the first run under {@code bound}. */
    private static int fewestChunksOfAttempts(DrainingRun run, int bound) throws InterruptedException {
        int fewest = Integer.MAX_VALUE;
        for (int attempt = 0; attempt < ATTEMPTS && fewest >= bound; attempt++) {
            ByteQueue queue = ByteQueue.create(0, CHUNK);
            try {
                fewest = Math.min(fewest, run.chunksUsed(queue));
            } finally {
                TestQueues.closeAndDrain(queue);
            }
        }
        return fewest;
    }

    private static int chunksUsedByOneProducer(ByteQueue queue, int itemSize, int items) throws InterruptedException {
        AtomicReference<Throwable> consumerFailure = new AtomicReference<>();
        Thread consumer = new Thread(() -> {
            try {
                for (int i = 0; i < items; i++) {
                    byte[] item = queue.takeUninterruptibly(-1, TestQueues.COPY);
                    assertThat(item[0]).isEqualTo((byte) i);
                }
            } catch (Throwable t) {
                consumerFailure.set(t);
            }
        });
        Set<String> chunks = new HashSet<>();
        byte[] item = new byte[itemSize];
        // A chunk's worth and one item first, and the producer waits until the consumer has left
        // that chunk: a consumer that has drained none yet does not count as active, and pacing
        // waits for no one. Waiting only for its first take, the producer (compiled by then in a
        // whole suite's JVM) ran the 64 chunks ahead before the consumer left its first, in all
        // three attempts of a fresh-clone CI run (60 chunks).
        int firstItems = CHUNK / itemSize + 1;
        for (int i = 0; i < firstItems; i++) {
            item[0] = (byte) i;
            assertThat(queue.put(item, ByteQueue.BYTE_ARRAY, -1)).isTrue();
            chunks.add(tailChunkName(queue));
        }
        consumer.start();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (queue.getCount() < firstItems && System.nanoTime() - deadline < 0) {
            Thread.onSpinWait();
        }
        for (int i = firstItems; i < items; i++) {
            item[0] = (byte) i;
            assertThat(queue.put(item, ByteQueue.BYTE_ARRAY, -1)).isTrue();
            chunks.add(tailChunkName(queue));
        }
        consumer.join(TimeUnit.MINUTES.toMillis(1));
        assertThat(consumer.isAlive()).isFalse();
        assertThat(consumerFailure.get()).isNull();
        return chunks.size();
    }

    private static int chunksUsedByFourProducers(ByteQueue queue) throws InterruptedException {
        int producers = 4;
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread consumer = new Thread(() -> {
            try {
                for (int i = 0; i < ITEMS; i++) {
                    queue.takeUninterruptibly(-1, TestQueues.COPY);
                    long busyUntil = System.nanoTime() + CONSUMER_WORK_NANOS;
                    while (System.nanoTime() - busyUntil < 0) {
                        Thread.onSpinWait(); // a consumer that does something with each item
                    }
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        // a chunk's worth first, so that the consumer has drained one (it counts as active)
        // before the producers run ahead
        byte[] first = new byte[ITEM_SIZE];
        int firstItems = CHUNK / ITEM_SIZE;
        for (int i = 0; i < firstItems; i++) {
            assertThat(queue.put(first, ByteQueue.BYTE_ARRAY, -1)).isTrue();
        }
        consumer.start();
        Set<String> chunks = ConcurrentHashMap.newKeySet();
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            Thread producer = new Thread(() -> {
                try {
                    byte[] item = new byte[ITEM_SIZE];
                    for (int i = 0; i < (ITEMS - firstItems) / producers; i++) {
                        assertThat(queue.put(item, ByteQueue.BYTE_ARRAY, -1)).isTrue();
                        chunks.add(tailChunkName(queue));
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            producer.start();
            threads.add(producer);
        }
        for (Thread producer : threads) {
            producer.join(TimeUnit.MINUTES.toMillis(1));
        }
        consumer.join(TimeUnit.MINUTES.toMillis(1));
        assertThat(consumer.isAlive()).isFalse();
        assertThat(failure.get()).isNull();
        return chunks.size();
    }

    /** One run of a draining test on a queue of its own: the chunk segments its producers used. */
    @FunctionalInterface
    private interface DrainingRun {
        int chunksUsed(ByteQueue queue) throws InterruptedException;
    }

    @Test
    void withNobodyDrainingAProducerHardlyPauses() {
        byte[] item = new byte[ITEM_SIZE];
        long start = System.nanoTime();
        for (int i = 0; i < ITEMS; i++) {
            assertThat(queue.put(item, ByteQueue.BYTE_ARRAY, -1)).isTrue();
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        // 60 switches with a long lead pause at most until the consumers count as stalled (10 ms
        // each); the whole bound is for a slow machine, it fails when a pause waits its maximum
        assertThat(queue.size()).isEqualTo(ITEMS);
        assertThat(millis).as("ms to put 64 chunks' worth with no consumer").isLessThan(ITEMS / 16 * ByteQueue.PACING_MAX_NANOS / 1_000_000 / 2);
    }

    @Test
    void aConsumerThatStopsIsNotWaitedFor() throws InterruptedException {
        byte[] item = new byte[ITEM_SIZE];
        int drained = 3 * CHUNK / ITEM_SIZE; // a few chunks: the consumer has drained lately
        for (int i = 0; i < drained; i++) {
            assertThat(queue.put(item, ByteQueue.BYTE_ARRAY, -1)).isTrue();
        }
        Thread consumer = new Thread(() -> {
            for (int i = 0; i < drained; i++) {
                queue.takeUninterruptibly(-1, TestQueues.COPY);
            }
        });
        consumer.start();
        consumer.join(TimeUnit.MINUTES.toMillis(1));
        long start = System.nanoTime();
        for (int i = 0; i < ITEMS; i++) {
            assertThat(queue.put(item, ByteQueue.BYTE_ARRAY, -1)).isTrue();
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        // each switch with a long lead waits until the stopped consumer counts as stalled (10 ms)
        // for the 50 ms it still counts as active; it fails when a pause waits its maximum
        assertThat(millis).as("ms to put 64 chunks' worth after the consumer stopped")
                .isLessThan(ITEMS / 16 * ByteQueue.PACING_MAX_NANOS / 1_000_000 / 2);
    }

    private static String tailChunkName(ByteQueue queue) {
        SharedSegment header = queue.header();
        long chunk = chunkOf(header.getLongVolatile(TAIL));
        return SegmentNames.read(header, TAIL_NAMES + (int) (chunk & 1) * NAME_SLOT + 8);
    }
}
