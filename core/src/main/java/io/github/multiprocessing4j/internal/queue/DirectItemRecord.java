package io.github.multiprocessing4j.internal.queue;

import io.github.multiprocessing4j.internal.serial.ItemCodec;
import io.github.multiprocessing4j.internal.serial.ValueCodec;
import io.github.multiprocessing4j.internal.shm.SharedSegment;

import java.nio.ByteOrder;

/**
 * A queue item as the bytes of its record, the same bytes as {@link EncodedItemRecord}'s (a tag,
 * then the body), put and taken as the value itself where the value allows: a boxed primitive
 * ({@code Integer}, {@code Long}, {@code Double}, ...) is written from the box and read into a
 * new one, a {@code byte[]} is copied straight between the caller's array and shared memory. Any
 * other item travels as an {@link ItemCodec.Encoded}, encoded before the put ({@link #recordOf})
 * and decoded after the take ({@link #itemOf}), outside the queue's locks. The public queues and
 * pipes put and take through {@link #FORMAT}, and the pool's channels put their messages
 * ({@code byte[]}) through it.
 *
 * <p>Implementation notes. Why no {@code Encoded} for these: a new child JVM's heap is fresh
 * memory, and until its first collection every page an allocation reaches is a page fault the
 * kernel must zero (about 10 µs each on the 2-core development VM). Moving an int through an
 * {@code Encoded} allocated 48 bytes in the producer (the wrapper and a 4-byte array) and 64 in
 * the consumer (the same, and the {@code Integer}): 164 faults per 10,000 items taken, half the
 * consumer's time in its first 200,000. A put of an {@code Integer} now allocates nothing, a take
 * the {@code Integer} only.
 */
public final class DirectItemRecord implements ByteQueue.RecordWriter<Object>, ByteQueue.RecordReader<Object> {
    private static final boolean BIG_ENDIAN_PLATFORM = ByteOrder.nativeOrder() == ByteOrder.BIG_ENDIAN;

    /** Writes and reads items; stateless. */
    public static final DirectItemRecord FORMAT = new DirectItemRecord();

    private DirectItemRecord() {
    }

    /**
     * @param item the item, not null
     * @param what what the item is, for the error message ("item")
     * @return what a put hands to {@link #FORMAT}: the item itself when it is written directly,
     *     else its {@link ItemCodec#encode encoding}
     * @throws IllegalArgumentException when the item is not serializable; the message names the class
     */
    public static Object recordOf(Object item, String what) {
        return item instanceof byte[] || ItemCodec.fixedSizeTag(item) != 0 ? item : ItemCodec.encode(item, what);
    }

    /**
     * @param taken what a take through {@link #FORMAT} returned
     * @param loader resolves the classes of a serialized item
     * @return the item
     * @throws java.io.UncheckedIOException when the bytes are damaged
     * @throws IllegalStateException when a class of the item is missing in this process
     */
    public static Object itemOf(Object taken, ClassLoader loader) {
        return taken instanceof ItemCodec.Encoded encoded ? ItemCodec.decode(encoded, loader) : taken;
    }

    /**
     * @return whether what a take through {@link #FORMAT} returned is an encoding for
     *     {@link #itemOf} (else it is the item itself, or null)
     */
    public static boolean isEncoded(Object taken) {
        return taken instanceof ItemCodec.Encoded;
    }

    @Override
    public int length(Object item) {
        if (item instanceof ItemCodec.Encoded encoded) {
            return encoded.length();
        }
        if (item instanceof byte[] bytes) {
            return 1 + bytes.length;
        }
        return 1 + ItemCodec.fixedSize(ItemCodec.fixedSizeTag(item));
    }

    @Override
    public void write(Object item, SharedSegment segment, int offset) {
        if (item instanceof ItemCodec.Encoded encoded) {
            EncodedItemRecord.FORMAT.write(encoded, segment, offset);
        } else if (item instanceof byte[] bytes) {
            segment.putByte(offset, ValueCodec.BYTES);
            segment.putBytes(offset + 1, bytes, 0, bytes.length);
        } else {
            byte tag = ItemCodec.fixedSizeTag(item);
            writeFixed(segment, offset, tag, ItemCodec.fixedSize(tag), ItemCodec.fixedBits(tag, item));
        }
    }

    /**
     * @return the item itself when its record holds a boxed primitive or a {@code byte[]},
     *     else an {@link ItemCodec.Encoded} for {@link #itemOf}
     */
    @Override
    public Object read(SharedSegment segment, int offset, int length, long itemNumber) {
        if (length > 0) {
            boolean aligned = (offset & 7) == 0;
            long first = aligned ? inPlatformOrder(segment.getLong(offset)) : 0; // the tag, and the body's first 7 bytes
            byte tag = aligned ? (byte) (first >>> 56) : segment.getByte(offset);
            int size = ItemCodec.fixedSize(tag);
            if (size >= 0 && length == 1 + size && tag != ValueCodec.NULL) { // null is no queue item
                long body = aligned ? fixedBody(segment, offset, size, first) : fixedBodyByBytes(segment, offset, size);
                return ItemCodec.fixedValue(tag, body);
            }
            if (ItemCodec.isByteArrayTag(tag)) {
                return segment.getBytes(offset + 1, length - 1);
            }
        }
        return EncodedItemRecord.FORMAT.read(segment, offset, length, itemNumber);
    }

    /**
     * Writes a tag and its {@code size}-byte body, big-endian: the first word of an 8-aligned
     * record (and a second for an 8-byte body) in one store each, else byte by byte.
     */
    private static void writeFixed(SharedSegment segment, int offset, byte tag, int size, long body) {
        if ((offset & 7) != 0) {
            segment.putByte(offset, tag);
            for (int at = offset + size; at > offset; at--) {
                segment.putByte(at, (byte) body);
                body >>>= 8;
            }
            return;
        }
        // The record's bytes as big-endian words: the tag, then the body (its low size bytes: an
        // int's body comes sign-extended), then zeros up to the word's end, the record's padding
        long first = (long) (tag & 0xff) << 56
                | (size < 8 ? (body & ((1L << (8 * size)) - 1)) << (8 * (7 - size)) : body >>> 8);
        segment.putLong(offset, inPlatformOrder(first));
        if (size == 8) {
            segment.putLong(offset + 8, inPlatformOrder(body << 56));
        }
    }

    /** @return the body {@link #writeFixed} wrote at the 8-aligned {@code offset}, whose first word is {@code first} (big-endian) */
    private static long fixedBody(SharedSegment segment, int offset, int size, long first) {
        if (size == 0) {
            return 0;
        }
        if (size < 8) {
            return (first << 8) >>> (8 * (8 - size));
        }
        return first << 8 | inPlatformOrder(segment.getLong(offset + 8)) >>> 56;
    }

    /** @return the body {@link #writeFixed} wrote byte by byte at an offset that is not 8-aligned */
    private static long fixedBodyByBytes(SharedSegment segment, int offset, int size) {
        long body = 0;
        for (int at = offset + 1; at <= offset + size; at++) {
            body = body << 8 | (segment.getByte(at) & 0xff);
        }
        return body;
    }

    /** Turns a big-endian word into the platform's order and back (a word is read and written in the platform's). */
    private static long inPlatformOrder(long bigEndian) {
        return BIG_ENDIAN_PLATFORM ? bigEndian : Long.reverseBytes(bigEndian);
    }
}
