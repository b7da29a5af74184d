package io.github.multiprocessing4j.internal.queue;

import io.github.multiprocessing4j.internal.serial.ItemCodec;
import io.github.multiprocessing4j.internal.shm.SharedSegment;

/** Encoded items written to and read from shared memory: the payload of queue and in-flight records. */
final class Messages {
    private Messages() {
    }

    /** Writes {@code message} ({@link ItemCodec.Encoded#length()} bytes) at {@code offset}. */
    static void write(SharedSegment segment, int offset, ItemCodec.Encoded message) {
        int at = offset;
        if (message.tag != 0) {
            segment.putByte(at++, message.tag);
        }
        segment.putBytes(at, message.body, 0, message.body.length);
    }

    /** Reads the {@code length} bytes at {@code offset} written by {@link #write}. */
    static ItemCodec.Encoded read(SharedSegment segment, int offset, int length) {
        if (length > 0) {
            byte first = segment.getByte(offset);
            if (ItemCodec.isTag(first)) {
                byte[] body = new byte[length - 1];
                segment.getBytes(offset + 1, body, 0, body.length);
                return new ItemCodec.Encoded(first, body);
            }
        }
        byte[] stream = new byte[length];
        segment.getBytes(offset, stream, 0, length);
        return new ItemCodec.Encoded((byte) 0, stream);
    }
}
