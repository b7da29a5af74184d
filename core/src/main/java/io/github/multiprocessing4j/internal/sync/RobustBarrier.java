package io.github.multiprocessing4j.internal.sync;

import io.github.multiprocessing4j.internal.shm.SharedSegment;
import io.github.multiprocessing4j.internal.util.Log;

import java.util.concurrent.BrokenBarrierException;

import static io.github.multiprocessing4j.internal.sync.BarrierDescriptor.BROKEN;
import static io.github.multiprocessing4j.internal.sync.BarrierDescriptor.DEAD_PARTIES;
import static io.github.multiprocessing4j.internal.sync.BarrierDescriptor.GENERATION_MASK;
import static io.github.multiprocessing4j.internal.sync.BarrierDescriptor.PARTIES;
import static io.github.multiprocessing4j.internal.sync.BarrierDescriptor.SLOTS_BASE;
import static io.github.multiprocessing4j.internal.sync.BarrierDescriptor.STATE;
import static io.github.multiprocessing4j.internal.sync.BarrierDescriptor.count;
import static io.github.multiprocessing4j.internal.sync.BarrierDescriptor.generation;
import static io.github.multiprocessing4j.internal.sync.BarrierDescriptor.isPreviousBroken;
import static io.github.multiprocessing4j.internal.sync.BarrierDescriptor.state;

/**
 * A reusable barrier in shared memory that breaks when a waiting party's process dies: the
 * algorithm behind {@code ProcessBarrier}. Layout: {@link BarrierDescriptor}.
 *
 * <p>Implementation notes. The whole state is one word, changed only by compare-and-set: the
 * generation, the arrivals in it, and a broken bit. A party arrives by adding one to the
 * arrivals (its arrival index is the count before); the last one instead moves the word to the
 * next generation with no arrivals, which releases the others (those waiting long are seated on
 * the barrier's {@link WaiterBoard}, which the trip, a reset and a break ring). Breaking sets the bit in the
 * current generation; {@link #reset()} moves to the next generation and records in the word
 * whether the one it ended was broken, so that a waiter that did not look in between still
 * tells a trip from a reset.
 *
 * <p>A party writes its token into the slot of its arrival index, tagged with its generation,
 * for the liveness checks: before the arrival shows in the word (so no one sees an arrival
 * whose slot is not written yet) and again after (a party that tried the same index and lost
 * may have written it in between; if the winner dies in that instant its death goes unnoticed,
 * and a waiter times out instead). Waiters poll the word ({@link Wait}); their liveness check
 * (every {@link Wait#LIVENESS_CHECK_NANOS}) breaks the generation when the slot of a party that
 * arrived in it names a dead process, counts it and logs it.
 *
 * <p>A barrier action. With an action, the last party arrives like the others (the arrivals
 * reach {@code parties}: the generation is <em>tripping</em>), runs the action, and only then
 * moves the word to the next generation, with a compare-and-set from the word it wrote: if the
 * generation was broken or reset meanwhile, that fails and the last party gets the broken
 * barrier too. An action that throws breaks the generation. The last party's slot is written
 * like any other, so that a party that dies in the action breaks the barrier for the waiters. A
 * party of the next round that arrives while the generation trips waits (uninterruptibly, within
 * its timeout) until it has tripped or broken: it cannot arrive in a generation that is full.
 */
public final class RobustBarrier {
    private final SharedSegment segment;
    private final int parties;
    private final SlotTable slots;
    /** The processes whose parties wait long, rung when the generation ends. */
    private final WaiterBoard sleepers;

    /**
     * @param segment the barrier's segment ({@link BarrierDescriptor} layout at offset 0)
     * @param parties the number of parties, as {@link #initialise} wrote it
     */
    public RobustBarrier(SharedSegment segment, int parties) {
        this.segment = segment;
        this.parties = parties;
        this.slots = new SlotTable(segment, SLOTS_BASE, parties);
        this.sleepers = new WaiterBoard(segment, BarrierDescriptor.SLEEPERS, WaiterBoard.TWO_SEATS);
    }

    /** Writes a new barrier's initial state into its zero-filled segment. */
    public static void initialise(SharedSegment segment, int parties) {
        segment.setLongVolatile(PARTIES, parties);
    }

    /**
     * Arrives and waits until every party has arrived, at most {@code timeoutNanos} (forever
     * when negative); when this is the last party to arrive, runs {@code action} first, before
     * any party is released.
     *
     * @param action run by the last party to arrive before the barrier trips; null for none
     * @return the arrival index (0 for the first party, {@code parties - 1} for the last), or -1
     *     when the time ran out: this call has then broken the barrier for the others (unless
     *     it ran out while the previous round was still running its action: this party had not
     *     arrived, and nothing is broken)
     * @throws BrokenBarrierException when the barrier is broken before or while waiting, or
     *     reset while waiting; to the last party, when it was broken or reset while it ran the
     *     action
     * @throws InterruptedException when the thread is interrupted before or while waiting; the
     *     barrier is then broken for the others (an interrupt that comes after the barrier
     *     tripped or broke does not change the outcome and is kept in the thread's status)
     * @throws RuntimeException what the action threw, to the last party: the barrier is broken
     */
    public int await(long timeoutNanos, Runnable action) throws InterruptedException, BrokenBarrierException {
        long start = System.nanoTime();
        long generation;
        int index;
        while (true) {
            long state = segment.getLongVolatile(STATE);
            generation = generation(state);
            if (BarrierDescriptor.isBroken(state)) {
                throw new BrokenBarrierException();
            }
            if (count(state) == parties) { // the previous round runs its action
                if (!awaitTripped(state, left(timeoutNanos, start))) {
                    return -1;
                }
                continue;
            }
            if (Thread.interrupted()) {
                breakGeneration(generation);
                throw new InterruptedException();
            }
            index = count(state);
            if (index + 1 == parties && action == null) {
                if (segment.compareAndSetLong(STATE, state, state(generation + 1, 0, false, false))) {
                    sleepers.ring();
                    return index;
                }
            } else if (index + 1 == parties) {
                slots.write(index, Owner.currentToken(), generation + 1);
                if (segment.compareAndSetLong(STATE, state, state + 1)) {
                    return trip(state + 1, index, action);
                }
            } else {
                slots.write(index, Owner.currentToken(), generation + 1); // before the arrival shows
                if (segment.compareAndSetLong(STATE, state, state + 1)) {
                    break;
                }
            }
        }
        slots.write(index, Owner.currentToken(), generation + 1); // again: a party that lost the slot may have written it
        return awaitTrip(generation, index, left(timeoutNanos, start));
    }

    /** @return what is left of {@code timeoutNanos} since {@code start}: negative (forever) stays so */
    private static long left(long timeoutNanos, long start) {
        return timeoutNanos < 0 ? -1 : Math.max(0, timeoutNanos - (System.nanoTime() - start));
    }

    /** The last party, which moved the word to {@code tripping}: runs the action, then trips. */
    private int trip(long tripping, int index, Runnable action) throws BrokenBarrierException {
        try {
            action.run();
        } catch (RuntimeException | Error e) {
            breakGeneration(generation(tripping));
            throw e;
        }
        long generation = generation(tripping);
        if (segment.compareAndSetLong(STATE, tripping, state(generation + 1, 0, false, false))) {
            sleepers.ring();
            return index;
        }
        throw new BrokenBarrierException(); // broken or reset while the action ran
    }

    /** @return whether the generation tripping in {@code tripping} ended (tripped or broke) in time */
    private boolean awaitTripped(long tripping, long timeoutNanos) {
        long generation = generation(tripping);
        return Wait.uninterruptibly(timeoutNanos, () -> segment.getLongVolatile(STATE) != tripping,
                () -> {
                    breakIfAPartyDied(generation);
                    return false;
                }, sleepers);
    }

    /** Returns the barrier to its initial state: no arrivals, not broken; waiting parties see it broken. */
    public void reset() {
        while (true) {
            long state = segment.getLongVolatile(STATE);
            boolean ended = BarrierDescriptor.isBroken(state) || count(state) > 0;
            if (segment.compareAndSetLong(STATE, state, state(generation(state) + 1, 0, false, ended))) {
                sleepers.ring();
                return;
            }
        }
    }

    /** Breaks the current generation. Never blocks. */
    public void abort() {
        breakGeneration(generation(segment.getLongVolatile(STATE)));
    }

    /** @return whether the current generation is broken (a snapshot) */
    public boolean isBroken() {
        return BarrierDescriptor.isBroken(segment.getLongVolatile(STATE));
    }

    /** @return how many parties wait now (a snapshot; 0 while broken) */
    public int numberWaiting() {
        long state = segment.getLongVolatile(STATE);
        return BarrierDescriptor.isBroken(state) ? 0 : count(state);
    }

    /** @return how many times the barrier broke because a waiting party's process had died */
    public long deadParties() {
        return segment.getLongVolatile(DEAD_PARTIES);
    }

    /** The wait of a party that arrived at {@code index} of {@code generation} and was not the last. */
    private int awaitTrip(long generation, int index, long timeoutNanos) throws InterruptedException, BrokenBarrierException {
        try {
            Integer tripped = Wait.interruptiblyFor(timeoutNanos, () -> outcome(generation, index),
                    () -> {
                        breakIfAPartyDied(generation);
                        return null; // a break shows in the next attempt
                    }, sleepers);
            if (tripped != null) {
                return tripped;
            }
            if (breakGeneration(generation)) {
                return -1;
            }
        } catch (InterruptedException e) {
            if (breakGeneration(generation)) {
                throw e;
            }
            Thread.currentThread().interrupt(); // tripped or broken meanwhile: that is the outcome
        }
        // The generation ended or broke before this party could break it: the outcome is settled.
        return outcome(generation, index);
    }

    /**
     * @return {@code index} when {@code generation} has tripped; null while it waits
     * @throws BrokenBarrierException when it is broken, or was reset (or reset twice since: no telling)
     */
    private Integer outcome(long generation, int index) throws BrokenBarrierException {
        long state = segment.getLongVolatile(STATE);
        if (generation(state) != generation) {
            if (generation(state) == (generation + 1 & GENERATION_MASK) && !isPreviousBroken(state)) {
                return index;
            }
            throw new BrokenBarrierException();
        }
        if (BarrierDescriptor.isBroken(state)) {
            throw new BrokenBarrierException();
        }
        return null;
    }

    /** @return whether this call broke generation {@code generation} (false: it had ended or was broken) */
    private boolean breakGeneration(long generation) {
        while (true) {
            long state = segment.getLongVolatile(STATE);
            if (generation(state) != generation || BarrierDescriptor.isBroken(state)) {
                return false;
            }
            if (segment.compareAndSetLong(STATE, state, state | BROKEN)) {
                sleepers.ring();
                return true;
            }
        }
    }

    /** The liveness check of a wait: breaks the generation when a party waiting in it has died. */
    private void breakIfAPartyDied(long generation) {
        long state = segment.getLongVolatile(STATE);
        if (generation(state) != generation) {
            return; // ended: the next attempt tells how
        }
        for (int i = 0; i < count(state); i++) {
            if (slots.isDeadWith(i, generation + 1)) {
                long pid = Owner.pidOf(slots.token(i));
                if (breakGeneration(generation)) {
                    segment.getAndAddLong(DEAD_PARTIES, 1);
                    Log.of(RobustBarrier.class).log(System.Logger.Level.WARNING,
                            "process {0} died waiting at barrier {1}: the barrier is broken", String.valueOf(pid), segment.name());
                }
                return;
            }
        }
    }
}
