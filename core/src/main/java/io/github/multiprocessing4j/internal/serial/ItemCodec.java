package io.github.multiprocessing4j.internal.serial;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The bytes of an item that crosses a process boundary through a queue or a pipe: the values
 * small messages are made of get a direct encoding, everything else {@link Serialization}.
 *
 * <p>Implementation notes. A fresh {@code ObjectOutputStream} per message costs microseconds and
 * caps a channel near 0.2M messages a second, so {@code Integer}, {@code Long}, {@code Double},
 * {@code Boolean}, {@code String} and {@code byte[]} are written as one tag byte and their value.
 * The tags are below 0x10, so they cannot be mistaken for the first byte of a JDK serialization
 * stream (0xAC) or of a {@link LambdaEncoding} (0x4C): a stored item whose first byte is not a
 * tag is a serialization stream.
 */
public final class ItemCodec {
    private static final byte INT = 1;
    private static final byte LONG = 2;
    private static final byte DOUBLE = 3;
    private static final byte TRUE = 4;
    private static final byte FALSE = 5;
    private static final byte STRING = 6;
    private static final byte BYTES = 7;
    private static final byte[] NOTHING = new byte[0];

    private ItemCodec() {
    }

    /**
     * An item's bytes as a queue stores them: a tag byte and the body, or, for anything
     * serialized, the serialization stream alone (tag 0). Kept apart so that a {@code byte[]}
     * item is copied straight from the caller's array into shared memory, and straight out of
     * it into the array the consumer gets.
     */
    public static final class Encoded {
        /** A direct encoding's tag, or 0 when {@link #body} is a serialization stream. */
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
        return first == BYTES;
    }

    /** @return whether {@code first}, the first byte of a stored item, is a direct encoding's tag */
    public static boolean isTag(byte first) {
        return first >= INT && first <= BYTES;
    }

    /**
     * @param what what the value is, for the error message ("item")
     * @return the encoding of {@code value} ({@code byte[]} values are not copied)
     * @throws IllegalArgumentException when the value is not serializable; the message names the class
     */
    public static Encoded encode(Object value, String what) {
        if (value instanceof Integer) {
            byte[] body = new byte[4];
            putInt(body, 0, (Integer) value);
            return new Encoded(INT, body);
        }
        if (value instanceof Long) {
            return new Encoded(LONG, longBytes((Long) value));
        }
        if (value instanceof Double) {
            return new Encoded(DOUBLE, longBytes(Double.doubleToRawLongBits((Double) value)));
        }
        if (value instanceof Boolean) {
            return new Encoded((Boolean) value ? TRUE : FALSE, NOTHING);
        }
        if (value instanceof String) {
            return new Encoded(STRING, ((String) value).getBytes(StandardCharsets.UTF_8));
        }
        if (value instanceof byte[]) {
            return new Encoded(BYTES, (byte[]) value);
        }
        return new Encoded((byte) 0, Serialization.serialize(value, what));
    }

    /**
     * @return the value an encoding stands for, with classes resolved by {@code loader} (a
     *     {@code byte[]} value is the body itself)
     * @throws UncheckedIOException when the bytes are damaged
     * @throws IllegalStateException when a class of the value is missing in this process
     */
    public static Object decode(Encoded encoded, ClassLoader loader) {
        byte[] body = encoded.body;
        switch (encoded.tag) {
            case INT:
                return getInt(body, 0);
            case LONG:
                return getLong(body, 0);
            case DOUBLE:
                return Double.longBitsToDouble(getLong(body, 0));
            case TRUE:
                return Boolean.TRUE;
            case FALSE:
                return Boolean.FALSE;
            case STRING:
                return new String(body, StandardCharsets.UTF_8);
            case BYTES:
                return body;
            default:
                try {
                    return Serialization.deserialize(body, loader);
                } catch (IOException e) {
                    throw new UncheckedIOException("an item could not be read back: " + e.getMessage(), e);
                } catch (ClassNotFoundException e) {
                    throw new IllegalStateException("an item's class is missing in this process: " + e.getMessage(), e);
                }
        }
    }

    private static byte[] longBytes(long value) {
        byte[] out = new byte[8];
        putInt(out, 0, (int) (value >>> 32));
        putInt(out, 4, (int) value);
        return out;
    }

    private static void putInt(byte[] out, int at, int value) {
        out[at] = (byte) (value >>> 24);
        out[at + 1] = (byte) (value >>> 16);
        out[at + 2] = (byte) (value >>> 8);
        out[at + 3] = (byte) value;
    }

    private static int getInt(byte[] in, int at) {
        return (in[at] & 0xff) << 24 | (in[at + 1] & 0xff) << 16 | (in[at + 2] & 0xff) << 8 | (in[at + 3] & 0xff);
    }

    private static long getLong(byte[] in, int at) {
        return (long) getInt(in, at) << 32 | (getInt(in, at + 4) & 0xffffffffL);
    }
}
