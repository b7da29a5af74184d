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
 * find the state here by the queue's tree and segment name. One table per JVM, {@link #ofThisProcess()}:
 * it holds only memory that goes with the JVM, nothing that must end in order at exit, so it
 * stays here rather than with the runtime context's state. Tables of their own, made and closed
 * by a test, check the bookkeeping without touching this JVM's.
 */
public final class JoinableStates implements AutoCloseable {
    private static final JoinableStates OF_THIS_PROCESS = new JoinableStates();

    /**
     * By the queue header's tree, then its segment name: looked up at every take and
     * {@code taskDone()}, so without building a key (a string per lookup was most of what a
     * joinable queue's take allocated, and a new JVM pays a page fault per fresh 4 KiB of heap).
     */
    private final ConcurrentHashMap<String, ConcurrentHashMap<String, JoinableState>> states = new ConcurrentHashMap<>();

    /** An empty table, apart from this JVM's (see the class notes). */
    public JoinableStates() {
    }

    /** @return the table of this JVM */
    public static JoinableStates ofThisProcess() {
        return OF_THIS_PROCESS;
    }

    /** @return this process's bookkeeping of {@code queue}, made at its first use */
    public JoinableState of(ByteQueue queue) {
        SharedSegment header = queue.header();
        ConcurrentHashMap<String, JoinableState> ofTree = states.get(header.treeId());
        JoinableState state = ofTree == null ? null : ofTree.get(header.name());
        if (state != null) {
            return state;
        }
        return states.computeIfAbsent(header.treeId(), tree -> new ConcurrentHashMap<>())
                .computeIfAbsent(header.name(), name -> new JoinableState(queue, this));
    }

    /** Drops {@code state}: its queue is closed and finished, nothing can be got from it any more. */
    void forget(JoinableState state, SharedSegment header) {
        ConcurrentHashMap<String, JoinableState> ofTree = states.get(header.treeId());
        if (ofTree != null) {
            ofTree.remove(header.name(), state);
        }
        state.forget();
    }

    /**
     * Forgets every state (the slots and logs in shared memory stay; other processes recover them
     * once this one is gone). This JVM's table is never closed: it goes with the JVM.
     */
    @Override
    public void close() {
        for (ConcurrentHashMap<String, JoinableState> ofTree : states.values()) {
            for (JoinableState state : ofTree.values()) {
                state.forget();
            }
        }
        states.clear();
    }
}
