package io.github.multiprocessing4j.internal.pool;

import io.github.multiprocessing4j.internal.serial.ValueSection;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One {@code mapAsync} call: its whole input, cut into chunks and queued at once, and a future
 * completed with the results in input order, or exceptionally with the first failure the pool
 * learns of.
 *
 * <p>Implementation notes. Unlike a {@link StreamCall}, whose input is read as its caller takes
 * results, this call has no caller waiting to read input, so it reads all of it in the calling
 * thread and submits every chunk together (as CPython's {@code map_async} puts every task on its
 * queue). Its chunks are ordinary submitted work: the pool finishes them after a shutdown, and
 * its termination fails them. The future is completed by the collector thread (or by the thread
 * that terminated the pool); once it is done for any reason but its results (a failure,
 * {@code cancel}, a caller's own {@code complete}), the call counts as abandoned and its chunks
 * not yet sent to a worker are dropped; those a worker holds run to their end, and their results
 * are ignored.
 *
 * @param <R> the result type
 */
final class AsyncMapCall<R> implements ChunkOwner {
    final CompletableFuture<List<R>> future = new CompletableFuture<>();
    private final ClassLoader loader;
    /** Each chunk's results, by its index: an Object[], or a primitive array (see {@link ResultList}); guarded by this. */
    private Object[] results;
    private int completed;

    private AsyncMapCall(ClassLoader loader) {
        this.loader = loader;
    }

    /**
     * Reads the input, writes its chunks and submits them.
     *
     * @throws IllegalArgumentException when the function or an item is not serializable, or the
     *     chunk size is below 1
     * @throws java.util.concurrent.RejectedExecutionException when the pool is shut down or broken
     * @throws RuntimeException what the input's iterator threw, as it is: nothing was submitted
     */
    static <R> CompletableFuture<List<R>> start(PoolEngine engine, Object function, Iterator<?> source, int chunkSize,
                                                long knownTotal, ClassLoader loader, long timeoutNanos) {
        if (chunkSize < 1) {
            throw new IllegalArgumentException("the chunk size must be at least 1, not " + chunkSize);
        }
        AsyncMapCall<R> call = new AsyncMapCall<>(loader);
        FunctionRef ref = engine.chunks().function(function);
        List<Chunk> chunks = new ArrayList<>();
        long read = 0;
        while (source.hasNext()) {
            long expected = knownTotal >= 0 ? Math.min(chunkSize, knownTotal - read) : Math.min(chunkSize, 1024);
            Chunk chunk = engine.chunks().mapChunk(ref, source, chunkSize, (int) Math.max(1, expected), knownTotal >= 0,
                    chunks.size(), call, timeoutNanos);
            read += chunk.count;
            chunks.add(chunk);
        }
        if (chunks.isEmpty()) {
            call.future.complete(Collections.emptyList());
            return call.future;
        }
        synchronized (call) {
            call.results = new Object[chunks.size()];
        }
        // Done early (a failure, cancel, a caller's complete): the chunks not yet sent are dropped.
        call.future.whenComplete((list, failure) -> engine.forgetAbandoned());
        engine.submit(chunks, false);
        return call.future;
    }

    @Override
    public boolean abandoned() {
        return future.isDone();
    }

    @Override
    public ClassLoader loader() {
        return loader;
    }

    @Override
    public void completed(Chunk chunk, Object[] values) {
        for (Object value : values) {
            if (value instanceof ValueSection.Failed failed) {
                future.completeExceptionally(failed.cause());
                return;
            }
        }
        arrived(chunk, values);
    }

    /** A chunk of int, long or double results is kept unboxed, as a {@code map}'s are. */
    @Override
    public void completedPacked(Chunk chunk, Object values) {
        arrived(chunk, values);
    }

    private void arrived(Chunk chunk, Object values) {
        List<Object> all;
        synchronized (this) {
            if (future.isDone() || results[chunk.index] != null) {
                return;
            }
            results[chunk.index] = values;
            if (++completed < results.length) {
                return;
            }
            all = Arrays.asList(results);
        }
        future.complete(new ResultList<>(all));
    }

    /** The chunk failed as a whole; a {@link java.util.concurrent.CancellationException} (the pool was terminated) cancels the future. */
    @Override
    public void failed(Chunk chunk, Throwable failure) {
        future.completeExceptionally(failure);
    }
}
