package io.github.multiprocessing4j;

import io.github.multiprocessing4j.internal.shm.MachineSegments;
import io.github.multiprocessing4j.internal.shm.SharedSegment;
import io.github.multiprocessing4j.internal.sync.MutexDescriptor;
import io.github.multiprocessing4j.internal.sync.RobustMutex;
import io.github.multiprocessing4j.internal.sync.WaiterBoard;
import io.github.multiprocessing4j.spi.LockBackend;

import java.io.IOException;
import java.io.ObjectInputStream;

/**
 * A {@link ProcessLock}'s or {@link ProcessRLock}'s state in shared memory: a robust mutex
 * ({@link MutexDescriptor} layout) at offset 0 of its segment, then one word, the fencing counter.
 *
 * <pre>
 *  0                               32              40              48
 *  +-------------------------------+---------------+---------------+
 *  | mutex (MutexDescriptor)       | fence         | waiters       |
 *  +-------------------------------+---------------+---------------+
 *
 *  fence   the fencing token of the latest holding: a holder adds 1 when it gets the lock (not
 *          when it acquires it again re-entrantly). Only the holder writes it, so a plain read
 *          and a release store do (no atomic instruction on the uncontended path).
 *  waiters the processes with a thread waiting long for the lock (a WaiterBoard of two seats):
 *          a release rings them
 * </pre>
 *
 * <p>Implementation notes. A holder that died between reading and writing the fence never
 * returned its token to anyone, so the next holder's +1 keeps the tokens handed out strictly
 * increasing.
 */
final class LocalLock implements LockBackend {
    private static final long serialVersionUID = 1L;
    private static final int FENCE = MutexDescriptor.SIZE;
    private static final int WAITERS = FENCE + Long.BYTES;
    private static final int SIZE = WAITERS + WaiterBoard.TWO_SEATS;

    private final SharedSegment segment;
    private final boolean reentrant;
    private transient RobustMutex mutex;

    LocalLock(String kind, boolean reentrant) {
        this(SharedSegment.create(kind, SIZE), reentrant);
    }

    /** @param segment the lock's segment, made here or received from another process */
    LocalLock(SharedSegment segment, boolean reentrant) {
        this.segment = segment;
        this.reentrant = reentrant;
        this.mutex = mutexOf(segment, reentrant);
    }

    private static RobustMutex mutexOf(SharedSegment segment, boolean reentrant) {
        return new RobustMutex(segment, 0, reentrant, null, new WaiterBoard(segment, WAITERS, WaiterBoard.TWO_SEATS));
    }

    /**
     * Opens the machine-wide lock {@code name}, creating it free when there is none (its segment
     * is {@link MachineSegments#kindName kindName(LOCK_KIND, name)}: see {@link MachineSegments}).
     *
     * @throws IllegalArgumentException when the name is not valid ({@link MachineSegments#checkName})
     */
    static LocalLock named(String name, boolean reentrant) {
        return new LocalLock(SharedSegment.openOrCreateOnMachine(MachineSegments.kindName(MachineSegments.LOCK_KIND, name),
                SIZE), reentrant);
    }

    /** Removes the machine-wide lock {@code name}; nothing when there is none. */
    static void unlinkNamed(String name) {
        SharedSegment.unlink(MachineSegments.SCOPE, MachineSegments.kindName(MachineSegments.LOCK_KIND, name));
    }

    @Override
    public boolean reentrant() {
        return reentrant;
    }

    @Override
    public boolean tryAcquire() {
        return mutex.tryAcquire() && acquired();
    }

    @Override
    public boolean acquire(long timeoutNanos) throws InterruptedException {
        return mutex.acquire(timeoutNanos) && acquired();
    }

    @Override
    public void acquireUninterruptibly() {
        mutex.acquireUninterruptibly();
        acquired();
    }

    /** Takes the next fencing token when this acquisition began a holding; always true. */
    private boolean acquired() {
        if (mutex.holdingJustBegan()) {
            newHolding();
        }
        return true;
    }

    /** Takes the next fencing token; the caller holds the lock (also after a condition's wait). */
    void newHolding() {
        segment.setLongRelease(FENCE, segment.getLongVolatile(FENCE) + 1);
    }

    @Override
    public void release() {
        mutex.release();
    }

    @Override
    public boolean isHeldByCurrentThread() {
        return mutex.isHeldByCurrentThread();
    }

    @Override
    public int holdCount() {
        return mutex.holdCount();
    }

    @Override
    public boolean isLocked() {
        return mutex.isLocked();
    }

    @Override
    public long fencingToken() {
        if (!mutex.isHeldByCurrentThread()) {
            throw new IllegalMonitorStateException("the calling thread does not hold this lock");
        }
        return segment.getLongVolatile(FENCE);
    }

    @Override
    public long takeovers() {
        return mutex.takeovers();
    }

    /** Ends a tree's lock for the tree; a machine-wide lock stays until {@link #unlinkNamed}. */
    @Override
    public void close() {
        if (!isMachineWide()) {
            segment.unlink();
        }
    }

    /** @return whether this is a named lock of the machine, not a tree's */
    boolean isMachineWide() {
        return MachineSegments.SCOPE.equals(segment.treeId());
    }

    RobustMutex mutex() {
        return mutex;
    }

    @Override
    public String toString() {
        return segment.name();
    }

    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
        in.defaultReadObject();
        mutex = mutexOf(segment, reentrant);
    }

    /** @return the lock's segment */
    SharedSegment segment() {
        return segment;
    }
}
