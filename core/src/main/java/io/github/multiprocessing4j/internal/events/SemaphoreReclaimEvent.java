package io.github.multiprocessing4j.internal.events;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;

/** A process gave back the permits of a semaphore that another process died holding. */
@Name(SemaphoreReclaimEvent.NAME)
@Label("Semaphore Permits Reclaimed")
@Category({"multiprocessing4j", "Synchronization"})
@Description("The permits a dead process held were given back to a process-shared semaphore")
public final class SemaphoreReclaimEvent extends Event {
    /** The event's name. */
    public static final String NAME = "io.github.multiprocessing4j.SemaphoreReclaim";

    @Label("Semaphore")
    @Description("The semaphore's shared segment name")
    String semaphore;

    @Label("Dead Holder PID")
    @Description("The process that died holding the permits")
    long deadHolderPid;

    @Label("Permits")
    @Description("How many permits it held (given back up to a bounded semaphore's bound)")
    long permits;

    /**
     * Commits the event when it is enabled.
     *
     * @param semaphore the semaphore's name
     * @param deadHolderPid the process that died holding permits
     * @param permits how many it held
     */
    static void record(String semaphore, long deadHolderPid, long permits) {
        SemaphoreReclaimEvent event = new SemaphoreReclaimEvent();
        if (event.shouldCommit()) {
            event.semaphore = semaphore;
            event.deadHolderPid = deadHolderPid;
            event.permits = permits;
            event.commit();
        }
    }
}
