package io.github.multiprocessing4j;

import io.github.multiprocessing4j.internal.process.ProcessContext;
import io.github.multiprocessing4j.internal.shm.MachineSegments;
import io.github.multiprocessing4j.internal.shm.SharedSegment;
import io.github.multiprocessing4j.internal.statics.StaticShared;

import java.io.Serializable;
import java.nio.ByteBuffer;

/**
 * A named block of raw shared memory: Python's {@code multiprocessing.shared_memory.SharedMemory}.
 * One process {@linkplain #create creates} it; any process of the same tree reaches it by
 * {@linkplain #attach attaching} to its {@linkplain #name() name}, or by receiving the handle
 * (it is {@link Serializable}: capture it in a child's target). All of them see the same bytes
 * through {@link #buffer()}.
 *
 * <pre>{@code
 * SharedMemory shm = SharedMemory.create(1024);
 * String name = shm.name();
 * new ChildProcess(() -> {
 *     try (SharedMemory mine = SharedMemory.attach(name)) {
 *         mine.buffer().putInt(0, 42);
 *     }
 * }).start();
 * }</pre>
 *
 * <p>As in Python, {@link #close()} and {@link #unlink()} are separate: {@code close()} ends the
 * use of this handle in this process; {@code unlink()}, called once by whoever owns the block,
 * removes its name so that no process can attach any more (processes that have it keep using it).
 * Without {@code unlink()} the block lives until every process of its tree has ended, then it
 * is removed, however the tree ended.
 *
 * <p><b>Named blocks for unrelated programs.</b> {@link #createNamed} makes a block under a name
 * the caller chooses, which any program of the same user on the same machine opens with
 * {@link #attachNamed}, whether or not it uses processes of its own (Python's
 * {@code SharedMemory(name=..., create=True, size=n)} and {@code SharedMemory(name=...)}). Such a
 * block belongs to no tree: it is the file {@code /dev/shm/mp4j-named-NAME} (in the temp
 * directory where {@code /dev/shm} is missing or not writable), mode 0600, and it outlives the
 * program that made it and every program that used it, until one of them calls {@link #unlink()}.
 * A program that forgets to unlink leaves it in memory until the machine restarts or someone
 * removes the file. Names of tree blocks and named blocks never meet: {@link #attach} finds only
 * the former, {@link #attachNamed} only the latter.
 *
 * <p>The bytes are plain memory: reads and writes through the buffer are not atomic and not
 * ordered between processes. Publish data with a {@link ProcessLock}, a {@link SharedLong} or
 * another synchronisation object, as with Python's shared memory.
 */
public final class SharedMemory implements Serializable, Unlinkable {
    private static final long serialVersionUID = 1L;

    /** The block, found by its name in every process. */
    private final SharedSegment segment;
    private transient volatile boolean closed;

    private SharedMemory(SharedSegment segment) {
        this.segment = segment;
    }

    /** @return the handle of a block read from another process's message ({@link HandleWire}) */
    static SharedMemory received(SharedSegment segment) {
        return new SharedMemory(segment);
    }

    /** @return the block's segment */
    SharedSegment segment() {
        return segment;
    }

    /**
     * Creates a zero-filled block of {@code size} bytes in the calling process's tree, under a new
     * unique name. Never blocks for long (creates and maps a file).
     *
     * <p>Made by a static initialiser, it is the tree's: see
     * <a href="package-summary.html#static-fields">static fields</a>.
     *
     * @param size its size in bytes (zero is allowed)
     * @return a handle to the new block
     * @throws IllegalArgumentException when {@code size} is negative
     * @throws java.io.UncheckedIOException when the block cannot be created or mapped
     */
    public static SharedMemory create(int size) {
        if (size < 0) {
            throw new IllegalArgumentException("a shared memory block's size must not be negative: " + size);
        }
        return new SharedMemory(StaticShared.resolve("SharedMemory", () -> SharedSegment.create("memory", size), SharedSegment::unlink));
    }

    /**
     * Attaches to the block called {@code name} of the calling process's tree (created by this
     * process or by any other of the tree, and not unlinked). Never blocks for long.
     *
     * @param name the block's {@link #name()}
     * @return a handle to the block
     * @throws IllegalStateException when the tree has no block of that name: it was never
     *     created, was unlinked, or belongs to another tree
     * @throws java.io.UncheckedIOException when the block exists but cannot be mapped
     */
    public static SharedMemory attach(String name) {
        return new SharedMemory(SharedSegment.attach(ProcessContext.current().registry().treeId(), name));
    }

    /**
     * Creates a zero-filled block of {@code size} bytes called {@code name} on this machine, for
     * any program of the same user to {@link #attachNamed attach}: see "Named blocks" above. It
     * lives until someone calls {@link #unlink()}, past the end of this program. Python's
     * {@code SharedMemory(name=name, create=True, size=size)}. Never blocks for long (creates and
     * maps a file). Unlike {@link #create}, a static initialiser that calls it in several
     * processes of one tree makes the block once, in the first, and the others get that block
     * (see <a href="package-summary.html#static-fields">static fields</a>).
     *
     * @param name the block's name: 1 to 200 characters among ASCII letters, digits, '.', '_'
     *     and '-'
     * @param size its size in bytes (zero is allowed)
     * @return a handle to the new block
     * @throws IllegalArgumentException when {@code size} is negative or the name is not valid
     * @throws IllegalStateException when a block of that name exists already (Python's
     *     {@code FileExistsError}); its cause is a {@link java.nio.file.FileAlreadyExistsException}
     * @throws java.io.UncheckedIOException when the block cannot be created or mapped
     */
    public static SharedMemory createNamed(String name, int size) {
        if (size < 0) {
            throw new IllegalArgumentException("a shared memory block's size must not be negative: " + size);
        }
        MachineSegments.checkName(name);
        return new SharedMemory(StaticShared.resolve("SharedMemory",
                () -> SharedSegment.createOnMachine(name, size), SharedSegment::unlink));
    }

    /**
     * Attaches to the block called {@code name} on this machine, made by {@link #createNamed} in
     * this program or any other of the same user, and not unlinked. Python's
     * {@code SharedMemory(name=name)}. Never blocks for long; needs no process tree.
     *
     * @param name the name the block was created with
     * @return a handle to the block, of the size it was created with
     * @throws IllegalArgumentException when the name is not valid (see {@link #createNamed})
     * @throws IllegalStateException when there is no block of that name (Python's
     *     {@code FileNotFoundError}): it was never created or was unlinked; its cause is a
     *     {@link java.nio.file.NoSuchFileException}
     * @throws java.io.UncheckedIOException when the block exists but cannot be mapped
     */
    public static SharedMemory attachNamed(String name) {
        MachineSegments.checkName(name); // a user's name: never a named lock's segment
        return new SharedMemory(SharedSegment.attachOnMachine(name));
    }

    /**
     * {@return the block's name: unique in its tree, for {@link #attach}; or, for a named block,
     * the name it was created with, for {@link #attachNamed}}
     */
    public String name() {
        return segment.name();
    }

    /** {@return the block's size in bytes} */
    public int size() {
        return segment.size();
    }

    /**
     * Returns a view of the whole block: the bytes are shared with every process that uses the
     * block; position, limit and mark are the view's own (a new view each call, position 0,
     * limit {@link #size()}, the platform's byte order). A view stays usable after
     * {@link #close()} of this handle: the memory is released only when no handle and no view of
     * it is reachable any more.
     *
     * @return a new view of the whole block
     * @throws IllegalStateException when this handle is closed
     */
    public ByteBuffer buffer() {
        if (closed) {
            throw new IllegalStateException("shared memory " + name() + " is closed in this process");
        }
        return segment.buffer();
    }

    /**
     * Ends the use of this handle: {@link #buffer()} fails from now on. The block itself stays (see
     * {@link #unlink()}); other handles, in this process or others, are not affected. The memory
     * mapping goes when this handle and its views are unreachable (Java has no safe explicit
     * unmap). Idempotent; never blocks.
     */
    @Override
    public void close() {
        closed = true;
    }

    /**
     * Removes the block's name from its tree, or from the machine for a named block:
     * {@link #attach} (or {@link #attachNamed}) fails from now on, while every handle that exists
     * (in any process) keeps working, and the memory goes when the last of them is gone. Python's
     * {@code unlink()}; call it once, from the process that owns the block (after it, the same
     * name can be {@linkplain #createNamed created} again). Idempotent; never blocks; works on a
     * closed handle.
     */
    @Override
    public void unlink() {
        segment.unlink();
    }

    /**
     * Describes the handle for logs and debuggers: the block's name and size, and whether this
     * handle is closed.
     *
     * @return the description
     */
    @Override
    public String toString() {
        return "SharedMemory(" + name() + ", " + size() + " bytes" + (closed ? ", closed)" : ")");
    }
}
