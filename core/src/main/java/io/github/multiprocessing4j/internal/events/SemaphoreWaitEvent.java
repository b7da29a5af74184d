package io.github.multiprocessing4j.internal.events;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Threshold;

/**
 * A thread waited for a permit of a process-shared semaphore longer than the threshold (10 ms
 * unless the recording says otherwise). Begun only once the first try failed.
 */
@Name(SemaphoreWaitEvent.NAME)
@Label("Semaphore Wait")
@Category({"multiprocessing4j", "Synchronization"})
@Description("A thread waited for a permit of a process-shared semaphore (ProcessSemaphore, ProcessBoundedSemaphore)")
@Threshold("10 ms")
public final class SemaphoreWaitEvent extends Event {
    /** The event's name. */
    public static final String NAME = "io.github.multiprocessing4j.SemaphoreWait";

    @Label("Semaphore")
    @Description("The semaphore's shared segment name")
    String semaphore;

    @Label("Acquired")
    @Description("Whether the wait ended with a permit: false after a timeout or an interrupt")
    boolean acquired;

    /** @return the begun event of a wait that is about to start, to end with {@link #waited} */
    static SemaphoreWaitEvent beginWait() {
        SemaphoreWaitEvent event = new SemaphoreWaitEvent();
        event.begin();
        return event;
    }

    /**
     * Ends the wait's event and commits it when it is enabled and lasted longer than its threshold.
     *
     * @param semaphoreName the semaphore's name
     * @param gotOne whether the wait ended with a permit
     */
    public void waited(String semaphoreName, boolean gotOne) {
        end();
        if (shouldCommit()) {
            this.semaphore = semaphoreName;
            this.acquired = gotOne;
            commit();
        }
    }
}
