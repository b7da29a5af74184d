package io.github.multiprocessing4j;

import io.github.multiprocessing4j.internal.shm.WordArray;
import io.github.multiprocessing4j.internal.statics.StaticShared;

import java.io.Serializable;

/**
 * A fixed-length array of {@code long}s in shared memory: Python's
 * {@code multiprocessing.Array('q', ...)} without its lock, with element-wise atomic operations
 * like {@link java.util.concurrent.atomic.AtomicLongArray}. Capture it in a child's target (or
 * send it to another process of the tree) and both processes see and change the same elements.
 *
 * <p>Every method on one element is atomic across processes and threads, never blocks, and has
 * volatile memory semantics. Operations on several elements ({@link #toArray()}) are not atomic
 * as a whole: guard them with a {@link ProcessLock} when they must be. Layout:
 * {@code internal.shm.ArrayDescriptor} (element {@code i} at byte {@code 8*i}).
 */
public final class SharedLongArray implements Serializable, Unlinkable {
    private static final long serialVersionUID = 1L;

    /** The elements' shared memory, found by its name in every process. */
    private final WordArray words;
    /** This handle's use in this process. */
    private final ProcessUse use;

    /**
     * Creates an array of {@code length} zeros in the calling process's tree.
     *
     * <p>Made by a static initialiser, it is the tree's: see
     * <a href="package-summary.html#static-fields">static fields</a>.
     *
     * @param length the number of elements, fixed for the array's life
     * @throws IllegalArgumentException when {@code length} is negative (or over 2^28 - 1, which
     *     would not fit in a 2 GiB segment)
     * @throws java.io.UncheckedIOException when the segment cannot be created or mapped
     */
    public SharedLongArray(int length) {
        this.words = StaticShared.resolve("SharedLongArray", () -> WordArray.create("longs", length), WordArray::unlink);
        this.use = ProcessUse.ofNew("SharedLongArray");
    }

    /**
     * Creates an array holding a copy of {@code initial}.
     *
     * <p>Made by a static initialiser, it is the tree's: see
     * <a href="package-summary.html#static-fields">static fields</a>.
     *
     * @param initial the elements it starts with; their number is the array's length
     * @throws NullPointerException when {@code initial} is null
     * @throws java.io.UncheckedIOException when the segment cannot be created or mapped
     */
    public SharedLongArray(long[] initial) {
        this.words = StaticShared.resolve("SharedLongArray", () -> {
            WordArray made = WordArray.create("longs", initial.length);
            for (int i = 0; i < initial.length; i++) {
                made.set(i, initial[i]);
            }
            return made;
        }, WordArray::unlink);
        this.use = ProcessUse.ofNew("SharedLongArray");
    }

    /** {@return the number of elements} It is fixed at creation. */
    public int length() {
        return open().length();
    }

    /**
     * Returns element {@code i} (a volatile read).
     *
     * @param i the element's index
     * @return the element's value
     * @throws IndexOutOfBoundsException when {@code i} is not in {@code [0, length())}
     */
    public long get(int i) {
        return open().get(i);
    }

    /**
     * Sets element {@code i} (a volatile write).
     *
     * @param i the element's index
     * @param value the element's new value
     * @throws IndexOutOfBoundsException when {@code i} is not in {@code [0, length())}
     */
    public void set(int i, long value) {
        open().set(i, value);
    }

    /**
     * Sets element {@code i} to {@code value} if it is {@code expected}, atomically.
     *
     * @param i the element's index
     * @param expected the value the element must have now
     * @param value the element's new value
     * @return whether it was {@code expected} (and is now {@code value})
     * @throws IndexOutOfBoundsException when {@code i} is not in {@code [0, length())}
     */
    public boolean compareAndSet(int i, long expected, long value) {
        return open().compareAndSet(i, expected, value);
    }

    /**
     * Adds {@code delta} to element {@code i}, atomically.
     *
     * @param i the element's index
     * @param delta what to add (negative to subtract)
     * @return the element's value before the addition
     * @throws IndexOutOfBoundsException when {@code i} is not in {@code [0, length())}
     */
    public long getAndAdd(int i, long delta) {
        return open().getAndAdd(i, delta);
    }

    /**
     * Adds {@code delta} to element {@code i}, atomically.
     *
     * @param i the element's index
     * @param delta what to add (negative to subtract)
     * @return the element's value after the addition
     * @throws IndexOutOfBoundsException when {@code i} is not in {@code [0, length())}
     */
    public long addAndGet(int i, long delta) {
        return open().getAndAdd(i, delta) + delta;
    }

    /**
     * Copies the elements into a new array, each read atomically, the whole not at one instant
     * (other processes may change elements while it is being read).
     *
     * @return the copy
     */
    public long[] toArray() {
        return open().toArray();
    }

    /**
     * Ends this process's use of the array through this handle (Python's {@code close()}): its
     * further use here throws {@link IllegalStateException}; the other processes keep using
     * it. Its shared memory goes now when no other process can have it (this handle was
     * made here, outside a static initialiser, and never sent to another process), else with
     * {@link #unlink()} or when the last process of its tree ends: which processes hold a shared
     * object is not tracked. Idempotent; never blocks.
     */
    @Override
    public void close() {
        if (use.close()) {
            words.unlink();
        }
    }

    /**
     * Removes the array's name from the tree, for every process (as
     * {@link SharedMemory#unlink()}): handles that exist keep working until they are closed, and
     * the memory goes when the last of them is gone; handles received or deserialized afterwards
     * fail with {@link IllegalStateException}. Works on a closed handle; idempotent; never
     * blocks.
     */
    @Override
    public void unlink() {
        words.unlink();
    }

    /**
     * Lists the elements as {@link java.util.Arrays#toString(long[])} does, read as
     * {@link #toArray()} reads them.
     *
     * @return the elements, in brackets
     */
    @Override
    public String toString() {
        return use.isClosed() ? "SharedLongArray(closed in this process)" : java.util.Arrays.toString(toArray());
    }


    /**
     * @return the state, for an operation through this handle
     * @throws IllegalStateException when this handle was closed in this process
     */
    private WordArray open() {
        use.checkOpen();
        return words;
    }

    /** A handle read from another process's message ({@link HandleWire}). */
    SharedLongArray(WordArray words, ProcessUse use) {
        this.words = words;
        this.use = use;
    }

    /** @return the words */
    WordArray words() {
        return words;
    }

    /** @return this handle's use in this process */
    ProcessUse use() {
        return use;
    }
}
