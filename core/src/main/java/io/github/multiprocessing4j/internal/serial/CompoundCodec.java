package io.github.multiprocessing4j.internal.serial;

import java.io.IOException;
import java.io.InvalidClassException;
import java.io.InvalidObjectException;
import java.io.Serializable;
import java.lang.invoke.MethodHandle;
import java.lang.ref.WeakReference;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The direct encoding of the compound values that items and captured values are most often made
 * of: the JDK's everyday lists, sets and maps, arrays, records and enum constants, whose elements
 * have a direct encoding themselves (the {@link ValueCodec} table's values, the library's handles
 * ({@link HandleCodec}), or compounds again).
 *
 * <pre>
 *  compound:  byte kind | body
 *
 *  kind  class of the value                      body
 *    1   ArrayList                               int count | count x value
 *    2   List.of(..), List.copyOf(..)            int count | count x value        (no null element)
 *    3   Arrays.asList(..)                       int count | count x value
 *    4   HashSet                                 int count | count x value
 *    5   LinkedHashSet                           int count | count x value
 *    6   Set.of(..), Set.copyOf(..)              int count | count x value
 *    7   HashMap                                 int count | count x (key value | value)
 *    8   Map.of(..), Map.copyOf(..)              int count | count x (key value | value)
 *    9   Object[]                                int count | count x value
 *   10   int[]                                   int count | count x 4 bytes
 *   11   long[]                                  int count | count x 8 bytes
 *   12   double[]                                int count | count x 8 bytes
 *   13   a Serializable record                   classRef | int count | count x value
 *   14   an enum constant                        classRef | int length | UTF-8 constant name
 *
 *  value:     a ValueCodec tag and its body as in a section (int length | bytes for a string or
 *             a byte[]), ValueCodec.HANDLE | int length | a HandleCodec encoding, or
 *             ValueCodec.COMPOUND | int length | compound
 *  classRef:  int -1 | int length | UTF-8 class name    the first time a class is named in an
 *                                                       item, or in a section (its next number)
 *             int n                                     the n-th class named before there, from 0
 * </pre>
 *
 * Numbers are big-endian ({@link Wire}).
 *
 * <p>Implementation notes. JDK serialization writes a new stream's header and every class's
 * descriptor for each item, so a queue of {@code List.of(id, name, price)} moved about 0.2M items
 * a second on the 2-core development VM, about CPython's rate with tuples, where strings moved
 * 1.1-1.3M. A value is encoded here only when what comes back is what JDK serialization would
 * give: the same classes (exact classes only, so a subclass with state or behaviour of its own
 * goes to JDK serialization), the same elements, in the same order where the class has one.
 * Anything else makes the whole value fall back to JDK serialization, which then also gives the
 * usual error for what cannot be serialized: an element without a direct encoding (a
 * {@code BigDecimal}, a condition), a mutable collection, an array or a handle met twice in the
 * same value (JDK serialization gives one shared object back, and a cycle would never end here;
 * a record, an immutable collection or an enum constant met twice comes back as equal copies, as
 * a string does: only {@code ==} tells them apart), a record whose class has a
 * {@code writeReplace} or {@code readResolve} or is not {@link Serializable}, nesting deeper than
 * {@value #MAX_DEPTH}. Not encoded at all: {@code LinkedHashMap}, whose access order (an LRU
 * map's) cannot be seen without opening {@code java.util}; {@code TreeMap} and {@code TreeSet};
 * the unmodifiable and synchronized views.
 *
 * <p>A record is written from its fields and read back through its canonical constructor
 * ({@link RecordShape}), as JDK serialization does, so a compact constructor's checks run in the
 * reader; its class and every collection's must pass the thread's deserialization filter
 * ({@link Serialization#checkAllowed}), as a stream naming them would. Reading never creates an
 * {@code ObjectInputStream}, whose first one costs a JVM tens of milliseconds: a child whose
 * target captured a list or a record now starts without it.
 */
final class CompoundCodec {
    static final int MAX_DEPTH = 32;

    private static final byte ARRAY_LIST = 1;
    private static final byte IMMUTABLE_LIST = 2;
    private static final byte ARRAYS_LIST = 3;
    private static final byte HASH_SET = 4;
    private static final byte LINKED_HASH_SET = 5;
    private static final byte IMMUTABLE_SET = 6;
    private static final byte HASH_MAP = 7;
    private static final byte IMMUTABLE_MAP = 8;
    private static final byte OBJECT_ARRAY = 9;
    private static final byte INT_ARRAY = 10;
    private static final byte LONG_ARRAY = 11;
    private static final byte DOUBLE_ARRAY = 12;
    private static final byte RECORD = 13;
    private static final byte ENUM = 14;

    // The JDK's immutable collections have one class for 1 or 2 elements and one for the rest.
    private static final Class<?> LIST_12 = List.of(1).getClass();
    private static final Class<?> LIST_N = List.of(1, 2, 3).getClass();
    private static final Class<?> SET_12 = Set.of(1).getClass();
    private static final Class<?> SET_N = Set.of(1, 2, 3).getClass();
    private static final Class<?> MAP_1 = Map.of(1, 1).getClass();
    private static final Class<?> MAP_N = Map.of(1, 1, 2, 2).getClass();
    private static final Class<?> ARRAYS_AS_LIST = Arrays.asList().getClass();

    /**
     * Whether a class that {@link #kindOf} does not name is a record's, an enum constant's or
     * neither, looked at once: {@code Class.isRecord()} asks the JVM through a native call each
     * time, the largest item of a pool worker's samples in a map over records.
     */
    private static final ClassValue<Byte> OTHER_KINDS = new ClassValue<>() {
        @Override
        protected Byte computeValue(Class<?> type) {
            return type.isRecord() ? RECORD : Enum.class.isAssignableFrom(type) ? ENUM : 0;
        }
    };

    /** The UTF-8 bytes of a record's or an enum's class name, as a compound names it, made once. */
    private static final ClassValue<byte[]> CLASS_NAMES = new ClassValue<>() {
        @Override
        protected byte[] computeValue(Class<?> type) {
            return type.getName().getBytes(StandardCharsets.UTF_8);
        }
    };

    /** The classes each thread's readings named most recently (see {@link ResolvedClasses}). */
    private static final ThreadLocal<ResolvedClasses> RESOLVED = ThreadLocal.withInitial(ResolvedClasses::new);

    private CompoundCodec() {
    }

    /** @return the kind {@code value} would be encoded as, or 0 when it has no direct encoding */
    private static byte kindOf(Object value) {
        Class<?> type = value.getClass();
        if (type == ArrayList.class) {
            return ARRAY_LIST;
        } else if (type == HashMap.class) {
            return HASH_MAP;
        } else if (type == LIST_12 || type == LIST_N) {
            return IMMUTABLE_LIST;
        } else if (type == MAP_1 || type == MAP_N) {
            return IMMUTABLE_MAP;
        } else if (type == HashSet.class) {
            return HASH_SET;
        } else if (type == LinkedHashSet.class) {
            return LINKED_HASH_SET;
        } else if (type == SET_12 || type == SET_N) {
            return IMMUTABLE_SET;
        } else if (type == ARRAYS_AS_LIST) {
            return ARRAYS_LIST;
        } else if (type == Object[].class) {
            return OBJECT_ARRAY;
        } else if (type == int[].class) {
            return INT_ARRAY;
        } else if (type == long[].class) {
            return LONG_ARRAY;
        } else if (type == double[].class) {
            return DOUBLE_ARRAY;
        }
        return OTHER_KINDS.get(type);
    }

    /**
     * @return whether a value of {@code kind} can change after it is made (a collection other than
     *     the immutable ones, an array): one met twice must come back as one object, as JDK
     *     serialization gives it back, so the value goes to a stream. Records, immutable
     *     collections and enum constants met twice come back as equal copies, as strings and
     *     numbers do: only {@code ==} could tell (a record holding a mutable collection twice is
     *     caught by the collection).
     */
    private static boolean mutable(byte kind) {
        return kind != IMMUTABLE_LIST && kind != IMMUTABLE_SET && kind != IMMUTABLE_MAP && kind != RECORD && kind != ENUM;
    }

    /**
     * Encodes {@code value} as a compound: a queue item's body.
     *
     * @return the compound, or null when {@code value} has no direct encoding (see the class comment)
     */
    static byte[] encode(Object value) {
        byte kind = kindOf(value);
        if (kind == 0) {
            return null;
        }
        Wire.Writer out = new Wire.Writer(64);
        return new Encoding(out, new WriteScope()).compound(value, kind, 0) ? out.toByteArray() : null;
    }

    /**
     * Writes {@code value} as {@code ValueCodec.COMPOUND | int length | compound}: a value of a
     * section. The section's values share {@code scope}: a mutable compound met in two of them
     * is refused as one met twice in one value is (a section whose values cannot all be written
     * directly must write its compounds with its other objects, in one stream: {@link
     * ValueSection}), and a class is named once for the whole section.
     *
     * @param scope what the section's values written so far share; this call adds its own
     * @return whether it was written; nothing is written, and the scope is as it was but for
     *     the mutable compounds met, when it was not
     */
    static boolean writeSized(Object value, Wire.Writer out, WriteScope scope) {
        byte kind = kindOf(value);
        if (kind == 0 || (mutable(kind) && !scope.firstTime(value))) {
            return false;
        }
        int start = out.position();
        int classes = scope.classCount();
        if (new Encoding(out, scope).sized(value, kind, 0)) {
            return true;
        }
        out.truncate(start);
        scope.forgetClassesFrom(classes);
        return false;
    }

    /**
     * What the compounds of one item, or of one section, share as they are written: the mutable
     * compounds, arrays and handles met (one met again is refused; a section also counts the
     * handles it writes at its top level), and the classes named so far, each written as its
     * number after the first time ({@code classRef} in the class comment).
     */
    static final class WriteScope {
        private IdentityHashMap<Object, Boolean> seen;
        private HashMap<Class<?>, Integer> classNumbers;
        private ArrayList<Class<?>> classes;

        /** @return false when {@code value} was met before in this scope; it is met now */
        boolean firstTime(Object value) {
            if (seen == null) {
                seen = new IdentityHashMap<>();
            }
            return seen.put(value, Boolean.TRUE) == null;
        }

        /** @return whether {@code value} was met before in this scope (it is not met by this call) */
        boolean met(Object value) {
            return seen != null && seen.containsKey(value);
        }

        int classCount() {
            return classes == null ? 0 : classes.size();
        }

        /** Forgets the classes named from number {@code count} on: their names were not kept. */
        void forgetClassesFrom(int count) {
            while (classCount() > count) {
                classNumbers.remove(classes.remove(classes.size() - 1));
            }
        }

        /** Writes {@code type}'s reference: its number, or -1 and its name the first time. */
        void writeClass(Class<?> type, Wire.Writer out) {
            Integer number = classNumbers == null ? null : classNumbers.get(type);
            if (number != null) {
                out.putInt(number);
                return;
            }
            if (classNumbers == null) {
                classNumbers = new HashMap<>();
                classes = new ArrayList<>();
            }
            classNumbers.put(type, classes.size());
            classes.add(type);
            out.putInt(-1).putSizedBytes(CLASS_NAMES.get(type));
        }
    }

    /** What the compounds of one item, or of one section, share as they are read: the classes named so far. */
    static final class ReadScope {
        private ArrayList<Class<?>> classes;
    }

    /** One value's encoding. */
    private static final class Encoding {
        private final Wire.Writer out;
        private final WriteScope scope;
        private Object root;

        Encoding(Wire.Writer out, WriteScope scope) {
            this.out = out;
            this.scope = scope;
        }

        private boolean sized(Object value, byte kind, int depth) {
            out.putByte(ValueCodec.COMPOUND);
            int lengthAt = out.skip(4);
            int from = out.length(); // the message's length, not the buffer's: a large array in it may be spliced
            if (!compound(value, kind, depth)) {
                return false;
            }
            out.setInt(lengthAt, out.length() - from);
            return true;
        }

        /** Writes a value of a compound; false when it has no direct encoding. */
        private boolean value(Object value, int depth) {
            if (value instanceof Integer) { // no lookup in the table for an int
                fixed(ValueCodec.INT, 4, (Integer) value);
                return true;
            }
            byte tag = ValueCodec.tagOf(value);
            if (tag == ValueCodec.SERIALIZED) {
                byte kind = kindOf(value);
                if (kind == 0) {
                    return handle(value);
                }
                return (!mutable(kind) || firstTime(value)) && sized(value, kind, depth + 1);
            }
            int size = ValueCodec.fixedSize(tag);
            if (size >= 0) {
                fixed(tag, size, ValueCodec.fixedBits(tag, value));
                return true;
            }
            out.putByte(tag);
            if (tag == ValueCodec.STRING) {
                out.putString((String) value);
            } else if (tag == ValueCodec.BYTES && firstTime(value)) {
                out.putSizedBytesOrSplice((byte[]) value); // a large one kept by a writer that splices (Wire.Writer)
            } else {
                return false;
            }
            return true;
        }

        /** Writes {@code tag | body}, the body of {@code size} bytes from {@code bits} ({@link ValueCodec#putBits}). */
        private void fixed(byte tag, int size, long bits) {
            int at = out.putByte(tag).skip(size);
            ValueCodec.putBits(out.buffer(), at, tag, bits);
        }

        /**
         * Writes a record's components: an {@code int}, {@code long} or {@code double} one read
         * as what it is and written as its boxed value would be, without the box.
         */
        private boolean components(Object record, RecordShape shape, int depth) {
            MethodHandle[] getters = shape.getters;
            try {
                for (int i = 0; i < getters.length; i++) {
                    byte tag = shape.primitiveTags[i];
                    switch (tag) {
                        case ValueCodec.INT -> fixed(tag, 4, (int) getters[i].invokeExact(record));
                        case ValueCodec.LONG -> fixed(tag, 8, (long) getters[i].invokeExact(record));
                        case ValueCodec.DOUBLE -> fixed(tag, 8, Double.doubleToRawLongBits((double) getters[i].invokeExact(record)));
                        default -> {
                            if (!value((Object) getters[i].invokeExact(record), depth)) {
                                return false;
                            }
                        }
                    }
                }
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable e) {
                throw new IllegalStateException("reading a field of " + record.getClass().getName(), e); // a field getter declares none
            }
            return true;
        }

        /**
         * Writes {@code value} as {@code ValueCodec.HANDLE | int length | encoding} when it is one
         * of the library's handles ({@link HandleCodec}), as a section writes one. A handle met
         * twice is refused, so that a stream gives it back as one object. Written, a handle counts
         * as sent even when the value then goes to a stream, which sends it too: a flag set twice,
         * and for a pipe's end a child noted twice as its user, whose close() frees every slot of
         * its process alike.
         */
        private boolean handle(Object value) {
            if (!firstTime(value)) {
                return false;
            }
            out.putByte(ValueCodec.HANDLE);
            int lengthAt = out.skip(4);
            if (!HandleCodec.installed().write(value, out)) {
                return false;
            }
            out.setInt(lengthAt, out.position() - lengthAt - 4);
            return true;
        }

        /** @return false when {@code value}, an array, a mutable compound or a handle, was written before in this scope */
        private boolean firstTime(Object value) {
            return value != root && scope.firstTime(value);
        }

        /**
         * Writes {@code kind | body}; false when the value, or one of its elements, has no direct encoding.
         *
         * @param kind {@link #kindOf} {@code value} (not 0), which the caller looked up already
         */
        boolean compound(Object value, byte kind, int depth) {
            if (depth > MAX_DEPTH) {
                return false;
            }
            if (root == null) {
                root = value; // met already in a section's scope (writeSized)
            }
            out.putByte(kind);
            switch (kind) {
                case ARRAY_LIST, IMMUTABLE_LIST, ARRAYS_LIST, HASH_SET, LINKED_HASH_SET, IMMUTABLE_SET -> {
                    Collection<?> elements = (Collection<?>) value;
                    out.putInt(elements.size());
                    for (Object element : elements) {
                        // Stream.toList() gives the class of List.of(..) with nulls, which List.of refuses
                        if ((element == null && kind == IMMUTABLE_LIST) || !value(element, depth)) {
                            return false;
                        }
                    }
                    return true;
                }
                case HASH_MAP, IMMUTABLE_MAP -> {
                    Map<?, ?> map = (Map<?, ?>) value;
                    out.putInt(map.size());
                    for (Map.Entry<?, ?> entry : map.entrySet()) {
                        if (!value(entry.getKey(), depth) || !value(entry.getValue(), depth)) {
                            return false;
                        }
                    }
                    return true;
                }
                case OBJECT_ARRAY -> {
                    Object[] elements = (Object[]) value;
                    out.putInt(elements.length);
                    for (Object element : elements) {
                        if (!value(element, depth)) {
                            return false;
                        }
                    }
                    return true;
                }
                case INT_ARRAY -> {
                    int[] ints = (int[]) value;
                    int at = out.putInt(ints.length).skip(4 * ints.length);
                    ByteBuffer.wrap(out.buffer(), at, 4 * ints.length).asIntBuffer().put(ints);
                    return true;
                }
                case LONG_ARRAY -> {
                    long[] longs = (long[]) value;
                    int at = out.putInt(longs.length).skip(8 * longs.length);
                    ByteBuffer.wrap(out.buffer(), at, 8 * longs.length).asLongBuffer().put(longs);
                    return true;
                }
                case DOUBLE_ARRAY -> {
                    double[] doubles = (double[]) value;
                    int at = out.putInt(doubles.length).skip(8 * doubles.length);
                    ByteBuffer.wrap(out.buffer(), at, 8 * doubles.length).asDoubleBuffer().put(doubles);
                    return true;
                }
                case RECORD -> {
                    RecordShape shape = RecordShape.of(value.getClass());
                    if (shape.refusal != null) {
                        return false;
                    }
                    scope.writeClass(value.getClass(), out);
                    out.putInt(shape.getters.length);
                    return components(value, shape, depth);
                }
                case ENUM -> {
                    Enum<?> constant = (Enum<?>) value;
                    scope.writeClass(constant.getDeclaringClass(), out);
                    out.putString(constant.name());
                    return true;
                }
                default -> {
                    return false;
                }
            }
        }
    }

    /**
     * Reads a compound that {@link #encode} wrote: a queue item's whole body.
     *
     * @throws IOException when the bytes are damaged, or the filter refused a class (an
     *     {@link InvalidClassException} naming it)
     * @throws ClassNotFoundException when a record's or an enum's class is missing in this process
     */
    static Object decode(byte[] body, ClassLoader loader) throws IOException, ClassNotFoundException {
        Wire.Reader in = new Wire.Reader(body);
        Object value = read(in, loader, in.end(), new ReadScope());
        if (in.position() != in.end()) {
            throw new InvalidObjectException("a compound value of " + (in.position() - in.start()) + " bytes in "
                    + (in.end() - in.start()));
        }
        return value;
    }

    /**
     * Reads the compound that {@link #writeSized} wrote after its tag: the length, then the compound.
     *
     * @param scope what the section's compounds read so far share
     * @throws IOException when the bytes are damaged, or the filter refused a class
     * @throws ClassNotFoundException when a record's or an enum's class is missing in this process
     */
    static Object readSized(Wire.Reader in, ClassLoader loader, ReadScope scope) throws IOException, ClassNotFoundException {
        int length = in.getInt();
        int end = in.position() + length;
        if (length < 0 || end > in.end()) {
            throw new InvalidObjectException("a compound value of " + length + " bytes in " + (in.end() - in.position()));
        }
        Object value = read(in, loader, end, scope);
        if (in.position() != end) {
            throw new InvalidObjectException("a compound value shorter than its " + length + " bytes");
        }
        return value;
    }

    private static Object read(Wire.Reader in, ClassLoader loader, int end, ReadScope scope)
            throws IOException, ClassNotFoundException {
        try {
            return new Reading(in, loader, end, scope).compound(0);
        } catch (IndexOutOfBoundsException | NegativeArraySizeException | IllegalArgumentException
                 | NullPointerException e) {
            throw new InvalidObjectException("a damaged compound value: " + e);
        }
    }

    /** One value's reading, bounded by the end of its encoding. */
    private static final class Reading {
        private final Wire.Reader in;
        private final ClassLoader loader;
        private final int end;
        private final ReadScope scope;

        Reading(Wire.Reader in, ClassLoader loader, int end, ReadScope scope) {
            this.in = in;
            this.loader = loader;
            this.end = end;
            this.scope = scope;
        }

        /** Reads what {@link WriteScope#writeClass} wrote; the filter sees each class once in a scope, as a stream shows it. */
        private Class<?> readClass() throws IOException, ClassNotFoundException {
            int number = in.getInt();
            if (number >= 0) {
                if (scope.classes == null || number >= scope.classes.size()) {
                    throw new InvalidObjectException("class number " + number + " of "
                            + (scope.classes == null ? 0 : scope.classes.size()) + " named");
                }
                return scope.classes.get(number);
            }
            if (number != -1) {
                throw new InvalidObjectException("a class reference " + number);
            }
            Class<?> type = RESOLVED.get().resolve(string(), loader);
            Serialization.checkAllowed(type);
            if (scope.classes == null) {
                scope.classes = new ArrayList<>();
            }
            scope.classes.add(type);
            return type;
        }

        /** @return a count read, no larger than the bytes left (each element takes one at least) */
        private int count() throws IOException {
            int count = in.getInt();
            if (count < 0 || count > end - in.position()) {
                throw new InvalidObjectException("a compound of " + count + " elements in " + (end - in.position()) + " bytes");
            }
            return count;
        }

        private Object value(int depth) throws IOException, ClassNotFoundException {
            if (in.position() >= end) {
                throw new InvalidObjectException("a compound value ends early");
            }
            byte tag = in.getByte();
            if (tag == ValueCodec.INT) {
                return in.getInt();
            }
            int size = ValueCodec.fixedSize(tag);
            if (size >= 0) {
                return ValueCodec.readFixed(in, tag, size);
            }
            switch (tag) {
                case ValueCodec.STRING:
                    return string();
                case ValueCodec.BYTES:
                    return in.getSizedBytes();
                case ValueCodec.HANDLE:
                    return HandleCodec.readSized(in, end);
                case ValueCodec.COMPOUND: {
                    int length = in.getInt();
                    int nestedEnd = in.position() + length;
                    if (length < 0 || nestedEnd > end) {
                        throw new InvalidObjectException("a nested compound of " + length + " bytes");
                    }
                    Object nested = compound(depth + 1);
                    if (in.position() != nestedEnd) {
                        throw new InvalidObjectException("a nested compound shorter or longer than its " + length + " bytes");
                    }
                    return nested;
                }
                default:
                    throw new InvalidObjectException("an unknown tag " + tag + " in a compound value");
            }
        }

        private String string() throws IOException {
            int length = in.getInt();
            if (length < 0 || length > end - in.position()) {
                throw new InvalidObjectException("a string of " + length + " bytes in " + (end - in.position()));
            }
            String value = new String(in.buffer(), in.position(), length, StandardCharsets.UTF_8);
            in.position(in.position() + length);
            return value;
        }

        private Object[] values(int count, int depth) throws IOException, ClassNotFoundException {
            Object[] values = new Object[count];
            for (int i = 0; i < count; i++) {
                values[i] = value(depth);
            }
            return values;
        }

        /** @return {@code collection}, with the next {@code count} values added in order */
        private Collection<Object> fill(Collection<Object> collection, int count, int depth)
                throws IOException, ClassNotFoundException {
            for (int i = 0; i < count; i++) {
                collection.add(value(depth));
            }
            return collection;
        }

        Object compound(int depth) throws IOException, ClassNotFoundException {
            if (depth > MAX_DEPTH) {
                throw new InvalidObjectException("a compound value nested deeper than " + MAX_DEPTH);
            }
            byte kind = in.getByte();
            switch (kind) {
                case ARRAY_LIST: {
                    Serialization.checkAllowed(ArrayList.class);
                    int count = count();
                    return fill(new ArrayList<>(count), count, depth);
                }
                case IMMUTABLE_LIST:
                    Serialization.checkAllowed(LIST_N);
                    return List.of(values(count(), depth));
                case ARRAYS_LIST:
                    Serialization.checkAllowed(ARRAYS_AS_LIST);
                    return Arrays.asList(values(count(), depth));
                case HASH_SET: {
                    Serialization.checkAllowed(HashSet.class);
                    int count = count();
                    return fill(new HashSet<>(capacityFor(count)), count, depth);
                }
                case LINKED_HASH_SET: {
                    Serialization.checkAllowed(LinkedHashSet.class);
                    int count = count();
                    return fill(new LinkedHashSet<>(capacityFor(count)), count, depth);
                }
                case IMMUTABLE_SET:
                    Serialization.checkAllowed(SET_N);
                    return Set.of(values(count(), depth));
                case HASH_MAP: {
                    Serialization.checkAllowed(HashMap.class);
                    int count = count();
                    Map<Object, Object> map = new HashMap<>(capacityFor(count));
                    for (int i = 0; i < count; i++) {
                        map.put(value(depth), value(depth));
                    }
                    return map;
                }
                case IMMUTABLE_MAP: {
                    Serialization.checkAllowed(MAP_N);
                    int count = count();
                    @SuppressWarnings("unchecked")
                    Map.Entry<Object, Object>[] entries = new Map.Entry[count];
                    for (int i = 0; i < count; i++) {
                        entries[i] = Map.entry(value(depth), value(depth));
                    }
                    return Map.ofEntries(entries);
                }
                case OBJECT_ARRAY:
                    Serialization.checkAllowed(Object[].class);
                    return values(count(), depth);
                case INT_ARRAY: {
                    int[] ints = new int[primitives(4)];
                    ByteBuffer.wrap(in.buffer(), in.position(), 4 * ints.length).asIntBuffer().get(ints);
                    in.position(in.position() + 4 * ints.length);
                    return ints;
                }
                case LONG_ARRAY: {
                    long[] longs = new long[primitives(8)];
                    ByteBuffer.wrap(in.buffer(), in.position(), 8 * longs.length).asLongBuffer().get(longs);
                    in.position(in.position() + 8 * longs.length);
                    return longs;
                }
                case DOUBLE_ARRAY: {
                    double[] doubles = new double[primitives(8)];
                    ByteBuffer.wrap(in.buffer(), in.position(), 8 * doubles.length).asDoubleBuffer().get(doubles);
                    in.position(in.position() + 8 * doubles.length);
                    return doubles;
                }
                case RECORD:
                    return record(depth);
                case ENUM:
                    return constant();
                default:
                    throw new InvalidObjectException("an unknown compound kind " + kind);
            }
        }

        /** @return the count of an array of primitives of {@code size} bytes each, checked against the bytes left */
        private int primitives(int size) throws IOException {
            int count = in.getInt();
            if (count < 0 || (long) count * size > end - in.position()) {
                throw new InvalidObjectException("an array of " + count + " values of " + size + " bytes in "
                        + (end - in.position()));
            }
            return count;
        }

        private Object record(int depth) throws IOException, ClassNotFoundException {
            Class<?> type = readClass();
            RecordShape shape = RecordShape.of(type); // refused, not a record, when it is not one
            if (shape.refusal != null) {
                throw new InvalidClassException(type.getName(), shape.refusal);
            }
            int count = count();
            if (count != shape.getters.length) {
                throw new InvalidObjectException("a record " + type.getName() + " of " + count + " components; its class has "
                        + shape.getters.length);
            }
            return shape.construct(values(count, depth));
        }

        private Object constant() throws IOException, ClassNotFoundException {
            Class<?> type = readClass();
            if (!type.isEnum()) {
                throw new InvalidClassException(type.getName(), "not an enum, in an enum constant's encoding");
            }
            String name = string();
            try {
                return enumConstant(type, name);
            } catch (IllegalArgumentException e) {
                throw new InvalidObjectException("enum " + type.getName() + " has no constant " + name);
            }
        }

        @SuppressWarnings({"unchecked", "rawtypes"})
        private static Object enumConstant(Class<?> type, String name) {
            return Enum.valueOf((Class) type, name);
        }
    }

    /**
     * The classes that records and enum constants named, by name, as one class loader resolved
     * them: looking a class up by name through a loader is a synchronized search each time, most
     * of a reader's time in a pool chunk of records (a third of the parent's samples in a map
     * over 200,000 of them), while a queue or a chunk names the same few classes over and over.
     * Per thread, so that no lock is taken; weakly held, so that it keeps no class or loader
     * alive; emptied when another loader asks, or when it holds more than {@value #LIMIT} names.
     */
    private static final class ResolvedClasses {
        private static final int LIMIT = 64;
        private WeakReference<ClassLoader> loader = new WeakReference<>(null);
        private final HashMap<String, WeakReference<Class<?>>> classes = new HashMap<>();

        Class<?> resolve(String name, ClassLoader by) throws ClassNotFoundException {
            if (loader.get() != by) {
                classes.clear();
                loader = new WeakReference<>(by);
            }
            WeakReference<Class<?>> known = classes.get(name);
            Class<?> type = known == null ? null : known.get();
            if (type == null) {
                type = Class.forName(name, false, by);
                if (classes.size() >= LIMIT) {
                    classes.clear();
                }
                classes.put(name, new WeakReference<>(type));
            }
            return type;
        }
    }

    /** @return the initial capacity that holds {@code count} mappings without a resize, as JDK deserialization sizes them */
    private static int capacityFor(int count) {
        return (int) Math.min(Integer.MAX_VALUE, (long) (count / 0.75f) + 1);
    }
}
