package io.github.multiprocessing4j;

import io.github.multiprocessing4j.internal.queue.ByteQueue;

import java.util.function.BooleanSupplier;

/**
 * What a prepared spare JVM runs while it waits for its message (the launch layer's
 * {@code SpareWarmUp}, which finds it through {@link ChildProcess}'s static initialiser, in a
 * tree of the spare's own): the items targets put most often (ints, short byte arrays, strings)
 * put into a queue of its own and taken again, then ints through a joinable queue with a
 * {@code taskDone()} each, in rounds, so that the child it becomes runs its first queue
 * operations compiled. A thousand of each kind give C1 what a child's first thousands of items
 * would have given it (see {@code SpareWarmUp} for the figures). A process seen feeding a queue
 * every so often, or fed so, runs it once too, on a thread of its own, in its own tree
 * ({@link IdleFeedWarmUp}); whichever ran it, the other does not.
 */
final class QueueWarmUp {
    /**
     * Rounds are short so that a spare taken during the exercise becomes its child soon: one of
     * the first rounds, interpreted, takes well under a millisecond.
     */
    static final int ROUNDS = 200;
    private static final int EACH_KIND_PER_ROUND = 5;
    private static final int CHUNK_SIZE = 32 * 1024;

    private QueueWarmUp() {
    }

    /**
     * Runs the exercise; what it makes is unlinked before it returns.
     *
     * @param stop asked before each round: true ends the exercise there
     * @throws InterruptedException when the thread is interrupted (nothing interrupts a spare's
     *     main thread)
     */
    static void run(BooleanSupplier stop) throws InterruptedException {
        IdleFeedWarmUp.exerciseRuns();
        // Small chunks: the exercise passes from one to the next as a long-lived queue does, and
        // the memory of the chunks stays taken until this JVM drops their mappings. Unlinked below,
        // these queues need no cleaner (nor a spare its thread).
        ProcessQueue<Object> queue = new ProcessQueue<>(new LocalQueue(ByteQueue.create(0, CHUNK_SIZE)),
                ProcessUse.ofScratch("ProcessQueue"));
        // The lesson's producer and consumer: a joinable queue's take records each item in the
        // consumer's in-flight log, and taskDone() finishes it there.
        ProcessJoinableQueue<Object> joinable = new ProcessJoinableQueue<>(
                new LocalJoinableQueue(ByteQueue.create(0, CHUNK_SIZE)), ProcessUse.ofScratch("ProcessJoinableQueue"));
        try {
            byte[] bytes = new byte[64];
            for (int round = 0; round < ROUNDS && !stop.getAsBoolean(); round++) {
                for (int i = 0; i < EACH_KIND_PER_ROUND; i++) {
                    queue.put(i);
                    queue.put(bytes);
                    queue.put("item");
                    joinable.put(i);
                }
                for (int i = 0; i < 3 * EACH_KIND_PER_ROUND; i++) {
                    queue.get();
                }
                for (int i = 0; i < EACH_KIND_PER_ROUND; i++) {
                    joinable.get();
                    joinable.taskDone();
                }
            }
            joinable.join();
        } finally {
            queue.unlink();
            joinable.unlink();
        }
    }
}
