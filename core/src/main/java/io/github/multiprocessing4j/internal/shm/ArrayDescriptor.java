package io.github.multiprocessing4j.internal.shm;

/**
 * Layout of a shared array of 8-byte elements ({@code SharedLongArray}, {@code SharedDoubleArray})
 * in its segment: the elements, one after the other, nothing else. The length is the segment's
 * size divided by 8 and travels in the handle.
 *
 * <pre>
 *  0               8               16                      8*(length-1)    8*length
 *  +---------------+---------------+---- ... --------------+---------------+
 *  | element 0     | element 1     |                       | element n-1   |
 *  +---------------+---------------+---- ... --------------+---------------+
 *
 *  element i    a long (SharedLongArray) or the raw bits of a double
 *               (Double.doubleToRawLongBits, SharedDoubleArray), in the platform's byte order,
 *               8-aligned: read and written with volatile semantics, changed by compare-and-set
 *               or getAndAdd, each atomically across processes. No element shares a word with
 *               another, so elements never interfere.
 * </pre>
 */
public final class ArrayDescriptor {
    /** Bytes an element takes; every element is aligned on it. */
    public static final int ELEMENT_SIZE = Long.BYTES;
    /** The largest length whose segment fits in 2 GiB - 1 bytes. */
    public static final int MAX_LENGTH = Integer.MAX_VALUE / ELEMENT_SIZE;

    private ArrayDescriptor() {
    }

    /** @return the offset of element {@code index} */
    public static int offset(int index) {
        return index * ELEMENT_SIZE;
    }

    /**
     * @return the segment size of an array of {@code length} elements
     * @throws IllegalArgumentException when {@code length} is negative or over {@link #MAX_LENGTH}
     */
    public static int sizeFor(int length) {
        if (length < 0 || length > MAX_LENGTH) {
            throw new IllegalArgumentException("a shared array's length must be between 0 and " + MAX_LENGTH
                    + ", not " + length);
        }
        return length * ELEMENT_SIZE;
    }
}
