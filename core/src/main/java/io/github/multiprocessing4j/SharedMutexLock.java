package io.github.multiprocessing4j;

import io.github.multiprocessing4j.internal.shm.SharedSegment;
import io.github.multiprocessing4j.internal.sync.MutexDescriptor;
import io.github.multiprocessing4j.internal.sync.RobustMutex;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;

/**
 * What {@link ProcessLock} and {@link ProcessRLock} share: a {@link Lock} whose state lives in
 * shared memory, so that it excludes threads of every process of the tree, and that a waiter
 * takes over within a second when its holder's process dies.
 */
abstract class SharedMutexLock implements Lock, Serializable, AutoCloseable {
    private static final long serialVersionUID = 1L;

    private final SharedSegment segment;
    private final boolean reentrant;
    private transient RobustMutex mutex;

    SharedMutexLock(String kind, boolean reentrant) {
        this.segment = SharedSegment.create(kind, MutexDescriptor.SIZE);
        this.reentrant = reentrant;
        this.mutex = new RobustMutex(segment, 0, reentrant);
    }

    /**
     * Acquires the lock, waiting as long as it takes; Python's {@code acquire()}. The same as
     * {@link #lock()}: an interrupt does not end the wait (the thread's interrupt status is kept).
     * When the holder's process dies, this waiter may take the lock over (see the class comment).
     */
    public void acquire() {
        lock();
    }

    /**
     * Acquires the lock, waiting at most {@code timeout}; Python's {@code acquire(timeout=...)}.
     *
     * @param timeout how long to wait; zero or negative does not wait
     * @return true when the lock was acquired, false on timeout
     * @throws InterruptedException when the thread is interrupted while waiting (the lock is
     *     then not held)
     */
    public boolean acquire(Duration timeout) throws InterruptedException {
        return mutex.acquire(Math.max(0, timeout.toNanos()));
    }

    /**
     * Releases the lock; Python's {@code release()}.
     *
     * @throws IllegalMonitorStateException when the calling thread does not hold it
     */
    public void release() {
        unlock();
    }

    /** Acquires the lock, waiting as long as it takes, ignoring interrupts (their status is kept). */
    @Override
    public void lock() {
        mutex.acquireUninterruptibly();
    }

    /**
     * Acquires the lock unless the thread is interrupted.
     *
     * @throws InterruptedException when the thread is interrupted before or while waiting; the
     *     lock is then not held and its state is unchanged
     */
    @Override
    public void lockInterruptibly() throws InterruptedException {
        mutex.acquire(-1);
    }

    /** @return true when the lock was free (or, for a re-entrant lock, already held) and is now held */
    @Override
    public boolean tryLock() {
        return mutex.tryAcquire();
    }

    /**
     * @return true when the lock was acquired within the time, false on timeout
     * @throws InterruptedException when the thread is interrupted while waiting
     */
    @Override
    public boolean tryLock(long time, TimeUnit unit) throws InterruptedException {
        return mutex.acquire(Math.max(0, unit.toNanos(time)));
    }

    /** @throws IllegalMonitorStateException when the calling thread does not hold the lock */
    @Override
    public void unlock() {
        mutex.release();
    }

    /**
     * Creates a condition bound to this lock, shared between processes like the lock itself (a
     * new segment: {@link ProcessCondition#close() close} it when done). Never blocks.
     *
     * @return a new {@link ProcessCondition}
     */
    @Override
    public ProcessCondition newCondition() {
        return new ProcessCondition(this);
    }

    /** @return whether the calling thread holds the lock */
    public boolean isHeldByCurrentThread() {
        return mutex.isHeldByCurrentThread();
    }

    /** @return whether any thread of any process holds the lock (a snapshot) */
    public boolean isLocked() {
        return mutex.isLocked();
    }

    /** @return how many times the lock was taken over from a process that died holding it */
    public long takeovers() {
        return mutex.takeovers();
    }

    /**
     * Removes the lock's name from the tree. Processes that already use the lock keep using it;
     * handles deserialized afterwards fail with {@link IllegalStateException}. Without a close the
     * lock lives until every process of its tree has ended.
     */
    @Override
    public void close() {
        segment.unlink();
    }

    RobustMutex mutex() {
        return mutex;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "(" + segment.name() + (isLocked() ? ", locked)" : ", unlocked)");
    }

    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
        in.defaultReadObject();
        mutex = new RobustMutex(segment, 0, reentrant);
    }
}
