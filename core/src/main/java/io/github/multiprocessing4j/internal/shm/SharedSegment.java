package io.github.multiprocessing4j.internal.shm;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.lang.reflect.Array;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A named piece of memory shared by the processes of one tree: a file in the tree's directory
 * under {@code /dev/shm}, mapped by every process that uses it. This is the handle that travels
 * between processes (it is {@link Serializable}: its tree and name); the mapping is made where it
 * is used, once per JVM.
 *
 * <p>Implementation notes. Every process maps the same physical pages, so an access that is
 * atomic and ordered in one JVM is so across processes. Offsets are laid out by the descriptor
 * class of each kind of object, with its byte diagram, and are aligned to the size of the word.
 * The words are reached through {@link MappedWords} (plain loads and stores, and atomic
 * read-modify-write operations), and loads and stores are ordered here by {@link VarHandle}'s
 * fences, which give the same order as the VarHandle access modes they stand for: acquire after
 * a load, release before a store, and a full fence after a volatile store. Why not VarHandle
 * access modes: a fresh child runs its first thousands of queue operations in the interpreter and
 * then in C1, the only compiler the library's children use, and neither compiles a VarHandle
 * access into the instruction it is: each one is a chain of a dozen calls, run or compiled
 * separately. Measured on the 2-core development VM (JDK 17), child to child: 200,000 ints
 * through a queue by two new JVMs in 121-146 ms instead of 169-192, and 2.4M ints/s instead of
 * 1.5-1.7M once compiled. An acquiring load is the words' own ({@link MappedWords#getLongAcquire}):
 * through {@code Unsafe}, one volatile load, a single call into the JVM where a load and a fence
 * are two for the interpreter, and the same instruction once compiled. The mapping is set to the
 * platform's byte order.
 * A mapping lives as long as the JVM keeps the buffer reachable; the file lives until
 * {@link #unlink()} or the end of the tree.
 *
 * <p>Mappings are shared by every handle of one segment in a JVM through a cache that holds them
 * weakly: a mapping is released (unmapped by the buffer's cleaner, after a garbage collection)
 * once no handle and no buffer view of it is reachable, and its cache entry goes with it. Java
 * offers no safe explicit unmap (a thread still using the buffer would crash the JVM), so this
 * is the earliest safe moment; and since a program that makes and closes queues in a loop may
 * not collect for a long time, each new mapping counts towards the next collection this JVM asks
 * for ({@link UnmapBudget}). {@link #unlink()} also drops this JVM's cache entry at once, since
 * no new handle can map an unlinked segment. Without both, every segment a long-running process
 * ever created or received would stay mapped until it exits. A tree segment's name is never
 * reused, but a machine-wide one is the user's: another program may unlink it and make a new
 * segment under it, which this JVM's cache would not know of. So a machine-wide segment's entry
 * is used only while the name's file is the one it mapped (device and inode, one {@code stat} a
 * mapping): until 2026-12-05, attaching such a name again gave the old, unlinked block, at its
 * old size.
 *
 * <p>Where a tree's segment files live is not this class's business: it asks the
 * {@link SegmentTrees} installed by the layer that knows who this process is
 * ({@link InstalledTrees}). A segment of no tree, named by the user for the whole machine, carries
 * {@link MachineSegments#SCOPE} instead of a tree id, and its file is {@link MachineSegments}'s.
 *
 * <p>Every page of a segment is allocated when it is created ({@link SegmentSpace}): a full
 * {@code /dev/shm} fails the creation with an exception that says so, never a later write with
 * SIGBUS. A segment {@linkplain #createPartlyReserved created partly reserved} (a queue's header
 * and first chunk) is the exception: its user allocates the rest ({@link #reserve}) before it
 * touches it. What may not fail while the disk has room (an unbounded queue's chunks) is created
 * {@linkplain #createSpillable spillable}: in the tree's spill directory on disk when shared
 * memory is full, mapped the same way; {@link #spilled()} tells the two apart.
 */
public final class SharedSegment implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final int PAGE_SIZE = 4096;
    /** The length from which {@link #getBytes(int, int)} has the JVM's runtime allocate and zero its array. */
    private static final int RUNTIME_ZEROED_FROM = 1024;
    /** Where {@link #touchPages} leaves what it read. */
    private static volatile int pagesTouched;
    /**
     * Mappings of this JVM, by tree and name: every handle of one segment shares one mapping.
     * Held weakly (see the class comment); entries whose mapping was collected are expunged
     * through {@link #RELEASED}.
     */
    private static final ConcurrentHashMap<String, Mapping> MAPPINGS = new ConcurrentHashMap<>();
    /**
     * Per thread: how many times a segment was written for another process, by its direct encoding
     * or by JDK serialization (see {@link #writtenOnThisThread()}). Not a lambda: this class is
     * loaded in every child's boot.
     */
    private static final ThreadLocal<int[]> WRITTEN = new ThreadLocal<>() {
        @Override
        protected int[] initialValue() {
            return new int[1];
        }
    };
    private static final ReferenceQueue<ByteBuffer> RELEASED = new ReferenceQueue<>();

    private final String treeId;
    private final String name;
    private final int size;
    private transient ByteBuffer buffer;
    private transient MappedWords words;
    private transient boolean spilled;
    /** Whether this handle is a {@link #slice} of its segment, which never travels. */
    private transient boolean slice;
    /** Where this handle starts in its segment's file: 0, or a {@link #slice}'s offset there. */
    private transient int offsetInFile;

    private SharedSegment(String treeId, String name, int size) {
        this.treeId = treeId;
        this.name = name;
        this.size = size;
        this.buffer = map();
        this.words = MappedWords.over(buffer);
    }

    /** The handle of a segment this process just made, with the mapping its store made it through. */
    private SharedSegment(String treeId, String name, int size, SegmentStore.NewSegment made) {
        this.treeId = treeId;
        this.name = name;
        this.size = size;
        this.spilled = made.spilled();
        expungeReleased();
        UnmapBudget.mappedAnew(size);
        // a new name: no other handle can have mapped it yet
        MAPPINGS.put(key(), new Mapping(key(), made.mapping(), spilled, null));
        this.buffer = made.mapping();
        this.words = MappedWords.over(buffer);
    }

    /** A slice of {@code whole}: see {@link #slice}. */
    private SharedSegment(SharedSegment whole, int offset, int length) {
        this.treeId = whole.treeId;
        this.name = whole.name;
        this.size = length;
        this.spilled = whole.spilled;
        this.slice = true;
        this.offsetInFile = whole.offsetInFile + offset;
        this.buffer = whole.buffer.slice(offset, length).order(ByteOrder.nativeOrder());
        this.words = MappedWords.over(buffer);
    }

    /**
     * Returns a part of this segment as a segment of its own: offset 0 of the slice is
     * {@code offset} here. It has this segment's tree, name and mapping (it keeps the mapping
     * alive), so its {@link #unlink()} removes this whole segment; it cannot travel to another
     * process (serializing it fails): send the whole segment. Its {@link #reserve} allocates
     * the pages of its own bytes. For a queue's first chunk, which lives in its header's
     * segment, and for the objects that share one file (a pipe's queues).
     *
     * @throws IndexOutOfBoundsException when the part does not lie within this segment
     */
    public SharedSegment slice(int offset, int length) {
        java.util.Objects.checkFromIndexSize(offset, length, size);
        return new SharedSegment(this, offset, length);
    }

    /**
     * Creates a zero-filled segment in the calling process's tree, every page of it allocated
     * ({@link SegmentSpace#reserve}).
     *
     * @param kind a short word for what it holds, part of its name
     * @param size its size in bytes
     * @throws IllegalArgumentException when {@code size} is negative or over 2 GiB - 1
     * @throws UncheckedIOException when it cannot be made; its cause is a
     *     {@link SegmentSpace.SpaceExhaustedException} when shared memory is full (the message says
     *     how full, and what to do)
     */
    public static SharedSegment create(String kind, long size) {
        return createNamed(reserveName(kind), size);
    }

    /**
     * Creates a zero-filled segment in the calling process's tree as {@link #create} does, or,
     * when shared memory is full, in the tree's spill directory on disk
     * ({@link SegmentStore#createNamedSegmentOrSpill}): for what must not fail while the disk has
     * room (an unbounded queue's chunks).
     */
    public static SharedSegment createSpillable(String kind, long size) {
        return createNamedSpillable(reserveName(kind), size);
    }

    /** @return a name for a segment of the calling process's tree, to create later with {@link #createNamed} */
    public static String reserveName(String kind) {
        return trees().own().newSegmentName(SCRATCH.get() ? SCRATCH_KIND + kind : kind);
    }

    /**
     * The kind's prefix of a segment made by {@link #scratch} work: the process's tree removes
     * such segments of a process when it reaps it, so that a process killed during the work
     * leaves none behind.
     */
    public static final String SCRATCH_KIND = "scratch";
    /** Whether the thread makes scratch segments: inherited, so that the threads the work starts do too. */
    private static final InheritableThreadLocal<Boolean> SCRATCH = new InheritableThreadLocal<>() {
        @Override
        protected Boolean initialValue() {
            return Boolean.FALSE;
        }
    };

    /** Work that makes and removes shared objects of its own. */
    @FunctionalInterface
    public interface ScratchWork<E extends Exception> {
        void run() throws E;
    }

    /**
     * Runs {@code work}, whose segments, and those of the threads it starts, are scratch ones
     * ({@link #SCRATCH_KIND}): a process's warm-up exercise, which removes what it made when it
     * ends, but not when the process is killed meanwhile. Only for work whose shared objects
     * never leave the process.
     */
    public static <E extends Exception> void scratch(ScratchWork<E> work) throws E {
        boolean outer = SCRATCH.get();
        SCRATCH.set(Boolean.TRUE);
        try {
            work.run();
        } finally {
            SCRATCH.set(outer);
        }
    }

    /**
     * Creates a zero-filled segment under a name from {@link #reserveName}.
     *
     * @throws IllegalArgumentException when {@code size} is negative or over 2 GiB - 1
     */
    public static SharedSegment createNamed(String name, long size) {
        return createIn(name, size, 1, size, false);
    }

    /**
     * Creates a zero-filled segment of {@code parts} equal parts of {@code partSize} bytes as
     * {@link #create} or, when {@code spillable}, {@link #createSpillable} does, with the pages of
     * only the first {@code reserved} bytes of each part allocated: the caller allocates the
     * others with {@link #reserve} before it touches them (a page touched unallocated kills the
     * JVM with SIGBUS when shared memory is full). For a segment most of whose bytes many users
     * never need (a queue's first chunk): zeros written cost about 0.5 µs a KiB on the
     * development VM; and for objects that share a file ({@link #slice}s of it), each its part.
     *
     * @throws IllegalArgumentException when the size is negative or over 2 GiB - 1
     * @throws UncheckedIOException when it cannot be made (see {@link #create})
     */
    public static SharedSegment createPartlyReserved(String kind, int parts, long partSize, long reserved, boolean spillable) {
        return createIn(reserveName(kind), parts * partSize, parts, reserved, spillable);
    }

    /**
     * Creates a zero-filled segment under a name from {@link #reserveName}, spilling to disk when
     * shared memory is full ({@link #createSpillable}).
     *
     * @throws IllegalArgumentException when {@code size} is negative or over 2 GiB - 1
     */
    public static SharedSegment createNamedSpillable(String name, long size) {
        return createIn(name, size, 1, size, true);
    }

    /**
     * Creates segment {@code name} in the calling process's tree, of {@code parts} equal parts,
     * the pages of each one's first {@code reserved} bytes allocated.
     */
    private static SharedSegment createIn(String name, long size, int parts, long reserved, boolean spillable) {
        checkSize(size);
        SegmentStore store = trees().own();
        SegmentStore.NewSegment made = spillable ? store.createNamedSegmentOrSpill(name, size, parts, reserved)
                : new SegmentStore.NewSegment(store.createNamedSegment(name, size, parts, reserved), false);
        return new SharedSegment(store.treeId(), name, (int) size, made);
    }

    /**
     * The handle another process sent of its segment: what JDK deserialization of a handle gives,
     * for the direct encoding of handles (its tree, name and size, as {@link #treeId()},
     * {@link #name()} and {@link #size()} gave them there).
     *
     * @throws IllegalStateException when the segment no longer exists (unlinked, or its tree ended)
     * @throws UncheckedIOException when it exists but cannot be mapped
     */
    public static SharedSegment received(String treeId, String name, int size) {
        return new SharedSegment(treeId, name, size);
    }

    /**
     * Opens an existing segment of a tree by its name, from any process of that tree.
     *
     * @param treeId the tree the segment belongs to
     * @param name the segment's name ({@link #name()})
     * @throws IllegalStateException when the tree has no segment of that name (it was unlinked,
     *     never existed, or every process of its tree has ended)
     * @throws UncheckedIOException when the segment exists but cannot be read or mapped
     */
    public static SharedSegment attach(String treeId, String name) {
        if (name.isEmpty() || name.contains("/")) {
            throw new IllegalStateException("no shared segment named \"" + name + "\" in tree " + treeId);
        }
        Path file = trees().of(treeId).segmentFile(name);
        long size;
        try {
            size = Files.size(file);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IllegalStateException("shared segment " + name + " of tree " + treeId
                    + " does not exist: it was unlinked, or every process of its tree has ended", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the size of " + file + ": " + e.getMessage(), e);
        }
        if (size > Integer.MAX_VALUE) {
            throw new IllegalStateException("shared segment " + name + " is larger than 2 GiB - 1: " + size + " bytes");
        }
        return new SharedSegment(treeId, name, (int) size);
    }

    /**
     * Creates a zero-filled segment that belongs to no tree: named {@code name} on the machine,
     * it lives until {@link #unlink()} ({@link MachineSegments}).
     *
     * @throws IllegalArgumentException when {@code size} is negative or over 2 GiB - 1, or the
     *     name is not valid ({@link MachineSegments#checkName})
     * @throws IllegalStateException when a segment of that name exists
     * @throws UncheckedIOException when it cannot be created or mapped
     */
    public static SharedSegment createOnMachine(String name, long size) {
        checkSize(size);
        MachineSegments.create(name, size);
        try {
            return new SharedSegment(MachineSegments.SCOPE, name, (int) size);
        } catch (RuntimeException e) {
            MachineSegments.delete(name); // made by this call, which cannot hand out a handle to it
            throw e;
        }
    }

    /**
     * Opens the machine-wide segment {@code name} ({@link #createOnMachine}), from any program of
     * this user on the machine.
     *
     * @throws IllegalArgumentException when the name is not valid ({@link MachineSegments#checkName})
     * @throws IllegalStateException when there is no such segment (never created, or unlinked)
     * @throws UncheckedIOException when the segment exists but cannot be read or mapped
     */
    public static SharedSegment attachOnMachine(String name) {
        long size = MachineSegments.size(name);
        if (size > Integer.MAX_VALUE) {
            throw new IllegalStateException("shared memory " + name + " is larger than 2 GiB - 1: " + size + " bytes");
        }
        return new SharedSegment(MachineSegments.SCOPE, name, (int) size);
    }

    /**
     * Opens the machine-wide segment {@code name}, creating it zero-filled when there is none
     * (get-or-create: two programs that race both get the one segment a single one of them made).
     *
     * @param size the size it must have
     * @throws IllegalArgumentException when the name is not valid ({@link MachineSegments#checkName})
     * @throws IllegalStateException when a segment of that name exists with another size, or the
     *     name was created and unlinked again by others more than a hundred times while this call tried
     * @throws UncheckedIOException when it cannot be created, read or mapped
     */
    public static SharedSegment openOrCreateOnMachine(String name, int size) {
        for (int attempt = 0; attempt < 100; attempt++) {
            try {
                SharedSegment existing = attachOnMachine(name);
                if (existing.size() != size) {
                    throw new IllegalStateException("the machine-wide segment " + MachineSegments.file(name) + " has "
                            + existing.size() + " bytes, not the " + size + " expected: made by another version of the"
                            + " library, or not by it");
                }
                return existing;
            } catch (IllegalStateException e) {
                if (!(e.getCause() instanceof java.nio.file.NoSuchFileException)) {
                    throw e;
                }
            }
            try {
                return createOnMachine(name, size);
            } catch (IllegalStateException e) {
                if (!(e.getCause() instanceof java.nio.file.FileAlreadyExistsException)) {
                    throw e;
                }
                // another program created it since we looked: attach to theirs
            }
        }
        throw new IllegalStateException("the machine-wide segment " + MachineSegments.file(name)
                + " was created and removed again by others a hundred times while this program tried to open it");
    }

    private static void checkSize(long size) {
        if (size < 0 || size > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("a shared segment's size must be between 0 and "
                    + Integer.MAX_VALUE + " bytes, not " + size);
        }
    }

    /** @return the tree of the calling process, where the segments it creates go */
    public static String ownTreeId() {
        return trees().own().treeId();
    }

    /** @return the id of the tree the segment belongs to ({@link MachineSegments#SCOPE} for a machine-wide one) */
    public String treeId() {
        return treeId;
    }

    /** @return the segment's name, unique in its tree */
    public String name() {
        return name;
    }

    /** @return its size in bytes */
    public int size() {
        return size;
    }

    /**
     * Allocates the pages of bytes {@code from} to {@code to} of a segment made
     * {@linkplain #createPartlyReserved partly reserved}, which hold nothing yet (zeros are written
     * over them). From any process of its tree.
     *
     * @throws UncheckedIOException when it cannot be done; its cause is a
     *     {@link SegmentSpace.SpaceExhaustedException} when the file system is full
     * @throws IllegalStateException when the segment no longer exists
     */
    public void reserve(long from, long to) {
        Path file = file();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            SegmentSpace.reserve(channel, offsetInFile + from, offsetInFile + to, file.getParent().getParent(),
                    "shared segment " + name);
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    /** @return whether this handle is a {@link #slice} of its segment (which cannot travel) */
    public boolean isSlice() {
        return slice;
    }

    /** @return whether the segment lives in a spill directory on disk, not in shared memory */
    public boolean spilled() {
        return spilled;
    }

    /**
     * @return whether the segment's file is still there (a system call): false once some process
     *     unlinked it, though this process's mapping still holds its pages
     */
    public boolean exists() {
        if (MachineSegments.SCOPE.equals(treeId)) {
            return Files.exists(MachineSegments.file(name));
        }
        try {
            trees().of(treeId).segmentFile(name); // looks for the file, in shared memory or spilled
            return true;
        } catch (IllegalStateException gone) {
            return false;
        }
    }

    /** @return a view of the whole segment (its own position and limit; the bytes are shared) */
    public ByteBuffer buffer() {
        return buffer.duplicate().order(ByteOrder.nativeOrder());
    }

    /**
     * Removes the segment's name: processes that mapped it keep using it, no new one can. Also
     * drops this JVM's cache entry, so that the mapping goes as soon as the handles using it are
     * unreachable. Idempotent.
     */
    public void unlink() {
        unlink(treeId, name);
    }

    /** Removes segment {@code name} of tree {@code treeId} (see {@link #unlink()}); nothing when it is gone already. */
    public static void unlink(String treeId, String name) {
        MAPPINGS.remove(treeId + "/" + name);
        if (MachineSegments.SCOPE.equals(treeId)) {
            MachineSegments.delete(name);
        } else {
            trees().of(treeId).deleteSegment(name);
        }
    }

    /** @return how many mappings this JVM's cache holds (live or not yet expunged), for tests */
    public static int cachedMappings() {
        expungeReleased();
        return MAPPINGS.size();
    }

    // The accesses end with the fence that keeps the mapping (this segment's buffer) reachable
    // while MappedWords reaches it through its address. The loads and stores are small enough for
    // C1 to inline them whole, MappedWords' part included, into the queues' and locks' code (see
    // MappedWords).

    public long getLongVolatile(int offset) {
        long value = words.getLongAcquire(offset);
        Reference.reachabilityFence(this);
        return value;
    }

    public void setLongVolatile(int offset, long value) {
        setLongRelease(offset, value);
        VarHandle.fullFence();
    }

    public void setLongRelease(int offset, long value) {
        VarHandle.releaseFence();
        words.putLong(offset, value);
        Reference.reachabilityFence(this);
    }

    public boolean compareAndSetLong(int offset, long expected, long value) {
        boolean set = words.compareAndSetLong(offset, expected, value);
        Reference.reachabilityFence(this);
        return set;
    }

    public long getAndAddLong(int offset, long delta) {
        long old = words.getAndAddLong(offset, delta);
        Reference.reachabilityFence(this);
        return old;
    }

    public long getAndSetLong(int offset, long value) {
        long old = words.getAndSetLong(offset, value);
        Reference.reachabilityFence(this);
        return old;
    }

    public int getIntVolatile(int offset) {
        return getIntAcquire(offset); // a volatile store is followed by a full fence: see setIntVolatile
    }

    public boolean compareAndSetInt(int offset, int expected, int value) {
        boolean set = words.compareAndSetInt(offset, expected, value);
        Reference.reachabilityFence(this);
        return set;
    }

    public int getIntAcquire(int offset) {
        int value = words.getIntAcquire(offset);
        Reference.reachabilityFence(this);
        return value;
    }

    public void setIntRelease(int offset, int value) {
        VarHandle.releaseFence();
        words.putInt(offset, value);
        Reference.reachabilityFence(this);
    }

    public void setIntVolatile(int offset, int value) {
        setIntRelease(offset, value);
        VarHandle.fullFence();
    }

    public void putByte(int offset, byte value) {
        words.putByte(offset, value);
        Reference.reachabilityFence(this);
    }

    /** A plain store of the 8-aligned word at {@code offset}, in the platform's byte order. */
    public void putLong(int offset, long value) {
        words.putLong(offset, value);
        Reference.reachabilityFence(this);
    }

    /** A plain load of the 8-aligned word at {@code offset}, in the platform's byte order. */
    public long getLong(int offset) {
        long value = words.getLong(offset);
        Reference.reachabilityFence(this);
        return value;
    }

    public byte getByte(int offset) {
        byte value = words.getByte(offset);
        Reference.reachabilityFence(this);
        return value;
    }

    /** Copies {@code length} bytes of {@code source} into the segment at {@code offset} (plain writes). */
    public void putBytes(int offset, byte[] source, int sourceOffset, int length) {
        words.putBytes(offset, source, sourceOffset, length);
        Reference.reachabilityFence(this);
    }

    /**
     * Enters every page of the segment into this process's page tables, by reading a byte of
     * each: for a segment about to be written all over (a queue's new chunk).
     *
     * @implNote A write to a page not yet mapped here costs a page fault; so does a read, but
     *     about half as much, and the read maps the page writable (the mapping is shared and
     *     tmpfs keeps no count of dirty pages), so the writes after it fault no more. Measured on
     *     the 2-core development VM, per MiB of a new segment: 3.2 ms of write faults, against
     *     1.7 ms of reads and then 25 µs of writes.
     */
    public void touchPages() {
        int sum = 0;
        for (int page = 0; page < size; page += PAGE_SIZE) {
            sum += buffer.get(page);
        }
        pagesTouched = sum; // kept, so that the reads are not optimised away
    }

    /** Copies {@code length} bytes of the segment at {@code offset} into {@code target} (plain reads). */
    public void getBytes(int offset, byte[] target, int targetOffset, int length) {
        words.getBytes(offset, target, targetOffset, length);
        Reference.reachabilityFence(this);
    }

    /**
     * Copies {@code length} bytes of this segment at {@code offset} into {@code target} at
     * {@code targetOffset} (plain reads and writes; no array between them).
     *
     * @throws IndexOutOfBoundsException when a range lies outside its segment
     */
    public void copyTo(int offset, SharedSegment target, int targetOffset, int length) {
        words.copyTo(offset, target.words, targetOffset, length);
        Reference.reachabilityFence(this);
        Reference.reachabilityFence(target);
    }

    /**
     * @return a new array holding the {@code length} bytes of the segment at {@code offset} (plain reads)
     * @implNote An array of {@value #RUNTIME_ZEROED_FROM} bytes or more is allocated through
     *     {@link Array#newInstance}. In code that C1 compiled (a child's: children run C1 only), a
     *     {@code new byte[n]} zeroes its array with a loop of word stores, where the JVM's runtime,
     *     which {@code Array.newInstance} calls there, zeroes it with the C library's {@code memset}.
     *     Measured on the 2-core development VM, C1 only, allocation and copy out of a direct
     *     buffer: 4 KiB 870 -> 613 ns, 1 KiB 347 -> 288 ns, 16 KiB 2.6 -> 2.1 µs; 64 bytes 102 ->
     *     207 ns (the call costs more than the loop saves), 512 bytes even. C2 compiles both alike.
     */
    public byte[] getBytes(int offset, int length) {
        byte[] bytes = length >= RUNTIME_ZEROED_FROM ? (byte[]) Array.newInstance(byte.class, length) : new byte[length];
        getBytes(offset, bytes, 0, length);
        return bytes;
    }

    @Override
    public String toString() {
        return "shared segment " + name + " (" + size + " bytes, tree " + treeId + ")";
    }

    /**
     * @return the segment's file: a machine-wide one's, or where its tree keeps it (in shared
     *     memory or spilled)
     * @throws IllegalStateException when a tree segment's file is gone
     */
    private Path file() {
        return MachineSegments.SCOPE.equals(treeId) ? MachineSegments.file(name) : trees().of(treeId).segmentFile(name);
    }

    private String key() {
        return treeId + "/" + name;
    }

    private ByteBuffer map() {
        expungeReleased();
        String key = key();
        boolean machineWide = MachineSegments.SCOPE.equals(treeId);
        // A machine-wide name can be unlinked and made again by another program, and a mapping of
        // the file it named before is not this segment; a tree segment's name is never reused.
        Object fileKey = machineWide ? MachineSegments.fileKey(name) : null;
        Mapping cached = MAPPINGS.get(key);
        ByteBuffer existing = cached == null ? null : cached.get();
        if (existing != null && cached.maps(fileKey)) {
            spilled = cached.spilled;
            return existing;
        }
        MappedByteBuffer mapped;
        try {
            mapped = mapWhereItLives();
            UnmapBudget.mappedAnew(size);
        } catch (java.nio.file.NoSuchFileException e) {
            if (machineWide) {
                throw MachineSegments.notFound(name, e);
            }
            throw new IllegalStateException("shared segment " + name + " of tree " + treeId
                    + " does not exist: it was unlinked, or every process of its tree has ended", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot map " + this + ": " + e.getMessage(), e);
        }
        Mapping fresh = new Mapping(key, mapped, spilled, fileKey);
        while (true) { // install ours unless another thread installed a live mapping of the same file meanwhile
            Mapping current = MAPPINGS.putIfAbsent(key, fresh);
            if (current == null) {
                return mapped;
            }
            ByteBuffer live = current.get();
            if (live != null && current.maps(fileKey)) {
                spilled = current.spilled;
                return live; // ours is unreachable once we return, and is unmapped by its cleaner
            }
            if (MAPPINGS.replace(key, current, fresh)) {
                return mapped;
            }
        }
    }

    /**
     * Maps the segment's file and sets {@link #spilled}. A tree's segment is opened first where it
     * lives unless spilled, as most do: the open is the look, where {@link SegmentStore#segmentFile}
     * would look first (a {@code stat}) and then open.
     */
    private MappedByteBuffer mapWhereItLives() throws IOException {
        if (!MachineSegments.SCOPE.equals(treeId)) {
            try {
                MappedByteBuffer mapped = mapFile(trees().of(treeId).unspilledSegmentFile(name), size);
                spilled = false;
                return mapped;
            } catch (java.nio.file.NoSuchFileException notThere) {
                // spilled to disk, or gone: file() tells which
            }
        }
        Path file = file();
        spilled = file.getParent().getFileName().toString().startsWith(SegmentSpace.SPILL_PREFIX);
        return mapFile(file, size);
    }

    private static MappedByteBuffer mapFile(Path file, int size) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            return mapWhole(channel, size);
        }
    }

    /**
     * Maps a segment's file as every handle of it maps it: for a store that has just made the file
     * through {@code channel}.
     *
     * @param channel the file, open for reading and writing
     * @param size its size
     * @return the first {@code size} bytes mapped read-write, in the platform's byte order
     * @throws IOException when it cannot be mapped
     */
    public static MappedByteBuffer mapWhole(FileChannel channel, long size) throws IOException {
        MappedByteBuffer mapped = channel.map(FileChannel.MapMode.READ_WRITE, 0, size);
        mapped.order(ByteOrder.nativeOrder()); // before any other thread sees it: the loads and stores read words
        return mapped;
    }

    /**
     * The JVM option ({@code --sun-misc-unsafe-memory-access=...}) by which a caller chooses how a
     * child reaches shared words, in place of {@link #childWordAccessOptions}'s.
     */
    public static final String WORD_ACCESS_OPTION = MappedWords.MEMORY_ACCESS_OPTION;

    /**
     * @return the JVM options a child of this JVM (the same {@code java}) needs to reach shared
     *     words the fast way, through {@code sun.misc.Unsafe}: on JDK 24 and later, which warn
     *     about that memory access unless told {@code --sun-misc-unsafe-memory-access=allow}, that
     *     option, unless this JVM was told another choice or its JDK no longer has the option;
     *     none before JDK 24 (see {@code MappedWords})
     */
    public static List<String> childWordAccessOptions() {
        return MappedWords.childOptions();
    }

    /**
     * Maps {@code file} as a segment's file is mapped, reads and writes its first word as a
     * segment's words are, and drops the mapping: for a spare JVM, so that the first segment its
     * child maps (the shared objects its target captured) does not pay for the first run of this
     * code. That first run initialises the word access ({@code MappedWords}, which finds
     * {@code Unsafe} by reflection) and resolves what the mapping calls. Measured on the 2-core
     * development VM, a plain program's warm starts of a child whose target captured a
     * {@code SharedLong} (24 starts, each after its spare had prepared; 3 programs each, the jars
     * interleaved): start to the target's first line, median 3.1-3.8 ms without the rehearsal,
     * 2.0-2.7 ms with it (a target that captured a string: 1.2-1.5 ms either way).
     *
     * @param file an existing file of at least 8 bytes, which this process may write (its bytes
     *     are left as they were)
     * @throws IOException when it cannot be opened or mapped
     */
    public static void rehearseMapping(Path file) throws IOException {
        ByteBuffer mapping = mapFile(file, Long.BYTES);
        MappedWords words = MappedWords.over(mapping);
        long value = words.getLong(0);
        VarHandle.fullFence();
        words.compareAndSetLong(0, value, value + 1);
        words.putLong(0, value);
        Reference.reachabilityFence(mapping);
    }

    /**
     * Pays the one-time cost of a JVM's first {@link FileChannel#map}, without a segment: for a
     * cold child's boot thread, while the main thread reads its message. A JVM's first map
     * initialises the JDK's extended map modes, through a lambda and a method handle (about 5 ms
     * in a cold child on the development VM, even with the class-data archive, which keeps the
     * classes but not their initialisation); the main thread then waited for it in the first
     * segment its target's shared objects mapped. Measured, cold starts of a target given a
     * pipe's end, 11 programs of 12 starts each interleaved with the code before (2026-12-05): the
     * pipe's ends were read in 1.4-2.2 ms instead of 5.2-5.9 (timed inside the child), and the
     * median start to first line was lower in 8 of the 11 pairs (by up to 6.5 ms; 47.0-58.9
     * against 47.9-59.8 ms): the boot thread gains only when the other processor is free. Maps
     * nothing: a map of no bytes returns before the system call. Never throws: a failure only
     * leaves the cost to the first real map.
     */
    public static void warmUpMapping() {
        try (FileChannel channel = FileChannel.open(Path.of("/proc/self/stat"), StandardOpenOption.READ)) {
            channel.map(FileChannel.MapMode.READ_ONLY, 0, 0);
        } catch (IOException | RuntimeException e) {
            // only a head start: the first real map pays it
        }
    }

    private static void expungeReleased() {
        Reference<? extends ByteBuffer> released;
        while ((released = RELEASED.poll()) != null) {
            Mapping m = (Mapping) released;
            MAPPINGS.remove(m.key, m);
        }
    }

    /**
     * A cache entry: the mapping, held weakly, its key for expunging, and for a machine-wide
     * segment the identity of the file mapped ({@link MachineSegments#fileKey}).
     */
    private static final class Mapping extends WeakReference<ByteBuffer> {
        final String key;
        final boolean spilled;
        /** The file's identity when it was mapped; null for a tree segment, or when it could not be read. */
        final Object fileKey;

        Mapping(String key, ByteBuffer mapped, boolean spilled, Object fileKey) {
            super(mapped, RELEASED);
            this.key = key;
            this.spilled = spilled;
            this.fileKey = fileKey;
        }

        /**
         * @param current the identity of the file the segment's name names now; null when unknown
         *     (a tree segment, or a machine-wide one whose file is gone: a handle that still maps
         *     it keeps using it)
         * @return whether this mapping is of that file
         */
        boolean maps(Object current) {
            return current == null || current.equals(fileKey);
        }
    }

    private static SegmentTrees trees() {
        return InstalledTrees.get();
    }

    /**
     * Counts, on the calling thread, a segment written into a message for another process: the
     * direct encoding of a handle calls it for each segment it names, and JDK serialization of a
     * segment does ({@link #writtenOnThisThread()}).
     */
    public static void countWritten() {
        WRITTEN.get()[0]++;
    }

    /**
     * @return how many segments the calling thread has written for other processes so far: two
     *     readings around a serialization tell whether what it wrote holds a shared object of
     *     this machine (a queue, a lock, a value), directly or inside another object
     */
    public static int writtenOnThisThread() {
        return WRITTEN.get()[0];
    }

    private void writeObject(ObjectOutputStream out) throws IOException {
        if (slice) {
            throw new java.io.NotSerializableException("a slice of " + this + ": send the whole segment");
        }
        countWritten();
        out.defaultWriteObject();
    }

    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
        in.defaultReadObject();
        buffer = map();
        words = MappedWords.over(buffer);
    }
}
