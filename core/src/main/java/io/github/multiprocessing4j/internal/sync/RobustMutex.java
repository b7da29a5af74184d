package io.github.multiprocessing4j.internal.sync;

import io.github.multiprocessing4j.internal.events.FlightEvents;
import io.github.multiprocessing4j.internal.events.LockWaitEvent;
import io.github.multiprocessing4j.internal.shm.SharedSegment;
import io.github.multiprocessing4j.internal.util.Log;

import static io.github.multiprocessing4j.internal.sync.MutexDescriptor.HOLD_COUNT;
import static io.github.multiprocessing4j.internal.sync.MutexDescriptor.OWNER;
import static io.github.multiprocessing4j.internal.sync.MutexDescriptor.OWNER_START;
import static io.github.multiprocessing4j.internal.sync.MutexDescriptor.TAKEOVERS;

/**
 * A mutual-exclusion lock in shared memory that survives the death of its holder: the
 * algorithm behind {@code ProcessLock} and {@code ProcessRLock}.
 *
 * <p>Implementation notes. Acquiring is one compare-and-set of the owner word from 0 to the
 * caller's token ({@link Owner}); releasing writes 0 back with release semantics. The words
 * beside the owner (its start, the hold count) are written with release stores too, not
 * volatile ones: on x86 that makes an uncontended acquire+release one atomic instruction and
 * plain stores, and a waiter that reads the owner's start before it is visible sees 0, or the
 * previous owner's, both of which count as alive (see {@link Owner}). Only a re-entrant mutex keeps a hold count: a plain one is
 * held once, and its acquire and release skip those words (a queue takes two mutexes per item,
 * and a new child runs its first thousands of them interpreted, about a microsecond per access).
 * Only a failed first try enters the {@link Wait} loop, so the uncontended path allocates
 * nothing; a wait is a Flight Recorder event ({@link LockWaitEvent}) when JFR runs and the wait
 * lasts longer than the event's threshold, and so is a takeover.
 *
 * <p>A waiter polls the owner word; one that has waited long sits on the mutex's
 * {@link WaiterBoard} when it has one (a lock's; a queue's own locks are held for microseconds),
 * which a release rings: one more read, of a word beside the owner's. Its liveness check (every
 * {@link Wait#LIVENESS_CHECK_NANOS}) asks whether the owner's process is still alive; when it
 * is not, the waiter takes the lock over with a compare-and-set from the dead owner's token to
 * its own (so of several waiters exactly one wins), counts the takeover in the segment and logs
 * it with the dead owner's pid. The data the lock guarded may be half-updated: that is for the
 * new owner to judge, as with a robust POSIX mutex. A thread that dies while its process lives
 * is not detected, as with {@link java.util.concurrent.locks.ReentrantLock}.
 */
public final class RobustMutex {
    private final SharedSegment segment;
    private final int base;
    private final boolean reentrant;
    /** What the Flight Recorder events call it. */
    private final String name;
    /** Who waits long for the mutex, rung by a release; null when the mutex has no board. */
    private final WaiterBoard waiters;

    /**
     * @param segment the segment holding the mutex
     * @param base the mutex's offset in it ({@link MutexDescriptor} layout, 8-aligned)
     * @param reentrant whether the owner may acquire it again
     */
    public RobustMutex(SharedSegment segment, int base, boolean reentrant) {
        this(segment, base, reentrant, null);
    }

    /**
     * @param segment the segment holding the mutex
     * @param base the mutex's offset in it ({@link MutexDescriptor} layout, 8-aligned)
     * @param reentrant whether the owner may acquire it again
     * @param role which of its segment's locks it is, for the Flight Recorder events; null for the only one
     */
    public RobustMutex(SharedSegment segment, int base, boolean reentrant, String role) {
        this(segment, base, reentrant, role, null);
    }

    /**
     * @param segment the segment holding the mutex
     * @param base the mutex's offset in it ({@link MutexDescriptor} layout, 8-aligned)
     * @param reentrant whether the owner may acquire it again
     * @param role which of its segment's locks it is, for the Flight Recorder events; null for the only one
     * @param waiters where its long waiters sit, for a release to ring them; null for none (its
     *     waiters then look every 20 ms once they have waited half a second)
     */
    public RobustMutex(SharedSegment segment, int base, boolean reentrant, String role, WaiterBoard waiters) {
        this.segment = segment;
        this.base = base;
        this.reentrant = reentrant;
        this.name = role == null ? segment.name() : segment.name() + " " + role;
        this.waiters = waiters;
    }

    /**
     * Acquires without waiting.
     *
     * @return whether the caller now holds the mutex
     * @throws IllegalStateException when a non-re-entrant mutex is acquired again by its owner
     *     (which would otherwise deadlock for ever)
     */
    public boolean tryAcquire() {
        long me = Owner.currentToken();
        if (segment.compareAndSetLong(base + OWNER, 0, me)) {
            becameOwner();
            return true;
        }
        if (segment.getLongVolatile(base + OWNER) == me) {
            if (!reentrant) {
                throw new IllegalStateException("this thread already holds the lock, which is not re-entrant"
                        + " (use ProcessRLock to acquire a lock again while holding it)");
            }
            segment.setLongRelease(base + HOLD_COUNT, segment.getLongVolatile(base + HOLD_COUNT) + 1);
            return true;
        }
        return false;
    }

    /**
     * Acquires, waiting at most {@code timeoutNanos} (forever when negative); an interrupt ends
     * the wait.
     *
     * @return whether the caller now holds the mutex (false only on timeout)
     * @throws InterruptedException when the thread is interrupted before it gets the mutex; the
     *     mutex is then not held
     * @throws IllegalStateException as {@link #tryAcquire()}
     */
    public boolean acquire(long timeoutNanos) throws InterruptedException {
        return tryAcquire() || awaitAcquire(timeoutNanos);
    }

    /** The wait of {@link #acquire}, out of its way: the fast path stays small enough to inline. */
    private boolean awaitAcquire(long timeoutNanos) throws InterruptedException {
        LockWaitEvent event = FlightEvents.lockWait(ownerPid());
        boolean acquired = false;
        try {
            acquired = Wait.interruptiblyFor(timeoutNanos, new Acquisition(this, false), new Acquisition(this, true),
                    waiters) != null;
            return acquired;
        } finally {
            if (event != null) {
                event.waited(name, acquired);
            }
        }
    }

    /**
     * Acquires, waiting as long as it takes; an interrupt does not end the wait (the thread's
     * interrupt status is set again on return).
     *
     * @return true when the mutex was taken over from an owner that had died holding it (what it
     *     guards may be half-updated: a caller that repairs it knows when to), false when it was
     *     released by its owner
     * @throws IllegalStateException as {@link #tryAcquire()}
     */
    public boolean acquireUninterruptibly() {
        return !tryAcquire() && awaitAcquireUninterruptibly();
    }

    /** The wait of {@link #acquireUninterruptibly}, out of its way: true when it took the mutex over. */
    private boolean awaitAcquireUninterruptibly() {
        LockWaitEvent event = FlightEvents.lockWait(ownerPid());
        Boolean tookOver = null;
        try {
            tookOver = Wait.uninterruptiblyFor(-1, new Acquisition(this, false), new Acquisition(this, true), waiters);
            return tookOver;
        } finally {
            if (event != null) {
                event.waited(name, tookOver != null);
            }
        }
    }

    /**
     * A waiting acquisition's attempt ({@link #tryAcquire}: {@code FALSE} when it got the mutex)
     * or its liveness check ({@link #takeOverFromDeadOwner}: {@code TRUE} when it took the mutex
     * over); null while the wait goes on. A class, not lambdas: see {@link Wait}'s class notes.
     */
    private record Acquisition(RobustMutex mutex, boolean takeOver) implements Wait.Attempt<Boolean, RuntimeException> {
        @Override
        public Boolean attempt() {
            if (takeOver) {
                return mutex.takeOverFromDeadOwner() ? Boolean.TRUE : null;
            }
            return mutex.tryAcquire() ? Boolean.FALSE : null;
        }
    }

    /** @return the pid of the mutex's owner now, 0 when free */
    private long ownerPid() {
        return Owner.pidOf(segment.getLongVolatile(base + OWNER));
    }

    /**
     * Releases once (a re-entrant mutex is free when released as often as acquired).
     *
     * @throws IllegalMonitorStateException when the calling thread does not hold the mutex
     */
    public void release() {
        long me = Owner.currentToken();
        if (segment.getLongVolatile(base + OWNER) != me) {
            throw new IllegalMonitorStateException("the calling thread does not hold this lock");
        }
        if (reentrant) {
            // The last release leaves the count at 1: it means something only beside this owner's
            // token, and the next owner writes its own 1 (becameOwner).
            long holds = segment.getLongVolatile(base + HOLD_COUNT);
            if (holds > 1) {
                segment.setLongRelease(base + HOLD_COUNT, holds - 1);
                return;
            }
        }
        releaseHeld();
    }

    /**
     * Releases a plain mutex that the calling thread holds, without {@link #release()}'s look at
     * who holds it: for a caller that took the mutex itself just before (a queue's put or take
     * releases its lock in the {@code finally} after taking it). The look is a read of the owner
     * and of the thread's identity, which a new child runs interpreted for its first thousands of
     * items, one call into the JVM each.
     */
    public void releaseHeld() {
        segment.setLongRelease(base + OWNER_START, 0);
        segment.setLongRelease(base + OWNER, 0);
        if (waiters != null) {
            waiters.ring();
        }
    }

    /** @return whether the calling thread holds the mutex */
    public boolean isHeldByCurrentThread() {
        return segment.getLongVolatile(base + OWNER) == Owner.currentToken();
    }

    /** @return whether any thread of any process holds the mutex */
    public boolean isLocked() {
        return segment.getLongVolatile(base + OWNER) != 0;
    }

    /** @return how many times the calling thread holds the mutex (0 when it does not) */
    public int holdCount() {
        if (!isHeldByCurrentThread()) {
            return 0;
        }
        return reentrant ? (int) segment.getLongVolatile(base + HOLD_COUNT) : 1;
    }

    /**
     * {@return whether the calling thread's acquisition just now began its holding} (it is the
     * first, not a re-entrant one). For the holder only: it does not check who holds the mutex.
     */
    public boolean holdingJustBegan() {
        return !reentrant || segment.getLongVolatile(base + HOLD_COUNT) == 1;
    }

    /** @return how many times the mutex was taken from an owner that had died */
    public long takeovers() {
        return segment.getLongVolatile(base + TAKEOVERS);
    }

    /**
     * Releases every hold of the calling thread at once (a condition's wait).
     *
     * @return the number of holds released, to give back to {@link #reacquire}
     * @throws IllegalMonitorStateException when the calling thread does not hold the mutex
     */
    public int releaseFully() {
        int holds = holdCount();
        if (holds == 0) {
            throw new IllegalMonitorStateException("the calling thread does not hold this lock");
        }
        if (reentrant) {
            segment.setLongRelease(base + HOLD_COUNT, 1);
        }
        release();
        return holds;
    }

    /** Acquires again after {@link #releaseFully}, uninterruptibly, restoring the hold count. */
    public void reacquire(int holds) {
        acquireUninterruptibly();
        if (reentrant) {
            segment.setLongRelease(base + HOLD_COUNT, holds);
        }
    }

    private void becameOwner() {
        segment.setLongRelease(base + OWNER_START, Owner.currentStart());
        if (reentrant) {
            segment.setLongRelease(base + HOLD_COUNT, 1);
        }
    }

    /**
     * Takes the mutex when its owner's process has died, without waiting.
     *
     * @return whether the caller now holds the mutex
     */
    public boolean takeOverFromDeadOwner() {
        long owner = segment.getLongVolatile(base + OWNER);
        // Another waiter that reads our token beside the dead owner's start (after the takeover,
        // before becameOwner) sees a start not tagged with our pid: alive (Owner.start).
        if (owner == 0 || !Owner.isDead(owner, segment.getLongVolatile(base + OWNER_START))) {
            return false;
        }
        if (!segment.compareAndSetLong(base + OWNER, owner, Owner.currentToken())) {
            return false; // another waiter took it over first, or it was released
        }
        becameOwner();
        segment.getAndAddLong(base + TAKEOVERS, 1);
        FlightEvents.lockTakeover(name, Owner.pidOf(owner));
        Log.of(RobustMutex.class).log(System.Logger.Level.WARNING,
                "process {0} died holding lock {1}: taken over by process {2}",
                String.valueOf(Owner.pidOf(owner)), segment.name(), String.valueOf(Owner.pidOf(Owner.currentToken())));
        return true;
    }
}
