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
    final TaskFuture<T> future = new TaskFuture<>();
    /** The task: what {@code shutdownNow()} hands back when it was never sent. */
    final PoolTask task;
    private final ClassLoader loader;
    /**
     * Run by the collector once the task is answered, after the future: not a dependent of the
     * future, which a caller waiting in {@code get()} runs itself when it wakes. Null for none.
     */
    private volatile Runnable afterAnswer;

    TaskCall(PoolTask task, ClassLoader loader) {
        this.task = task;
        this.loader = loader;
    }

    /** Has the collector run {@code action} once the task is answered, after its future (see {@link #afterAnswer}). */
    void afterAnswer(Runnable action) {
        afterAnswer = action;
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
            runAfterAnswer();
        }
    }

    @Override
    public void failed(Chunk chunk, Throwable failure) {
        if (failure instanceof CancellationException) {
            future.cancel(false);
        } else {
            future.completeExceptionally(failure);
        }
        runAfterAnswer();
    }

    private void runAfterAnswer() {
        Runnable action = afterAnswer;
        if (action != null) {
            afterAnswer = null;
            action.run();
        }
    }

    /**
     * A task's future, whose {@code cancel(true)} stops the task in its worker, as the
     * {@link java.util.concurrent.ExecutorService} contract has it ("interrupt if running"); its
     * dependents are plain {@link CompletableFuture}s.
     */
    static final class TaskFuture<T> extends CompletableFuture<T> {
        /** Stops the task where it is; set before the task is queued. */
        private volatile Runnable interrupter;

        void interruptWith(Runnable interrupter) {
            this.interrupter = interrupter;
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            boolean cancelled = super.cancel(mayInterruptIfRunning);
            Runnable stop = interrupter;
            if (cancelled && mayInterruptIfRunning && stop != null) {
                stop.run();
            }
            return cancelled;
        }

        @Override
        public <U> CompletableFuture<U> newIncompleteFuture() {
            return new CompletableFuture<>();
        }
    }
}
