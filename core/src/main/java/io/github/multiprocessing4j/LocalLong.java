package io.github.multiprocessing4j;

import io.github.multiprocessing4j.internal.shm.SharedSegment;
import io.github.multiprocessing4j.spi.LongBackend;

/** A {@link SharedLong}'s value in shared memory: one 8-byte word at offset 0 of its segment. */
final class LocalLong implements LongBackend {
    private static final long serialVersionUID = 1L;
    private static final int VALUE = 0;

    private final SharedSegment segment;

    LocalLong(long initial) {
        this(SharedSegment.create("long", Long.BYTES));
        segment.setLongVolatile(VALUE, initial);
    }

    /** @param segment the value's segment, made here or received from another process */
    LocalLong(SharedSegment segment) {
        this.segment = segment;
    }

    /** @return the value's segment */
    SharedSegment segment() {
        return segment;
    }

    @Override
    public long get() {
        return segment.getLongVolatile(VALUE);
    }

    @Override
    public void set(long value) {
        segment.setLongVolatile(VALUE, value);
    }

    @Override
    public long getAndAdd(long delta) {
        return segment.getAndAddLong(VALUE, delta);
    }

    @Override
    public boolean compareAndSet(long expected, long value) {
        return segment.compareAndSetLong(VALUE, expected, value);
    }

    @Override
    public void close() {
        segment.unlink();
    }
}
