package io.github.multiprocessing4j.internal.events;

import jdk.jfr.FlightRecorder;

/**
 * Where the library's code begins and commits its Flight Recorder events: the only class of this
 * package that the other layers call, so that no event class is loaded before JFR runs.
 *
 * <p>Implementation notes. Loading the first {@link jdk.jfr.Event} class of a JVM registers it,
 * which makes JFR load its metadata of every event type: 0.2 to 1 s of class loading (measured
 * on JDK 17, on a loaded 2-core machine), then tens of milliseconds for each further event class.
 * No first contended lock or pool call should pay that in a JVM that records nothing. So every
 * method here first asks {@link FlightRecorder#isInitialized()} (one volatile read once the
 * small {@code FlightRecorder} class is loaded), and touches an event class only when JFR has
 * started in this JVM ({@code -XX:StartFlightRecording}, {@code jcmd JFR.start}, Mission Control,
 * a {@code Recording} made in the program): its metadata is then loaded already. Afterwards
 * each event's own settings decide ({@code isEnabled()}, {@code shouldCommit()}). An event that
 * must begin before JFR starts is not recorded; one begun while JFR runs is committed when its
 * settings say so.
 */
public final class FlightEvents {
    private FlightEvents() {
    }

    /** @return whether JFR has started in this JVM: until then, nothing is recorded and no event class loaded */
    private static boolean recorderStarted() {
        return FlightRecorder.isInitialized();
    }

    /**
     * Begins the event of a child's start, in the starting thread.
     *
     * @return the event, to complete with {@link ProcessStartEvent#launched} and {@link ProcessStartEvent#booted};
     *     null when it is not recorded
     */
    public static ProcessStartEvent processStart() {
        return recorderStarted() ? ProcessStartEvent.beginIfEnabled() : null;
    }

    /**
     * Records a child's settled end.
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
    public static void processExit(long pid, String name, int exitCode, boolean daemon, boolean booted, int signalSent,
                                   Throwable failure, long lifetimeNanos) {
        if (recorderStarted()) {
            ProcessExitEvent.record(pid, name, exitCode, daemon, booted, signalSent, failure, lifetimeNanos);
        }
    }

    /**
     * Begins the event of a lock wait that is about to start (the first try failed).
     *
     * @param ownerPid the lock's owner now, or 0
     * @return the event, to end with {@link LockWaitEvent#waited}; null when it is not recorded
     */
    public static LockWaitEvent lockWait(long ownerPid) {
        return recorderStarted() ? LockWaitEvent.beginWait(ownerPid) : null;
    }

    /**
     * Records that a waiter took a lock over from a dead owner.
     *
     * @param lock the lock's name
     * @param deadOwnerPid the process that died holding it
     */
    public static void lockTakeover(String lock, long deadOwnerPid) {
        if (recorderStarted()) {
            LockTakeoverEvent.record(lock, deadOwnerPid);
        }
    }

    /**
     * Begins the event of a semaphore wait that is about to start (the first try failed).
     *
     * @return the event, to end with {@link SemaphoreWaitEvent#waited}; null when it is not recorded
     */
    public static SemaphoreWaitEvent semaphoreWait() {
        return recorderStarted() ? SemaphoreWaitEvent.beginWait() : null;
    }

    /**
     * Records that the permits of a dead holder were given back.
     *
     * @param semaphore the semaphore's name
     * @param deadHolderPid the process that died holding permits
     * @param permits how many it held
     */
    public static void semaphoreReclaim(String semaphore, long deadHolderPid, long permits) {
        if (recorderStarted()) {
            SemaphoreReclaimEvent.record(semaphore, deadHolderPid, permits);
        }
    }

    /**
     * Begins the event of a put that is about to wait for room (the first try found the queue full).
     *
     * @return the event, to end with {@link QueuePutBlockedEvent#waited}; null when it is not recorded
     */
    public static QueuePutBlockedEvent queuePutBlocked() {
        return recorderStarted() ? QueuePutBlockedEvent.beginWait() : null;
    }

    /**
     * Begins the event of a pool chunk, in the thread that made it.
     *
     * @param map whether it holds items of a map call (else one submitted task)
     * @param tasks how many tasks it holds
     * @return the event, to complete with {@link PoolTaskEvent#sentTo} and {@link PoolTaskEvent#ended}; null
     *     when it is not recorded
     */
    public static PoolTaskEvent poolTask(boolean map, int tasks) {
        return recorderStarted() ? PoolTaskEvent.beginIfEnabled(map, tasks) : null;
    }

    /**
     * Records the death of a pool worker.
     *
     * @param pid the worker's pid
     * @param name its name
     * @param exitCode its exit code
     * @param ready whether it was ready
     * @param tasksLost the tasks it held that failed
     * @param tasksRetried the tasks it held that go out again
     */
    public static void poolWorkerDeath(long pid, String name, int exitCode, boolean ready, int tasksLost,
                                       int tasksRetried) {
        if (recorderStarted()) {
            PoolWorkerDeathEvent.record(pid, name, exitCode, ready, tasksLost, tasksRetried);
        }
    }
}
