package io.github.multiprocessing4j.spi;

import java.io.Serializable;

/** Where a {@link io.github.multiprocessing4j.ProcessEvent}'s flag lives. */
public interface EventBackend extends Serializable {
    /** Sets the flag and wakes every waiter. */
    void set();

    /** Clears the flag. */
    void clear();

    /** {@return whether the flag is set (a snapshot)} */
    boolean isSet();

    /**
     * Waits until the flag is set, at most {@code timeoutNanos} (negative: as long as it takes).
     *
     * @param timeoutNanos how long to wait at most, in nanoseconds: negative waits as long as it
     *     takes, zero does not wait
     * @return true when it was set (now, or while the caller waited), false on timeout
     * @throws InterruptedException when interrupted before or while waiting
     */
    boolean await(long timeoutNanos) throws InterruptedException;

    /** Ends this event's name: see {@link io.github.multiprocessing4j.ProcessEvent#close()}. */
    void close();
}
