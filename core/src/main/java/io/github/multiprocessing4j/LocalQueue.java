package io.github.multiprocessing4j;

import io.github.multiprocessing4j.internal.queue.ByteQueue;
import io.github.multiprocessing4j.internal.queue.DirectItemRecord;
import io.github.multiprocessing4j.spi.QueueBackend;

import java.io.IOException;
import java.io.ObjectInputStream;

/**
 * A queue's items in shared memory: a {@link ByteQueue} of items in {@link DirectItemRecord}'s
 * format. A boxed primitive or a {@code byte[]} is written straight into the queue's record and
 * read straight out of it; another item is encoded before the put and decoded after the take.
 */
class LocalQueue implements QueueBackend {
    private static final long serialVersionUID = 1L;

    final ByteQueue queue;

    LocalQueue(int maxSize) {
        this(ByteQueue.create(Math.max(0, maxSize), ByteQueue.standardChunkSize()));
    }

    /** @param queue the queue's shared memory, made here or received from another process */
    LocalQueue(ByteQueue queue) {
        this.queue = queue;
        queue.watchIdleFeeds(IdleFeedWarmUp.WATCHER);
    }

    private void readObject(ObjectInputStream stream) throws IOException, ClassNotFoundException {
        stream.defaultReadObject();
        queue.watchIdleFeeds(IdleFeedWarmUp.WATCHER); // as the constructor: a queue read by JDK serialization
    }

    @Override
    public boolean put(Object item, long timeoutNanos) {
        return queue.put(encode(item), DirectItemRecord.FORMAT, timeoutNanos);
    }

    @Override
    public boolean putInterruptibly(Object item, long timeoutNanos) throws InterruptedException {
        return queue.putInterruptibly(encode(item), DirectItemRecord.FORMAT, timeoutNanos);
    }

    @Override
    public Object take(long timeoutNanos) throws InterruptedException {
        return decode(queue.take(timeoutNanos, recordReader(), livenessCheck()));
    }

    @Override
    public Object poll() {
        return decode(queue.takeUninterruptibly(0, recordReader()));
    }

    @Override
    public long size() {
        return queue.size();
    }

    @Override
    public long maxSize() {
        return queue.maxSize();
    }

    @Override
    public boolean isClosed() {
        return queue.isClosed();
    }

    @Override
    public void close() {
        queue.close();
    }

    /**
     * Destroys the queue when no other process can have it: closes it and drops what it holds,
     * so that its segments go now (a closed queue's segments go when it is empty).
     */
    void discard() {
        close();
        drain(queue);
    }

    /** Takes and drops what {@code queue}, closed, still holds; its segments go with the last item. */
    static void drain(ByteQueue queue) {
        try {
            // empty: done, without the take's "closed and empty" exception (its stack trace cost
            // every closed pipe two, and every closed queue one)
            while (queue.size() > 0 && queue.takeUninterruptibly(0, DirectItemRecord.FORMAT) != null) {
                // dropped: nobody can get it any more
            }
        } catch (IllegalStateException closedAndEmpty) {
            // another process took the last item meanwhile: its segments are gone
        }
    }

    /**
     * How a take of this queue reads the item's record: the one place where the joinable queue
     * adds what it needs to each take.
     */
    ByteQueue.RecordReader<Object> recordReader() {
        return DirectItemRecord.FORMAT;
    }

    /** @return what a waiting take also does at each liveness check, or null */
    Runnable livenessCheck() {
        return null;
    }

    @Override
    public String toString() {
        long max = queue.maxSize();
        return queue.size() + " items" + (max > 0 ? " of at most " + max : "") + (queue.isClosed() ? ", closed" : "");
    }

    /**
     * @return what a put of {@code item} hands to {@link DirectItemRecord#FORMAT}
     * @throws NullPointerException when the item is null
     * @throws IllegalArgumentException when the item is not serializable (naming its class)
     */
    static Object encode(Object item) {
        return DirectItemRecord.recordOf(ProcessQueue.checked(item), "item");
    }

    /** @return the item of what a take through {@link DirectItemRecord#FORMAT} returned, or null for null */
    static Object decode(Object taken) {
        if (!DirectItemRecord.isEncoded(taken)) {
            return taken; // null, or the item itself: no class loader to look up
        }
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        return DirectItemRecord.itemOf(taken, loader != null ? loader : LocalQueue.class.getClassLoader());
    }
}
