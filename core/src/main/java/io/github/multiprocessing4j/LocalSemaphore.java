package io.github.multiprocessing4j;

import io.github.multiprocessing4j.internal.shm.SharedSegment;
import io.github.multiprocessing4j.internal.sync.RobustSemaphore;
import io.github.multiprocessing4j.internal.sync.SemaphoreDescriptor;
import io.github.multiprocessing4j.spi.SemaphoreBackend;

import java.io.IOException;
import java.io.ObjectInputStream;

/** A semaphore's permits in shared memory ({@link SemaphoreDescriptor} layout, the whole segment). */
final class LocalSemaphore implements SemaphoreBackend {
    private static final long serialVersionUID = 1L;

    private final SharedSegment segment;
    private final boolean bounded;
    private transient RobustSemaphore semaphore;

    LocalSemaphore(String kind, int permits, boolean bounded) {
        this.segment = SharedSegment.create(kind, SemaphoreDescriptor.SIZE);
        this.bounded = bounded;
        RobustSemaphore.initialise(segment, permits, bounded);
        this.semaphore = new RobustSemaphore(segment);
    }

    /** @param segment the semaphore's segment, received from another process */
    LocalSemaphore(SharedSegment segment, boolean bounded) {
        this.segment = segment;
        this.bounded = bounded;
        this.semaphore = new RobustSemaphore(segment);
    }

    /** @return the semaphore's segment */
    SharedSegment segment() {
        return segment;
    }

    @Override
    public boolean bounded() {
        return bounded;
    }

    @Override
    public boolean tryAcquire() {
        return semaphore.tryAcquire();
    }

    @Override
    public boolean acquire(long timeoutNanos) throws InterruptedException {
        return semaphore.acquire(timeoutNanos);
    }

    @Override
    public void release() {
        semaphore.release();
    }

    @Override
    public int availablePermits() {
        return semaphore.availablePermits();
    }

    @Override
    public long reclaimed() {
        return semaphore.reclaimed();
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
        semaphore = new RobustSemaphore(segment);
    }
}
