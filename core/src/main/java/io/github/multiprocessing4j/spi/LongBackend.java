package io.github.multiprocessing4j.spi;

import java.io.Serializable;

/**
 * Where a {@link io.github.multiprocessing4j.SharedLong}'s value lives. Every operation is atomic
 * with respect to every other operation on the same value, from any process; none blocks for
 * longer than its medium takes to answer.
 */
public interface LongBackend extends Serializable {
    /** {@return the value} */
    long get();

    /**
     * Sets the value.
     *
     * @param value the new value
     */
    void set(long value);

    /**
     * Adds to the value.
     *
     * @param delta what to add (negative to subtract)
     * @return the value before adding {@code delta}
     */
    long getAndAdd(long delta);

    /**
     * Sets the value to {@code value} if it is {@code expected}.
     *
     * @param expected the value it must have now
     * @param value the new value
     * @return whether the value was {@code expected} and is now {@code value}
     */
    boolean compareAndSet(long expected, long value);

    /** Ends this value for everyone: see {@link io.github.multiprocessing4j.SharedLong#close()}. */
    void close();
}
