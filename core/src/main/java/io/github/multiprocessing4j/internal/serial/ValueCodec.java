package io.github.multiprocessing4j.internal.serial;

/**
 * The one tag table of the values this library sends between processes, and the bodies of the
 * values of fixed size. Two framings use it: a queue item or pipe message ({@link ItemCodec}: one
 * value, whose record length bounds the last body) and a section of values ({@link ValueSection}:
 * a pool chunk's arguments or results, a lambda's captured values).
 *
 * <pre>
 *  tag  value                 body in an item          body in a section
 *   0   (never a tag)
 *   1   Integer               4 bytes                  4 bytes
 *   2   Long                  8 bytes                  8 bytes
 *   3   Double                8 bytes (raw bits)       8 bytes
 *   4   Boolean.TRUE          -                        -
 *   5   Boolean.FALSE         -                        -
 *   6   String                UTF-8 bytes              int length | UTF-8 bytes
 *   7   byte[]                the bytes                int length | the bytes
 *   8   null                  -                        -
 *   9   Float                 4 bytes (raw bits)       4 bytes
 *  10   Short                 2 bytes                  2 bytes
 *  11   Byte                  1 byte                   1 byte
 *  12   Character             2 bytes                  2 bytes
 *  13   SERIALIZED            a Serialization stream   int length | a Serialization stream
 *  14   FAILURE               (none)                   int length | a serialized Throwable
 *  15   OBJECT                (none)                   - : the next value of the section's objects
 *  16   HANDLE                (none)                   int length | a {@link HandleCodec} encoding
 *  17   HANDLE_AGAIN          (none)                   int n: the section's n-th HANDLE, once more
 *  18   COMPOUND              a {@link CompoundCodec}  int length | a {@link CompoundCodec} encoding
 *                             encoding
 * </pre>
 *
 * Numbers are big-endian ({@link Wire}). Every tag is below 0x20, so it cannot be mistaken for
 * the first byte of a JDK serialization stream (0xAC) or of a {@link LambdaEncoding} (0x4C).
 * An item's first byte is one of the tags 1 to 15 or {@link #COMPOUND} ({@link #isTag}).
 *
 * <p>Implementation notes. A fresh {@code ObjectOutputStream} per value costs microseconds and
 * caps a channel near 0.2M messages a second, so the values messages are usually made of get a
 * tag and their bytes, and so do the everyday lists, maps, arrays and records of such values
 * ({@link CompoundCodec}); everything else is a {@link Serialization} stream.
 */
public final class ValueCodec {
    public static final byte INT = 1;
    public static final byte LONG = 2;
    public static final byte DOUBLE = 3;
    public static final byte TRUE = 4;
    public static final byte FALSE = 5;
    public static final byte STRING = 6;
    public static final byte BYTES = 7;
    public static final byte NULL = 8;
    public static final byte FLOAT = 9;
    public static final byte SHORT = 10;
    public static final byte BYTE = 11;
    public static final byte CHAR = 12;
    public static final byte SERIALIZED = 13;
    public static final byte FAILURE = 14;
    public static final byte OBJECT = 15;
    /** A library handle written directly ({@link HandleCodec}): in a section only. */
    public static final byte HANDLE = 16;
    /** A handle the section holds already, by its number among the section's handles: the same object again. */
    public static final byte HANDLE_AGAIN = 17;
    /** A list, set, map, array, record or enum constant of directly encoded values ({@link CompoundCodec}). */
    public static final byte COMPOUND = 18;

    /** Body bytes by tag, -1 where the size varies. */
    private static final byte[] FIXED_SIZE = {-1, 4, 8, 8, 0, 0, -1, -1, 0, 4, 2, 1, 2, -1, -1, -1};

    private ValueCodec() {
    }

    /**
     * Reads the body of a value of fixed size at the reader's position, and moves past it.
     *
     * @param size {@link #fixedSize} of {@code tag}, not negative
     */
    static Object readFixed(Wire.Reader in, byte tag, int size) {
        int at = in.position();
        in.position(at + size);
        return getFixed(in.buffer(), at, tag);
    }

    /** @return whether {@code first}, the first byte of an item's encoding, is a tag of this table */
    public static boolean isTag(byte first) {
        return first >= INT && first <= OBJECT || first == COMPOUND;
    }

    /**
     * @return the tag of {@code value}'s direct encoding, or {@link #SERIALIZED} when it has none
     */
    static byte tagOf(Object value) {
        if (value == null) {
            return NULL;
        }
        Class<?> type = value.getClass(); // each class below is final: no instanceof needed
        if (type == Integer.class) {
            return INT;
        } else if (type == Long.class) {
            return LONG;
        } else if (type == String.class) {
            return STRING;
        } else if (type == Double.class) {
            return DOUBLE;
        } else if (type == Boolean.class) {
            return (Boolean) value ? TRUE : FALSE;
        } else if (type == byte[].class) {
            return BYTES;
        } else if (type == Float.class) {
            return FLOAT;
        } else if (type == Short.class) {
            return SHORT;
        } else if (type == Byte.class) {
            return BYTE;
        } else if (type == Character.class) {
            return CHAR;
        }
        return SERIALIZED;
    }

    /** @return the bytes of a body with {@code tag}, or -1 when its size varies */
    static int fixedSize(byte tag) {
        return tag >= 0 && tag < FIXED_SIZE.length ? FIXED_SIZE[tag] : -1;
    }

    /** Writes the body of {@code value}, whose tag {@code tag} has a fixed size, at {@code at}. */
    static void putFixed(byte[] bytes, int at, byte tag, Object value) {
        putBits(bytes, at, tag, fixedBits(tag, value));
    }

    /**
     * Writes the body of a value with {@code tag}, a tag of fixed size, from its bits as
     * {@link #fixedBits} gives them, at {@code at}: for a value known unboxed (a record's
     * {@code int}, {@code long} or {@code double} component), the same bytes as its box's.
     */
    static void putBits(byte[] bytes, int at, byte tag, long bits) {
        switch (fixedSize(tag)) {
            case 8 -> Wire.putLong(bytes, at, bits);
            case 4 -> Wire.putInt(bytes, at, (int) bits);
            case 2 -> Wire.putShort(bytes, at, (short) bits);
            case 1 -> bytes[at] = (byte) bits;
            default -> { }
        }
    }

    /** @return the value of the body at {@code at} with {@code tag}, a tag of fixed size */
    static Object getFixed(byte[] bytes, int at, byte tag) {
        long bits = switch (fixedSize(tag)) {
            case 8 -> Wire.getLong(bytes, at);
            case 4 -> Wire.getInt(bytes, at);
            case 2 -> Wire.getShort(bytes, at);
            case 1 -> bytes[at];
            default -> 0;
        };
        return fixedValue(tag, bits);
    }

    /**
     * @return the body of {@code value}, whose tag {@code tag} has a fixed size, as a number: the
     *     body is its low {@link #fixedSize} bytes, big-endian
     * @throws IllegalArgumentException when the tag has no body of fixed size
     */
    static long fixedBits(byte tag, Object value) {
        return switch (tag) {
            case INT -> (Integer) value;
            case LONG -> (Long) value;
            case DOUBLE -> Double.doubleToRawLongBits((Double) value);
            case FLOAT -> Float.floatToRawIntBits((Float) value);
            case SHORT -> (Short) value;
            case BYTE -> (Byte) value;
            case CHAR -> (Character) value;
            case TRUE, FALSE, NULL -> 0;
            default -> throw new IllegalArgumentException("tag " + tag + " has no body of fixed size");
        };
    }

    /**
     * @return the value whose body {@link #fixedBits} gave as {@code bits} (only its low
     *     {@link #fixedSize} bytes count)
     * @throws IllegalArgumentException when the tag has no body of fixed size
     */
    static Object fixedValue(byte tag, long bits) {
        return switch (tag) {
            case INT -> (int) bits;
            case LONG -> bits;
            case DOUBLE -> Double.longBitsToDouble(bits);
            case FLOAT -> Float.intBitsToFloat((int) bits);
            case SHORT -> (short) bits;
            case BYTE -> (byte) bits;
            case CHAR -> (char) bits;
            case TRUE -> Boolean.TRUE;
            case FALSE -> Boolean.FALSE;
            case NULL -> null;
            default -> throw new IllegalArgumentException("tag " + tag + " has no body of fixed size");
        };
    }
}
