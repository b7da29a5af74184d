package io.github.multiprocessing4j.internal.serial;

import java.io.IOException;
import java.io.ObjectInputFilter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The bytes of one item that crosses a process boundary through a queue or a pipe: a tag of the
 * {@link ValueCodec} table and the value's body, which runs to the end of the item (the queue's
 * record knows its length), or {@link ValueCodec#SERIALIZED} and a {@link Serialization} stream.
 */
public final class ItemCodec {
    private static final byte[] NOTHING = new byte[0];

    private ItemCodec() {
    }

    /**
     * An item's bytes as a queue stores them: the tag byte, then the body. Kept apart so that a
     * {@code byte[]} item is copied straight from the caller's array into shared memory, and
     * straight out of it into the array the consumer gets.
     */
    public static final class Encoded {
        /**
         * The {@link ValueCodec} tag; 0 only for a record read without one, whose body is then a
         * serialization stream (this codec always writes a tag).
         */
        public final byte tag;
        public final byte[] body;

        public Encoded(byte tag, byte[] body) {
            this.tag = tag;
            this.body = body;
        }

        /** @return the bytes it takes in a queue: the tag (when there is one) and the body */
        public int length() {
            return tag == 0 ? body.length : body.length + 1;
        }
    }

    /** @return whether {@code first}, the first byte of a stored item, tags a {@code byte[]} */
    public static boolean isByteArrayTag(byte first) {
        return first == ValueCodec.BYTES;
    }

    /** @return whether {@code first}, the first byte of a stored item, is a tag */
    public static boolean isTag(byte first) {
        return ValueCodec.isTag(first);
    }

    /**
     * @return the tag of {@code value} when its body has a fixed size (a boxed primitive, whose
     *     body {@link #fixedBits} gives), else 0
     */
    public static byte fixedSizeTag(Object value) {
        // An Integer, the commonest item, without the general lookup's call: a put asks three
        // times, and C1 inlines this much but not the lookup
        return value != null && value.getClass() == Integer.class ? ValueCodec.INT : lookedUpFixedSizeTag(value);
    }

    private static byte lookedUpFixedSizeTag(Object value) {
        byte tag = ValueCodec.tagOf(value);
        return ValueCodec.fixedSize(tag) >= 0 && tag != ValueCodec.NULL ? tag : 0;
    }

    /** @return the bytes of the body of a value with {@code tag}, or -1 when its size varies */
    public static int fixedSize(byte tag) {
        return ValueCodec.fixedSize(tag);
    }

    /** @return the body of {@code value}, of the fixed-size tag {@code tag}: its low {@link #fixedSize} bytes, big-endian */
    public static long fixedBits(byte tag, Object value) {
        return ValueCodec.fixedBits(tag, value);
    }

    /**
     * @return the value of the fixed-size tag {@code tag} whose body is {@code bits}
     * @throws IllegalArgumentException when the tag is not one of a fixed size
     */
    public static Object fixedValue(byte tag, long bits) {
        return ValueCodec.fixedValue(tag, bits);
    }

    /**
     * @param what what the value is, for the error message ("item")
     * @return the encoding of {@code value} ({@code byte[]} values are not copied)
     * @throws IllegalArgumentException when the value is not serializable; the message names the class
     */
    public static Encoded encode(Object value, String what) {
        if (value instanceof Integer) { // the hot path of small messages: no lookup in the table
            byte[] body = new byte[4];
            Wire.putInt(body, 0, (Integer) value);
            return new Encoded(ValueCodec.INT, body);
        }
        byte tag = ValueCodec.tagOf(value);
        int size = ValueCodec.fixedSize(tag);
        if (size == 0) {
            return new Encoded(tag, NOTHING);
        }
        if (size > 0) {
            byte[] body = new byte[size];
            ValueCodec.putFixed(body, 0, tag, value);
            return new Encoded(tag, body);
        }
        return switch (tag) {
            case ValueCodec.STRING -> new Encoded(tag, ((String) value).getBytes(StandardCharsets.UTF_8));
            case ValueCodec.BYTES -> new Encoded(tag, (byte[]) value);
            default -> {
                byte[] compound = CompoundCodec.encode(value);
                yield compound != null ? new Encoded(ValueCodec.COMPOUND, compound)
                        : new Encoded(ValueCodec.SERIALIZED, Serialization.serialize(value, what));
            }
        };
    }

    /**
     * @return the value an encoding stands for, with classes resolved by {@code loader} (a
     *     {@code byte[]} value is the body itself)
     * @throws UncheckedIOException when the bytes are damaged
     * @throws IllegalStateException when a class of the value is missing in this process
     */
    public static Object decode(Encoded encoded, ClassLoader loader) {
        byte tag = encoded.tag;
        byte[] body = encoded.body;
        if (tag == ValueCodec.INT && body.length == 4) {
            return Wire.getInt(body, 0);
        }
        if (ValueCodec.fixedSize(tag) >= 0) {
            if (body.length < ValueCodec.fixedSize(tag)) {
                throw new UncheckedIOException(new IOException("an item of tag " + tag + " has " + body.length + " bytes"));
            }
            return ValueCodec.getFixed(body, 0, tag);
        }
        switch (tag) {
            case ValueCodec.STRING:
                return new String(body, StandardCharsets.UTF_8);
            case ValueCodec.BYTES:
                return body;
            case ValueCodec.SERIALIZED:
            case ValueCodec.COMPOUND:
            case 0:
                try {
                    return tag == ValueCodec.COMPOUND ? CompoundCodec.decode(body, loader)
                            : Serialization.deserialize(body, loader);
                } catch (IOException e) {
                    throw new UncheckedIOException("an item could not be read back: " + e.getMessage(), e);
                } catch (ClassNotFoundException e) {
                    throw new IllegalStateException("an item's class is missing in this process: " + e.getMessage(), e);
                }
            default:
                throw new UncheckedIOException(new IOException("an item with the unknown tag " + tag));
        }
    }

    /**
     * {@link #decode(Encoded, ClassLoader)} for an item that came from outside the process tree:
     * every class deserialized, and a lambda's capturing class, must pass {@code filter}.
     *
     * @throws UncheckedIOException when the bytes are damaged, or the filter refused a class: the
     *     cause is then an {@link java.io.InvalidClassException} whose {@code classname} names it
     * @throws IllegalStateException when a class of the value is missing in this process
     */
    public static Object decode(Encoded encoded, ClassLoader loader, ObjectInputFilter filter) {
        ObjectInputFilter before = Serialization.FILTER.get();
        Serialization.FILTER.set(filter);
        try {
            return decode(encoded, loader);
        } finally {
            if (before == null) {
                Serialization.FILTER.remove();
            } else {
                Serialization.FILTER.set(before);
            }
        }
    }
}
