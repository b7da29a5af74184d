package io.github.multiprocessing4j.internal.shm;

import java.nio.file.Path;

/**
 * Where the shared segments of one process tree live: their files, which only the processes of
 * the tree can find and which the tree's end removes. The process table implements it (the
 * segments live in the tree's directory); this package only maps the files.
 *
 * <p>Methods throw {@link java.io.UncheckedIOException} when the backing store fails.
 */
public interface SegmentStore {

    /** @return the tree's identifier, unique on this machine */
    String treeId();

    /**
     * Creates a shared segment: a zero-filled file of {@code size} bytes, mode 0600, that only
     * the processes of this tree can find, and which the tree's end removes.
     *
     * @param kind a short word for what it holds ("lock", "memory"), part of its name
     * @return the new segment's name, unique in the tree
     */
    default String createSegment(String kind, long size) {
        String name = newSegmentName(kind);
        createNamedSegment(name, size);
        return name;
    }

    /**
     * @param kind a short word for what it will hold, part of the name
     * @return a name for a segment that does not exist yet, unique in the tree: a shared object
     *     can record the name before it creates the segment ({@link #createNamedSegment}), so
     *     that a process killed in between leaves a name without a file, never a file that
     *     nobody knows of
     */
    String newSegmentName(String kind);

    /**
     * Creates segment {@code name} (from {@link #newSegmentName}) as {@link #createSegment} does,
     * every page of it allocated ({@link SegmentSpace#reserve}).
     *
     * @throws java.io.UncheckedIOException when it cannot be made; its cause is a
     *     {@link SegmentSpace.SpaceExhaustedException} when shared memory is full
     */
    void createNamedSegment(String name, long size);

    /**
     * Creates segment {@code name} as {@link #createNamedSegment} does, or, when shared memory is
     * full, in the tree's spill directory on disk ({@link SegmentSpace#spillDirectory}): found
     * by {@link #segmentFile}, removed by {@link #deleteSegment} and by the tree's end like the
     * others. A store without a disk to spill to creates it in shared memory or fails.
     *
     * @return whether the segment was spilled to disk
     * @throws java.io.UncheckedIOException when neither has room (the message says which is full)
     */
    default boolean createNamedSegmentOrSpill(String name, long size) {
        createNamedSegment(name, size);
        return false;
    }

    /**
     * @return the file of segment {@code name}, in shared memory or spilled
     * @throws IllegalStateException when there is no such segment (it was closed, or its tree ended)
     */
    Path segmentFile(String name);

    /** Removes segment {@code name}, wherever it lives; processes that mapped it keep their mapping. */
    void deleteSegment(String name);
}
