package io.github.multiprocessing4j;

import io.github.multiprocessing4j.internal.shm.WordArray;
import io.github.multiprocessing4j.internal.statics.StaticShared;

import java.io.Serializable;

/**
 * A fixed-length array of {@code double}s in shared memory: Python's
 * {@code multiprocessing.Array('d', ...)} without its lock, with element-wise atomic operations.
 * Capture it in a child's target (or send it to another process of the tree) and both processes
 * see and change the same elements.
 *
 * <p>Each element is stored as its raw bits ({@link Double#doubleToRawLongBits}). Every method on
 * one element is atomic across processes and threads and has volatile memory semantics;
 * {@link #compareAndSet} compares raw bits (so {@code 0.0} and {@code -0.0} differ, and a NaN
 * matches only the same NaN bits), and {@link #addAndGet} is a compare-and-set loop, which never
 * blocks but may retry under contention. {@link #toArray()} is not atomic as a whole. Layout:
 * {@code internal.shm.ArrayDescriptor} (element {@code i} at byte {@code 8*i}).
 */
public final class SharedDoubleArray implements Serializable, Unlinkable {
    private static final long serialVersionUID = 1L;

    /** The elements' shared memory (their raw bits), found by its name in every process. */
    private final WordArray words;
    /** This handle's use in this process. */
    private final ProcessUse use;

    /**
     * Creates an array of {@code length} zeros ({@code 0.0}) in the calling process's tree.
     *
     * <p>Made by a static initialiser, it is the tree's: see
     * <a href="package-summary.html#static-fields">static fields</a>.
     *
     * @param length the number of elements, fixed for the array's life
     * @throws IllegalArgumentException when {@code length} is negative (or over 2^28 - 1, which
     *     would not fit in a 2 GiB segment)
     * @throws java.io.UncheckedIOException when the segment cannot be created or mapped
     */
    public SharedDoubleArray(int length) {
        this.words = StaticShared.resolve("SharedDoubleArray", () -> WordArray.create("doubles", length), WordArray::unlink);
        this.use = ProcessUse.ofNew("SharedDoubleArray");
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
    public SharedDoubleArray(double[] initial) {
        this.words = StaticShared.resolve("SharedDoubleArray", () -> {
            WordArray made = WordArray.create("doubles", initial.length);
            for (int i = 0; i < initial.length; i++) {
                made.set(i, Double.doubleToRawLongBits(initial[i]));
            }
            return made;
        }, WordArray::unlink);
        this.use = ProcessUse.ofNew("SharedDoubleArray");
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
    public double get(int i) {
        return Double.longBitsToDouble(open().get(i));
    }

    /**
     * Sets element {@code i} (a volatile write).
     *
     * @param i the element's index
     * @param value the element's new value
     * @throws IndexOutOfBoundsException when {@code i} is not in {@code [0, length())}
     */
    public void set(int i, double value) {
        open().set(i, Double.doubleToRawLongBits(value));
    }

    /**
     * Sets element {@code i} to {@code value} if its raw bits are those of {@code expected},
     * atomically.
     *
     * @param i the element's index
     * @param expected the value the element must have now, compared by its raw bits
     * @param value the element's new value
     * @return whether it was {@code expected} (and is now {@code value})
     * @throws IndexOutOfBoundsException when {@code i} is not in {@code [0, length())}
     */
    public boolean compareAndSet(int i, double expected, double value) {
        return open().compareAndSet(i, Double.doubleToRawLongBits(expected),
                Double.doubleToRawLongBits(value));
    }

    /**
     * Adds {@code delta} to element {@code i}, atomically (a compare-and-set loop: never blocks,
     * retries while other threads or processes change the element).
     *
     * @param i the element's index
     * @param delta what to add (negative to subtract)
     * @return the element's value after the addition
     * @throws IndexOutOfBoundsException when {@code i} is not in {@code [0, length())}
     */
    public double addAndGet(int i, double delta) {
        while (true) {
            long bits = open().get(i);
            double next = Double.longBitsToDouble(bits) + delta;
            if (open().compareAndSet(i, bits, Double.doubleToRawLongBits(next))) {
                return next;
            }
        }
    }

    /**
     * Copies the elements into a new array, each read atomically, the whole not at one instant
     * (other processes may change elements while it is being read).
     *
     * @return the copy
     */
    public double[] toArray() {
        long[] bits = open().toArray();
        double[] copy = new double[bits.length];
        for (int i = 0; i < bits.length; i++) {
            copy[i] = Double.longBitsToDouble(bits[i]);
        }
        return copy;
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
     * Lists the elements as {@link java.util.Arrays#toString(double[])} does, read as
     * {@link #toArray()} reads them.
     *
     * @return the elements, in brackets
     */
    @Override
    public String toString() {
        return use.isClosed() ? "SharedDoubleArray(closed in this process)" : java.util.Arrays.toString(toArray());
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
    SharedDoubleArray(WordArray words, ProcessUse use) {
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
