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
 * <p>A party writes its token into the slot of its arrival index, tagged with its generation and
 * with the time it arrived, for the liveness checks, once its arrival shows in the word. A slot
 * not written yet carries an older generation and counts as alive: a party that dies between
 * its arrival and that write goes unnoticed, and a waiter times out instead. Two processes can
 * still write one slot at once (a party whose write comes late, after its generation tripped,
 * and the next generation's party of that index); the slot's check ({@link SlotTable#write})
 * makes a torn slot count as not written, never as a dead process. (Until 2026-12-05 a party
 * also wrote its slot before its compare-and-set, and the loser of an index wrote beside the
 * winner, with no check: a barrier of two processes in a tight loop, whose last party looked,
 * broke on a live party within thousands of rounds.)
 *
 * <p>Waiters poll the word ({@link Wait}); their liveness check (every
 * {@link Wait#LIVENESS_CHECK_NANOS}) breaks the generation when the slot of a party that arrived
 * in it names a dead process, counts it and logs it. The last party makes the same check before
 * it trips (before the action, with one), at the parties that have waited a millisecond or
 * more: without it a party that died in the quarter second before the last arrival went
 * unnoticed, the barrier tripped, and the next round waited for a party that would never
 * come. The check reads {@code /proc}, about 10 µs a party here, against a round of about
 * 1 µs in a tight loop: the millisecond spares such loops, where a party that dies within it of
 * its arrival counts as one that died just after the trip.
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
    /** How long a party must have waited for the last party to look whether it has died: see the notes. */
    static final long LAST_PARTY_LOOKS_AFTER_NANOS = 1_000_000;
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
     *     reset while waiting; to the last party, when a party that arrived has died (this call
     *     breaks it), or when it was broken or reset while it ran the action
     * @throws InterruptedException when the thread is interrupted before or while waiting; the
     *     barrier is then broken for the others (an interrupt that comes after the barrier
     *     tripped or broke does not change the outcome and is kept in the thread's status)
     * @throws RuntimeException what the action threw, to the last party: the barrier is broken
     */
    public int await(long timeoutNanos, Runnable action) throws InterruptedException, BrokenBarrierException {
        long start = System.nanoTime();
        while (true) {
            long state = segment.getLongVolatile(STATE);
            long generation = generation(state);
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
            int index = count(state);
            if (index + 1 == parties && action == null) {
                if (breakIfAPartyDied(generation, LAST_PARTY_LOOKS_AFTER_NANOS)) {
                    continue; // broken: the next look throws
                }
                if (segment.compareAndSetLong(STATE, state, state(generation + 1, 0, false, false))) {
                    sleepers.ring();
                    return index;
                }
            } else if (segment.compareAndSetLong(STATE, state, state + 1)) {
                slots.write(index, Owner.currentToken(), Owner.currentStart(), generation + 1, System.nanoTime());
                if (index + 1 == parties) {
                    return trip(state + 1, index, action);
                }
                return awaitTrip(generation, index, left(timeoutNanos, start));
            }
        }
    }

    /** @return what is left of {@code timeoutNanos} since {@code start}: negative (forever) stays so */
    private static long left(long timeoutNanos, long start) {
        return timeoutNanos < 0 ? -1 : Math.max(0, timeoutNanos - (System.nanoTime() - start));
    }

    /** The last party, which moved the word to {@code tripping}: runs the action, then trips. */
    private int trip(long tripping, int index, Runnable action) throws BrokenBarrierException {
        if (breakIfAPartyDied(generation(tripping), LAST_PARTY_LOOKS_AFTER_NANOS)) {
            throw new BrokenBarrierException();
        }
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
                    breakIfAPartyDied(generation, 0);
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
                        breakIfAPartyDied(generation, 0);
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

    /**
     * The liveness check of a wait, and of the last party before it trips: breaks the generation
     * when a party that arrived in it, at least {@code minWaitNanos} ago, has died.
     *
     * @return whether a dead party was found (the generation is then broken, by this call or another)
     */
    private boolean breakIfAPartyDied(long generation, long minWaitNanos) {
        long state = segment.getLongVolatile(STATE);
        if (generation(state) != generation) {
            return false; // ended: the next attempt tells how
        }
        for (int i = 0; i < count(state); i++) {
            if (slots.isDeadWith(i, generation + 1, minWaitNanos)) {
                long pid = Owner.pidOf(slots.token(i));
                if (breakGeneration(generation)) {
                    segment.getAndAddLong(DEAD_PARTIES, 1);
                    Log.of(RobustBarrier.class).log(System.Logger.Level.WARNING,
                            "process {0} died waiting at barrier {1}: the barrier is broken", String.valueOf(pid), segment.name());
                }
                return true;
            }
        }
        return false;
    }
}
