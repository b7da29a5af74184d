package io.github.multiprocessing4j;

import io.github.multiprocessing4j.internal.shm.SharedSegment;
import io.github.multiprocessing4j.internal.sync.EventDescriptor;
import io.github.multiprocessing4j.internal.sync.RobustEvent;
import io.github.multiprocessing4j.spi.EventBackend;

import java.io.IOException;
import java.io.ObjectInputStream;

/** An event's flag in shared memory ({@link EventDescriptor} layout, the whole segment). */
final class LocalEvent implements EventBackend {
    private static final long serialVersionUID = 1L;

    private final SharedSegment segment;
    private transient RobustEvent event;

    LocalEvent() {
        this(SharedSegment.create("event", EventDescriptor.SIZE));
    }

    /** @param segment the event's segment, made here or received from another process */
    LocalEvent(SharedSegment segment) {
        this.segment = segment;
        this.event = new RobustEvent(segment);
    }

    /** @return the event's segment */
    SharedSegment segment() {
        return segment;
    }

    @Override
    public void set() {
        event.set();
    }

    @Override
    public void clear() {
        event.clear();
    }

    @Override
    public boolean isSet() {
        return event.isSet();
    }

    @Override
    public boolean await(long timeoutNanos) throws InterruptedException {
        return event.await(timeoutNanos);
    }

    @Override
    public void close() {
        segment.unlink();
    }

    @Override
    public String toString() {
        return segment.name();
    }

    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
        in.defaultReadObject();
        event = new RobustEvent(segment);
    }
}
