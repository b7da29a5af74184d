package io.github.multiprocessing4j.internal.pool;

import io.github.multiprocessing4j.internal.serial.Serialization;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The values of a chunk (a task's arguments, or its results) inside one pool message.
 *
 * <pre>
 *  int count | int objectsOffset | count x (tag byte, body) | objects section (from objectsOffset)
 *
 *  objectsOffset: from the start of the message; the objects section: one serialized Object[]
 * </pre>
 *
 * <p>Implementation notes. A pool's throughput is decided by what each value costs, so the values
 * tasks usually take and return ({@code Integer}, {@code Long}, {@code Double}, {@code Boolean},
 * {@code String}, {@code byte[]}, {@code null}) are written as a tag and their bytes, without any
 * object allocated besides the value itself. Every other value is written by one
 * serialization stream for the whole chunk, as one array, into the objects section: class
 * descriptors are written once per chunk rather than once per value, which makes a chunk of
 * records several times cheaper than serializing each on its own, and a chunk of direct values
 * never pays for a stream. The tag of such a value says "next object of the section".
 *
 * <p>When the array cannot be serialized, the parent refuses the call (the error names the class
 * at fault); a worker writes its results again with each object serialized on its own
 * ({@link #BLOB}, an {@link Encoder} made {@code separately}), so that only the results that
 * cannot be serialized fail.
 */
final class ItemSection {
    private static final byte NULL = 0;
    private static final byte INT = 1;
    private static final byte LONG = 2;
    private static final byte DOUBLE = 3;
    private static final byte TRUE = 4;
    private static final byte FALSE = 5;
    private static final byte STRING = 6;
    private static final byte BYTES = 7;
    /** The next object of the objects section. */
    private static final byte OBJECT = 8;
    /** int length, then a value serialized on its own ({@link Serialization}). */
    private static final byte BLOB = 9;
    /** int length, then a serialized {@link Throwable}: the value is a failure. */
    private static final byte FAILURE = 10;

    /** A failed value among decoded values: the task's exception, carried back from the worker. */
    record Failed(Throwable cause) {
    }

    private ItemSection() {
    }

    /** Writes values into a message. Not thread-safe; one per section. */
    static final class Encoder {
        private final Wire.Writer out;
        private final int countAt;
        private final boolean separately;
        private final String what;
        private int count;
        private List<Object> objects;

        /**
         * @param separately whether objects are serialized one by one (the slow, fault-finding way)
         * @param what what the values are ("item", "result"), for error messages
         */
        Encoder(Wire.Writer out, boolean separately, String what) {
            this.out = out;
            this.separately = separately;
            this.what = what;
            this.countAt = out.position();
            out.putInt(0).putInt(0);
        }

        /**
         * Appends a value.
         *
         * @throws IllegalArgumentException when, written separately, the value is not serializable
         */
        void add(Object value) {
            if (value == null) {
                out.putByte(NULL);
            } else if (value instanceof Integer) {
                out.putByte(INT).putInt((Integer) value);
            } else if (value instanceof Long) {
                out.putByte(LONG).putLong((Long) value);
            } else if (value instanceof Double) {
                out.putByte(DOUBLE).putLong(Double.doubleToRawLongBits((Double) value));
            } else if (value instanceof Boolean) {
                out.putByte((Boolean) value ? TRUE : FALSE);
            } else if (value instanceof String) {
                putLengthAndBytes(STRING, ((String) value).getBytes(StandardCharsets.UTF_8));
            } else if (value instanceof byte[]) {
                putLengthAndBytes(BYTES, (byte[]) value);
            } else if (separately) {
                putLengthAndBytes(BLOB, Serialization.serialize(value, what));
            } else {
                out.putByte(OBJECT);
                if (objects == null) {
                    objects = new ArrayList<>();
                }
                objects.add(value);
            }
            count++; // last: a value that throws is not counted
        }

        /** Appends a failed value: the task's exception, with its stack trace. */
        void addFailure(Throwable failure) {
            count++;
            putLengthAndBytes(FAILURE, Serialization.serializeFailure(failure));
        }

        /**
         * Ends the section: writes the objects section and the count.
         *
         * @throws IllegalArgumentException when an object is not serializable; the message names its class
         */
        void finish() {
            out.setInt(countAt, count);
            out.setInt(countAt + 4, out.position());
            if (objects != null) {
                out.putBytes(Serialization.serialize(objects.toArray(), what));
            }
        }

        private void putLengthAndBytes(byte tag, byte[] bytes) {
            out.putByte(tag).putInt(bytes.length).putBytes(bytes);
        }
    }

    /**
     * @return the bytes {@code count} values like {@code first} probably take in a section: exact
     *     for direct encodings of fixed size, so that the message needs no copy to trim it
     */
    static int sizeGuess(Object first, int count) {
        int each = first instanceof Integer ? 5 : first instanceof Long || first instanceof Double ? 9
                : first instanceof Boolean || first == null ? 1 : 16;
        return 8 + each * count;
    }

    /**
     * Reads a section.
     *
     * @return the values, a {@link Failed} standing for each failed one
     * @throws UncheckedIOException when the bytes are damaged
     * @throws IllegalStateException when a value's class is missing in this process
     */
    static Object[] read(Wire.Reader in, ClassLoader loader) {
        int count = in.getInt();
        int objectsOffset = in.start() + in.getInt();
        byte[] buffer = in.buffer();
        Object[] values = new Object[count];
        Object[] objects = null;
        int nextObject = 0;
        try {
            for (int i = 0; i < count; i++) {
                byte tag = in.getByte();
                switch (tag) {
                    case NULL:
                        break;
                    case INT:
                        values[i] = in.getInt();
                        break;
                    case LONG:
                        values[i] = in.getLong();
                        break;
                    case DOUBLE:
                        values[i] = Double.longBitsToDouble(in.getLong());
                        break;
                    case TRUE:
                        values[i] = Boolean.TRUE;
                        break;
                    case FALSE:
                        values[i] = Boolean.FALSE;
                        break;
                    case STRING: {
                        int length = in.getInt();
                        values[i] = new String(buffer, in.position(), length, StandardCharsets.UTF_8);
                        in.position(in.position() + length);
                        break;
                    }
                    case BYTES:
                        values[i] = in.getBytes(in.getInt());
                        break;
                    case OBJECT:
                        if (objects == null) {
                            objects = (Object[]) Serialization.deserialize(
                                    Arrays.copyOfRange(buffer, objectsOffset, in.end()), loader);
                        }
                        values[i] = objects[nextObject++];
                        break;
                    case BLOB:
                        values[i] = Serialization.deserialize(in.getBytes(in.getInt()), loader);
                        break;
                    case FAILURE:
                        values[i] = new Failed(readFailure(in.getBytes(in.getInt()), loader));
                        break;
                    default:
                        throw new IOException("unknown value tag " + tag);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("pool values could not be read back: " + e.getMessage(), e);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("a class of a pool value is missing in this process: " + e.getMessage(), e);
        }
        return values;
    }

    /** @return the exception serialized in {@code bytes}, or one saying why it could not be read */
    static Throwable readFailure(byte[] bytes, ClassLoader loader) {
        try {
            return (Throwable) Serialization.deserialize(bytes, loader);
        } catch (IOException | ClassNotFoundException | ClassCastException e) {
            return new IllegalStateException("the task failed in the worker, but its exception could not be read back: " + e, e);
        }
    }
}
