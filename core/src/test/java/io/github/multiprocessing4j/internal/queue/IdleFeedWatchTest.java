package io.github.multiprocessing4j.internal.queue;

import io.github.multiprocessing4j.internal.serial.Wire;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link ByteQueue#watchIdleFeeds}: a queue fed every so often tells its watcher, at its puts
 * that ring a waiting consumer and at its consumer's long waits; a stream does not. A producer
 * thread and a consumer thread of this JVM (a wait rings its own process as it rings another).
 */
@Timeout(30)
class IdleFeedWatchTest {
    private static final byte[] ITEM = new byte[8];

    private ByteQueue producerSide;
    private ByteQueue consumerSide;
    private final AtomicInteger producerNotices = new AtomicInteger();
    private final AtomicInteger consumerNotices = new AtomicInteger();

    @BeforeEach
    void createQueue() {
        producerSide = ByteQueue.create(0, 64 * 1024);
        consumerSide = ByteQueue.readFrom(wireOf(producerSide)); // a handle of its own, as another process's
        producerSide.watchIdleFeeds(producerNotices::incrementAndGet);
        consumerSide.watchIdleFeeds(consumerNotices::incrementAndGet);
    }

    @AfterEach
    void removeQueue() {
        TestQueues.closeAndDrain(producerSide);
    }

    @Test
    void itemsPutEverySoOftenForAWaitingConsumerAreNoticedOnBothSides() throws Exception {
        int items = 4;
        Thread consumer = consumer(items + 1); // its last wait tells of the last item's
        for (int i = 0; i < items; i++) {
            Thread.sleep(3 * ByteQueue.IDLE_FEED_NANOS / 1_000_000); // the consumer waits long and sits meanwhile
            assertThat(producerSide.put(ITEM, ByteQueue.BYTE_ARRAY, -1)).isTrue();
        }
        long waitsForTheLast = System.nanoTime();
        while (consumerNotices.get() < items - 1 && System.nanoTime() - waitsForTheLast < 5_000_000_000L) {
            Thread.sleep(1);
        }
        producerSide.put(ITEM, ByteQueue.BYTE_ARRAY, -1);
        consumer.join();

        assertThat(consumerNotices).as("takes that waited long after one that did, told as the next take waits")
                .hasValue(items - 1);
        assertThat(producerNotices).as("puts that rang a seated consumer after one that did")
                .hasValueGreaterThanOrEqualTo(items - 2);
    }

    @Test
    void aStreamIsNotNoticed() throws Exception {
        int items = 200_000;
        Thread consumer = consumer(items);
        Thread.sleep(3 * ByteQueue.IDLE_FEED_NANOS / 1_000_000); // its first take waits long: one notice at most
        for (int i = 0; i < items; i++) {
            producerSide.put(ITEM, ByteQueue.BYTE_ARRAY, -1);
        }
        consumer.join();

        assertThat(consumerNotices.get() + producerNotices.get()).as("notices").isLessThanOrEqualTo(2);
    }

    @Test
    void aQuickFeedIsNotNoticed() throws Exception {
        int items = 20;
        Thread consumer = consumer(items);
        Thread.sleep(3 * ByteQueue.IDLE_FEED_NANOS / 1_000_000);
        for (int i = 0; i < items; i++) {
            Thread.sleep(2); // the consumer sits (after a millisecond), but its waits are short
            producerSide.put(ITEM, ByteQueue.BYTE_ARRAY, -1);
        }
        consumer.join();

        assertThat(consumerNotices.get() + producerNotices.get()).as("notices").isLessThanOrEqualTo(2);
    }

    private Thread consumer(int items) {
        Thread consumer = new Thread(() -> {
            for (int i = 0; i < items; i++) {
                consumerSide.takeUninterruptibly(-1, TestQueues.COPY);
            }
        }, "consumer");
        consumer.start();
        return consumer;
    }

    private static Wire.Reader wireOf(ByteQueue queue) {
        Wire.Writer out = new Wire.Writer(64);
        queue.writeTo(out);
        return new Wire.Reader(out.toByteArray());
    }
}
