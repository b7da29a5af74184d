package io.github.multiprocessing4j.internal.sync;

import io.github.multiprocessing4j.internal.shm.SharedSegment;
import io.github.multiprocessing4j.internal.util.Log;

import static io.github.multiprocessing4j.internal.sync.ConditionDescriptor.NEXT_ARRIVAL;
import static io.github.multiprocessing4j.internal.sync.ConditionDescriptor.PASSED_ON;
import static io.github.multiprocessing4j.internal.sync.ConditionDescriptor.SIGNALLED;
import static io.github.multiprocessing4j.internal.sync.ConditionDescriptor.SLOTS;
import static io.github.multiprocessing4j.internal.sync.ConditionDescriptor.SLOTS_BASE;
import static io.github.multiprocessing4j.internal.sync.ConditionDescriptor.WAITER_ARRIVAL;
import static io.github.multiprocessing4j.internal.sync.ConditionDescriptor.WAITER_STATE;
import static io.github.multiprocessing4j.internal.sync.ConditionDescriptor.WAITING;

/**
 * A condition variable in shared memory, bound to a {@link RobustMutex}: the algorithm behind
 * {@code ProcessCondition}. Layout: {@link ConditionDescriptor}.
 *
 * <p>Implementation notes. Every waiter has a slot in a table: it takes one (still holding the
 * mutex, so that a signal sent after it released the mutex cannot miss it), writes its arrival
 * number and the state {@code WAITING}, releases the mutex fully, and polls its own state
 * ({@link Wait}; once the wait is long, seated on the condition's {@link WaiterBoard}, which a
 * signal rings). {@code signal()} (under the mutex) picks the waiting slot with the lowest
 * arrival number and moves it from {@code WAITING} to {@code SIGNALLED} with a compare-and-set;
 * a waiter that times out or is interrupted leaves with a compare-and-set from {@code WAITING}
 * to 0, so exactly one of the two wins: a waiter that loses has been signalled and returns as
 * such (keeping its interrupt status), and no signal is lost. The waiter then re-acquires the
 * mutex (uninterruptibly, restoring its hold count) and only then frees its slot, before it
 * returns or throws: a signalled waiter counts as woken once it holds the mutex again.
 *
 * <p>Death of a waiter. {@code signal()} checks the liveness of the slot it picks: a dead
 * waiter's slot is freed and the next one is tried, so a dead waiter never swallows a signal
 * sent after its death. A waiter that dies after it was signalled but before it woke would
 * swallow it: in its liveness check (every {@link Wait#LIVENESS_CHECK_NANOS}), each waiter
 * looks for signalled slots of dead processes, frees them and passes their signals on — to
 * itself when it still waits, else to the next waiter — and logs it. Slots are freed by a compare-and-set of the
 * token ({@link SlotTable#takeFromDead}), so of several cleaners exactly one handles a slot.
 */
public final class RobustCondition {
    private final SharedSegment segment;
    private final RobustMutex mutex;
    private final SlotTable waiters;
    /** The processes whose waits are long, rung by a signal. */
    private final WaiterBoard sleepers;

    /**
     * @param segment the condition's segment ({@link ConditionDescriptor} layout at offset 0)
     * @param mutex the mutex it is bound to
     */
    public RobustCondition(SharedSegment segment, RobustMutex mutex) {
        this.segment = segment;
        this.mutex = mutex;
        this.waiters = new SlotTable(segment, SLOTS_BASE, SLOTS);
        this.sleepers = new WaiterBoard(segment, ConditionDescriptor.SLEEPERS, WaiterBoard.FOUR_SEATS);
    }

    /**
     * Releases the mutex, waits for a signal, re-acquires the mutex; an interrupt ends the wait.
     *
     * @param timeoutNanos how long to wait at most; negative waits forever
     * @return true when signalled, false on timeout
     * @throws InterruptedException when the thread was interrupted before it was signalled; the
     *     mutex is held again, as on every return (a signal that came with the interrupt wins:
     *     the wait returns true and the interrupt status is kept)
     * @throws IllegalMonitorStateException when the calling thread does not hold the mutex
     * @throws IllegalStateException when {@link ConditionDescriptor#SLOTS} threads already wait
     */
    public boolean await(long timeoutNanos) throws InterruptedException {
        requireHeld();
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        return awaitInSlot(slot -> {
            try {
                return Wait.interruptibly(timeoutNanos, () -> isSignalled(slot), () -> passOnSignalsOfDeadWaiters(slot),
                        sleepers) || !leave(slot);
            } catch (InterruptedException e) {
                if (leave(slot)) {
                    throw e;
                }
                Thread.currentThread().interrupt(); // signalled meanwhile: the signal wins
                return true;
            }
        });
    }

    /**
     * Releases the mutex, waits for a signal however long it takes, re-acquires the mutex. An
     * interrupt does not end the wait; the thread's interrupt status is set again on return.
     *
     * @throws IllegalMonitorStateException when the calling thread does not hold the mutex
     * @throws IllegalStateException when {@link ConditionDescriptor#SLOTS} threads already wait
     */
    public void awaitUninterruptibly() {
        requireHeld();
        awaitInSlot(slot -> Wait.uninterruptibly(-1, () -> isSignalled(slot), () -> passOnSignalsOfDeadWaiters(slot),
                sleepers));
    }

    /**
     * Wakes the waiter that has waited longest, if any; a waiter found dead is skipped and its
     * slot freed.
     *
     * @throws IllegalMonitorStateException when the calling thread does not hold the mutex
     */
    public void signal() {
        requireHeld();
        if (signalOne()) {
            sleepers.ring();
        }
    }

    /**
     * Wakes the {@code n} waiters that have waited longest, or every waiter when fewer wait;
     * waiters found dead are skipped and their slots freed.
     *
     * @param n how many waiters to wake at most
     * @return how many were woken
     * @throws IllegalMonitorStateException when the calling thread does not hold the mutex
     */
    public int signal(int n) {
        requireHeld();
        int woken = 0;
        while (woken < n && signalOne()) {
            woken++;
        }
        if (woken > 0) {
            sleepers.ring();
        }
        return woken;
    }

    /**
     * Wakes every waiter; slots of dead waiters are freed.
     *
     * @throws IllegalMonitorStateException when the calling thread does not hold the mutex
     */
    public void signalAll() {
        requireHeld();
        for (int i = 0; i < SLOTS; i++) {
            long token = waiters.token(i);
            if (token == 0 || waiters.get(i, WAITER_STATE) != WAITING) {
                continue;
            }
            if (waiters.isDead(i, token)) {
                waiters.takeFromDead(i, token);
            } else {
                waiters.compareAndSet(i, WAITER_STATE, WAITING, SIGNALLED);
            }
        }
        sleepers.ring();
    }

    /** @return how many threads wait now (a snapshot; waiters of dead processes included) */
    public int waiting() {
        int n = 0;
        for (int i = 0; i < SLOTS; i++) {
            if (waiters.token(i) != 0 && waiters.get(i, WAITER_STATE) == WAITING) {
                n++;
            }
        }
        return n;
    }

    /** @return how many signals were passed on from waiters that died before they woke */
    public long passedOn() {
        return segment.getLongVolatile(PASSED_ON);
    }

    private void requireHeld() {
        if (!mutex.isHeldByCurrentThread()) {
            throw new IllegalMonitorStateException("the calling thread does not hold the condition's lock");
        }
    }

    /** How a wait waits for its slot to be signalled, while it does not hold the mutex. */
    private interface SlotWait<X extends Exception> {
        /** @return whether the waiter in {@code slot} was signalled */
        boolean await(int slot) throws X;
    }

    /**
     * Takes a slot, releases the mutex fully, waits as {@code slotWait} does, then re-acquires
     * the mutex (uninterruptibly, with its hold count) and only then frees the slot: a waiter
     * that dies waiting for the mutex leaves its signal behind for the others to pass on.
     */
    private <X extends Exception> boolean awaitInSlot(SlotWait<X> slotWait) throws X {
        int slot = claimSlot();
        int holds = mutex.releaseFully();
        try {
            return slotWait.await(slot);
        } finally {
            mutex.reacquire(holds);
            waiters.free(slot);
        }
    }

    private boolean isSignalled(int slot) {
        return waiters.get(slot, WAITER_STATE) == SIGNALLED;
    }

    private int claimSlot() {
        long me = Owner.currentToken();
        long arrival = segment.getAndAddLong(NEXT_ARRIVAL, 1);
        int slot = waiters.claim(me, 0, arrival);
        if (slot < 0) {
            freeDeadWaiters();
            slot = waiters.claim(me, 0, arrival);
        }
        if (slot < 0) {
            throw new IllegalStateException("more than " + SLOTS + " threads wait on " + segment.name());
        }
        waiters.set(slot, WAITER_STATE, WAITING); // last: signal() considers the slot from here on
        return slot;
    }

    /** @return whether the waiter left before a signal reached it */
    private boolean leave(int slot) {
        return waiters.compareAndSet(slot, WAITER_STATE, WAITING, 0);
    }

    private boolean signalOne() {
        while (true) {
            int best = -1;
            long bestArrival = Long.MAX_VALUE;
            for (int i = 0; i < SLOTS; i++) {
                if (waiters.token(i) != 0 && waiters.get(i, WAITER_STATE) == WAITING && waiters.get(i, WAITER_ARRIVAL) < bestArrival) {
                    best = i;
                    bestArrival = waiters.get(i, WAITER_ARRIVAL);
                }
            }
            if (best < 0) {
                return false;
            }
            long token = waiters.token(best);
            if (waiters.isDead(best, token)) {
                waiters.takeFromDead(best, token);
            } else if (waiters.compareAndSet(best, WAITER_STATE, WAITING, SIGNALLED)) {
                return true;
            }
        }
    }

    /** Frees every slot of a dead waiter, passing on the signals that were pending in them. */
    private void freeDeadWaiters() {
        for (int i = 0; i < SLOTS; i++) {
            long token = waiters.token(i);
            if (waiters.isDead(i, token) && waiters.takeFromDead(i, token) == SIGNALLED) {
                passOn(token, -1);
            }
        }
    }

    /**
     * The liveness check of a wait: passes on the signals that dead waiters left.
     *
     * @return whether the waiter in slot {@code mine} is now signalled
     */
    private boolean passOnSignalsOfDeadWaiters(int mine) {
        for (int i = 0; i < SLOTS; i++) {
            long token = waiters.token(i);
            if (i != mine && waiters.get(i, WAITER_STATE) == SIGNALLED && waiters.isDead(i, token)
                    && waiters.takeFromDead(i, token) == SIGNALLED) {
                passOn(token, mine);
            }
        }
        return isSignalled(mine);
    }

    /** Delivers a signal that a dead waiter left: to the waiter in slot {@code mine}, else to the next. */
    private void passOn(long deadToken, int mine) {
        segment.getAndAddLong(PASSED_ON, 1);
        Log.of(RobustCondition.class).log(System.Logger.Level.WARNING,
                "process {0} died before it woke from a signal of condition {1}: the signal is passed on",
                String.valueOf(Owner.pidOf(deadToken)), segment.name());
        if (mine >= 0 && waiters.compareAndSet(mine, WAITER_STATE, WAITING, SIGNALLED)) {
            return;
        }
        signalOne();
    }
}
