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
public final class SharedDouble implements Serializable, Unlinkable {
    private static final long serialVersionUID = 1L;

    /** Where the value's raw bits live. */
    private final LongBackend bits;
    /** This handle's use in this process. */
    private final ProcessUse use;

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
        this.use = ProcessUse.ofNew("SharedDouble");
    }

    /** {@return the value} */
    public double get() {
        return Double.longBitsToDouble(open().get());
    }

    /**
     * Sets the value.
     *
     * @param value the new value
     */
    public void set(double value) {
        open().set(Double.doubleToRawLongBits(value));
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
        return open().compareAndSet(Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(value));
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
            long before = open().get();
            long after = Double.doubleToRawLongBits(update.applyAsDouble(Double.longBitsToDouble(before)));
            if (open().compareAndSet(before, after)) {
                return new long[] {before, after};
            }
        }
    }

    /**
     * Ends this process's use of the value through this handle (Python's {@code close()}): its
     * further use here throws {@link IllegalStateException}; the other processes keep using
     * it. Its shared memory goes now when no other process can have it (this handle was
     * made here, outside a static initialiser, and never sent to another process), else with
     * {@link #unlink()} or when the last process of its tree ends: which processes hold a shared
     * object is not tracked. Idempotent; never blocks.
     */
    @Override
    public void close() {
        if (use.close()) {
            bits.close();
        }
    }

    /**
     * Removes the value's name from the tree, for every process (as
     * {@link SharedMemory#unlink()}): handles that exist keep working until they are closed, and
     * the memory goes when the last of them is gone; handles received or deserialized afterwards
     * fail with {@link IllegalStateException}. Works on a closed handle; idempotent; never
     * blocks.
     */
    @Override
    public void unlink() {
        bits.close();
    }

    /**
     * Returns the value as {@link Double#toString(double)} does.
     *
     * @return the value (a snapshot)
     */
    @Override
    public String toString() {
        return use.isClosed() ? "SharedDouble(closed in this process)" : Double.toString(get());
    }

    /**
     * @return the state, for an operation through this handle
     * @throws IllegalStateException when this handle was closed in this process
     */
    private LongBackend open() {
        use.checkOpen();
        return bits;
    }

    /** A handle read from another process's message ({@link HandleWire}). */
    SharedDouble(LocalLong bits, ProcessUse use) {
        this.bits = bits;
        this.use = use;
    }

    /** @return where the value's raw bits live */
    LongBackend backend() {
        return bits;
    }

    /** @return this handle's use in this process */
    ProcessUse use() {
        return use;
    }
}
