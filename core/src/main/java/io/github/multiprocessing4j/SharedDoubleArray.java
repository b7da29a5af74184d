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
public final class SharedDoubleArray implements Serializable, AutoCloseable {
    private static final long serialVersionUID = 1L;

    private final WordArray words;

    /**
     * Creates an array of {@code length} zeros ({@code 0.0}) in the calling process's tree.
     *
     * <p>Made by a static initialiser, it is the tree's: see
     * <a href="package-summary.html#static-fields">static fields</a>.
     *
     * @throws IllegalArgumentException when {@code length} is negative (or over 2^28 - 1, which
     *     would not fit in a 2 GiB segment)
     * @throws java.io.UncheckedIOException when the segment cannot be created or mapped
     */
    public SharedDoubleArray(int length) {
        this.words = StaticShared.resolve("SharedDoubleArray", () -> WordArray.create("doubles", length), WordArray::unlink);
    }

    /**
     * Creates an array holding a copy of {@code initial}.
     *
     * <p>Made by a static initialiser, it is the tree's: see
     * <a href="package-summary.html#static-fields">static fields</a>.
     *
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
    }

    /** @return the number of elements (fixed at creation) */
    public int length() {
        return words.length();
    }

    /**
     * @return element {@code i} (a volatile read)
     * @throws IndexOutOfBoundsException when {@code i} is not in {@code [0, length())}
     */
    public double get(int i) {
        return Double.longBitsToDouble(words.get(i));
    }

    /**
     * Sets element {@code i} (a volatile write).
     *
     * @throws IndexOutOfBoundsException when {@code i} is not in {@code [0, length())}
     */
    public void set(int i, double value) {
        words.set(i, Double.doubleToRawLongBits(value));
    }

    /**
     * Sets element {@code i} to {@code value} if its raw bits are those of {@code expected},
     * atomically.
     *
     * @return whether it was {@code expected} (and is now {@code value})
     * @throws IndexOutOfBoundsException when {@code i} is not in {@code [0, length())}
     */
    public boolean compareAndSet(int i, double expected, double value) {
        return words.compareAndSet(i, Double.doubleToRawLongBits(expected),
                Double.doubleToRawLongBits(value));
    }

    /**
     * Adds {@code delta} to element {@code i}, atomically (a compare-and-set loop: never blocks,
     * retries while other threads or processes change the element).
     *
     * @return the element's value after the addition
     * @throws IndexOutOfBoundsException when {@code i} is not in {@code [0, length())}
     */
    public double addAndGet(int i, double delta) {
        while (true) {
            long bits = words.get(i);
            double next = Double.longBitsToDouble(bits) + delta;
            if (words.compareAndSet(i, bits, Double.doubleToRawLongBits(next))) {
                return next;
            }
        }
    }

    /**
     * @return a copy of the elements, each read atomically, the whole not at one instant (other
     *     processes may change elements while it is being read)
     */
    public double[] toArray() {
        long[] bits = words.toArray();
        double[] copy = new double[bits.length];
        for (int i = 0; i < bits.length; i++) {
            copy[i] = Double.longBitsToDouble(bits[i]);
        }
        return copy;
    }

    /**
     * Removes the array's name from the tree (see {@link SharedLongArray#close()}). Idempotent;
     * never blocks.
     */
    @Override
    public void close() {
        words.unlink();
    }

    @Override
    public String toString() {
        return java.util.Arrays.toString(toArray());
    }

}
