package io.github.multiprocessing4j.internal.queue;

import io.github.multiprocessing4j.internal.shm.SharedSegment;
import io.github.multiprocessing4j.internal.sync.MutexDescriptor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.github.multiprocessing4j.internal.queue.ChunkDescriptor.STAMP;
import static io.github.multiprocessing4j.internal.queue.QueueDescriptor.NAME_SLOT;
import static io.github.multiprocessing4j.internal.queue.QueueDescriptor.PUT_COUNT;
import static io.github.multiprocessing4j.internal.queue.QueueDescriptor.PUT_LOCK;
import static io.github.multiprocessing4j.internal.queue.QueueDescriptor.SPARE;
import static io.github.multiprocessing4j.internal.queue.QueueDescriptor.TAIL;
import static io.github.multiprocessing4j.internal.queue.QueueDescriptor.TAIL_NAMES;
import static io.github.multiprocessing4j.internal.queue.QueueDescriptor.chunkOf;
import static io.github.multiprocessing4j.internal.queue.QueueDescriptor.offsetOf;
import static io.github.multiprocessing4j.internal.queue.QueueDescriptor.position;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The repair of a queue's tail after a producer died holding the put lock, from every state an
 * append can be killed in. Each state is made deterministically in a real queue: an append is
 * done completely, then the steps that a producer killed at that point would not have reached
 * are undone in the segments (the stamp or link it had not written, the count and tail it had
 * not moved), and the put lock is left held by a process that has exited. Then the next put takes
 * the lock over and repairs the tail, and what consumers get is checked: the item kept and
 * counted once, or dropped without a trace, and the queue usable either way.
 */
class TailRepairTest {
    /** The smallest chunk: a few items fill it, so a put switches chunks when the test wants. */
    private static final int CHUNK = 4096;
    /** Bytes of an item that, after a {@link #FIRST_ITEM_SIZE}-byte one, does not fit in the chunk. */
    private static final int SWITCHING_ITEM_SIZE = 2000;
    private static final int FIRST_ITEM_SIZE = 3000;
    private static final ByteQueue.RecordReader<byte[]> COPY = TestQueues.COPY;

    private ByteQueue queue;
    private SharedSegment header;

    /** Where a producer was killed in an append that stays in its chunk. */
    enum KilledInChunk {
        /** Length, item number and payload written, the next stamp slot zeroed; no stamp. */
        BEFORE_THE_STAMP(false),
        /** The stamp written: the item exists, but the count and the tail did not move. */
        AFTER_THE_STAMP(true),
        /** The count moved, the tail did not. */
        AFTER_THE_COUNT(true);

        final boolean itemKept;

        KilledInChunk(boolean itemKept) {
            this.itemKept = itemKept;
        }
    }

    /** Where a producer was killed in an append that switches to a new chunk. */
    enum KilledSwitchingChunks {
        /** The new chunk's name in the tail-name slot; the segment not created yet. */
        AFTER_NAMING_THE_NEXT_CHUNK,
        /** The new chunk made, not linked from the current one. */
        AFTER_MAKING_THE_NEXT_CHUNK,
        /** The link record complete, the tail not moved to the new chunk. */
        AFTER_LINKING_THE_NEXT_CHUNK,
        /** The tail in the new chunk, the item not stamped there. */
        AFTER_MOVING_THE_TAIL
    }

    @BeforeEach
    void createQueue() {
        queue = ByteQueue.create(0, CHUNK);
        header = queue.header();
    }

    @AfterEach
    void removeQueue() {
        TestQueues.closeAndDrain(queue);
    }

    @ParameterizedTest
    @EnumSource(KilledInChunk.class)
    void anAppendKilledInsideAChunkLeavesItsItemCompleteOrNotAtAll(KilledInChunk step) throws Exception {
        put(item(1, 100));
        long tailBefore = header.getLongVolatile(TAIL);
        long countBefore = header.getLongVolatile(PUT_COUNT);
        byte[] killed = item(2, 300);
        put(killed);
        SharedSegment chunk = tailNamedChunk(chunkOf(tailBefore));
        switch (step) {
            case BEFORE_THE_STAMP:
                chunk.setIntVolatile(offsetOf(tailBefore) + STAMP, 0);
                header.setLongVolatile(PUT_COUNT, countBefore);
                header.setLongVolatile(TAIL, tailBefore);
                break;
            case AFTER_THE_STAMP:
                header.setLongVolatile(PUT_COUNT, countBefore);
                header.setLongVolatile(TAIL, tailBefore);
                break;
            case AFTER_THE_COUNT:
                header.setLongVolatile(TAIL, tailBefore);
                break;
        }
        holdPutLockByDeadProcess();

        put(item(3, 200)); // takes the lock over and repairs the tail first

        List<byte[]> expected = new ArrayList<>(List.of(item(1, 100)));
        if (step.itemKept) {
            expected.add(killed);
        }
        expected.add(item(3, 200));
        assertThat(queue.size()).isEqualTo(expected.size());
        assertThat(takeAll()).containsExactlyElementsOf(expected);
        assertThat(queue.putCount()).isEqualTo(queue.getCount());
    }

    @ParameterizedTest
    @EnumSource(KilledSwitchingChunks.class)
    void anAppendKilledSwitchingChunksIsDroppedAndItsUnlinkedChunkRemoved(KilledSwitchingChunks step) throws Exception {
        put(item(1, FIRST_ITEM_SIZE));
        long tailBefore = header.getLongVolatile(TAIL);
        long countBefore = header.getLongVolatile(PUT_COUNT);
        put(item(2, SWITCHING_ITEM_SIZE));
        long next = chunkOf(tailBefore) + 1;
        assertThat(chunkOf(header.getLongVolatile(TAIL))).as("the item went to a new chunk").isEqualTo(next);
        String nextName = tailChunkName(next);
        rollBackSwitch(step, tailBefore, countBefore, next);
        holdPutLockByDeadProcess();

        put(item(3, SWITCHING_ITEM_SIZE)); // takes the lock over and repairs the tail first

        boolean unlinked = step == KilledSwitchingChunks.AFTER_NAMING_THE_NEXT_CHUNK
                || step == KilledSwitchingChunks.AFTER_MAKING_THE_NEXT_CHUNK;
        if (unlinked) {
            assertThat(exists(nextName)).as("the chunk made and never linked").isFalse();
        } else {
            assertThat(tailChunkName(next)).as("the item after the repair is in the chunk linked before").isEqualTo(nextName);
        }
        assertThat(takeAll()).containsExactly(item(1, FIRST_ITEM_SIZE), item(3, SWITCHING_ITEM_SIZE));
        assertThat(queue.putCount()).isEqualTo(queue.getCount());
    }

    /**
     * An append whose writer throws half-way (after the switch to a new chunk) lets the put lock go
     * and leaves the tail consistent: the next put needs no takeover, and the queue holds what it
     * held.
     */
    @Test
    void anAppendWhoseWriterThrowsLeavesTheQueueUsable() {
        put(item(1, FIRST_ITEM_SIZE));
        ByteQueue.RecordWriter<byte[]> failing = new ByteQueue.RecordWriter<>() {
            @Override
            public int length(byte[] item) {
                return item.length;
            }

            @Override
            public void write(byte[] item, SharedSegment segment, int offset) {
                segment.putBytes(offset, item, 0, item.length / 2);
                throw new IllegalStateException("the writer failed");
            }
        };

        assertThatThrownBy(() -> queue.put(item(2, SWITCHING_ITEM_SIZE), failing, 0))
                .isInstanceOf(IllegalStateException.class).hasMessage("the writer failed");

        assertThat(header.getLongVolatile(PUT_LOCK + MutexDescriptor.OWNER)).as("put lock released").isZero();
        put(item(3, SWITCHING_ITEM_SIZE));
        assertThat(takeAll()).containsExactly(item(1, FIRST_ITEM_SIZE), item(3, SWITCHING_ITEM_SIZE));
        assertThat(queue.putCount()).isEqualTo(queue.getCount()).isEqualTo(2);
    }

    /**
     * A requeue cut short by an exception before its append (the recovery's log write failed)
     * settles its mark at once: asked afterwards, the queue says the item never got in, as it would
     * had the putter died there.
     */
    @Test
    void aRequeueCutShortByAnExceptionIsReportedDropped() {
        assertThatThrownBy(() -> queue.requeue(item(9, 64), number -> {
            throw new IllegalStateException("the log failed");
        })).hasMessage("the log failed");

        assertThat(queue.requeueKept(0)).isFalse();
        assertThat(queue.size()).isZero();
        put(item(10, 64));
        assertThat(takeAll()).containsExactly(item(10, 64));
    }

    /**
     * A producer that took the spare chunk as the next one, and died before it let go of the
     * spare slot, leaves the chunk named twice: the repair must keep it as the spare, not remove
     * it, and the next switch uses it.
     */
    @Test
    void anAppendKilledWhileTakingTheSpareChunkLeavesTheSpareInPlace() throws Exception {
        String spare = makeSpare();
        put(item(3, 1500)); // fits after the 2000-byte item in chunk 2
        long tailBefore = header.getLongVolatile(TAIL);
        long countBefore = header.getLongVolatile(PUT_COUNT);
        long sparesBefore = header.getLongVolatile(SPARE);
        put(item(4, SWITCHING_ITEM_SIZE));
        long next = chunkOf(tailBefore) + 1;
        assertThat(tailChunkName(next)).as("the switch took the spare").isEqualTo(spare);
        rollBackSwitch(KilledSwitchingChunks.AFTER_MAKING_THE_NEXT_CHUNK, tailBefore, countBefore, next);
        header.setLongVolatile(SPARE, sparesBefore); // the spare word still names it
        holdPutLockByDeadProcess();

        put(item(5, SWITCHING_ITEM_SIZE)); // takes the lock over, repairs, then switches again

        assertThat(exists(spare)).isTrue();
        assertThat(tailChunkName(next)).as("the next switch took the spare again").isEqualTo(spare);
        assertThat(takeAll()).containsExactly(item(3, 1500), item(5, SWITCHING_ITEM_SIZE));
    }

    /**
     * A consumer waiting on an empty-looking queue takes the put lock over from a producer that
     * died holding it after stamping its item, and counts the item: it does not wait for the
     * next producer.
     */
    @Test
    void aWaitingConsumerCountsTheItemOfAProducerThatDiedHoldingThePutLock() throws Exception {
        long tailBefore = header.getLongVolatile(TAIL);
        byte[] stamped = item(7, 64);
        put(stamped);
        header.setLongVolatile(PUT_COUNT, 0);
        header.setLongVolatile(TAIL, tailBefore);
        holdPutLockByDeadProcess();
        assertThat(queue.size()).isZero();

        byte[] taken = queue.takeUninterruptibly(TimeUnit.SECONDS.toNanos(30), COPY);

        assertThat(taken).isEqualTo(stamped);
        assertThat(header.getLongVolatile(PUT_LOCK + MutexDescriptor.OWNER)).as("put lock released").isZero();
        assertThat(queue.size()).isZero();
    }

    /** Undoes the steps of a chunk-switching append that a producer killed at {@code step} had not done. */
    private void rollBackSwitch(KilledSwitchingChunks step, long tailBefore, long countBefore, long next) {
        SharedSegment current = tailNamedChunk(chunkOf(tailBefore));
        SharedSegment made = tailNamedChunk(next);
        header.setLongVolatile(PUT_COUNT, countBefore);
        made.setIntVolatile(STAMP, 0); // the item in the new chunk is not stamped
        switch (step) {
            case AFTER_NAMING_THE_NEXT_CHUNK:
                SharedSegment.unlink(header.treeId(), made.name());
                current.setIntVolatile(offsetOf(tailBefore) + STAMP, 0);
                header.setLongVolatile(TAIL, tailBefore);
                break;
            case AFTER_MAKING_THE_NEXT_CHUNK:
                current.setIntVolatile(offsetOf(tailBefore) + STAMP, 0);
                header.setLongVolatile(TAIL, tailBefore);
                break;
            case AFTER_LINKING_THE_NEXT_CHUNK:
                header.setLongVolatile(TAIL, tailBefore);
                break;
            case AFTER_MOVING_THE_TAIL:
                header.setLongVolatile(TAIL, position(next, 0));
                break;
        }
    }

    /**
     * Fills chunks 0 and 1, moves to chunk 2 and drains the three, so that chunk 1 becomes the
     * spare (chunk 0 lives in the header's segment, and is never one). The tail is left in chunk 2,
     * after a {@value #SWITCHING_ITEM_SIZE}-byte item.
     *
     * @return the spare's segment name
     */
    private String makeSpare() {
        put(item(1, FIRST_ITEM_SIZE));
        put(item(2, FIRST_ITEM_SIZE));
        String second = tailChunkName(1);
        put(item(3, SWITCHING_ITEM_SIZE));
        assertThat(takeAll()).hasSize(3);
        assertThat(ChunkChain.spareCount(header)).isEqualTo(1);
        assertThat(ChunkChain.topSpareName(header)).isEqualTo(second);
        return second;
    }

    private void holdPutLockByDeadProcess() throws Exception {
        Process exited = new ProcessBuilder("true").start();
        assertThat(exited.waitFor(30, TimeUnit.SECONDS)).isTrue();
        header.setLongVolatile(PUT_LOCK + MutexDescriptor.OWNER_START, 0);
        header.setLongVolatile(PUT_LOCK + MutexDescriptor.OWNER, exited.pid() << 32 | 1);
    }

    private void put(byte[] item) {
        assertThat(queue.put(item, ByteQueue.BYTE_ARRAY, 0)).isTrue();
    }

    private List<byte[]> takeAll() {
        List<byte[]> taken = new ArrayList<>();
        for (byte[] item; (item = queue.takeUninterruptibly(0, COPY)) != null; ) {
            taken.add(item);
        }
        return taken;
    }

    private String tailChunkName(long number) {
        int slot = TAIL_NAMES + (int) (number & 1) * NAME_SLOT;
        assertThat(header.getLongVolatile(slot)).as("tail-name slot of chunk %d", number).isEqualTo(number);
        return SegmentNames.read(header, slot + 8);
    }

    private SharedSegment tailNamedChunk(long number) {
        return ChunkChain.attachNamed(header, tailChunkName(number));
    }

    private boolean exists(String segmentName) {
        try {
            SharedSegment.attach(header.treeId(), segmentName);
            return true;
        } catch (IllegalStateException gone) {
            return false;
        }
    }

    /** @return {@code size} bytes, all {@code fill}: items the assertions tell apart */
    private static byte[] item(int fill, int size) {
        byte[] item = new byte[size];
        Arrays.fill(item, (byte) fill);
        return item;
    }
}
