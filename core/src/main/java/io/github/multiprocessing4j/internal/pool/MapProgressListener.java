package io.github.multiprocessing4j.internal.pool;

/** Told how far a map call has got, in the caller's thread (see {@link StreamCall}). */
@FunctionalInterface
public interface MapProgressListener {
    /**
     * @param done tasks finished so far, failed ones included
     * @param total all tasks of the call, or -1 while unknown
     */
    void progress(long done, long total);
}
