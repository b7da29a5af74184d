package io.github.multiprocessing4j.internal.shm;

import java.io.Serializable;
import java.util.Objects;

/**
 * An array of 8-byte words in a segment of its own, laid out by {@link ArrayDescriptor}, with
 * bounds-checked atomic access: what {@code SharedLongArray} and {@code SharedDoubleArray} share
 * (the second stores raw double bits). Serializable as its segment handle and length.
 */
public final class WordArray implements Serializable {
    private static final long serialVersionUID = 1L;

    private final SharedSegment segment;
    private final int length;

    private WordArray(SharedSegment segment, int length) {
        this.segment = segment;
        this.length = length;
    }

    /**
     * Creates {@code length} zero words in the calling process's tree.
     *
     * @param kind a short word for what it holds, part of the segment's name
     * @throws IllegalArgumentException when {@code length} is negative or too large for 2 GiB
     */
    public static WordArray create(String kind, int length) {
        return new WordArray(SharedSegment.create(kind, ArrayDescriptor.sizeFor(length)), length);
    }

    /**
     * The handle another process sent of its array, as JDK deserialization gives it: for the
     * direct encoding of handles.
     *
     * @param segment the array's segment ({@link #segment()} there)
     * @param length its number of words
     */
    public static WordArray received(SharedSegment segment, int length) {
        return new WordArray(segment, length);
    }

    /** @return the segment the words live in */
    public SharedSegment segment() {
        return segment;
    }

    /** @return the number of words */
    public int length() {
        return length;
    }

    /**
     * Every access below is atomic across processes, has volatile semantics and never blocks.
     *
     * @return word {@code i}
     * @throws IndexOutOfBoundsException for an index outside {@code [0, length)} (so do the others)
     */
    public long get(int i) {
        return segment.getLongVolatile(offset(i));
    }

    /** Sets word {@code i}. */
    public void set(int i, long value) {
        segment.setLongVolatile(offset(i), value);
    }

    /** @return whether word {@code i} was {@code expected} and is now {@code value} */
    public boolean compareAndSet(int i, long expected, long value) {
        return segment.compareAndSetLong(offset(i), expected, value);
    }

    /** @return word {@code i} before adding {@code delta} to it */
    public long getAndAdd(int i, long delta) {
        return segment.getAndAddLong(offset(i), delta);
    }

    /** @return a copy of the words, each read atomically, the whole not at one instant */
    public long[] toArray() {
        long[] copy = new long[length];
        for (int i = 0; i < length; i++) {
            copy[i] = segment.getLongVolatile(ArrayDescriptor.offset(i));
        }
        return copy;
    }

    /** Removes the segment's name ({@link SharedSegment#unlink()}). */
    public void unlink() {
        segment.unlink();
    }

    private int offset(int i) {
        return ArrayDescriptor.offset(Objects.checkIndex(i, length));
    }
}
