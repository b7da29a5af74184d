package io.github.multiprocessing4j.internal.pool;

import io.github.multiprocessing4j.internal.events.FlightEvents;
import io.github.multiprocessing4j.internal.events.PoolTaskEvent;
import io.github.multiprocessing4j.internal.serial.ValueSection;
import io.github.multiprocessing4j.internal.serial.Wire;

/**
 * Tasks sent to one worker as one message: a submitted task, or consecutive values of a map call.
 * Immutable but for its retry count; the message is built once, in the thread that made the chunk.
 */
final class Chunk {
    final long id;
    /**
     * The {@link PoolMessages#CHUNK} message: a {@code byte[]}, or a {@link Wire.Spliced} when it
     * holds large arrays of the call's items by reference (see {@link ChunkFactory#mapChunk}).
     */
    final Object message;
    /** How many results it gives. */
    final int count;
    /** Its place among its owner's chunks, from 0. */
    final int index;
    /** The function it names, to be defined in a worker before it; null when the message carries its own. */
    final FunctionRef function;
    /**
     * What kind of tasks it holds, as far as their length goes: a map call's function (each
     * call's is another, even for the same lambda), or the class of a task submitted on its own
     * (one kind for all tasks of a lambda or class). A worker's task time is kept per kind
     * ({@link WorkerHandle#taskNanos}).
     */
    final long kind;
    final ChunkOwner owner;
    /** Times it was sent again after its worker died; guarded by the pool's lock. */
    int retried;
    /** How long it may run once started, in nanoseconds; 0 for no limit. */
    final long timeoutNanos;
    /**
     * Why the pool stopped it (a {@link java.util.concurrent.TimeoutException}, or a
     * {@link java.util.concurrent.CancellationException} for {@code cancel(true)}), set when its
     * worker is told to interrupt it: whatever it answers then, it fails with this. Null while it
     * runs undisturbed; guarded by the pool's lock.
     */
    Throwable stopFailure;
    /** Its Flight Recorder event, begun when it was made; null when the event was not enabled then. */
    final PoolTaskEvent event;
    /**
     * How long its tasks were to take in all, by the task time of the worker that holds it when
     * it was sent there; -1 when that time was not known ({@link WorkerHandle#send}). Guarded by
     * the pool's lock.
     */
    long foretoldNanos = -1;

    Chunk(long id, Object message, int count, int index, FunctionRef function, long kind, ChunkOwner owner,
          long timeoutNanos) {
        this.id = id;
        this.kind = kind;
        this.timeoutNanos = timeoutNanos;
        this.message = message;
        this.count = count;
        this.index = index;
        this.function = function;
        this.owner = owner;
        this.event = FlightEvents.poolTask(ofMapCall(), count);
    }

    /** @return whether its tasks are a map call's, not a task submitted on its own */
    boolean ofMapCall() {
        return function != null && !function.submitted;
    }

    /** Commits its Flight Recorder event, if it has one: its outcome is known ({@link PoolTaskEvent}'s constants). */
    void ended(String outcome, int failedTasks) {
        if (event != null) {
            event.ended(outcome, failedTasks, retried);
        }
    }

    /** Commits its Flight Recorder event, if it has one: its results arrived. */
    void answered(Object[] values) {
        if (event != null) {
            int failed = 0;
            for (Object value : values) {
                if (value instanceof ValueSection.Failed) {
                    failed++;
                }
            }
            event.ended(failed == 0 ? PoolTaskEvent.COMPLETED : PoolTaskEvent.FAILED, failed, retried);
        }
    }
}
