package io.github.multiprocessing4j;

import io.github.multiprocessing4j.internal.shm.SharedSegment;
import io.github.multiprocessing4j.internal.statics.StaticShared;
import io.github.multiprocessing4j.internal.sync.ConditionDescriptor;
import io.github.multiprocessing4j.internal.sync.RobustCondition;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.time.Duration;
import java.util.Date;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.function.BooleanSupplier;

/**
 * A condition variable shared by the processes of a tree: Python's
 * {@code multiprocessing.Condition}, also a full {@link Condition}. It is bound to a
 * {@link ProcessLock} or {@link ProcessRLock} in shared memory; waiting and signalling require
 * holding that lock. A lock that lives elsewhere (a cluster's lock, made {@code over} another
 * backend) cannot have a condition: the constructor and {@code newCondition()} throw
 * {@link UnsupportedOperationException}. A wait lets go of the lock and takes it again: the lock's
 * {@linkplain ProcessLock#fencingToken() fencing token} is a new one afterwards.
 *
 * <pre>{@code
 * ProcessLock lock = new ProcessLock();
 * ProcessCondition ready = lock.newCondition();
 * ChildProcess child = new ChildProcess(() -> {
 *     lock.lock();
 *     try { while (flag.get() == 0) ready.await(); } finally { lock.unlock(); }
 * });
 * }</pre>
 *
 * <p>Like the lock, it is a handle to shared memory: capture it in a child's target (the lock
 * travels with it) and both processes use the same condition. {@link #signal()} wakes the thread
 * that has waited longest. Spurious wake-ups do not happen, but as with every condition, wait in
 * a loop that tests what you wait for.
 *
 * <p>Unlike CPython's condition, a waiter that dies does not swallow a signal: {@code signal()}
 * skips waiters whose process has died, and a signal delivered to a waiter that died before it
 * woke is passed on to a live waiter within about 250 ms (logged as a WARNING). At most 126
 * threads may wait on one condition at once: one more gets {@link IllegalStateException}.
 *
 * <p>Blocking: every {@code await} releases the lock while it waits and holds it again when it
 * returns or throws. {@link #awaitUninterruptibly()} is not ended by an interrupt (the thread's
 * interrupt status is kept); the other waits end with {@link InterruptedException} when
 * interrupted before a signal reached them (a signal that comes with the interrupt wins: the
 * wait returns normally and the interrupt status is kept). {@link #signal()} and
 * {@link #signalAll()} never block. The waits and the signals throw
 * {@link IllegalMonitorStateException} when the calling thread does not hold the lock.
 *
 * <p>Implementation notes. Waiting costs little CPU: a waiter polls its slot in shared memory,
 * parking up to 2 ms between looks, and 20 ms once it has waited half a second, so a signal is
 * noticed within about 20 ms after a long wait. The algorithm is
 * {@code internal.sync.RobustCondition}.
 */
public final class ProcessCondition implements Condition, Serializable, Unlinkable {
    private static final long serialVersionUID = 1L;

    /** The lock the condition is bound to, which travels with it. */
    private final SharedMutexLock lock;
    /** Whether the condition made its lock ({@link #ProcessCondition()}): it then closes and unlinks it too. */
    private final boolean ownsLock;
    /** The shared memory where the waiters' slots live, found by its name in every process. */
    private final SharedSegment segment;
    /** This handle's use in this process. */
    private final ProcessUse use;
    private transient LocalLock local;
    private transient RobustCondition condition;

    /**
     * Creates a condition with a re-entrant lock of its own, with no waiter, in the calling
     * process's tree: Python's {@code Condition()}, which makes an {@code RLock}. Take the lock
     * through {@link #lock()} ({@code cond.lock().lock()} where Python writes {@code with cond:});
     * the condition's {@link #close()} and {@link #unlink()} close and unlink it too.
     *
     * <p>Made by a static initialiser, both are the tree's: see
     * <a href="package-summary.html#static-fields">static fields</a>.
     */
    public ProcessCondition() {
        this(new ProcessRLock(), true);
    }

    /**
     * Creates a condition bound to {@code lock}, with no waiter, in the calling process's tree.
     *
     * <p>Made by a static initialiser, it is the tree's: see
     * <a href="package-summary.html#static-fields">static fields</a>.
     *
     * @param lock the lock that waiting and signalling require holding
     * @throws UnsupportedOperationException when the lock does not live in shared memory (a
     *     cluster's lock): a condition needs the local lock's algorithm
     */
    public ProcessCondition(ProcessLock lock) {
        this((SharedMutexLock) lock);
    }

    /**
     * Creates a condition bound to the re-entrant {@code lock}; a wait releases every hold and restores them.
     *
     * <p>Made by a static initialiser, it is the tree's: see
     * <a href="package-summary.html#static-fields">static fields</a>.
     *
     * @param lock the re-entrant lock that waiting and signalling require holding
     * @throws UnsupportedOperationException when the lock does not live in shared memory
     */
    public ProcessCondition(ProcessRLock lock) {
        this((SharedMutexLock) lock);
    }

    ProcessCondition(SharedMutexLock lock) {
        this(lock, false);
    }

    private ProcessCondition(SharedMutexLock lock, boolean ownsLock) {
        this.lock = Objects.requireNonNull(lock, "lock");
        this.ownsLock = ownsLock;
        this.local = lock.local();
        this.segment = StaticShared.resolve("ProcessCondition", () -> SharedSegment.create("condition", ConditionDescriptor.SIZE),
                SharedSegment::unlink);
        this.use = ProcessUse.ofNew("ProcessCondition");
        this.condition = new RobustCondition(segment, local.mutex());
    }

    /** {@return the lock this condition is bound to} */
    public java.util.concurrent.locks.Lock lock() {
        return lock;
    }

    /**
     * Releases the lock, waits until signalled, then acquires the lock again (every hold of a
     * re-entrant lock); Python's {@code wait()}.
     *
     * @throws InterruptedException when the thread is interrupted before or while waiting and was
     *     not signalled; the lock is held again when it is thrown
     * @throws IllegalMonitorStateException when the calling thread does not hold the lock
     */
    @Override
    public void await() throws InterruptedException {
        awaitHoldingAgain(-1);
    }

    /**
     * Releases the lock, waits until signalled but at most {@code timeout}, then acquires the
     * lock again, as {@link #await()}; Python's {@code wait(timeout)}.
     *
     * @param timeout how long to wait; zero or negative does not wait (the lock is still
     *     released and re-acquired)
     * @return true when signalled, false on timeout
     * @throws InterruptedException when interrupted and not signalled (the lock is held again)
     * @throws IllegalMonitorStateException when the calling thread does not hold the lock
     */
    public boolean await(Duration timeout) throws InterruptedException {
        return awaitHoldingAgain(ProcessQueue.nanos(timeout));
    }

    /**
     * Releases the lock, waits until signalled, then acquires the lock again, as
     * {@link #await()}; but an interrupt does not end the wait: the thread's interrupt status is
     * set again on return.
     *
     * @throws IllegalMonitorStateException when the calling thread does not hold the lock
     */
    @Override
    public void awaitUninterruptibly() {
        try {
            open().awaitUninterruptibly();
        } finally {
            heldAgain();
        }
    }

    /**
     * Releases the lock, waits until signalled but at most {@code nanosTimeout}, then acquires
     * the lock again, as {@link #await()}.
     *
     * @param nanosTimeout how long to wait, in nanoseconds; zero or negative does not wait (the
     *     lock is still released and re-acquired)
     * @return an estimate of the time left (zero or less on timeout)
     * @throws InterruptedException when interrupted and not signalled (the lock is held again)
     * @throws IllegalMonitorStateException when the calling thread does not hold the lock
     */
    @Override
    public long awaitNanos(long nanosTimeout) throws InterruptedException {
        long start = System.nanoTime();
        boolean signalled = awaitHoldingAgain(Math.max(0, nanosTimeout));
        long left = nanosTimeout - (System.nanoTime() - start);
        return signalled ? Math.max(1, left) : Math.min(0, left);
    }

    /**
     * Releases the lock, waits until signalled but at most {@code time}, then acquires the lock
     * again, as {@link #await()}.
     *
     * @param time how long to wait, in {@code unit}s; zero or negative does not wait (the lock is
     *     still released and re-acquired)
     * @param unit the unit of {@code time}
     * @return true when signalled, false on timeout
     * @throws InterruptedException when interrupted and not signalled (the lock is held again)
     * @throws IllegalMonitorStateException when the calling thread does not hold the lock
     */
    @Override
    public boolean await(long time, TimeUnit unit) throws InterruptedException {
        return awaitHoldingAgain(Math.max(0, unit.toNanos(time)));
    }

    /**
     * Releases the lock, waits until signalled but at most until {@code deadline} (wall clock),
     * then acquires the lock again, as {@link #await()}.
     *
     * @param deadline when to stop waiting; one already passed does not wait (the lock is still
     *     released and re-acquired)
     * @return true when signalled, false when the deadline passed
     * @throws InterruptedException when interrupted and not signalled (the lock is held again)
     * @throws IllegalMonitorStateException when the calling thread does not hold the lock
     */
    @Override
    public boolean awaitUntil(Date deadline) throws InterruptedException {
        long millis = deadline.getTime() - System.currentTimeMillis();
        return awaitHoldingAgain(Math.max(0, TimeUnit.MILLISECONDS.toNanos(millis)));
    }

    /**
     * Waits until {@code predicate} is true, as a loop around {@link #await()}; Python's
     * {@code wait_for(predicate)}. The predicate is evaluated while the lock is held: first
     * before any wait, then after each signal.
     *
     * @param predicate what to wait for; it reads state that is changed under the same lock
     * @throws InterruptedException when interrupted while waiting (the lock is held again)
     * @throws IllegalMonitorStateException when the calling thread does not hold the lock
     * @throws RuntimeException what the predicate throws (the lock is still held)
     */
    public void waitFor(BooleanSupplier predicate) throws InterruptedException {
        while (!predicate.getAsBoolean()) {
            await();
        }
    }

    /**
     * Waits until {@code predicate} is true but at most {@code timeout}, as a loop around
     * {@link #await(Duration)} that waits only for what is left of the timeout; Python's
     * {@code wait_for(predicate, timeout)}. The predicate is evaluated while the lock is held:
     * first before any wait (a true predicate returns at once, a zero timeout only evaluates it),
     * then after each signal, and once more when the time is up.
     *
     * @param predicate what to wait for; it reads state that is changed under the same lock
     * @param timeout how long to wait at most; zero or negative does not wait
     * @return the predicate's last value: false when the time ran out before it became true
     * @throws InterruptedException when interrupted while waiting (the lock is held again)
     * @throws IllegalMonitorStateException when the calling thread does not hold the lock
     * @throws RuntimeException what the predicate throws (the lock is still held)
     */
    public boolean waitFor(BooleanSupplier predicate, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + ProcessQueue.nanos(timeout);
        boolean result = predicate.getAsBoolean();
        while (!result) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            awaitHoldingAgain(left);
            result = predicate.getAsBoolean();
        }
        return result;
    }

    private boolean awaitHoldingAgain(long timeoutNanos) throws InterruptedException {
        try {
            return open().await(timeoutNanos);
        } finally {
            heldAgain();
        }
    }

    /** A wait let go of the lock and took it again: a new holding, with a new fencing token. */
    private void heldAgain() {
        if (local.isHeldByCurrentThread()) {
            local.newHolding();
        }
    }

    /**
     * Wakes the thread, of any process, that has waited longest, if any; Python's
     * {@code notify()}. Never blocks. Waiters whose process has died are skipped.
     *
     * @throws IllegalMonitorStateException when the calling thread does not hold the lock
     */
    @Override
    public void signal() {
        open().signal();
    }

    /**
     * Wakes the {@code n} threads, of any process, that have waited longest, or every waiting
     * thread when fewer wait; Python's {@code notify(n)}. Never blocks. Waiters whose process has
     * died are skipped and not counted.
     *
     * @param n how many threads to wake at most; zero or negative wakes none
     * @return how many threads were woken
     * @throws IllegalMonitorStateException when the calling thread does not hold the lock
     */
    public int signal(int n) {
        return open().signal(n);
    }

    /**
     * Wakes every waiting thread of every process; Python's {@code notify_all()}. Never blocks.
     *
     * @throws IllegalMonitorStateException when the calling thread does not hold the lock
     */
    @Override
    public void signalAll() {
        open().signalAll();
    }

    /** {@return how many threads wait now} A snapshot; never blocks. */
    public int waiting() {
        return open().waiting();
    }

    /** {@return how many signals were passed on from a waiter that died before it woke} */
    public long passedOn() {
        return open().passedOn();
    }

    /**
     * Ends this process's use of the condition through this handle (Python's {@code close()}): its
     * further use here throws {@link IllegalStateException}; the other processes keep using
     * it. A lock given to the constructor is closed on its own; the condition's own lock
     * ({@link #ProcessCondition()}) is closed with it. Its shared memory goes now when no other
     * process can have it (this handle was made here, outside a static initialiser, and never
     * sent to another process), else with {@link #unlink()} or when the last process of its tree
     * ends: which processes hold a shared object is not tracked. Idempotent; never blocks.
     */
    @Override
    public void close() {
        if (use.close()) {
            segment.unlink();
        }
        if (ownsLock) {
            lock.close();
        }
    }

    /**
     * Removes the condition's name from the tree, for every process (as
     * {@link SharedMemory#unlink()}): handles that exist keep working until they are closed, and
     * the memory goes when the last of them is gone; handles received or deserialized afterwards
     * fail with {@link IllegalStateException}. The condition's own lock ({@link #ProcessCondition()})
     * is unlinked with it. Works on a closed handle; idempotent; never blocks.
     */
    @Override
    public void unlink() {
        segment.unlink();
        if (ownsLock) {
            lock.unlink();
        }
    }

    /**
     * @return the state, for an operation through this handle
     * @throws IllegalStateException when this handle was closed in this process
     */
    private RobustCondition open() {
        use.checkOpen();
        return condition;
    }

    /**
     * Describes the condition for logs and debuggers: its segment's name and its lock.
     *
     * @return the description
     */
    @Override
    public String toString() {
        return "ProcessCondition(" + segment.name() + ", " + lock + (use.isClosed() ? ", closed in this process)" : ")");
    }

    /**
     * Reads a handle sent to another process, and attaches it to the condition's shared memory
     * and its lock's.
     *
     * @param in the stream the handle is read from
     * @throws IOException when the stream cannot be read
     * @throws ClassNotFoundException when a class of the handle cannot be found
     */
    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
        in.defaultReadObject();
        local = lock.local();
        condition = new RobustCondition(segment, local.mutex());
    }
}
