/**
 * multiprocessing4j: Python's {@code multiprocessing} model for the JVM. Real processes run
 * serializable lambdas ({@link io.github.multiprocessing4j.ChildProcess}); the process-tree
 * functions are in {@link io.github.multiprocessing4j.Multiprocessing}.
 */
module io.github.multiprocessing4j {
    requires jdk.unsupported; // sun.misc.Signal: a child records that a signal ended it

    exports io.github.multiprocessing4j;
}
