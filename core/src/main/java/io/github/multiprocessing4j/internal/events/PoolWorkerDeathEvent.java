package io.github.multiprocessing4j.internal.events;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * A pool worker ended on its own while the pool ran (killed, crashed, a task called
 * {@code System.exit}), or ended holding tasks: committed by the pool's collector thread, without
 * a stack trace. Workers that end because the pool shuts down or because they reached
 * {@code maxTasksPerChild} do not make one.
 */
@Name(PoolWorkerDeathEvent.NAME)
@Label("Pool Worker Death")
@Category({"multiprocessing4j", "Pool"})
@Description("A ProcessPool worker died while the pool ran, or ended holding tasks")
@StackTrace(false)
public final class PoolWorkerDeathEvent extends Event {
    /** The event's name. */
    public static final String NAME = "io.github.multiprocessing4j.PoolWorkerDeath";

    @Label("PID")
    @Description("The worker's process id")
    long pid;

    @Label("Name")
    @Description("The worker's process name")
    String name;

    @Label("Exit Code")
    @Description("As Python's: n after System.exit(n), -N after signal N (-9: SIGKILL)")
    int exitCode;

    @Label("Ready")
    @Description("Whether it had booted and run the pool's initializer: a worker that dies before that breaks the pool")
    boolean ready;

    @Label("Tasks Lost")
    @Description("The tasks it held that failed with WorkerDiedException")
    int tasksLost;

    @Label("Tasks Retried")
    @Description("The tasks it held that were sent again (the pool's retries)")
    int tasksRetried;

    /**
     * Commits the event when it is enabled.
     *
     * @param pid the worker's pid
     * @param name its name
     * @param exitCode its exit code
     * @param ready whether it was ready
     * @param tasksLost the tasks it held that failed
     * @param tasksRetried the tasks it held that go out again
     */
    static void record(long pid, String name, int exitCode, boolean ready, int tasksLost, int tasksRetried) {
        PoolWorkerDeathEvent event = new PoolWorkerDeathEvent();
        if (event.shouldCommit()) {
            event.pid = pid;
            event.name = name;
            event.exitCode = exitCode;
            event.ready = ready;
            event.tasksLost = tasksLost;
            event.tasksRetried = tasksRetried;
            event.commit();
        }
    }
}
