package io.github.multiprocessing4j;

import io.github.multiprocessing4j.internal.queue.ByteQueue;
import io.github.multiprocessing4j.internal.queue.DirectItemRecord;
import io.github.multiprocessing4j.internal.queue.JoinableState;
import io.github.multiprocessing4j.internal.queue.JoinableStates;
import io.github.multiprocessing4j.spi.JoinableQueueBackend;

/**
 * A joinable queue in shared memory: the items in a {@link ByteQueue}, and this process's
 * {@link JoinableState} (its in-flight log and done count), which every take records into.
 */
final class LocalJoinableQueue extends LocalQueue implements JoinableQueueBackend {
    private static final long serialVersionUID = 1L;
    /**
     * This process's state of the queue, as last looked up: a take and a {@code taskDone()} look
     * it up three times, two hash lookups each, which a new consumer runs interpreted for its first
     * thousands of items.
     */
    private transient volatile JoinableState state;

    LocalJoinableQueue(int maxSize) {
        super(maxSize);
    }

    /** @param queue the queue's shared memory, received from another process */
    LocalJoinableQueue(ByteQueue queue) {
        super(queue);
    }

    @Override
    public void taskDone() {
        state().taskDone();
    }

    @Override
    public boolean join(long timeoutNanos) throws InterruptedException {
        return state().join(timeoutNanos);
    }

    @Override
    public long unfinished() {
        return Math.max(0, state().unfinished());
    }

    /** Closes the queue; once it is also empty and finished, the consumers' logs go with it. */
    @Override
    public void close() {
        super.close();
        if (queue.size() == 0 && state().unfinished() <= 0) {
            state().removeLogs();
        }
    }

    /** Destroys the queue (see {@link LocalQueue#discard()}) and the consumers' logs with it. */
    @Override
    void discard() {
        super.discard();
        state().removeLogs();
    }

    @Override
    ByteQueue.RecordReader<Object> recordReader() {
        return state().recording(DirectItemRecord.FORMAT);
    }

    @Override
    Runnable livenessCheck() {
        return state().livenessCheck();
    }

    private JoinableState state() {
        JoinableState known = state;
        if (known == null || known.forgotten()) {
            known = JoinableStates.ofThisProcess().of(queue);
            state = known;
        }
        return known;
    }
}
