package io.github.multiprocessing4j.internal.events;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Threshold;

/**
 * A thread waited for a process-shared lock longer than the threshold (10 ms unless the recording
 * says otherwise), as {@code jdk.JavaMonitorEnter} does for a monitor. Begun only once the first
 * try failed, so an uncontended acquire never makes one.
 */
@Name(LockWaitEvent.NAME)
@Label("Lock Wait")
@Category({"multiprocessing4j", "Synchronization"})
@Description("A thread waited for a process-shared lock (ProcessLock, ProcessRLock, a condition's lock, a queue's"
        + " put or get lock) held by another thread or process")
@Threshold("10 ms")
public final class LockWaitEvent extends Event {
    /** The event's name. */
    public static final String NAME = "io.github.multiprocessing4j.LockWait";

    @Label("Lock")
    @Description("The lock's shared segment name (a queue's locks: the queue's name and which lock)")
    String lock;

    @Label("Owner PID")
    @Description("The process that held the lock when the wait began; 0 when it was released before it was read")
    long ownerPid;

    @Label("Acquired")
    @Description("Whether the wait ended with the lock held: false after a timeout or an interrupt")
    boolean acquired;

    /**
     * Begins the event of a wait that is about to start.
     *
     * @param ownerPid the lock's owner now, or 0
     * @return the begun event, to end with {@link #waited}
     */
    static LockWaitEvent beginWait(long ownerPid) {
        LockWaitEvent event = new LockWaitEvent();
        event.ownerPid = ownerPid;
        event.begin();
        return event;
    }

    /**
     * Ends the wait's event and commits it when it is enabled and lasted longer than its threshold.
     *
     * @param lockName the lock's name
     * @param gotIt whether the wait ended with the lock held
     */
    public void waited(String lockName, boolean gotIt) {
        end();
        if (shouldCommit()) {
            this.lock = lockName;
            this.acquired = gotIt;
            commit();
        }
    }
}
