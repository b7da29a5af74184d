package io.github.multiprocessing4j.internal.serial;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A run of values inside a message, with the {@link ValueCodec} tags: a pool chunk's arguments or
 * results, a lambda's captured values. It is the last thing in its message.
 *
 * <pre>
 *  int count | int objectsOffset | byte layout | values | objects section (from objectsOffset to the end)
 *
 *  layout 0 (tagged):  count x (tag | body)
 *  layout t (packed):  count x body          every value has the tag t, of fixed size (ints, longs...)
 *  objectsOffset:      from the start of the message
 *  objects section:    one serialized Object[] holding the values tagged OBJECT, in order
 * </pre>
 *
 * <p>Implementation notes. A pool's throughput is decided by what each value costs, so the values
 * tasks usually take and return are written as their bytes, without any object allocated besides
 * the value itself; a chunk whose values all have the same tag of fixed size (a map over ints)
 * writes the tag once, and a reader turns it back with a loop that has no switch. The encoder
 * does not know the values in advance: it packs while the values agree with the first, and the
 * first one that does not makes it rewrite what it wrote in the tagged layout (once a chunk).
 *
 * <p>The library's own handles (a queue, a lock, a shared value) are written directly too
 * ({@link HandleCodec}): a child whose target captures only such values and those above never
 * creates an {@code ObjectInputStream}, whose first one costs a JVM tens of milliseconds. A
 * handle given twice in a section is read back as one object, as JDK serialization would. So is
 * one that a compound of the section holds too (a target that captures a queue and a list of it):
 * the compound then goes to the stream, and a section with a stream puts its handles there as
 * well, where one object held twice comes back as one (until 2026-12-05 such a handle came back
 * as two objects of the same shared object, as if it had come in two messages).
 *
 * <p>So are the JDK's everyday lists, sets and maps, arrays, records and enum constants of such
 * values ({@link CompoundCodec}), each as {@code COMPOUND | int length | compound}, as long as the
 * section has nothing else to serialize: the direct encoding gives back a copy of each value,
 * where one stream gives an object two values hold back as one object, so a section that also
 * has an object to serialize rewrites its compounds (and its handles) as objects of the stream
 * at its end ({@code handlesAndCompoundsWithTheObjects}), and a mutable compound met twice in a
 * section goes to the stream.
 *
 * <p>Every other value is written by one serialization stream for the whole section, as one
 * array, into the objects section: class descriptors are written once per section rather than
 * once per value, which makes a chunk of records several times cheaper than serializing each on
 * its own, and a section of direct values never pays for a stream. When the array cannot be
 * serialized, the parent refuses the call (the error names the class at fault); a worker's
 * results section then serializes each object on its own ({@link ValueCodec#SERIALIZED},
 * {@link Encoder#finishEachSerializable}), so that only the results that cannot be serialized
 * fail.
 *
 * <p>A section can be written and read value by value ({@link Encoder}, {@link Decoder}): a pool
 * worker applies its function to each argument as it reads it and writes each result at once, so
 * that it keeps no boxed argument or result beyond the one at hand, and its young collections
 * copy almost nothing.
 */
public final class ValueSection {
    /** The layout in which every value has its own tag. */
    private static final byte TAGGED = 0;
    private static final int HEADER_BYTES = 9;
    /**
     * A packed section of this many values or fewer is read value by value, not through a
     * {@code ByteBuffer} view: a pool's chunks of one task answer one value each, and the view's
     * wrapping, slicing and copying, a dozen JDK methods, cost more than the loop while they run
     * interpreted or C1-compiled, and added to what C2 had to compile in a program's first calls.
     */
    private static final int FEW_PACKED = 8;

    /** A failed value among decoded values: the task's exception, carried back from the worker. */
    public record Failed(Throwable cause) {
    }

    private ValueSection() {
    }

    /** Writes values into a message. Not thread-safe; one per section. */
    public static final class Encoder {
        /** The most a section reserves at once from its first value's size ({@link #add}). */
        private static final long RESERVE_LIMIT = 16 << 20;
        private final Wire.Writer out;
        private final int countAt;
        private final int valuesAt;
        private final String what;
        private int count;
        private byte layout = TAGGED;
        private List<Object> objects;
        /** The handles written directly so far, in order: a handle given again is written as its number. */
        private List<Object> handles;
        /** The values written as compounds so far, in order ({@link CompoundCodec}); null before the first. */
        private List<Object> compounds;
        /** What the compounds of the section share ({@link CompoundCodec.WriteScope}); null before the first. */
        private CompoundCodec.WriteScope compoundScope;

        /** How many values the section is expected to hold, to size it from its first; 0 when not known. */
        private final int expected;

        /** @param what what the values are ("item", "result"), for error messages */
        public Encoder(Wire.Writer out, String what) {
            this(out, what, 0);
        }

        /**
         * @param what what the values are ("item", "result"), for error messages
         * @param expected how many values the section is expected to hold: the writer is made
         *     room for that many like the first, once that one is written (a pool chunk of
         *     records or lists would otherwise grow its buffer, fresh memory each time, from a
         *     guess made before a value was seen)
         */
        public Encoder(Wire.Writer out, String what, int expected) {
            this.out = out;
            this.what = what;
            this.expected = expected;
            this.countAt = out.position();
            out.putInt(0).putInt(0).putByte(TAGGED);
            this.valuesAt = out.position();
        }

        /** Appends a value; one without a direct encoding is serialized by {@link #finish}. */
        public void add(Object value) {
            if (count == 1 && expected > 1) { // at most RESERVE_LIMIT: the first may be larger than the rest
                out.reserve(Math.min(RESERVE_LIMIT, (long) (out.position() - valuesAt) * (expected - 1)));
            }
            if (value instanceof Integer && count > 0 && (layout == ValueCodec.INT || layout == TAGGED)) {
                if (layout == TAGGED) { // the pool's hot paths: no lookup in the table for an int
                    out.putByte(ValueCodec.INT);
                }
                out.putInt((Integer) value);
                count++;
                return;
            }
            if (value instanceof Long && layout == ValueCodec.LONG && count > 0) { // a map's long results
                out.putLong((Long) value);
                count++;
                return;
            }
            byte tag = ValueCodec.tagOf(value);
            if (tag == ValueCodec.SERIALIZED) {
                addObject(value);
                return;
            }
            int size = ValueCodec.fixedSize(tag);
            if (count == 0 && size >= 0) {
                layout = tag;
                out.setByte(valuesAt - 1, tag);
            } else if (layout != TAGGED && tag != layout) {
                tagEachValue();
            }
            if (layout == TAGGED) {
                out.putByte(tag);
            }
            if (size >= 0) {
                int at = out.skip(size); // first: it may replace the buffer
                ValueCodec.putFixed(out.buffer(), at, tag, value);
            } else if (tag == ValueCodec.BYTES) {
                out.putSizedBytesOrSplice((byte[]) value); // a pool chunk's large array: not copied (Wire.Writer)
            } else {
                out.putString((String) value);
            }
            count++;
        }

        /** Appends a value without a tag of its own: a library handle, written directly, or an object to serialize. */
        private void addObject(Object value) {
            if (layout != TAGGED) {
                tagEachValue();
            }
            int again = handles == null ? -1 : indexOfSame(handles, value);
            if (again >= 0) {
                out.putByte(ValueCodec.HANDLE_AGAIN).putInt(again);
            } else if (compoundScope != null && compoundScope.met(value)) {
                object(value); // a handle a compound holds: one object back, through the stream
            } else {
                int tagAt = out.position();
                out.putByte(ValueCodec.HANDLE);
                int lengthAt = out.skip(4);
                if (HandleCodec.installed().write(value, out)) {
                    out.setInt(lengthAt, out.position() - lengthAt - 4);
                    if (handles == null) {
                        handles = new ArrayList<>();
                    }
                    handles.add(value);
                    compoundScope().firstTime(value); // a compound that holds it goes to the stream
                } else {
                    out.truncate(tagAt);
                    if (compounds == null) {
                        compounds = new ArrayList<>();
                    }
                    if (CompoundCodec.writeSized(value, out, compoundScope())) {
                        compounds.add(value);
                        count++;
                        return;
                    }
                    object(value);
                }
            }
            count++;
        }

        /** Tags a value for the objects section, which {@link #finish} serializes. */
        private void object(Object value) {
            out.putByte(ValueCodec.OBJECT);
            if (objects == null) {
                objects = new ArrayList<>();
            }
            objects.add(value);
        }

        private CompoundCodec.WriteScope compoundScope() {
            if (compoundScope == null) {
                compoundScope = new CompoundCodec.WriteScope();
            }
            return compoundScope;
        }

        private static int indexOfSame(List<Object> values, Object value) {
            for (int i = 0; i < values.size(); i++) {
                if (values.get(i) == value) {
                    return i;
                }
            }
            return -1;
        }

        /** Appends a failed value: the task's exception, with its stack trace. */
        public void addFailure(Throwable failure) {
            byte[] bytes = Serialization.serializeFailure(failure);
            if (layout != TAGGED) {
                tagEachValue();
            }
            out.putByte(ValueCodec.FAILURE).putSizedBytes(bytes);
            count++;
        }

        /**
         * Ends the section: writes the objects section and the count.
         *
         * @throws IllegalArgumentException when an object is not serializable; the message names its class
         */
        public void finish() {
            handlesAndCompoundsWithTheObjects();
            out.setInt(countAt, count);
            out.setInt(countAt + 4, out.length());
            if (objects != null) {
                out.putBytes(Serialization.serializeValues(objects.toArray(), what));
            }
        }

        /**
         * Ends the section as {@link #finish} does, but when the objects cannot be serialized
         * together, serializes each on its own instead ({@link ValueCodec#SERIALIZED}), and writes
         * the exception in place of each that cannot be ({@link ValueCodec#FAILURE}): what a
         * {@code separately} encoder would have written, without the values being given again.
         * The values written directly stay as they are.
         */
        public void finishEachSerializable() {
            handlesAndCompoundsWithTheObjects();
            out.setInt(countAt, count);
            if (objects != null) {
                try {
                    byte[] together = Serialization.serializeValues(objects.toArray(), what);
                    out.setInt(countAt + 4, out.length());
                    out.putBytes(together);
                    return;
                } catch (IllegalArgumentException notSerializable) {
                    serializeObjectsEach();
                }
            }
            out.setInt(countAt + 4, out.length());
        }

        /**
         * When the section has objects to serialize, rewrites each value written as a compound or
         * as a handle as one of them: the one stream then keeps what JDK serialization keeps and
         * the direct encoding does not, an object that two values (or a compound and an object,
         * or a handle and a compound) both hold coming back as one object.
         */
        private void handlesAndCompoundsWithTheObjects() {
            if (objects == null || compounds == null && handles == null) {
                return;
            }
            byte[] written = takeValuesWritten();
            List<Object> inOrder = new ArrayList<>(count);
            int nextObject = 0;
            int nextCompound = 0;
            int nextHandle = 0;
            for (int i = 0, at = 0; i < count; i++) {
                byte tag = written[at];
                int length = taggedLength(written, at);
                if (tag == ValueCodec.COMPOUND) {
                    out.putByte(ValueCodec.OBJECT);
                    inOrder.add(compounds.get(nextCompound++));
                } else if (tag == ValueCodec.HANDLE) {
                    out.putByte(ValueCodec.OBJECT);
                    inOrder.add(handles.get(nextHandle++));
                } else if (tag == ValueCodec.HANDLE_AGAIN) {
                    out.putByte(ValueCodec.OBJECT);
                    inOrder.add(handles.get(Wire.getInt(written, at + 1)));
                } else {
                    out.putBytes(written, at, length);
                    if (tag == ValueCodec.OBJECT) {
                        inOrder.add(objects.get(nextObject++));
                    }
                }
                at += length;
            }
            objects = inOrder;
            compounds = null;
            handles = null;
        }

        /** @return the bytes of the tagged value at {@code at} of {@code written}, its tag included */
        private static int taggedLength(byte[] written, int at) {
            byte tag = written[at];
            int size = ValueCodec.fixedSize(tag);
            return size >= 0 ? 1 + size : tag == ValueCodec.OBJECT ? 1 : tag == ValueCodec.HANDLE_AGAIN ? 5
                    : 5 + Wire.getInt(written, at + 1);
        }

        /** Rewrites the (tagged) values, each {@link ValueCodec#OBJECT} serialized on its own or replaced by its failure. */
        private void serializeObjectsEach() {
            byte[] written = takeValuesWritten();
            int nextObject = 0;
            for (int i = 0, at = 0; i < count; i++) {
                byte tag = written[at];
                int length = taggedLength(written, at);
                if (tag != ValueCodec.OBJECT) {
                    out.putBytes(written, at, length);
                } else {
                    Object value = objects.get(nextObject++);
                    try {
                        byte[] body = Serialization.serialize(value, what);
                        out.putByte(ValueCodec.SERIALIZED).putSizedBytes(body);
                    } catch (IllegalArgumentException notSerializable) {
                        out.putByte(ValueCodec.FAILURE).putSizedBytes(Serialization.serializeFailure(notSerializable));
                    }
                }
                at += length;
            }
            objects = null;
        }

        /**
         * @return the bytes of the values written so far, spliced arrays copied in, which the
         *     writer then forgets: for a rewrite, which reads them and writes the values again
         */
        private byte[] takeValuesWritten() {
            out.flattenSplices();
            byte[] written = Arrays.copyOfRange(out.buffer(), valuesAt, out.position());
            out.truncate(valuesAt);
            return written;
        }

        /** Rewrites the packed values written so far in the tagged layout. */
        private void tagEachValue() {
            int size = ValueCodec.fixedSize(layout);
            byte[] packed = takeValuesWritten();
            for (int i = 0; i < count; i++) {
                out.putByte(layout).putBytes(packed, i * size, size);
            }
            out.setByte(valuesAt - 1, TAGGED);
            layout = TAGGED;
        }
    }

    /**
     * @return the bytes {@code count} values like {@code first} probably take in a section: exact
     *     for values of one class of fixed size, so that the message needs no copy to trim it
     */
    public static int sizeGuess(Object first, int count) {
        byte tag = ValueCodec.tagOf(first);
        int size = ValueCodec.fixedSize(tag);
        int each = tag == ValueCodec.TRUE || tag == ValueCodec.FALSE ? 1 : size >= 0 ? size : 16;
        return HEADER_BYTES + each * count;
    }

    /**
     * @return whether the section starting at the reader's position has an objects section (a
     *     JDK serialization stream); the reader does not move
     */
    static boolean hasObjects(Wire.Reader in) {
        int objectsAt = in.start() + Wire.getInt(in.buffer(), in.position() + 4);
        return objectsAt < in.end();
    }

    /**
     * Reads a section.
     *
     * @return the values, a {@link Failed} standing for each failed one
     * @throws UncheckedIOException when the bytes are damaged
     * @throws IllegalStateException when a value's class is missing in this process
     */
    public static Object[] read(Wire.Reader in, ClassLoader loader) {
        try {
            return readChecked(in, loader);
        } catch (IOException | ClassNotFoundException e) {
            throw unreadable(e);
        }
    }

    /**
     * Reads a section of ints, longs or doubles written in the packed layout (a map over ints
     * gives one) as they are, without boxing them: one bulk copy into an {@code int[]},
     * {@code long[]} or {@code double[]} (see {@link PackedValues}).
     *
     * @return the values, with the reader past the section; null, with the reader not moved, when
     *     the section has another layout
     * @throws UncheckedIOException when the bytes are damaged
     */
    public static Object readPacked(Wire.Reader in) {
        int at = in.position();
        if (in.end() - at < HEADER_BYTES) {
            return null;
        }
        byte layout = in.buffer()[at + HEADER_BYTES - 1];
        if (layout != ValueCodec.INT && layout != ValueCodec.LONG && layout != ValueCodec.DOUBLE) {
            return null;
        }
        int size = ValueCodec.fixedSize(layout);
        int count = Wire.getInt(in.buffer(), at);
        if (count < 0 || (long) count * size > in.end() - at - HEADER_BYTES) {
            throw new UncheckedIOException(new IOException("a section of " + count + " values of " + size
                    + " bytes in " + (in.end() - at) + " bytes"));
        }
        // A few values one by one (FEW_PACKED); more through a big-endian view copied in one call:
        // the JDK swaps the bytes in native code, as fast in a cold JVM as in a warm one, where a
        // loop of getInt would run interpreted at first.
        byte[] bytes = in.buffer();
        int from = at + HEADER_BYTES;
        boolean few = count <= FEW_PACKED;
        Object values;
        if (layout == ValueCodec.INT) {
            int[] ints = new int[count];
            if (few) {
                for (int i = 0; i < count; i++) {
                    ints[i] = Wire.getInt(bytes, from + 4 * i);
                }
            } else {
                ByteBuffer.wrap(bytes, from, count * size).asIntBuffer().get(ints);
            }
            values = ints;
        } else if (layout == ValueCodec.LONG) {
            long[] longs = new long[count];
            if (few) {
                for (int i = 0; i < count; i++) {
                    longs[i] = Wire.getLong(bytes, from + 8 * i);
                }
            } else {
                ByteBuffer.wrap(bytes, from, count * size).asLongBuffer().get(longs);
            }
            values = longs;
        } else {
            double[] doubles = new double[count];
            if (few) {
                for (int i = 0; i < count; i++) {
                    doubles[i] = Double.longBitsToDouble(Wire.getLong(bytes, from + 8 * i));
                }
            } else {
                ByteBuffer.wrap(bytes, from, count * size).asDoubleBuffer().get(doubles);
            }
            values = doubles;
        }
        in.position(from + count * size);
        return values;
    }

    /**
     * Reads a section, with the exceptions of deserialization.
     *
     * @throws IOException when the bytes are damaged
     * @throws ClassNotFoundException when a value's class is missing in this process
     */
    static Object[] readChecked(Wire.Reader in, ClassLoader loader) throws IOException, ClassNotFoundException {
        Decoder values = new Decoder(in, loader);
        Object[] all = new Object[values.count()];
        for (int i = 0; i < all.length; i++) {
            all[i] = values.nextChecked();
        }
        return all;
    }

    /**
     * @param e why a section could not be read: damaged bytes ({@link IOException}) or a class
     *     missing in this process ({@link ClassNotFoundException})
     * @return the unchecked exception the public readers throw for it
     */
    private static RuntimeException unreadable(Exception e) {
        if (e instanceof IOException damaged) {
            return new UncheckedIOException("values could not be read back: " + e.getMessage(), damaged);
        }
        return new IllegalStateException("a class of a value is missing in this process: " + e.getMessage(), e);
    }

    /**
     * Starts reading a section value by value, so that the reader need not keep every value at
     * once (a pool worker applies its function to each argument as it is read). The objects
     * section, if any, is read here, so that a missing class is known before the first value.
     *
     * @throws UncheckedIOException when the bytes are damaged
     * @throws IllegalStateException when a value's class is missing in this process
     */
    public static Decoder decoder(Wire.Reader in, ClassLoader loader) {
        try {
            return new Decoder(in, loader);
        } catch (IOException | ClassNotFoundException e) {
            throw unreadable(e);
        }
    }

    /** Reads a section's values one by one, in order. Not thread-safe. */
    public static final class Decoder {
        private final Wire.Reader in;
        private final ClassLoader loader;
        private final int count;
        private final byte layout;
        /** The values tagged OBJECT, in order; null when there are none. */
        private final Object[] objects;
        private int nextObject;
        /** The handles read so far, in order (see {@link ValueCodec#HANDLE_AGAIN}); null before the first. */
        private List<Object> handles;
        /** What the compounds of the section share as they are read; null before the first. */
        private CompoundCodec.ReadScope compoundScope;
        private int read;

        private Decoder(Wire.Reader in, ClassLoader loader) throws IOException, ClassNotFoundException {
            this.in = in;
            this.loader = loader;
            this.count = in.getInt();
            int objectsAt = in.start() + in.getInt();
            this.layout = in.getByte();
            if (count < 0 || objectsAt < in.position() || objectsAt > in.end()) {
                throw new IOException("a section of " + count + " values with its objects at " + objectsAt);
            }
            if (layout != TAGGED) {
                int size = ValueCodec.fixedSize(layout);
                if (size < 0) {
                    throw new IOException("unknown layout " + layout);
                }
                if ((long) count * size > in.end() - in.position()) {
                    throw new IOException("a section of " + count + " values of " + size + " bytes in "
                            + (in.end() - in.position()) + " bytes");
                }
            }
            this.objects = layout == TAGGED && objectsAt < in.end()
                    ? (Object[]) Serialization.deserialize(in.buffer(), objectsAt, in.end() - objectsAt, loader)
                    : null;
        }

        /** @return how many values the section holds */
        public int count() {
            return count;
        }

        /**
         * @return the next value, a {@link Failed} for a failed one
         * @throws java.util.NoSuchElementException after the last value
         * @throws UncheckedIOException when the bytes are damaged
         * @throws IllegalStateException when the value's class is missing in this process
         */
        public Object next() {
            try {
                return nextChecked();
            } catch (IOException | ClassNotFoundException e) {
                throw unreadable(e);
            }
        }

        Object nextChecked() throws IOException, ClassNotFoundException {
            if (read == count) {
                throw new java.util.NoSuchElementException("the section's " + count + " values were read");
            }
            read++;
            if (layout == ValueCodec.INT) { // the pool's hot path: a map over ints
                return in.getInt();
            }
            if (layout != TAGGED) {
                return ValueCodec.readFixed(in, layout, ValueCodec.fixedSize(layout));
            }
            byte tag = in.getByte();
            if (tag == ValueCodec.INT) { // no lookup in the table for an int
                return in.getInt();
            }
            int size = ValueCodec.fixedSize(tag);
            if (size >= 0) {
                return ValueCodec.readFixed(in, tag, size);
            }
            switch (tag) {
                case ValueCodec.STRING:
                    return in.getString();
                case ValueCodec.BYTES:
                    return in.getSizedBytes();
                case ValueCodec.OBJECT:
                    if (objects == null || nextObject == objects.length) {
                        throw new IOException("more values tagged as objects than the objects section holds");
                    }
                    return objects[nextObject++];
                case ValueCodec.HANDLE: {
                    Object handle = HandleCodec.readSized(in, in.end());
                    if (handles == null) {
                        handles = new ArrayList<>();
                    }
                    handles.add(handle);
                    return handle;
                }
                case ValueCodec.HANDLE_AGAIN: {
                    int number = in.getInt();
                    if (handles == null || number < 0 || number >= handles.size()) {
                        throw new IOException("handle " + number + " again, of " + (handles == null ? 0 : handles.size()));
                    }
                    return handles.get(number);
                }
                case ValueCodec.COMPOUND:
                    if (compoundScope == null) {
                        compoundScope = new CompoundCodec.ReadScope();
                    }
                    return CompoundCodec.readSized(in, loader, compoundScope);
                case ValueCodec.SERIALIZED: {
                    int length = in.getInt();
                    Object value = Serialization.deserialize(in.buffer(), in.position(), length, loader);
                    in.position(in.position() + length);
                    return value;
                }
                case ValueCodec.FAILURE: {
                    int length = in.getInt();
                    Failed failed = new Failed(readFailure(in.buffer(), in.position(), length, loader));
                    in.position(in.position() + length);
                    return failed;
                }
                default:
                    throw new IOException("unknown value tag " + tag);
            }
        }
    }

    /** @return the exception serialized in {@code bytes}, or one saying why it could not be read */
    public static Throwable readFailure(byte[] bytes, ClassLoader loader) {
        return readFailure(bytes, 0, bytes.length, loader);
    }

    private static Throwable readFailure(byte[] bytes, int offset, int length, ClassLoader loader) {
        try {
            return (Throwable) Serialization.deserialize(bytes, offset, length, loader);
        } catch (IOException | ClassNotFoundException | ClassCastException e) {
            return new IllegalStateException("the task failed in the worker, but its exception could not be read back: " + e, e);
        }
    }
}
