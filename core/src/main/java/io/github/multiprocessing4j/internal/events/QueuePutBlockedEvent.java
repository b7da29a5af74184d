package io.github.multiprocessing4j.internal.events;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Threshold;

/**
 * A put waited for room in a full bounded queue longer than the threshold (10 ms unless the
 * recording says otherwise). Begun only once the first try found the queue full, so a put with
 * room never makes one.
 */
@Name(QueuePutBlockedEvent.NAME)
@Label("Queue Put Blocked")
@Category({"multiprocessing4j", "Queues"})
@Description("A put waited for room in a full bounded queue (ProcessQueue, ProcessJoinableQueue with a maximum size)")
@Threshold("10 ms")
public final class QueuePutBlockedEvent extends Event {
    /** The event's name. */
    public static final String NAME = "io.github.multiprocessing4j.QueuePutBlocked";

    @Label("Queue")
    @Description("The queue's shared segment name")
    String queue;

    @Label("Maximum Size")
    @Description("The queue's bound: the items it holds before a put waits")
    long maxSize;

    @Label("Put")
    @Description("Whether the item went in: false when the queue stayed full for the whole timeout")
    boolean put;

    /** @return the begun event of a put that is about to wait, to end with {@link #waited} */
    static QueuePutBlockedEvent beginWait() {
        QueuePutBlockedEvent event = new QueuePutBlockedEvent();
        event.begin();
        return event;
    }

    /**
     * Ends the wait's event and commits it when it is enabled and lasted longer than its threshold.
     *
     * @param queueName the queue's name
     * @param bound its maximum size
     * @param wentIn whether the item went in
     */
    public void waited(String queueName, long bound, boolean wentIn) {
        end();
        if (shouldCommit()) {
            this.queue = queueName;
            this.maxSize = bound;
            this.put = wentIn;
            commit();
        }
    }
}
