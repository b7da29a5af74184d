package io.github.multiprocessing4j.internal.serial;

/**
 * The values of a packed section of ints, longs or doubles (see {@link ValueSection#readPacked}),
 * kept as the primitive array they were read into: an {@code int[]}, a {@code long[]} or a
 * {@code double[]}. Boxing happens only where a value is read as an object.
 *
 * <p>Implementation notes. A {@code map} over a million ints that returns longs (or ints, or
 * doubles) would otherwise box a million results in the parent's collector thread, which then
 * survive every young collection while the call lasts: measured from a default-flags JVM (G1),
 * that made young pauses of 100 to 230 ms each and the parent's {@code Long.valueOf} more than
 * half of its samples. A primitive array has no pointers for the collector to trace, and one of
 * a large chunk is allocated straight into the old generation.
 */
public final class PackedValues {
    private PackedValues() {
    }

    /** @return how many values a packed array or an {@code Object[]} holds */
    public static int length(Object values) {
        if (values instanceof int[]) {
            return ((int[]) values).length;
        } else if (values instanceof long[]) {
            return ((long[]) values).length;
        } else if (values instanceof double[]) {
            return ((double[]) values).length;
        }
        return ((Object[]) values).length;
    }

    /** @return value {@code i} of a packed array, boxed, or of an {@code Object[]} as it is */
    public static Object get(Object values, int i) {
        if (values instanceof int[]) {
            return ((int[]) values)[i];
        } else if (values instanceof long[]) {
            return ((long[]) values)[i];
        } else if (values instanceof double[]) {
            return ((double[]) values)[i];
        }
        return ((Object[]) values)[i];
    }

    /** @return the values of a packed array, boxed; an {@code Object[]} as it is */
    public static Object[] boxed(Object values) {
        if (values instanceof Object[]) {
            return (Object[]) values;
        }
        Object[] boxed = new Object[length(values)];
        for (int i = 0; i < boxed.length; i++) {
            boxed[i] = get(values, i);
        }
        return boxed;
    }
}
