package io.github.multiprocessing4j.internal.queue;

import io.github.multiprocessing4j.internal.shm.SharedSegment;

import java.nio.charset.StandardCharsets;

/**
 * A segment's name written in shared memory, so that another process can attach the segment:
 * a length (4 bytes) and up to {@value #MAX_LENGTH} ASCII bytes, in a field of {@value #FIELD_SIZE}.
 *
 * <p>Implementation notes. A name written over another is not one store: a process killed
 * half-way would leave the new bytes under the old length, a name that may be a third segment's
 * (the tail of a name whose number gained a digit). So the length is cleared first and written
 * last: such a field reads as holding no name. A field that must go on naming something
 * meanwhile is one of a pair put in force by a word of its own (the queue's chunk and log names:
 * see {@link QueueDescriptor}).
 */
final class SegmentNames {
    static final int FIELD_SIZE = 56;
    static final int MAX_LENGTH = FIELD_SIZE - 4;

    private SegmentNames() {
    }

    static void write(SharedSegment segment, int offset, String name) {
        byte[] bytes = name.getBytes(StandardCharsets.US_ASCII);
        if (bytes.length > MAX_LENGTH) {
            throw new IllegalStateException("segment name too long for a queue's name field: " + name);
        }
        segment.setIntVolatile(offset, 0);
        segment.putBytes(offset + 4, bytes, 0, bytes.length);
        segment.setIntVolatile(offset, bytes.length);
    }

    static String read(SharedSegment segment, int offset) {
        int length = segment.getIntVolatile(offset);
        if (length <= 0 || length > MAX_LENGTH) {
            throw new IllegalStateException("damaged segment name in " + segment + " at " + offset);
        }
        return new String(segment.getBytes(offset + 4, length), StandardCharsets.US_ASCII);
    }
}
