package io.github.multiprocessing4j.internal.pool;

import io.github.multiprocessing4j.internal.serial.PackedValues;
import io.github.multiprocessing4j.internal.serial.ValueSection;

/**
 * Who waits for a chunk's results: a submitted task's future, or a map call. Told of the outcome
 * by the pool's collector thread, with no pool lock held.
 */
interface ChunkOwner {
    /** @return whether the results are no longer wanted: a chunk not yet sent is then dropped */
    boolean abandoned();

    /** @return the class loader that resolves the classes of the results */
    ClassLoader loader();

    /**
     * The chunk's results arrived.
     *
     * @param values one per task, an {@link ValueSection.Failed} where the task threw
     */
    void completed(Chunk chunk, Object[] values);

    /**
     * The chunk's results arrived, all ints, longs or doubles and none failed (a packed section):
     * an owner that keeps them unboxed overrides this; by default they are boxed for
     * {@link #completed}.
     *
     * @param values an {@code int[]}, {@code long[]} or {@code double[]} ({@link PackedValues})
     */
    default void completedPacked(Chunk chunk, Object values) {
        completed(chunk, PackedValues.boxed(values));
    }

    /** The chunk failed as a whole: its worker died, it could not be read, or the pool was terminated. */
    void failed(Chunk chunk, Throwable failure);
}
