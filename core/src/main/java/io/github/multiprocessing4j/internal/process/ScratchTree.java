package io.github.multiprocessing4j.internal.process;

import io.github.multiprocessing4j.internal.os.Platform;
import io.github.multiprocessing4j.internal.registry.LocalTreeRegistry;
import io.github.multiprocessing4j.internal.registry.ProcessRecord;
import io.github.multiprocessing4j.internal.shm.InstalledTrees;
import io.github.multiprocessing4j.internal.shm.SegmentStore;
import io.github.multiprocessing4j.internal.shm.SegmentTrees;

import java.util.concurrent.Callable;
import java.util.function.Supplier;

/**
 * A tree of the calling JVM's own, for the time of a rehearsal: a spare JVM, which is no process
 * of any tree until its message comes ({@link ProcessContext#current()} waits for that), makes
 * and uses shared objects there as its child will, so that the code they run is compiled before
 * the child needs it (the launch layer's {@code SpareWarmUp}).
 *
 * <p>Implementation notes. The tree is named as a tree whose root is this JVM would be (its pid
 * and start ticks), which no other tree can be: a spare never becomes a root. Its directory holds
 * this JVM's record from its creation, so a spare SIGKILLed during the rehearsal leaves a tree
 * whose root and processes are all dead, which the next root's janitor removes
 * ({@link LocalTreeRegistry#removeDeadTrees}); otherwise it is removed, with anything left in
 * it, before {@link #run} returns. While the work runs, the segments of every other tree are out
 * of reach (a spare has no context to open them by). Not thread-safe: the segments' trees are
 * the JVM's, so nothing else may make or map segments meanwhile (a spare runs it on its main
 * thread before it reads its message, when no other thread does).
 */
public final class ScratchTree {
    /** The name of this JVM's record in the tree, as a listing of the trees shows it meanwhile. */
    static final String RECORD_NAME = "spare warm-up";

    private ScratchTree() {
    }

    /**
     * Runs {@code work} with this JVM's own tree as the tree of the shared objects it makes, then
     * removes that tree and installs the trees that were installed before.
     *
     * @param work makes, uses and unlinks shared objects; it must not block for long
     * @throws IllegalStateException when this JVM is a process of a tree already: a root's own
     *     tree has the very name a tree of its own would have, and a process's segments must stay
     *     within reach
     * @throws Exception what {@code work} threw (the tree is removed all the same)
     */
    public static void run(Callable<?> work) throws Exception {
        ProcessContext context = ProcessContext.initialised();
        if (context != null) {
            throw new IllegalStateException("this JVM is process " + context.name() + " of a tree already: only a JVM"
                    + " that is none yet (a spare) rehearses in a tree of its own");
        }
        long pid = Platform.currentPid();
        long ticks = Platform.ownStartTicks();
        ProcessRecord self = new ProcessRecord(pid, 0, ticks, RECORD_NAME, false, ProcessRecord.State.RUNNING, 0);
        LocalTreeRegistry tree = LocalTreeRegistry.open(LocalTreeRegistry.treeIdFor(pid, ticks),
                new Supplier<ProcessRecord>() {
                    @Override
                    public ProcessRecord get() {
                        return self;
                    }
                });
        SegmentTrees installed = InstalledTrees.get();
        InstalledTrees.install(new SegmentTrees() {
            @Override
            public SegmentStore own() {
                return tree;
            }

            @Override
            public SegmentStore of(String treeId) {
                if (!treeId.equals(tree.treeId())) {
                    throw new IllegalStateException("a rehearsal in tree " + tree.treeId() + " cannot open tree " + treeId);
                }
                return tree;
            }
        });
        try {
            work.call();
        } finally {
            InstalledTrees.install(installed);
            tree.releaseAtExit();
        }
    }

    /**
     * Removes the tree that JVM {@code pid} rehearsed in, once that JVM is dead: what a spare
     * killed during its rehearsal leaves (its parent's exit kills spares still booting), removed
     * at once rather than by the next root's janitor.
     *
     * @param pid the JVM's pid
     * @param startTicks its start ticks, as its tree is named
     */
    public static void removeLeftBy(long pid, long startTicks) {
        LocalTreeRegistry.removeIfDead(LocalTreeRegistry.treeIdFor(pid, startTicks));
    }
}
