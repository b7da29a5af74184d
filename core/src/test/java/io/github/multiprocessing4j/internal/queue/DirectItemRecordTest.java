package io.github.multiprocessing4j.internal.queue;

import io.github.multiprocessing4j.internal.serial.ItemCodec;
import io.github.multiprocessing4j.internal.shm.SharedSegment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.Serializable;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Items written and read as themselves ({@link DirectItemRecord}) make the same records as
 * encoded ones ({@link EncodedItemRecord}), so either format reads what the other wrote.
 */
class DirectItemRecordTest {
    private static final ClassLoader LOADER = DirectItemRecordTest.class.getClassLoader();

    record Point(int x, int y) implements Serializable {
    }

    /** Every kind of item: the boxed primitives (edge values: signs, NaN bits), arrays, a string, an object. */
    private static final List<Object> ITEMS = List.of(Integer.MIN_VALUE, -1, 0, 127, 128, Integer.MAX_VALUE,
            Long.MIN_VALUE, -2L, Long.MAX_VALUE, -0.0d, Double.NaN, Double.longBitsToDouble(0x7ff8_0000_dead_beefL),
            Float.intBitsToFloat(0xffc0_0001), -1.5f, Short.MIN_VALUE, (short) -1, Byte.MIN_VALUE, (byte) 0x7f,
            '\uffff', 'a', true, false, new byte[0], new byte[] {-1, 0, 1}, "grüße", "", new Point(3, -4));

    private final ByteQueue queue = ByteQueue.create(0, 1 << 16);

    @AfterEach
    void removeQueue() {
        TestQueues.closeAndDrain(queue);
    }

    @Test
    void everyItemComesBackEqualAndOfItsClass() {
        for (Object item : ITEMS) {
            queue.put(DirectItemRecord.recordOf(item, "item"), DirectItemRecord.FORMAT, -1);
        }
        for (Object item : ITEMS) {
            Object taken = DirectItemRecord.itemOf(queue.takeUninterruptibly(0, DirectItemRecord.FORMAT), LOADER);
            assertThat(taken).as("%s", item).isInstanceOf(item.getClass());
            if (item instanceof Double d) {
                assertThat(Double.doubleToRawLongBits((Double) taken)).isEqualTo(Double.doubleToRawLongBits(d));
            } else if (item instanceof Float f) {
                assertThat(Float.floatToRawIntBits((Float) taken)).isEqualTo(Float.floatToRawIntBits(f));
            } else {
                assertThat(taken).isEqualTo(item);
            }
        }
    }

    @Test
    void recordsAreTheSameBytesAsEncodedOnes() {
        for (Object item : ITEMS) {
            queue.put(DirectItemRecord.recordOf(item, "item"), DirectItemRecord.FORMAT, -1);
            queue.put(ItemCodec.encode(item, "item"), EncodedItemRecord.FORMAT, -1);
            byte[] direct = queue.takeUninterruptibly(0, TestQueues.COPY);
            byte[] encoded = queue.takeUninterruptibly(0, TestQueues.COPY);
            assertThat(direct).as("%s", item).isEqualTo(encoded);
        }
        for (Object item : ITEMS) { // and each format reads the other's
            queue.put(ItemCodec.encode(item, "item"), EncodedItemRecord.FORMAT, -1);
            assertThat(DirectItemRecord.itemOf(queue.takeUninterruptibly(0, DirectItemRecord.FORMAT), LOADER))
                    .isInstanceOf(item.getClass());
            queue.put(DirectItemRecord.recordOf(item, "item"), DirectItemRecord.FORMAT, -1);
            assertThat(ItemCodec.decode(queue.takeUninterruptibly(0, EncodedItemRecord.FORMAT), LOADER))
                    .isInstanceOf(item.getClass());
        }
    }

    /**
     * A boxed primitive's record is written and read a word at a time where it starts 8-aligned
     * (every record of a queue's chunk does), byte by byte elsewhere: the same bytes either way.
     */
    @Test
    void fixedSizeRecordsAreTheSameBytesAlignedOrNot() {
        SharedSegment segment = SharedSegment.create("records", 256);
        try {
            for (Object item : ITEMS) {
                if (ItemCodec.fixedSizeTag(item) == 0) {
                    continue;
                }
                byte[] encoded = bytesOf(ItemCodec.encode(item, "item"));
                int length = DirectItemRecord.FORMAT.length(item);
                for (int offset : new int[] {16, 41}) {
                    for (int i = 0; i < 32; i++) {
                        segment.putByte(offset + i, (byte) 0x5a); // old bytes: a record must not read them
                    }
                    DirectItemRecord.FORMAT.write(item, segment, offset);
                    byte[] written = new byte[length];
                    segment.getBytes(offset, written, 0, length);
                    assertThat(written).as("%s at %d", item, offset).isEqualTo(encoded);
                    Object read = DirectItemRecord.FORMAT.read(segment, offset, length, 0);
                    assertThat(read).as("%s at %d", item, offset).isInstanceOf(item.getClass());
                    assertThat(bytesOf(ItemCodec.encode(read, "item"))).as("%s at %d", item, offset).isEqualTo(encoded);
                }
            }
        } finally {
            segment.unlink();
        }
    }

    /** @return the bytes of a record: the tag, then the body */
    private static byte[] bytesOf(ItemCodec.Encoded encoded) {
        byte[] bytes = new byte[encoded.length()];
        bytes[0] = encoded.tag;
        System.arraycopy(encoded.body, 0, bytes, 1, encoded.body.length);
        return bytes;
    }

    @Test
    void aByteArrayIsCopiedOnTheWayInAndOut() {
        byte[] item = {1, 2, 3};
        queue.put(DirectItemRecord.recordOf(item, "item"), DirectItemRecord.FORMAT, -1);
        item[0] = 9;
        byte[] taken = (byte[]) queue.takeUninterruptibly(0, DirectItemRecord.FORMAT);
        assertThat(taken).containsExactly(1, 2, 3);
    }

    @Test
    void anItemThatCannotBeSerializedIsRefusedBeforeThePut() {
        Object opaque = new Object();
        assertThatThrownBy(() -> DirectItemRecord.recordOf(opaque, "item"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("java.lang.Object");
        assertThat(queue.size()).isZero();
    }
}
