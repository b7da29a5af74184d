package io.github.multiprocessing4j;

import io.github.multiprocessing4j.spi.LockBackend;

import java.io.Serializable;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Lock;

/**
 * What {@link ProcessLock} and {@link ProcessRLock} share: a {@link Lock} whose state lives in
 * shared memory ({@code LocalLock}), so that it excludes threads of every process of the tree, and
 * that a waiter takes over within a second when its holder's process dies; or in the
 * {@linkplain LockBackend backend} it was made over (a cluster's lock lives on a Redis server).
 */
abstract class SharedMutexLock implements Lock, Serializable, AutoCloseable {
    private static final long serialVersionUID = 1L;

    private final LockBackend backend;

    SharedMutexLock(LockBackend backend) {
        this.backend = backend;
    }

    /** @return {@code backend}, checked to be re-entrant or not as the caller needs */
    static LockBackend checked(LockBackend backend, boolean reentrant) {
        if (backend.reentrant() != reentrant) {
            throw new IllegalArgumentException("a " + (reentrant ? "ProcessRLock needs a re-entrant" : "ProcessLock needs a non-re-entrant")
                    + " backend: " + backend);
        }
        return backend;
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
        return backend.acquire(Math.max(0, timeout.toNanos()));
    }

    /**
     * Releases the lock; Python's {@code release()}.
     *
     * @throws IllegalMonitorStateException when the calling thread does not hold it
     */
    public void release() {
        unlock();
    }

    /**
     * Acquires the lock, waiting as long as it takes, and returns a holding whose close releases
     * it: Python's {@code with lock:} is {@code try (var held = lock.hold()) { ... }}. Waits as
     * {@link #acquire()} does: an interrupt does not end the wait (the thread's interrupt status is
     * kept). Not the same as try-with-resources on the lock itself, whose {@link #close()} acquires
     * nothing and ends the lock.
     *
     * @return the holding, to close (by this thread) when done
     * @throws IllegalStateException for a {@link ProcessLock}, when the calling thread holds it
     *     already (it is not re-entrant)
     */
    public Holding hold() {
        lock();
        return new Holding(this::unlock);
    }

    /**
     * Acquires the lock, waiting at most {@code timeout}, and returns a holding whose close
     * releases it, as {@link #hold()}; unlike {@link #acquire(Duration)}, running out of time is an
     * exception, so that the block is not entered.
     *
     * @param timeout how long to wait; zero or negative does not wait
     * @return the holding, to close (by this thread) when done
     * @throws TimeoutException when the lock was not acquired within the time
     * @throws InterruptedException when the thread is interrupted while waiting (the lock is
     *     then not held)
     * @throws IllegalStateException for a {@link ProcessLock}, when the calling thread holds it
     *     already (it is not re-entrant)
     */
    public Holding hold(Duration timeout) throws InterruptedException, TimeoutException {
        if (!acquire(timeout)) {
            throw new TimeoutException("the lock was not acquired within " + timeout + ": " + this);
        }
        return new Holding(this::unlock);
    }

    /** Acquires the lock, waiting as long as it takes, ignoring interrupts (their status is kept). */
    @Override
    public void lock() {
        backend.acquireUninterruptibly();
    }

    /**
     * Acquires the lock unless the thread is interrupted.
     *
     * @throws InterruptedException when the thread is interrupted before or while waiting; the
     *     lock is then not held and its state is unchanged
     */
    @Override
    public void lockInterruptibly() throws InterruptedException {
        backend.acquire(-1);
    }

    /**
     * Acquires the lock if it is free (or, for a re-entrant lock, already held by the calling
     * thread), without waiting for it; Python's {@code acquire(block=False)}. Never blocks.
     *
     * <p>A second {@code tryLock()} by the thread that holds the lock: a {@link ProcessRLock}
     * counts it as one more acquisition and returns true (release it as many times); a
     * {@link ProcessLock} throws {@link IllegalStateException} rather than return false, as its
     * other acquisitions do (asking again for a lock one holds is a bug; CPython's {@code Lock}
     * returns {@code False} there).
     *
     * @return true when the lock was free (or, for a re-entrant lock, already held) and is now
     *     held; false when another thread (of any process) holds it
     * @throws IllegalStateException for a {@link ProcessLock}, when the calling thread holds it
     *     already
     */
    @Override
    public boolean tryLock() {
        return backend.tryAcquire();
    }

    /**
     * Acquires the lock, waiting at most the given time, as {@link #acquire(Duration)}.
     *
     * @param time how long to wait, in {@code unit}s; zero or negative does not wait
     * @param unit the unit of {@code time}
     * @return true when the lock was acquired within the time, false on timeout
     * @throws InterruptedException when the thread is interrupted while waiting (the lock is
     *     then not held)
     */
    @Override
    public boolean tryLock(long time, TimeUnit unit) throws InterruptedException {
        return backend.acquire(Math.max(0, unit.toNanos(time)));
    }

    /**
     * Releases the lock; for a re-entrant lock, releases one acquisition, and frees the lock with
     * the last. Never blocks.
     *
     * @throws IllegalMonitorStateException when the calling thread does not hold the lock
     */
    @Override
    public void unlock() {
        backend.release();
    }

    /**
     * Creates a condition bound to this lock, shared between processes like the lock itself (a
     * new segment: {@link ProcessCondition#close() close} it when done). Never blocks.
     *
     * @return a new {@link ProcessCondition}
     * @throws UnsupportedOperationException when this lock lives in a backend other than shared
     *     memory (a cluster's lock): conditions are only made over local locks
     */
    @Override
    public ProcessCondition newCondition() {
        return new ProcessCondition(this);
    }

    /** {@return whether the calling thread holds the lock} */
    public boolean isHeldByCurrentThread() {
        return backend.isHeldByCurrentThread();
    }

    /** {@return whether any thread of any process holds the lock (a snapshot)} */
    public boolean isLocked() {
        return backend.isLocked();
    }

    /** {@return how many times the lock was taken over from a process that died holding it} */
    public long takeovers() {
        return backend.takeovers();
    }

    /**
     * Returns the fencing token of the calling thread's current holding. Every holding of this lock
     * (not every re-entrant acquisition, and every return from a {@link ProcessCondition} wait,
     * which holds the lock anew) gets a token strictly greater than every earlier holding's,
     * whichever process held it. Pass it with every write to the resource the lock guards, and have
     * the resource refuse a write whose token is lower than one it has already seen: a holder that
     * lost the lock without knowing it (a cluster lock whose lease lapsed during a long pause) can
     * then do no harm. Never blocks.
     *
     * @return the token, positive
     * @throws IllegalMonitorStateException when the calling thread does not hold the lock
     */
    public long fencingToken() {
        return backend.fencingToken();
    }

    /**
     * Removes the lock's name from the tree. Processes that already use the lock keep using it;
     * handles deserialized afterwards fail with {@link IllegalStateException}. Without a close the
     * lock lives until every process of its tree has ended. (A {@linkplain ProcessLock#named named}
     * lock: nothing, it lives until {@link ProcessLock#unlinkNamed}. A lock over another backend:
     * as that backend documents.)
     *
     * <p>It neither acquires nor releases the lock: {@code try (lock) { ... }} would exclude no
     * one and end the lock for the processes that get it later. To hold the lock for a block,
     * write {@code try (var held = lock.hold()) { ... }} ({@link #hold()}).
     */
    @Override
    public void close() {
        backend.close();
    }

    LockBackend backend() {
        return backend;
    }

    /**
     * @return the robust mutex in shared memory, for a {@link ProcessCondition}
     * @throws UnsupportedOperationException when the lock lives elsewhere
     */
    LocalLock local() {
        if (backend instanceof LocalLock local) {
            return local;
        }
        throw new UnsupportedOperationException("a ProcessCondition needs a lock in shared memory; this lock lives in "
                + backend + " (conditions over cluster locks are not supported)");
    }

    /**
     * Describes the lock for logs and debuggers: its class, where its state lives, and whether
     * it is locked (a snapshot).
     *
     * @return the description
     */
    @Override
    public String toString() {
        return getClass().getSimpleName() + "(" + backend + (isLocked() ? ", locked)" : ", unlocked)");
    }
}
