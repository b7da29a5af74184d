package io.github.multiprocessing4j.internal.events;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * A pool's chunk of tasks, from its submission until its outcome was known: one submitted task,
 * or consecutive items of a map call.
 *
 * <p>Implementation notes. Begun in the submitting thread when the chunk is made, only when the
 * event is enabled then ({@link #beginIfEnabled}); the chunk carries it; the pool notes the
 * worker it is sent to, and the pool's collector thread (or the thread that ended the pool)
 * commits it with the outcome. One event per chunk, not per item: a map of a million items in
 * chunks of 1000 makes a thousand. A chunk sent again after its worker died stays one event.
 */
@Name(PoolTaskEvent.NAME)
@Label("Pool Task")
@Category({"multiprocessing4j", "Pool"})
@Description("A ProcessPool task, or a chunk of a map call's items, from its submission until its result or failure"
        + " was known")
@StackTrace(false)
public final class PoolTaskEvent extends Event {
    /** The event's name. */
    public static final String NAME = "io.github.multiprocessing4j.PoolTask";
    /** Outcome: every task of the chunk returned. */
    public static final String COMPLETED = "completed";
    /** Outcome: a task threw (see Failed Tasks), or the chunk could not be run or its results read. */
    public static final String FAILED = "failed";
    /** Outcome: the worker holding the chunk died (WorkerDiedException). */
    public static final String WORKER_DIED = "worker died";
    /** Outcome: the pool was terminated before the chunk's answer came. */
    public static final String CANCELLED = "cancelled";
    /** Outcome: the pool broke (a worker could not start, or its initializer failed). */
    public static final String POOL_BROKEN = "pool broken";

    @Label("Kind")
    @Description("task: one task submitted on its own (submit, execute, applyAsync); map: consecutive items of a map"
            + " call")
    String kind;

    @Label("Tasks")
    @Description("How many tasks (items) the chunk holds")
    int tasks;

    @Label("Worker PID")
    @Description("The worker it was sent to last; 0 when it was never sent")
    long workerPid;

    @Label("Outcome")
    @Description("completed, failed, worker died, cancelled or pool broken")
    String outcome;

    @Label("Failed Tasks")
    @Description("How many of its tasks threw")
    int failedTasks;

    @Label("Retries")
    @Description("How many times it was sent again after its worker died")
    int retries;

    /**
     * @param map whether the chunk holds items of a map call (else one submitted task)
     * @param tasks how many tasks it holds
     * @return a begun event, or null when the event is not enabled: then nothing is recorded for this chunk
     */
    static PoolTaskEvent beginIfEnabled(boolean map, int tasks) {
        PoolTaskEvent event = new PoolTaskEvent();
        if (!event.isEnabled()) {
            return null;
        }
        event.kind = map ? "map" : "task";
        event.tasks = tasks;
        event.begin();
        return event;
    }

    /**
     * Notes the worker the chunk was sent to; with the pool's lock held.
     *
     * @param pid the worker's pid
     */
    public void sentTo(long pid) {
        workerPid = pid;
    }

    /**
     * Ends and commits the event, once.
     *
     * @param outcomeOfChunk one of the outcome constants
     * @param failed how many of its tasks threw
     * @param retried how many times it was sent again
     */
    public void ended(String outcomeOfChunk, int failed, int retried) {
        end();
        if (shouldCommit()) {
            this.outcome = outcomeOfChunk;
            this.failedTasks = failed;
            this.retries = retried;
            commit();
        }
    }
}
