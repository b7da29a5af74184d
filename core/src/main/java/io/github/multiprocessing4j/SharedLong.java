package io.github.multiprocessing4j;

import io.github.multiprocessing4j.internal.shm.SharedSegment;

import java.io.Serializable;

/**
 * A {@code long} in shared memory: Python's {@code multiprocessing.Value('q')}, with atomic
 * operations like {@link java.util.concurrent.atomic.AtomicLong}. Capture it in a child's target
 * and both processes see and change the same number. Every method is atomic across processes
 * and threads, never blocks, and has volatile memory semantics.
 *
 * <p>Layout: one 8-byte word at offset 0 of its segment.
 */
public final class SharedLong implements Serializable, AutoCloseable {
    private static final long serialVersionUID = 1L;
    private static final int VALUE = 0;

    private final SharedSegment segment;

    /** Creates a shared long holding 0. */
    public SharedLong() {
        this(0);
    }

    /** Creates a shared long holding {@code initial}. */
    public SharedLong(long initial) {
        segment = SharedSegment.create("long", Long.BYTES);
        segment.setLongVolatile(VALUE, initial);
    }

    /** @return the value */
    public long get() {
        return segment.getLongVolatile(VALUE);
    }

    /** Sets the value. */
    public void set(long value) {
        segment.setLongVolatile(VALUE, value);
    }

    /** @return the value after adding 1 */
    public long incrementAndGet() {
        return segment.getAndAddLong(VALUE, 1) + 1;
    }

    /** @return the value after adding {@code delta} */
    public long addAndGet(long delta) {
        return segment.getAndAddLong(VALUE, delta) + delta;
    }

    /** @return the value before adding {@code delta} */
    public long getAndAdd(long delta) {
        return segment.getAndAddLong(VALUE, delta);
    }

    /** @return whether the value was {@code expected} and is now {@code value} */
    public boolean compareAndSet(long expected, long value) {
        return segment.compareAndSetLong(VALUE, expected, value);
    }

    /** Removes the value's name from the tree (see {@link ProcessLock#close()}). */
    @Override
    public void close() {
        segment.unlink();
    }

    @Override
    public String toString() {
        return Long.toString(get());
    }
}
