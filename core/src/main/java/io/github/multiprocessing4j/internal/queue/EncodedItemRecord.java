package io.github.multiprocessing4j.internal.queue;

import io.github.multiprocessing4j.internal.serial.ItemCodec;
import io.github.multiprocessing4j.internal.shm.SharedSegment;

/**
 * An encoded item as the bytes of a queue record: its tag byte (when it has one), then its body.
 * What {@link DirectItemRecord}, through which the queues, pipes and the pool's channels put and
 * take, does with an item it does not write directly; {@link ByteQueue} itself moves bytes only.
 */
final class EncodedItemRecord
        implements ByteQueue.RecordWriter<ItemCodec.Encoded>, ByteQueue.RecordReader<ItemCodec.Encoded> {
    /** Writes and reads encoded items; stateless. */
    static final EncodedItemRecord FORMAT = new EncodedItemRecord();

    private EncodedItemRecord() {
    }

    @Override
    public int length(ItemCodec.Encoded item) {
        return item.length();
    }

    /** Writes the tag and the body, straight from the item's array (a {@code byte[]} item is not copied first). */
    @Override
    public void write(ItemCodec.Encoded item, SharedSegment segment, int offset) {
        int at = offset;
        if (item.tag != 0) {
            segment.putByte(at++, item.tag);
        }
        segment.putBytes(at, item.body, 0, item.body.length);
    }

    /** Reads what {@link #write} wrote: a first byte that is no tag starts a serialization stream (tag 0). */
    @Override
    public ItemCodec.Encoded read(SharedSegment segment, int offset, int length, long itemNumber) {
        if (length > 0) {
            byte first = segment.getByte(offset);
            if (ItemCodec.isTag(first)) {
                return new ItemCodec.Encoded(first, segment.getBytes(offset + 1, length - 1));
            }
        }
        return new ItemCodec.Encoded((byte) 0, segment.getBytes(offset, length));
    }
}
