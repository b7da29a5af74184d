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
 * stream (0xAC) or of a {@link LambdaEncoding} (0x4C), which {@link #decode} hands on unchanged.
 */
public final class ItemCodec {
    private static final byte INT = 1;
    private static final byte LONG = 2;
    private static final byte DOUBLE = 3;
    private static final byte TRUE = 4;
    private static final byte FALSE = 5;
    private static final byte STRING = 6;
    private static final byte BYTES = 7;

    private ItemCodec() {
    }

    /**
     * @param what what the value is, for the error message ("item")
     * @return the bytes of {@code value}
     * @throws IllegalArgumentException when the value is not serializable; the message names the class
     */
    public static byte[] encode(Object value, String what) {
        if (value instanceof Integer) {
            byte[] out = new byte[5];
            out[0] = INT;
            putInt(out, 1, (Integer) value);
            return out;
        }
        if (value instanceof Long) {
            return tagged(LONG, (Long) value);
        }
        if (value instanceof Double) {
            return tagged(DOUBLE, Double.doubleToRawLongBits((Double) value));
        }
        if (value instanceof Boolean) {
            return new byte[] {(Boolean) value ? TRUE : FALSE};
        }
        if (value instanceof String) {
            byte[] text = ((String) value).getBytes(StandardCharsets.UTF_8);
            byte[] out = new byte[text.length + 1];
            out[0] = STRING;
            System.arraycopy(text, 0, out, 1, text.length);
            return out;
        }
        if (value instanceof byte[]) {
            byte[] data = (byte[]) value;
            if (data.length == Integer.MAX_VALUE) {
                throw new IllegalArgumentException("a byte[] of " + data.length + " bytes is too large to send");
            }
            byte[] out = new byte[data.length + 1];
            out[0] = BYTES;
            System.arraycopy(data, 0, out, 1, data.length);
            return out;
        }
        return Serialization.serialize(value, what);
    }

    /**
     * @return the value whose bytes these are, with classes resolved by {@code loader}
     * @throws UncheckedIOException when the bytes are damaged
     * @throws IllegalStateException when a class of the value is missing in this process
     */
    public static Object decode(byte[] bytes, ClassLoader loader) {
        switch (bytes.length == 0 ? 0 : bytes[0]) {
            case INT:
                return getInt(bytes, 1);
            case LONG:
                return getLong(bytes, 1);
            case DOUBLE:
                return Double.longBitsToDouble(getLong(bytes, 1));
            case TRUE:
                return Boolean.TRUE;
            case FALSE:
                return Boolean.FALSE;
            case STRING:
                return new String(bytes, 1, bytes.length - 1, StandardCharsets.UTF_8);
            case BYTES:
                return java.util.Arrays.copyOfRange(bytes, 1, bytes.length);
            default:
                try {
                    return Serialization.deserialize(bytes, loader);
                } catch (IOException e) {
                    throw new UncheckedIOException("an item could not be read back: " + e.getMessage(), e);
                } catch (ClassNotFoundException e) {
                    throw new IllegalStateException("an item's class is missing in this process: " + e.getMessage(), e);
                }
        }
    }

    private static byte[] tagged(byte tag, long value) {
        byte[] out = new byte[9];
        out[0] = tag;
        putInt(out, 1, (int) (value >>> 32));
        putInt(out, 5, (int) value);
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
