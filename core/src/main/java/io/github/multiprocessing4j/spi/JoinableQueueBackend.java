package io.github.multiprocessing4j.spi;

/**
 * Where the items and the unfinished-work count of a
 * {@link io.github.multiprocessing4j.ProcessJoinableQueue} live: every item put is unfinished
 * until a consumer that took it calls {@link #taskDone()}. Timeouts as in {@link QueueBackend}.
 */
public interface JoinableQueueBackend extends QueueBackend {
    /**
     * Finishes the oldest item this process took and has not finished.
     *
     * @throws IllegalStateException when this process has no unfinished item
     */
    void taskDone();

    /**
     * Waits up to {@code timeoutNanos} until no item is unfinished.
     *
     * @param timeoutNanos how long to wait at most, in nanoseconds: negative waits as long as it
     *     takes, zero does not wait
     * @return whether none is; false on timeout
     * @throws InterruptedException when the thread is interrupted while waiting
     */
    boolean join(long timeoutNanos) throws InterruptedException;

    /** {@return how many items were put and not finished yet (never negative)} */
    long unfinished();
}
