package io.github.multiprocessing4j.internal.shm;

import java.lang.invoke.VarHandle;
import java.lang.reflect.Field;
import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The single-word accesses of a mapped segment: plain loads and stores of longs, ints and bytes,
 * and the atomic read-modify-write operations, at byte offsets checked against the mapping's size
 * (the atomic ones also aligned to their word); and copies between the mapping and arrays or
 * another mapping. {@link SharedSegment} adds the ordering (fences) around them, and the
 * reachability fence after them: an access through the mapping's raw address must not outlive
 * the buffer, whose cleaner unmaps the mapping once it is unreachable, and the segment holds it.
 *
 * <p>Implementation notes. Two ways to reach the words, chosen once per JVM ({@link #over}):
 * <ul>
 * <li>On JDK 17 to 23, {@code sun.misc.Unsafe} at the mapping's address (this class).
 *     A new child runs its first thousands of accesses in the interpreter, where a direct buffer's
 *     {@code getLong} is a dozen calls ({@code checkIndex}, {@code scope}, {@code ix},
 *     {@code ScopedMemoryAccess}, {@code convEndian}, {@code reachabilityFence}) and an
 *     {@code Unsafe} one is a single native call, and C1 compiles the intrinsic better than the
 *     buffer's chain. Measured on the 2-core development VM (JDK 17): a put and a take interpreted
 *     ({@code -Xint}) 21 and 22 µs each with the buffer, 13 and 14 µs with {@code Unsafe}; two new
 *     JVMs moving 200,000 ints through a queue 1.47-1.79M msg/s with the buffer, 1.65-1.99M with
 *     {@code Unsafe} (4 interleaved rounds of 4), and once warmed up 2.8-4.1M against 4.9-5.7M.
 *     The bounds check the buffer would make is made here (a corrupted offset read from shared
 *     memory must throw, not write elsewhere).</li>
 * <li>From JDK 24 on, which warns at run time about {@code Unsafe}'s memory-access methods (JEP 498)
 *     and is to remove them, the buffer's own accessors, and {@link VarHandle}s viewing the buffer
 *     as longs or ints for the read-modify-write operations ({@link BufferWords}). Also when
 *     {@code Unsafe} cannot be had, and in a JVM told {@code --sun-misc-unsafe-memory-access} other
 *     than {@code allow}.</li>
 * <li>A JVM told {@code --sun-misc-unsafe-memory-access=allow}, whatever its version, uses
 *     {@code Unsafe} silently; the library gives that option to its children on the JDKs that
 *     accept it ({@link #childOptions}), as it gives them the client compiler: the children are the
 *     library's JVMs, started to run queues. Measured on the 2-core development VM (JDK 25.0.3,
 *     C1 only as the children run, 2 programs each): a put and a take of an int by one thread
 *     308-516 ns with the buffer, 116-206 ns with {@code Unsafe}; ints from one thread to another
 *     1.8-5.3M against 7.6-8.0M a second; with default flags (C2) a put and a take 86-95 ns with
 *     the buffer, 50-52 with {@code Unsafe}. A program's own JVM keeps its JDK's default unless
 *     its command line gives the option.</li>
 * </ul>
 * Both use the platform's byte order, as the buffer is set to ({@link SharedSegment}).
 *
 * <p>This class is the {@code Unsafe} way, and {@link BufferWords}, the buffer's, overrides every
 * access, rather than one class that asks which way at each access: C1, the only compiler of the
 * library's children, inlines a method only up to 35 bytes of bytecode, 10% less at each level of
 * inlining (and with a stack of 5 words at most), and a queue's put or take reaches a word four or
 * five levels down (the queue's methods, the segment's accessor, this, the bounds check). The
 * question "which way" cost each accessor 17 bytes and kept it out of its callers. A JVM that
 * reaches the words through {@code Unsafe} never loads {@link BufferWords} (it is made by a
 * factory method of its own), so C1 binds each call here by the class hierarchy and inlines it
 * whole. (Not an abstract class with two subclasses: JDK 17's C1 binds no abstract method so.)
 * Measured on the 2-core development VM (JDK 17, C1 only as the children run, 3 programs each,
 * interleaved): a put and a take of an int through a queue by one thread, 209-353 ns with the
 * accessors called (32-37 bytes each), 131-195 ns with them inlined; ints from one thread to
 * another 3.4-5.6M against 6.2-7.9M a second; two new JVMs moving 200,000 ints through a queue
 * (the benchmark's "new children"), median of 18 programs 2.85M against 3.37M a second.
 *
 * <p>The loads and stores are as small as C1 inlines four levels down: the bounds check is
 * {@link Objects#checkIndex} (the JDK forces it inline; the check behind it is 18 bytes, two
 * comparisons), and {@link #putLong} uses {@code Unsafe}'s address-only form, whose stack is a
 * word shorter than the {@code (null, address)} one's.
 *
 * <p>The acquiring loads ({@link #getLongAcquire}, {@link #getIntAcquire}) are {@code Unsafe}'s
 * volatile loads rather than a plain load and {@link VarHandle#acquireFence}: interpreted, one
 * native call instead of two and two calls fewer (the fence's chain), and compiled by C1 the same
 * plain load (a volatile load needs no fence on x86 or AArch64 beyond what an acquire does).
 * Measured on the 2-core development VM (JDK 17, 2026-12-07), with the queues' own locks released
 * without the owner's check ({@code RobustMutex.releaseHeld}): a put and a take of an int by one
 * thread, interpreted ({@code -Xint}), 10.3-10.8 and 8.5-8.8 µs against 11.4-11.5 and 9.8; C1
 * only, warmed up, 50-52 and 36-40 ns either way. The bounds check stays
 * {@link Objects#checkIndex} (two calls more, interpreted): written out in {@link #at} (28 bytes
 * of bytecode instead of 19) it saved 13% interpreted, but C1 then no longer inlined {@code at}
 * where a queue's put reaches it (callee too large four levels down), and a put and a take
 * compiled took 64-66 and 50 ns.
 *
 * <p>The loads and stores do not check alignment, as the buffer's do not: a misaligned one works
 * on the processors this runs on, only not as a single access, and the offsets are the
 * descriptors' (aligned by layout) or a record's (aligned by the queue). The atomic operations
 * do: a misaligned one is not atomic, or faults, on some processors, and a buffer's
 * {@code VarHandle} view refuses it.
 *
 * <p>Copies between an array and the mapping ({@link #putBytes}, {@link #getBytes}), and from one
 * mapping to another ({@link #copyTo}: a taken record into a joinable consumer's in-flight log),
 * skip the buffer too. A bulk copy is a call into the JVM's runtime ({@code Unsafe.copyMemory0})
 * behind checks that C1 does not compile away ({@code Class.isArray} and
 * {@code getComponentType} are calls into the JVM there), about 30 ns whatever the length; C1
 * compiles a loop of {@code Unsafe} word loads and stores to plain moves. Measured on the 2-core
 * development VM, C1 only, a copy into a direct buffer: 8 bytes 34 ns through the buffer, 26 ns
 * through {@code copyMemory}, 4.6 ns by words; 64 bytes 33, 27, 11 ns; 256 bytes 37, 30, 34 ns;
 * 4 KiB 88, 80, 506 ns. So records shorter than {@value #WORD_COPY_BELOW} bytes (a queue's small
 * {@code byte[]} items) are copied word by word, longer ones by {@code copyMemory}. Words are
 * read and written unaligned (a record starts after its tag byte), which the processors this is
 * done on allow; elsewhere every copy is a bulk one.
 */
class MappedWords {
    /** The newest JDK whose {@code Unsafe} memory access is silent by default (JEP 498 warns from 24 on). */
    private static final int LAST_SILENT_UNSAFE_JDK = 23;
    /**
     * The system property in which a JVM shows its {@code --sun-misc-unsafe-memory-access} option
     * (JDK 23 and later; JEP 471): {@code allow}, {@code warn}, {@code debug} or {@code deny}.
     */
    private static final String MEMORY_ACCESS_PROPERTY = "sun.misc.unsafe.memory.access";
    /** The option by which a JVM of JDK 23 or later is told how {@code Unsafe}'s memory access goes (JEP 471). */
    static final String MEMORY_ACCESS_OPTION = "--sun-misc-unsafe-memory-access";
    /** The option that has a JDK 24 or later JVM allow {@code Unsafe}'s memory access silently. */
    private static final String ALLOW_OPTION = MEMORY_ACCESS_OPTION + "=allow";
    /** The class behind that option, found in a JDK that accepts it. */
    private static final String OPTION_CLASS = "sun.misc.Unsafe$MemoryAccessOption";
    /** {@code sun.misc.Unsafe}, or null where the buffer's accessors are used. */
    private static final sun.misc.Unsafe UNSAFE;
    /** The length from which a copy ({@link #copy}) is one bulk copy (see the class notes). */
    private static final int WORD_COPY_BELOW = 128;
    /** Where a {@link Buffer} keeps its address, for {@link #UNSAFE}. */
    private static final long ADDRESS_FIELD;
    /** Where a {@code byte[]}'s first element lies, for {@link #UNSAFE}. */
    private static final long BYTE_ARRAY_BASE;
    /** Whether short copies go word by word: {@link #UNSAFE} serves and the processor loads and stores words unaligned. */
    private static final boolean WORD_COPIES;

    static {
        sun.misc.Unsafe unsafe = null;
        long addressField = -1;
        if (unsafeAllowed()) {
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

    /** The mapping's size in bytes. */
    final int size;
    /** The mapping's address, for {@link #UNSAFE}. */
    private final long address;

    /** @param buffer a direct buffer over the whole mapping (its address is read only where {@code Unsafe} serves) */
    MappedWords(ByteBuffer buffer) {
        this.size = buffer.capacity();
        this.address = UNSAFE == null ? 0 : UNSAFE.getLong(buffer, ADDRESS_FIELD);
    }

    /** @param buffer a direct buffer over the whole mapping, in the platform's byte order */
    static MappedWords over(ByteBuffer buffer) {
        return UNSAFE != null ? new MappedWords(buffer) : BufferWords.over(buffer);
    }

    /** @return whether this JVM reaches the words through {@code sun.misc.Unsafe} (see the class comment) */
    static boolean usesUnsafe() {
        return UNSAFE != null;
    }

    /**
     * @return whether {@code Unsafe}'s memory access is silent in this JVM: its
     *     {@code --sun-misc-unsafe-memory-access} option says {@code allow}, or, without the
     *     option, it is a JDK before 24 (a JVM told {@code deny}, {@code warn} or {@code debug}
     *     gets the buffer's accessors whatever its version)
     */
    private static boolean unsafeAllowed() {
        String choice = System.getProperty(MEMORY_ACCESS_PROPERTY);
        return choice == null ? Runtime.version().feature() <= LAST_SILENT_UNSAFE_JDK : choice.equals("allow");
    }

    /**
     * @return the options that let a child of this JVM (the same {@code java}) reach the words
     *     through {@code Unsafe}: {@value #ALLOW_OPTION} on JDK 24 and later, whose JVM accepts
     *     it, unless this JVM was told another choice; none on the JDKs before, which allow it anyway
     */
    static List<String> childOptions() {
        String choice = System.getProperty(MEMORY_ACCESS_PROPERTY);
        if (Runtime.version().feature() <= LAST_SILENT_UNSAFE_JDK || choice != null && !choice.equals("allow")) {
            return List.of();
        }
        try {
            Class.forName(OPTION_CLASS, false, sun.misc.Unsafe.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            return List.of(); // a JDK that no longer has the option: a child given it would not boot
        }
        return List.of(ALLOW_OPTION);
    }

    long getLong(int offset) {
        return UNSAFE.getLong(null, at(offset, Long.BYTES));
    }

    void putLong(int offset, long value) {
        UNSAFE.putLong(at(offset, Long.BYTES), value);
    }

    /** A load that no later load or store of this thread moves before (see the class notes). */
    long getLongAcquire(int offset) {
        return UNSAFE.getLongVolatile(null, at(offset, Long.BYTES));
    }

    /** A load that no later load or store of this thread moves before (see the class notes). */
    int getIntAcquire(int offset) {
        return UNSAFE.getIntVolatile(null, at(offset, Integer.BYTES));
    }

    int getInt(int offset) {
        return UNSAFE.getInt(null, at(offset, Integer.BYTES));
    }

    void putInt(int offset, int value) {
        UNSAFE.putInt(null, at(offset, Integer.BYTES), value);
    }

    byte getByte(int offset) {
        return UNSAFE.getByte(null, at(offset, 1));
    }

    void putByte(int offset, byte value) {
        UNSAFE.putByte(null, at(offset, 1), value);
    }

    /** A volatile compare-and-set, as {@link VarHandle#compareAndSet}. */
    boolean compareAndSetLong(int offset, long expected, long value) {
        return UNSAFE.compareAndSwapLong(null, address + atomicWord(offset, Long.BYTES), expected, value);
    }

    /** A volatile compare-and-set, as {@link VarHandle#compareAndSet}. */
    boolean compareAndSetInt(int offset, int expected, int value) {
        return UNSAFE.compareAndSwapInt(null, address + atomicWord(offset, Integer.BYTES), expected, value);
    }

    /** A volatile get-and-add, as {@link VarHandle#getAndAdd}. */
    long getAndAddLong(int offset, long delta) {
        return UNSAFE.getAndAddLong(null, address + atomicWord(offset, Long.BYTES), delta);
    }

    /** A volatile get-and-set, as {@link VarHandle#getAndSet}. */
    long getAndSetLong(int offset, long value) {
        return UNSAFE.getAndSetLong(null, address + atomicWord(offset, Long.BYTES), value);
    }

    /**
     * Copies {@code length} bytes of {@code source} from {@code sourceOffset} to {@code offset}.
     *
     * @throws IndexOutOfBoundsException when a range does not lie in its array or mapping
     */
    void putBytes(int offset, byte[] source, int sourceOffset, int length) {
        Objects.checkFromIndexSize(offset, length, size);
        Objects.checkFromIndexSize(sourceOffset, length, source.length);
        copy(source, BYTE_ARRAY_BASE + sourceOffset, null, address + offset, length);
    }

    /**
     * Copies {@code length} bytes at {@code offset} into {@code target} from {@code targetOffset}.
     *
     * @throws IndexOutOfBoundsException when a range does not lie in its mapping or array
     */
    void getBytes(int offset, byte[] target, int targetOffset, int length) {
        Objects.checkFromIndexSize(offset, length, size);
        Objects.checkFromIndexSize(targetOffset, length, target.length);
        copy(null, address + offset, target, BYTE_ARRAY_BASE + targetOffset, length);
    }

    /**
     * Copies {@code length} bytes at {@code offset} to {@code target}'s {@code targetOffset}: one
     * call where two bulk copies through an array would be a dozen each, interpreted.
     *
     * @param target the other mapping's words, reached the same way
     * @throws IndexOutOfBoundsException when a range does not lie in its mapping
     */
    void copyTo(int offset, MappedWords target, int targetOffset, int length) {
        Objects.checkFromIndexSize(offset, length, size);
        Objects.checkFromIndexSize(targetOffset, length, target.size);
        copy(null, address + offset, null, target.address + targetOffset, length);
    }

    /**
     * Copies {@code length} bytes between arrays and mappings: word by word when short, else in
     * bulk (see the class notes). A null base makes its offset an address.
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
     * @return the address of the {@code width}-byte word at {@code offset}
     * @throws IndexOutOfBoundsException when the word does not lie in the mapping
     */
    private long at(int offset, int width) {
        return address + Objects.checkIndex(offset, size - width + 1);
    }

    /**
     * Checks that the {@code width}-byte word at {@code offset} of an atomic operation lies in
     * the mapping and is aligned to its width.
     *
     * @return {@code offset}
     */
    final int atomicWord(int offset, int width) {
        if (offset < 0 || offset > size - width || (offset & (width - 1)) != 0) {
            throw refused(offset, width); // apart, so that this stays small enough for C1 to inline
        }
        return offset;
    }

    private RuntimeException refused(int offset, int width) {
        String word = "a " + width + "-byte word at offset " + offset + " of a segment of " + size + " bytes";
        return offset < 0 || offset > size - width ? new IndexOutOfBoundsException(word)
                : new IllegalStateException("misaligned atomic access: " + word);
    }
}
