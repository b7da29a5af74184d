package io.github.multiprocessing4j.internal.queue;

import io.github.multiprocessing4j.internal.shm.SharedSegment;

import java.util.concurrent.ConcurrentHashMap;

/**
 * This process's bookkeeping of the joinable queues it uses: one {@link JoinableState} per queue,
 * whatever the number of handles to it, from the first use of the queue until the queue is
 * closed and finished ({@link JoinableState#removeLogs}) or this table is closed.
 *
 * <p>Implementation notes. The bookkeeping belongs to the process, not to a handle: the consumer
 * slot in the queue's header names the process, and {@code taskDone()} finishes the oldest item
 * the process got, through whichever handle. Handles are deserialized independently, so they
 * find the state here by the queue's tree and segment name. One table per JVM, meant to be held
 * by the JVM's runtime context with the rest of its process-wide state; until that context
 * exists, {@link #ofThisProcess()} holds it.
 */
public final class JoinableStates implements AutoCloseable {
    private static final JoinableStates OF_THIS_PROCESS = new JoinableStates();

    private final ConcurrentHashMap<String, JoinableState> states = new ConcurrentHashMap<>();

    /** An empty table: one per runtime (see the class notes). */
    public JoinableStates() {
    }

    /** @return the table of this JVM */
    public static JoinableStates ofThisProcess() {
        return OF_THIS_PROCESS;
    }

    /** @return this process's bookkeeping of {@code queue}, made at its first use */
    public JoinableState of(ByteQueue queue) {
        return states.computeIfAbsent(key(queue.header()), key -> new JoinableState(queue, this));
    }

    /** Drops {@code state}: its queue is closed and finished, nothing can be got from it any more. */
    void forget(JoinableState state, SharedSegment header) {
        states.remove(key(header), state);
    }

    /**
     * Forgets every state: for the end of the runtime, after which this process takes nothing
     * from a joinable queue (the slots and logs in shared memory stay; other processes recover
     * them once this one is gone).
     */
    @Override
    public void close() {
        states.clear();
    }

    private static String key(SharedSegment header) {
        return header.treeId() + "/" + header.name();
    }
}
