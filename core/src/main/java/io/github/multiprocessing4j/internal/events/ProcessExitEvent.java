package io.github.multiprocessing4j.internal.events;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/** A child process of this JVM ended, as its reaper settled it: committed by the reaper thread, without a stack trace. */
@Name(ProcessExitEvent.NAME)
@Label("Process Exit")
@Category({"multiprocessing4j", "Processes"})
@Description("A child process started by this JVM ended and was reaped")
@StackTrace(false)
public final class ProcessExitEvent extends Event {
    /** The event's name. */
    public static final String NAME = "io.github.multiprocessing4j.ProcessExit";

    @Label("PID")
    @Description("The child's process id")
    long pid;

    @Label("Name")
    @Description("The child's process name")
    String name;

    @Label("Exit Code")
    @Description("As Python's: 0, 1 after an uncaught exception, n after System.exit(n), -N after signal N")
    int exitCode;

    @Label("Daemon")
    @Description("Whether the child ends with its parent")
    boolean daemon;

    @Label("Booted")
    @Description("Whether the child had booted (recorded itself in the process table) before it ended")
    boolean booted;

    @Label("Signal Sent")
    @Description("The last signal this JVM sent the child: 15 after terminate(), 9 after kill(), 0 for none")
    int signalSent;

    @Label("Failure")
    @Description("What the child's target threw, or why its JVM did not boot; null for neither")
    String failure;

    @Label("Lifetime")
    @Description("From the launch (in start()) until the child's end was settled")
    @Timespan(Timespan.NANOSECONDS)
    long lifetime;

    /**
     * Commits the event when it is enabled.
     *
     * @param pid the child's pid
     * @param name its name
     * @param exitCode its settled exit code
     * @param daemon whether it is a daemon
     * @param booted whether it booted before it ended
     * @param signalSent the last signal this JVM sent it, or 0
     * @param failure what it threw or why it did not boot; may be null
     * @param lifetimeNanos from the launch to now
     */
    static void record(long pid, String name, int exitCode, boolean daemon, boolean booted, int signalSent,
                              Throwable failure, long lifetimeNanos) {
        ProcessExitEvent event = new ProcessExitEvent();
        if (event.shouldCommit()) {
            event.pid = pid;
            event.name = name;
            event.exitCode = exitCode;
            event.daemon = daemon;
            event.booted = booted;
            event.signalSent = signalSent;
            event.failure = failure == null ? null : failure.toString();
            event.lifetime = lifetimeNanos;
            event.commit();
        }
    }
}
