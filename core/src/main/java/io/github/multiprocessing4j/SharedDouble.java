package io.github.multiprocessing4j;

import io.github.multiprocessing4j.internal.statics.StaticShared;
import io.github.multiprocessing4j.spi.LongBackend;

import java.io.Serializable;
import java.util.function.DoubleUnaryOperator;

/**
 * A {@code double} in shared memory: Python's {@code multiprocessing.Value('d')}, with atomic
 * operations like {@link java.util.concurrent.atomic.AtomicLong} has for longs. Capture it in a
 * child's target and both processes see and change the same number. Every method is atomic
 * across processes and threads, never blocks, and has volatile memory semantics.
 *
 * <p>The value is stored as its raw bits ({@link Double#doubleToRawLongBits}), so
 * {@link #compareAndSet} compares raw bits: {@code 0.0} and {@code -0.0} differ, and a NaN matches
 * only the same NaN bits. {@link #addAndGet} and {@link #updateAndGet} are compare-and-set loops,
 * which never block but may retry while other threads or processes change the value.
 *
 * <p>Implementation notes. The bits live in the same one-word segment as a {@link SharedLong}'s
 * value ({@code LocalLong}, a {@link LongBackend}); only {@code get}, {@code set} and
 * {@code compareAndSet} of the backend are used (its {@code getAndAdd} would add to the bits, not
 * to the number), so no backend of its own is needed.
 */
public final class SharedDouble implements Serializable, AutoCloseable {
    private static final long serialVersionUID = 1L;

    /** Where the value's raw bits live. */
    private final LongBackend bits;

    /**
     * Creates a shared double holding {@code 0.0}.
     *
     * <p>Made by a static initialiser, it is the tree's: see
     * <a href="package-summary.html#static-fields">static fields</a>.
     *
     * @throws java.io.UncheckedIOException when the segment cannot be created or mapped
     */
    public SharedDouble() {
        this(0.0);
    }

    /**
     * Creates a shared double holding {@code initial}.
     *
     * <p>Made by a static initialiser, it is the tree's: see
     * <a href="package-summary.html#static-fields">static fields</a>.
     *
     * @param initial the value it starts with
     * @throws java.io.UncheckedIOException when the segment cannot be created or mapped
     */
    public SharedDouble(double initial) {
        this.bits = StaticShared.resolve("SharedDouble",
                () -> new LocalLong(Double.doubleToRawLongBits(initial)), LocalLong::close);
    }

    /** {@return the value} */
    public double get() {
        return Double.longBitsToDouble(bits.get());
    }

    /**
     * Sets the value.
     *
     * @param value the new value
     */
    public void set(double value) {
        bits.set(Double.doubleToRawLongBits(value));
    }

    /**
     * Sets the value and returns the one it replaced.
     *
     * @param value the new value
     * @return the value before
     */
    public double getAndSet(double value) {
        return getAndUpdate(ignored -> value);
    }

    /**
     * Sets the value to {@code value} if its raw bits are those of {@code expected}.
     *
     * @param expected the value it must have now, compared by its raw bits
     * @param value the new value
     * @return whether the value was {@code expected} and is now {@code value}
     */
    public boolean compareAndSet(double expected, double value) {
        return bits.compareAndSet(Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(value));
    }

    /**
     * Adds {@code delta} to the value (a compare-and-set loop).
     *
     * @param delta what to add (negative to subtract)
     * @return the value after adding {@code delta}
     */
    public double addAndGet(double delta) {
        return updateAndGet(current -> current + delta);
    }

    /**
     * Adds {@code delta} to the value (a compare-and-set loop).
     *
     * @param delta what to add (negative to subtract)
     * @return the value before adding {@code delta}
     */
    public double getAndAdd(double delta) {
        return getAndUpdate(current -> current + delta);
    }

    /**
     * Replaces the value with {@code update} applied to it (a compare-and-set loop: {@code update}
     * may be called more than once, so it should have no side effects).
     *
     * @param update computes the new value from the current one
     * @return the new value
     */
    public double updateAndGet(DoubleUnaryOperator update) {
        return Double.longBitsToDouble(replace(update)[1]);
    }

    /**
     * Replaces the value with {@code update} applied to it, as {@link #updateAndGet}.
     *
     * @param update computes the new value from the current one
     * @return the value before
     */
    public double getAndUpdate(DoubleUnaryOperator update) {
        return Double.longBitsToDouble(replace(update)[0]);
    }

    /** @return the raw bits before and after the update that won its compare-and-set */
    private long[] replace(DoubleUnaryOperator update) {
        while (true) {
            long before = bits.get();
            long after = Double.doubleToRawLongBits(update.applyAsDouble(Double.longBitsToDouble(before)));
            if (bits.compareAndSet(before, after)) {
                return new long[] {before, after};
            }
        }
    }

    /**
     * Removes the value's name from the tree, as {@link SharedLong#close()}: processes that
     * already use it keep using it; handles deserialized afterwards fail with
     * {@link IllegalStateException}. Without a close the value lives until every process of its
     * tree has ended.
     */
    @Override
    public void close() {
        bits.close();
    }

    /**
     * Returns the value as {@link Double#toString(double)} does.
     *
     * @return the value (a snapshot)
     */
    @Override
    public String toString() {
        return Double.toString(get());
    }
}
