/**
 * multiprocessing4j: Python's {@code multiprocessing} model for the JVM. Real processes run
 * serializable lambdas ({@link io.github.multiprocessing4j.ChildProcess}); the process-tree
 * functions are in {@link io.github.multiprocessing4j.Multiprocessing}.
 */
module io.github.multiprocessing4j {
    // sun.misc.Signal: a child records that a signal ended it; sun.misc.Unsafe: shared words up to JDK 23 (MappedWords)
    requires jdk.unsupported;
    requires jdk.jfr; // the library's Flight Recorder events (internal.events)

    exports io.github.multiprocessing4j;
    exports io.github.multiprocessing4j.spi; // backends: for implementers, not applications
    // The Redis module encodes queue items as the local queues do, and decodes them through its allow-list.
    exports io.github.multiprocessing4j.internal.serial to io.github.multiprocessing4j.redis;

    // Shared segments (the lowest layer) find where a tree's segments live through the process layer above them.
    uses io.github.multiprocessing4j.internal.shm.SegmentTrees;
    provides io.github.multiprocessing4j.internal.shm.SegmentTrees
            with io.github.multiprocessing4j.internal.process.ProcessSegmentTrees;
}
