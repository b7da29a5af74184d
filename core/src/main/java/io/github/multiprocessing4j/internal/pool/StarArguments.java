package io.github.multiprocessing4j.internal.pool;

import java.util.AbstractCollection;
import java.util.Collection;
import java.util.Iterator;
import java.util.Map;

/**
 * The input of a {@code starmap}: pairs ({@link Map.Entry}s) seen as the two-element argument
 * arrays that travel to the workers, read as the call reads its input.
 *
 * <p>Implementation notes. The pairs are unpacked in the caller, as the call reads them, so an
 * entry that is not serializable ({@link Map#entry}'s, a {@code HashMap}'s) still works: only
 * its key and value travel. A collection stays a collection (a view, not a copy), so that
 * {@code map} counts it for its default chunk size without reading it twice.
 */
public final class StarArguments {
    private StarArguments() {
    }

    /**
     * @param pairs the pairs; a null pair makes the input's iterator throw
     *     {@link NullPointerException} at its place, which the call rethrows as an input's failure
     * @return the pairs as argument arrays {@code {key, value}}: a collection when {@code pairs} is one
     */
    public static Iterable<Object[]> of(Iterable<? extends Map.Entry<?, ?>> pairs) {
        if (pairs instanceof Collection<?> collection) {
            return new AbstractCollection<>() {
                @Override
                public Iterator<Object[]> iterator() {
                    return unpacking(pairs.iterator());
                }

                @Override
                public int size() {
                    return collection.size();
                }
            };
        }
        return () -> unpacking(pairs.iterator());
    }

    private static Iterator<Object[]> unpacking(Iterator<? extends Map.Entry<?, ?>> pairs) {
        return new Iterator<>() {
            private long index;

            @Override
            public boolean hasNext() {
                return pairs.hasNext();
            }

            @Override
            public Object[] next() {
                Map.Entry<?, ?> pair = pairs.next();
                if (pair == null) {
                    throw new NullPointerException("the starmap input's pair at index " + index + " is null");
                }
                index++;
                return new Object[] {pair.getKey(), pair.getValue()};
            }
        };
    }
}
