package io.github.multiprocessing4j.internal.events;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * A child process this JVM started: from its launch until the child had booted.
 *
 * <p>Implementation notes. The parent learns that a child booted from the child's record in the
 * tree's process table, which the child's boot thread writes while its main thread rebuilds the
 * target; so the event is begun in the starting thread ({@link #beginIfEnabled()}) and committed
 * by the child's reaper thread, which looks for that record until it appears or the child ends
 * (only while this event is being recorded). A stack trace would be the reaper's, so none is
 * taken.
 */
@Name(ProcessStartEvent.NAME)
@Label("Process Start")
@Category({"multiprocessing4j", "Processes"})
@Description("A child process started by this JVM; the duration is its boot time: from its launch (in start(), once"
        + " the target is serialized) until the child had recorded itself in the process table, which its boot"
        + " thread does while its main thread rebuilds the target")
@StackTrace(false)
public final class ProcessStartEvent extends Event {
    /** The event's name. */
    public static final String NAME = "io.github.multiprocessing4j.ProcessStart";

    @Label("PID")
    @Description("The child's process id")
    long pid;

    @Label("Name")
    @Description("The child's process name")
    String name;

    @Label("Start Method")
    @Description("The start method asked for: warm (take a spare JVM booted ahead) or cold (a new JVM)")
    String startMethod;

    @Label("Spare JVM")
    @Description("Whether the child took a spare JVM booted ahead: false for a cold start, and for a warm one that"
            + " found no spare ready")
    boolean spare;

    @Label("Daemon")
    @Description("Whether the child ends with its parent")
    boolean daemon;

    @Label("Launch Time")
    @Description("From the launch until the child had a JVM of its own: a new one spawned (cold) or a spare taken"
            + " (warm)")
    @Timespan(Timespan.NANOSECONDS)
    long launchTime;

    @Label("Booted")
    @Description("Whether the child recorded itself in the process table; false when it ended first (its JVM could"
            + " not start, or it was killed within its first milliseconds, maybe after its target began): the"
            + " duration is then its whole life")
    boolean booted;

    /** @return a begun event, or null when the event is not enabled: then nothing is recorded for this start */
    static ProcessStartEvent beginIfEnabled() {
        ProcessStartEvent event = new ProcessStartEvent();
        if (!event.isEnabled()) {
            return null;
        }
        event.begin();
        return event;
    }

    /**
     * Notes what the launch did, once the child runs; called by the starting thread.
     *
     * @param pid the child's pid
     * @param startMethod the start method asked for ("warm" or "cold")
     * @param spare whether it took a spare JVM
     * @param launchNanos how long the launch took so far
     */
    public void launched(long pid, String startMethod, boolean spare, long launchNanos) {
        this.pid = pid;
        this.startMethod = startMethod;
        this.spare = spare;
        this.launchTime = launchNanos;
    }

    /**
     * Ends and commits the event; called once, by the child's reaper.
     *
     * @param childName the child's name now
     * @param isDaemon whether the child is a daemon
     * @param hasBooted whether it booted, or ended before
     */
    public void booted(String childName, boolean isDaemon, boolean hasBooted) {
        end();
        if (shouldCommit()) {
            this.name = childName;
            this.daemon = isDaemon;
            this.booted = hasBooted;
            commit();
        }
    }
}
