package io.github.multiprocessing4j.internal.shm;

/**
 * Finds the {@link SegmentStore} of a tree: the calling process's own, or another's by its id.
 * Implemented above this package, by the layer that knows who this process is, and installed
 * with {@link InstalledTrees#install} (or found by {@link java.util.ServiceLoader}).
 */
public interface SegmentTrees {

    /** @return the store of the calling process's tree, created when it does not exist yet */
    SegmentStore own();

    /**
     * @param treeId a tree's id, as a segment handle carries it
     * @return the store of that tree, which may be the calling process's own
     */
    SegmentStore of(String treeId);
}
