package io.github.multiprocessing4j.internal.pool;

import io.github.multiprocessing4j.internal.serial.PackedValues;

import java.io.Serializable;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.RandomAccess;

/**
 * The results of a {@code map} call in input order: a fixed-size list (as
 * {@code Arrays.asList}'s: {@code set} and {@code sort} work, {@code add} and {@code remove}
 * throw) over the arrays the chunks' results came in.
 *
 * <p>Implementation notes. Not an {@code ArrayList}, because a million results in one array make
 * it a humongous object for G1, allocated in the old generation: every result it refers to then
 * survives the young collections that happen while it lives, and is copied and promoted by
 * each. Measured here, 25 maps of a million ints paused the parent for 1,000 ms and grew its
 * old generation to 700 MB with an {@code ArrayList}, 200 ms and 100 MB with this list, whose
 * arrays (one per chunk) are ordinary young objects. Serialized, it is an {@code ArrayList}.
 *
 * <p>A chunk of int, long or double results (they come in the packed layout) is kept as an
 * {@code int[]}, {@code long[]} or {@code double[]} ({@link PackedValues}), and {@link #get} boxes
 * the value it reads, as {@code valueOf} does: the collector thread then makes no object per
 * result, and a million results are 4 or 8 MB without pointers for the collector to trace, rather
 * than a million objects that each young collection copies while the call lasts. Measured from a
 * default-flags JVM mapping {@code x -> x * x} over a million ints with two workers, the parent's
 * CPU for the third call fell from 170-260 ms to 60-80 ms (with the workers' smaller young
 * generation, see {@code ChildCommand}). Two reads of one place give equal boxes, not always the
 * same one; results come from another process, where identity meant nothing anyway.
 * {@link #set} on such a chunk boxes it first.
 *
 * @param <R> the result type
 */
final class ResultList<R> extends AbstractList<R> implements RandomAccess, Serializable {
    private static final long serialVersionUID = 1L;

    /** One per chunk, an {@code Object[]} or a packed array; every one but the last holds {@code perArray} results. */
    private final transient Object[] arrays;
    private final transient int perArray;
    private final transient int size;

    /** @param arrays the results, an {@code Object[]} or a packed array per chunk, every one but the last of the same length */
    ResultList(List<?> arrays) {
        this(arrays.toArray());
    }

    /** @param arrays as for the other constructor; the list keeps this array */
    ResultList(Object[] arrays) {
        this.arrays = arrays;
        int n = arrays.length;
        this.perArray = n == 0 ? 1 : PackedValues.length(arrays[0]);
        this.size = n == 0 ? 0 : Math.addExact(Math.multiplyExact(perArray, n - 1), PackedValues.length(arrays[n - 1]));
    }

    @Override
    @SuppressWarnings("unchecked")
    public R get(int index) {
        Objects.checkIndex(index, size);
        Object array = arrays[index / perArray];
        if (array instanceof Object[]) {
            return (R) ((Object[]) array)[index % perArray];
        }
        return (R) PackedValues.get(array, index % perArray);
    }

    @Override
    @SuppressWarnings("unchecked")
    public R set(int index, R value) {
        Objects.checkIndex(index, size);
        Object[] array = boxed(index / perArray);
        R old = (R) array[index % perArray];
        array[index % perArray] = value;
        return old;
    }

    /** @return the results of chunk {@code k} as objects, boxing them first if they are packed */
    private Object[] boxed(int k) {
        arrays[k] = PackedValues.boxed(arrays[k]);
        return (Object[]) arrays[k];
    }

    @Override
    public int size() {
        return size;
    }

    private Object writeReplace() {
        return new ArrayList<>(this);
    }
}
