package io.github.multiprocessing4j.internal.pool;

import io.github.multiprocessing4j.internal.serial.ValueSection;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;

/**
 * A submitted task: one chunk whose one result completes a future. The future is completed by the
 * pool's collector thread, which therefore runs the future's non-async dependents.
 *
 * @param <T> the result type
 */
final class TaskCall<T> implements ChunkOwner {
    final CompletableFuture<T> future = new CompletableFuture<>();
    /** The task: what {@code shutdownNow()} hands back when it was never sent. */
    final PoolTask task;
    private final ClassLoader loader;

    TaskCall(PoolTask task, ClassLoader loader) {
        this.task = task;
        this.loader = loader;
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
    @SuppressWarnings("unchecked")
    public void completed(Chunk chunk, Object[] values) {
        Object value = values[0];
        if (value instanceof ValueSection.Failed) {
            failed(chunk, ((ValueSection.Failed) value).cause());
        } else {
            future.complete(task instanceof PoolTask.Run run ? (T) run.result() : (T) value);
        }
    }

    @Override
    public void failed(Chunk chunk, Throwable failure) {
        if (failure instanceof CancellationException) {
            future.cancel(false);
        } else {
            future.completeExceptionally(failure);
        }
    }
}
