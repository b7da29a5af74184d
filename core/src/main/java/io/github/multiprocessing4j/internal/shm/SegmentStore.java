package io.github.multiprocessing4j.internal.shm;

import java.nio.MappedByteBuffer;
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
     * @param kind a short word for what it will hold, part of the name
     * @return a name for a segment that does not exist yet, unique in the tree: a shared object
     *     can record the name before it creates the segment ({@link #createNamedSegment}), so
     *     that a process killed in between leaves a name without a file, never a file that
     *     nobody knows of
     */
    String newSegmentName(String kind);

    /**
     * Creates segment {@code name} (from {@link #newSegmentName}): a zero-filled file of
     * {@code size} bytes, mode 0600, that only the processes of this tree can find and which the
     * tree's end removes. It is made of {@code parts} equal parts (objects that share one file),
     * the pages of each part's first {@code reserved} bytes allocated
     * ({@link SegmentSpace#reserve}; the rest are the caller's to allocate before it touches
     * them: {@link SharedSegment#reserve}).
     *
     * @return the new file mapped whole, read-write ({@link SharedSegment#mapWhole}): mapped
     *     through the channel that made it, since opening it again by name would cost the
     *     creation of every shared object a lookup, an open and a close
     * @throws java.io.UncheckedIOException when it cannot be made or mapped (nothing is left
     *     behind); its cause is a {@link SegmentSpace.SpaceExhaustedException} when shared memory
     *     is full
     */
    MappedByteBuffer createNamedSegment(String name, long size, int parts, long reserved);

    /**
     * Creates segment {@code name} as {@link #createNamedSegment} does, or, when shared memory is
     * full, in the tree's spill directory on disk ({@link SegmentSpace#spillDirectory}): found
     * by {@link #segmentFile}, removed by {@link #deleteSegment} and by the tree's end like the
     * others. A store without a disk to spill to creates it in shared memory or fails.
     *
     * @return the new file mapped whole, and whether it was spilled to disk
     * @throws java.io.UncheckedIOException when neither has room (the message says which is full)
     */
    default NewSegment createNamedSegmentOrSpill(String name, long size, int parts, long reserved) {
        return new NewSegment(createNamedSegment(name, size, parts, reserved), false);
    }

    /**
     * A segment just made: its mapping and where it lives.
     *
     * @param mapping the whole file, mapped read-write in the platform's byte order
     * @param spilled whether it lives in a spill directory on disk
     */
    record NewSegment(MappedByteBuffer mapping, boolean spilled) {
    }

    /**
     * @return the file of segment {@code name}, in shared memory or spilled
     * @throws IllegalStateException when there is no such segment (it was closed, or its tree ended)
     */
    Path segmentFile(String name);

    /**
     * @return where segment {@code name}'s file is unless it was spilled, without looking: the file
     *     may not be there (spilled, or gone), which {@link #segmentFile} tells
     */
    Path unspilledSegmentFile(String name);

    /** Removes segment {@code name}, wherever it lives; processes that mapped it keep their mapping. */
    void deleteSegment(String name);
}
