package io.github.multiprocessing4j.internal.pool;

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
 * @param <R> the result type
 */
final class ResultList<R> extends AbstractList<R> implements RandomAccess, Serializable {
    private static final long serialVersionUID = 1L;

    /** Every array but the last holds {@code perArray} results. */
    private final transient Object[][] arrays;
    private final transient int perArray;
    private final transient int size;

    /** @param arrays the results, every array but the last of the same length */
    ResultList(List<Object[]> arrays) {
        this.arrays = arrays.toArray(new Object[0][]);
        this.perArray = this.arrays.length == 0 ? 1 : this.arrays[0].length;
        int total = 0;
        for (Object[] a : this.arrays) {
            total += a.length;
        }
        this.size = total;
    }

    @Override
    @SuppressWarnings("unchecked")
    public R get(int index) {
        Objects.checkIndex(index, size);
        return (R) arrays[index / perArray][index % perArray];
    }

    @Override
    @SuppressWarnings("unchecked")
    public R set(int index, R value) {
        Objects.checkIndex(index, size);
        Object[] array = arrays[index / perArray];
        R old = (R) array[index % perArray];
        array[index % perArray] = value;
        return old;
    }

    @Override
    public int size() {
        return size;
    }

    private Object writeReplace() {
        return new ArrayList<>(this);
    }
}
