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
abstract class SharedMutexLock implements Lock, Serializable, Unlinkable {
    private static final long serialVersionUID = 1L;

    private final LockBackend backend;
    /** This handle's use in this process. */
    private final ProcessUse use;

    SharedMutexLock(LockBackend backend, ProcessUse use) {
        this.backend = backend;
        this.use = use;
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
        return open().acquire(ProcessQueue.nanos(timeout));
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
     * nothing and ends this process's use of the lock.
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
        open().acquireUninterruptibly();
    }

    /**
     * Acquires the lock unless the thread is interrupted.
     *
     * @throws InterruptedException when the thread is interrupted before or while waiting; the
     *     lock is then not held and its state is unchanged
     */
    @Override
    public void lockInterruptibly() throws InterruptedException {
        open().acquire(-1);
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
        return open().tryAcquire();
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
        return open().acquire(Math.max(0, unit.toNanos(time)));
    }

    /**
     * Releases the lock; for a re-entrant lock, releases one acquisition, and frees the lock with
     * the last. Never blocks.
     *
     * @throws IllegalMonitorStateException when the calling thread does not hold the lock
     */
    @Override
    public void unlock() {
        backend.release(); // giving back what is held: allowed on a closed handle
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
        return open().isHeldByCurrentThread();
    }

    /** {@return whether any thread of any process holds the lock (a snapshot)} */
    public boolean isLocked() {
        return open().isLocked();
    }

    /** {@return how many times the lock was taken over from a process that died holding it} */
    public long takeovers() {
        return open().takeovers();
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
        return open().fencingToken();
    }

    /**
     * Ends this process's use of the lock through this handle (Python's {@code close()}): its
     * further use here throws {@link IllegalStateException}; the other processes keep using
     * it. It neither acquires nor releases the lock: {@code try (lock) { ... }} would exclude
     * no one. To hold the lock for a block, write {@code try (var held = lock.hold()) { ... }}
     * ({@link #hold()}). {@link #unlock()} still works on a closed handle. Its shared memory goes now when no other process can have it (this handle was
     * made here, outside a static initialiser, and never sent to another process), else with
     * {@link #unlink()} or when the last process of its tree ends: which processes hold a shared
     * object is not tracked. Idempotent; never blocks. (A {@linkplain ProcessLock#named named} lock lives until
     * {@link ProcessLock#unlinkNamed}. A handle made {@code over} another backend: its
     * {@code close()} is that backend's {@code close()}, as the backend documents.)
     */
    @Override
    public void close() {
        if (use.close()) {
            backend.close();
        }
    }

    /**
     * Removes the lock's name from the tree, for every process (as
     * {@link SharedMemory#unlink()}): handles that exist keep working until they are closed, and
     * the memory goes when the last of them is gone; handles received or deserialized afterwards
     * fail with {@link IllegalStateException}. Works on a closed handle; idempotent; never
     * blocks. (An object over another backend: as that backend documents for its
     * {@code close()}.)
     */
    @Override
    public void unlink() {
        backend.close();
    }

    /**
     * @return the state, for an operation through this handle
     * @throws IllegalStateException when this handle was closed in this process
     */
    private LockBackend open() {
        use.checkOpen();
        return backend;
    }

    LockBackend backend() {
        return backend;
    }

    /** @return this handle's use in this process */
    ProcessUse use() {
        return use;
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
        return getClass().getSimpleName() + "(" + backend
                + (use.isClosed() ? ", closed in this process)" : isLocked() ? ", locked)" : ", unlocked)");
    }
}
