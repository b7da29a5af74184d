package io.github.multiprocessing4j.internal.shm;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.Reference;
import java.lang.reflect.Field;
import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;
import java.util.Set;

/**
 * The single-word accesses of a mapped segment: plain loads and stores of longs, ints and bytes,
 * and the atomic read-modify-write operations, at byte offsets checked against the mapping's size
 * and aligned to the word; and copies from one mapping to another.
 * {@link SharedSegment} adds the ordering (fences) around them.
 *
 * <p>Implementation notes. Two ways to reach the words, chosen once per JVM:
 * <ul>
 * <li>On JDK 17 to 23, {@code sun.misc.Unsafe} at the mapping's address. A new child runs its
 *     first thousands of accesses in the interpreter, where a direct buffer's {@code getLong} is a
 *     dozen calls ({@code checkIndex}, {@code scope}, {@code ix}, {@code ScopedMemoryAccess},
 *     {@code convEndian}, {@code reachabilityFence}) and an {@code Unsafe} one is a single native
 *     call, and C1 compiles the intrinsic better than the buffer's chain. Measured on the 2-core
 *     development VM (JDK 17): a put and a take interpreted ({@code -Xint}) 21 and 22 µs each with
 *     the buffer, 13 and 14 µs with {@code Unsafe}; two new JVMs moving 200,000 ints through a
 *     queue 1.47-1.79M msg/s with the buffer, 1.65-1.99M with {@code Unsafe} (4 interleaved rounds
 *     of 4), and once warmed up 2.8-4.1M against 4.9-5.7M. The bounds check the buffer would make
 *     is made here (a corrupted offset read from shared memory must throw, not write elsewhere),
 *     and every access ends with a reachability fence on this object, which holds the buffer: the
 *     buffer's cleaner must not unmap the mapping while an access through its raw address is under
 *     way, which the buffer's own accessors guard against the same way.</li>
 * <li>From JDK 24 on, which warns at run time about {@code Unsafe}'s memory-access methods (JEP 498)
 *     and is to remove them, the buffer's own accessors, and {@link VarHandle}s viewing the buffer
 *     as longs or ints for the read-modify-write operations. Also when {@code Unsafe} cannot be had.</li>
 * </ul>
 * Both use the platform's byte order, as the buffer is set to ({@link SharedSegment}).
 *
 * <p>Copies between an array and the mapping ({@link #putBytes}, {@link #getBytes}), and from one
 * mapping to another ({@link #copyTo}: a taken record into a joinable consumer's in-flight log),
 * skip the buffer too where {@code Unsafe} serves. A bulk copy is a call into the JVM's runtime
 * ({@code Unsafe.copyMemory0}) behind checks that C1 does not compile away ({@code Class.isArray}
 * and {@code getComponentType} are calls into the JVM there), about 30 ns whatever the length; C1
 * compiles a loop of {@code Unsafe} word loads and stores to plain moves. Measured on the 2-core
 * development VM, C1 only, a copy into a direct buffer: 8 bytes 34 ns through the buffer, 26 ns
 * through {@code copyMemory}, 4.6 ns by words; 64 bytes 33, 27, 11 ns; 256 bytes 37, 30, 34 ns;
 * 4 KiB 88, 80, 506 ns. So records shorter than {@value #WORD_COPY_BELOW} bytes (a queue's
 * small {@code byte[]} items) are copied word by word, longer ones by {@code copyMemory}. Words
 * are read and written unaligned (a record starts after its tag byte), which the processors this
 * is done on allow; elsewhere every copy is a bulk one.
 */
final class MappedWords {
    /** The newest JDK whose {@code Unsafe} memory access is silent (JEP 498 warns from 24 on). */
    private static final int LAST_SILENT_UNSAFE_JDK = 23;
    /** The length from which a copy ({@link #copy}) is one bulk copy (see the class notes). */
    private static final int WORD_COPY_BELOW = 128;
    /** {@code sun.misc.Unsafe}, or null where the buffer's accessors are used. */
    private static final sun.misc.Unsafe UNSAFE;
    /** Where a {@link Buffer} keeps its address, for {@link #UNSAFE}. */
    private static final long ADDRESS_FIELD;
    /** Where a {@code byte[]}'s first element lies, for {@link #UNSAFE}. */
    private static final long BYTE_ARRAY_BASE;
    /** Whether short copies go word by word: {@link #UNSAFE} serves and the processor loads and stores words unaligned. */
    private static final boolean WORD_COPIES;

    static {
        sun.misc.Unsafe unsafe = null;
        long addressField = -1;
        if (Runtime.version().feature() <= LAST_SILENT_UNSAFE_JDK) {
            try {
                Field field = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
                field.setAccessible(true);
                unsafe = (sun.misc.Unsafe) field.get(null);
                addressField = unsafe.objectFieldOffset(Buffer.class.getDeclaredField("address"));
            } catch (ReflectiveOperationException | RuntimeException e) {
                unsafe = null; // the buffer's accessors serve
            }
        }
        UNSAFE = unsafe;
        ADDRESS_FIELD = addressField;
        BYTE_ARRAY_BASE = unsafe == null ? 0 : unsafe.arrayBaseOffset(byte[].class);
        WORD_COPIES = unsafe != null && Set.of("amd64", "x86_64", "aarch64").contains(System.getProperty("os.arch"));
    }

    /**
     * The buffer's views for the atomic operations where {@code Unsafe} is not used: a class of
     * its own, so that a JVM that uses {@code Unsafe} never makes them (making a JVM's first
     * {@code VarHandle}s costs it a millisecond or two, and a child's boot would pay it).
     */
    private static final class BufferViews {
        static final VarHandle LONGS = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());
        static final VarHandle INTS = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());
    }

    private final ByteBuffer buffer;
    private final long address;
    private final int size;

    /** @param buffer a direct buffer over the whole mapping, in the platform's byte order */
    MappedWords(ByteBuffer buffer) {
        this.buffer = buffer;
        this.address = UNSAFE == null ? 0 : UNSAFE.getLong(buffer, ADDRESS_FIELD);
        this.size = buffer.capacity();
    }

    /** @return whether this JVM reaches the words through {@code sun.misc.Unsafe} (see the class comment) */
    static boolean usesUnsafe() {
        return UNSAFE != null;
    }

    long getLong(int offset) {
        if (UNSAFE == null) {
            return buffer.getLong(offset);
        }
        long value = UNSAFE.getLong(null, at(offset, Long.BYTES));
        Reference.reachabilityFence(this);
        return value;
    }

    void putLong(int offset, long value) {
        if (UNSAFE == null) {
            buffer.putLong(offset, value);
            return;
        }
        UNSAFE.putLong(null, at(offset, Long.BYTES), value);
        Reference.reachabilityFence(this);
    }

    int getInt(int offset) {
        if (UNSAFE == null) {
            return buffer.getInt(offset);
        }
        int value = UNSAFE.getInt(null, at(offset, Integer.BYTES));
        Reference.reachabilityFence(this);
        return value;
    }

    void putInt(int offset, int value) {
        if (UNSAFE == null) {
            buffer.putInt(offset, value);
            return;
        }
        UNSAFE.putInt(null, at(offset, Integer.BYTES), value);
        Reference.reachabilityFence(this);
    }

    byte getByte(int offset) {
        if (UNSAFE == null) {
            return buffer.get(offset);
        }
        byte value = UNSAFE.getByte(null, at(offset, 1));
        Reference.reachabilityFence(this);
        return value;
    }

    void putByte(int offset, byte value) {
        if (UNSAFE == null) {
            buffer.put(offset, value);
            return;
        }
        UNSAFE.putByte(null, at(offset, 1), value);
        Reference.reachabilityFence(this);
    }

    /** A volatile compare-and-set, as {@link VarHandle#compareAndSet}. */
    boolean compareAndSetLong(int offset, long expected, long value) {
        if (UNSAFE == null) {
            return BufferViews.LONGS.compareAndSet(buffer, offset, expected, value);
        }
        boolean set = UNSAFE.compareAndSwapLong(null, at(offset, Long.BYTES), expected, value);
        Reference.reachabilityFence(this);
        return set;
    }

    /** A volatile compare-and-set, as {@link VarHandle#compareAndSet}. */
    boolean compareAndSetInt(int offset, int expected, int value) {
        if (UNSAFE == null) {
            return BufferViews.INTS.compareAndSet(buffer, offset, expected, value);
        }
        boolean set = UNSAFE.compareAndSwapInt(null, at(offset, Integer.BYTES), expected, value);
        Reference.reachabilityFence(this);
        return set;
    }

    /** A volatile get-and-add, as {@link VarHandle#getAndAdd}. */
    long getAndAddLong(int offset, long delta) {
        if (UNSAFE == null) {
            return (long) BufferViews.LONGS.getAndAdd(buffer, offset, delta);
        }
        long old = UNSAFE.getAndAddLong(null, at(offset, Long.BYTES), delta);
        Reference.reachabilityFence(this);
        return old;
    }

    /** A volatile get-and-set, as {@link VarHandle#getAndSet}. */
    long getAndSetLong(int offset, long value) {
        if (UNSAFE == null) {
            return (long) BufferViews.LONGS.getAndSet(buffer, offset, value);
        }
        long old = UNSAFE.getAndSetLong(null, at(offset, Long.BYTES), value);
        Reference.reachabilityFence(this);
        return old;
    }

    /**
     * Copies {@code length} bytes of {@code source} from {@code sourceOffset} to {@code offset}.
     *
     * @throws IndexOutOfBoundsException when a range does not lie in its array or mapping
     */
    void putBytes(int offset, byte[] source, int sourceOffset, int length) {
        if (UNSAFE == null) {
            buffer.put(offset, source, sourceOffset, length);
            return;
        }
        Objects.checkFromIndexSize(offset, length, size);
        Objects.checkFromIndexSize(sourceOffset, length, source.length);
        copy(source, BYTE_ARRAY_BASE + sourceOffset, null, address + offset, length);
        Reference.reachabilityFence(this);
    }

    /**
     * Copies {@code length} bytes at {@code offset} into {@code target} from {@code targetOffset}.
     *
     * @throws IndexOutOfBoundsException when a range does not lie in its mapping or array
     */
    void getBytes(int offset, byte[] target, int targetOffset, int length) {
        if (UNSAFE == null) {
            buffer.get(offset, target, targetOffset, length);
            return;
        }
        Objects.checkFromIndexSize(offset, length, size);
        Objects.checkFromIndexSize(targetOffset, length, target.length);
        copy(null, address + offset, target, BYTE_ARRAY_BASE + targetOffset, length);
        Reference.reachabilityFence(this);
    }

    /**
     * Copies {@code length} bytes between arrays and mappings through {@link #UNSAFE}: word by
     * word when short, else in bulk (see the class notes). A null base makes its offset an address.
     */
    private static void copy(Object fromBase, long from, Object toBase, long to, int length) {
        if (WORD_COPIES && length < WORD_COPY_BELOW) {
            int at = 0;
            for (; at <= length - Long.BYTES; at += Long.BYTES) {
                UNSAFE.putLong(toBase, to + at, UNSAFE.getLong(fromBase, from + at));
            }
            for (; at < length; at++) {
                UNSAFE.putByte(toBase, to + at, UNSAFE.getByte(fromBase, from + at));
            }
        } else {
            UNSAFE.copyMemory(fromBase, from, toBase, to, length);
        }
    }

    /**
     * Copies {@code length} bytes at {@code offset} to {@code target}'s {@code targetOffset}, with
     * plain loads and stores: one call where two bulk copies through an array would be a dozen
     * each, interpreted.
     *
     * @throws IndexOutOfBoundsException when a range does not lie in its mapping
     */
    void copyTo(int offset, MappedWords target, int targetOffset, int length) {
        Objects.checkFromIndexSize(offset, length, size);
        Objects.checkFromIndexSize(targetOffset, length, target.size);
        if (UNSAFE == null) {
            target.buffer.put(targetOffset, buffer, offset, length);
            return;
        }
        copy(null, address + offset, null, target.address + targetOffset, length);
        Reference.reachabilityFence(this);
        Reference.reachabilityFence(target);
    }

    /**
     * @return the address of the {@code width}-byte word at {@code offset}, which must lie in the
     *     mapping and be aligned to its width (as a buffer's VarHandle view demands of atomic
     *     operations: a misaligned one is not atomic, or faults, on some processors)
     */
    private long at(int offset, int width) {
        if (offset < 0 || offset > size - width || (offset & (width - 1)) != 0) {
            throw refused(offset, width);
        }
        return address + offset;
    }

    private RuntimeException refused(int offset, int width) {
        String word = "a " + width + "-byte word at offset " + offset + " of a segment of " + size + " bytes";
        return offset < 0 || offset > size - width ? new IndexOutOfBoundsException(word)
                : new IllegalStateException("misaligned access: " + word);
    }
}
