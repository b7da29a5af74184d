package io.github.multiprocessing4j.internal.process;

import io.github.multiprocessing4j.internal.registry.LocalTreeRegistry;
import io.github.multiprocessing4j.internal.registry.ProcessRegistry;
import io.github.multiprocessing4j.internal.shm.SegmentStore;
import io.github.multiprocessing4j.internal.shm.SegmentTrees;

/**
 * The shared segments' trees as this process sees them: its own tree is its process context's
 * registry, another tree is opened by its id. Installed ({@link io.github.multiprocessing4j.internal.shm.InstalledTrees}) by {@link ProcessContext} when it is
 * loaded; also the {@link java.util.ServiceLoader} provider that the segments find when they are
 * used first.
 */
public final class ProcessSegmentTrees implements SegmentTrees {

    /** For {@link java.util.ServiceLoader}. */
    public ProcessSegmentTrees() {
    }

    @Override
    public SegmentStore own() {
        return ProcessContext.current().registry();
    }

    @Override
    public SegmentStore of(String treeId) {
        ProcessRegistry own = ProcessContext.current().registry();
        return own.treeId().equals(treeId) ? own : LocalTreeRegistry.open(treeId, null);
    }
}
