package io.github.multiprocessing4j.internal.sync;

import io.github.multiprocessing4j.internal.events.FlightEvents;
import io.github.multiprocessing4j.internal.events.SemaphoreWaitEvent;
import io.github.multiprocessing4j.internal.shm.SharedSegment;
import io.github.multiprocessing4j.internal.util.Log;

import static io.github.multiprocessing4j.internal.sync.SemaphoreDescriptor.BOUND;
import static io.github.multiprocessing4j.internal.sync.SemaphoreDescriptor.PERMITS_HELD;
import static io.github.multiprocessing4j.internal.sync.SemaphoreDescriptor.PERMITS;
import static io.github.multiprocessing4j.internal.sync.SemaphoreDescriptor.RECLAIMED;
import static io.github.multiprocessing4j.internal.sync.SemaphoreDescriptor.SLOTS;
import static io.github.multiprocessing4j.internal.sync.SemaphoreDescriptor.SLOTS_BASE;

/**
 * A counting semaphore in shared memory whose permits come back when a process dies holding
 * them: the algorithm behind {@code ProcessSemaphore} and {@code ProcessBoundedSemaphore}.
 * Layout: {@link SemaphoreDescriptor}.
 *
 * <p>Implementation notes. The permit count is one word: acquiring is a compare-and-set from
 * {@code n > 0} to {@code n - 1}; releasing a compare-and-set to {@code n + 1} (refused at the
 * bound of a bounded semaphore). Beside it, every process that acquires has a slot counting the
 * permits it holds: acquiring adds 1 to the caller's slot after taking the permit, releasing
 * takes 1 from the caller's slot, or, when the caller holds none (a permit acquired by one
 * process and released by another, as semaphores allow), from any slot that holds some, with a
 * compare-and-set that never goes below 0. A waiter that finds no permit polls ({@link Wait}),
 * and once its wait is long sits on the semaphore's {@link WaiterBoard}, which a release rings;
 * its liveness check (every {@link Wait#LIVENESS_CHECK_NANOS}) looks for slots of dead
 * processes: it takes such a slot with a compare-and-set of its token
 * ({@link SlotTable#takeFromDead}, so exactly one process reclaims it), adds its count back to
 * the permits (capped at the bound) and logs it. A process that dies in the instant between taking a permit and counting it in
 * its slot loses that permit; one that dies between giving a permit back and uncounting it has
 * it given back twice (a bounded semaphore caps this at its bound). Holdings are tracked per
 * process (pid and start ticks), since a semaphore may be released by another thread.
 */
public final class RobustSemaphore {
    private final SharedSegment segment;
    private final SlotTable holders;
    private final WaiterBoard waiters;
    private final long me = Owner.currentProcessToken();
    private volatile int ownSlot = -1;

    /** @param segment the semaphore's segment ({@link SemaphoreDescriptor} layout at offset 0) */
    public RobustSemaphore(SharedSegment segment) {
        this.segment = segment;
        this.holders = new SlotTable(segment, SLOTS_BASE, SLOTS);
        this.waiters = new WaiterBoard(segment, SemaphoreDescriptor.WAITERS, WaiterBoard.TWO_SEATS);
    }

    /**
     * Writes a new semaphore's initial state into its zero-filled segment.
     *
     * @param permits the initial number of permits
     * @param bounded whether {@code permits} is also the most there may be
     */
    public static void initialise(SharedSegment segment, int permits, boolean bounded) {
        segment.setLongVolatile(BOUND, bounded ? permits : -1);
        segment.setLongVolatile(PERMITS, permits);
    }

    /** @return whether a permit was available and is now the caller's; never blocks */
    public boolean tryAcquire() {
        long permits = segment.getLongVolatile(PERMITS);
        while (permits > 0) {
            if (segment.compareAndSetLong(PERMITS, permits, permits - 1)) {
                int slot = ownSlot();
                if (slot >= 0) {
                    holders.getAndAdd(slot, PERMITS_HELD, 1);
                }
                return true;
            }
            permits = segment.getLongVolatile(PERMITS);
        }
        return false;
    }

    /**
     * Acquires a permit, waiting at most {@code timeoutNanos} (forever when negative).
     *
     * @return whether the caller got a permit (false only on timeout)
     * @throws InterruptedException when interrupted before it got one; nothing changed then
     */
    public boolean acquire(long timeoutNanos) throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        return tryAcquire() || awaitAcquire(timeoutNanos);
    }

    /** The wait of {@link #acquire}, out of its way: the fast path stays small enough to inline. */
    private boolean awaitAcquire(long timeoutNanos) throws InterruptedException {
        SemaphoreWaitEvent event = FlightEvents.semaphoreWait();
        boolean acquired = false;
        try {
            acquired = Wait.interruptiblyFor(timeoutNanos, new Acquisition(this, false), new Acquisition(this, true),
                    waiters) != null;
            return acquired;
        } finally {
            if (event != null) {
                event.waited(segment.name(), acquired);
            }
        }
    }

    /**
     * A waiting acquisition's attempt ({@link #tryAcquire}) or its liveness check
     * ({@link #reclaimFromDeadAndTryAcquire}): {@code TRUE} when it got a permit, null while the
     * wait goes on. A class, not method references: see {@link Wait}'s class notes.
     */
    private record Acquisition(RobustSemaphore semaphore, boolean reclaim)
            implements Wait.Attempt<Boolean, RuntimeException> {
        @Override
        public Boolean attempt() {
            boolean acquired = reclaim ? semaphore.reclaimFromDeadAndTryAcquire() : semaphore.tryAcquire();
            return acquired ? Boolean.TRUE : null;
        }
    }

    /**
     * Gives a permit back. Never blocks.
     *
     * @throws IllegalStateException when the semaphore is bounded and already has its bound
     */
    public void release() {
        long bound = segment.getLongVolatile(BOUND);
        long permits = segment.getLongVolatile(PERMITS);
        while (true) {
            if (bound >= 0 && permits >= bound) {
                throw new IllegalStateException("bounded semaphore released too many times (it has "
                        + permits + " of " + bound + " permits)");
            }
            if (segment.compareAndSetLong(PERMITS, permits, permits + 1)) {
                break;
            }
            permits = segment.getLongVolatile(PERMITS);
        }
        uncount();
        waiters.ring();
    }

    /** @return the permits available now (a snapshot) */
    public int availablePermits() {
        return (int) segment.getLongVolatile(PERMITS);
    }

    /** @return how many permits were given back from processes that died holding them */
    public long reclaimed() {
        return segment.getLongVolatile(RECLAIMED);
    }

    /**
     * Gives back the permits of every process that died holding some, and frees their slots.
     *
     * @return how many permits came back
     */
    public long reclaimFromDead() {
        long total = 0;
        long bound = segment.getLongVolatile(BOUND);
        for (int i = 0; i < SLOTS; i++) {
            long token = holders.token(i);
            if (!holders.isDead(i, token)) {
                continue;
            }
            long held = holders.takeFromDead(i, token);
            if (held <= 0) {
                continue;
            }
            long permits = segment.getLongVolatile(PERMITS);
            while (!segment.compareAndSetLong(PERMITS, permits, bound >= 0 ? Math.min(bound, permits + held) : permits + held)) {
                permits = segment.getLongVolatile(PERMITS);
            }
            segment.getAndAddLong(RECLAIMED, held);
            total += held;
            FlightEvents.semaphoreReclaim(segment.name(), Owner.pidOf(token), held);
            Log.of(RobustSemaphore.class).log(System.Logger.Level.WARNING,
                    "process {0} died holding {1} permit(s) of semaphore {2}: given back",
                    String.valueOf(Owner.pidOf(token)), held, segment.name());
        }
        return total;
    }

    /** The liveness check of a wait: a permit that a dead process held may be the one we wait for. */
    private boolean reclaimFromDeadAndTryAcquire() {
        return reclaimFromDead() > 0 && tryAcquire();
    }

    /** Takes one from the count of a holder: the calling process when it holds one, else any. */
    private void uncount() {
        int own = ownSlot;
        if (own >= 0 && holders.token(own) == me && takeOne(own)) {
            return;
        }
        for (int i = 0; i < SLOTS; i++) {
            if (holders.token(i) == me && takeOne(i)) {
                return;
            }
        }
        for (int i = 0; i < SLOTS; i++) {
            long token = holders.token(i);
            if (token != 0 && token != -1L && takeOne(i)) {
                return;
            }
        }
    }

    private boolean takeOne(int slot) {
        long held = holders.get(slot, PERMITS_HELD);
        while (held > 0) {
            if (holders.compareAndSet(slot, PERMITS_HELD, held, held - 1)) {
                return true;
            }
            held = holders.get(slot, PERMITS_HELD);
        }
        return false;
    }

    /** @return the calling process's slot, taken on first use; -1 when the table is full of live holders */
    private int ownSlot() {
        int slot = ownSlot;
        if (slot >= 0 && holders.token(slot) == me) {
            return slot;
        }
        synchronized (this) {
            for (int i = 0; i < SLOTS; i++) {
                if (holders.token(i) == me) {
                    ownSlot = i;
                    return i;
                }
            }
            slot = holders.claim(me, 0, 0);
            if (slot < 0) {
                reclaimFromDead();
                slot = holders.claim(me, 0, 0);
            }
            ownSlot = slot;
            return slot;
        }
    }
}
