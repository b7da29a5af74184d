package io.github.multiprocessing4j.internal.events;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;

/** A waiting thread took a process-shared lock over from a process that died holding it. */
@Name(LockTakeoverEvent.NAME)
@Label("Lock Takeover")
@Category({"multiprocessing4j", "Synchronization"})
@Description("A waiting thread took a process-shared lock over from a process that died holding it: the data the"
        + " lock guarded may be half-updated")
public final class LockTakeoverEvent extends Event {
    /** The event's name. */
    public static final String NAME = "io.github.multiprocessing4j.LockTakeover";

    @Label("Lock")
    @Description("The lock's shared segment name (a queue's locks: the queue's name and which lock)")
    String lock;

    @Label("Dead Owner PID")
    @Description("The process that died holding the lock")
    long deadOwnerPid;

    /**
     * Commits the event when it is enabled.
     *
     * @param lock the lock's name
     * @param deadOwnerPid the process that died holding it
     */
    static void record(String lock, long deadOwnerPid) {
        LockTakeoverEvent event = new LockTakeoverEvent();
        if (event.shouldCommit()) {
            event.lock = lock;
            event.deadOwnerPid = deadOwnerPid;
            event.commit();
        }
    }
}
