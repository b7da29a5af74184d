package io.github.multiprocessing4j;

import io.github.multiprocessing4j.internal.shm.SharedSegment;
import io.github.multiprocessing4j.internal.sync.BarrierDescriptor;
import io.github.multiprocessing4j.internal.sync.Owner;
import io.github.multiprocessing4j.internal.sync.SlotTable;
import io.github.multiprocessing4j.internal.sync.Wait;
import io.github.multiprocessing4j.internal.util.Log;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.time.Duration;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.TimeoutException;

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
 * A barrier for a fixed number of parties (threads of any processes of a tree): Python's
 * {@code multiprocessing.Barrier}, reusable like {@link java.util.concurrent.CyclicBarrier}.
 * Each party calls {@link #await()}; all return when the last one arrives, each with its arrival
 * index (0 for the first, {@code parties - 1} for the last, as in Python), and the barrier is
 * ready for the next round.
 *
 * <pre>{@code
 * ProcessBarrier start = new ProcessBarrier(3);
 * for (int i = 0; i < 2; i++) new ChildProcess(() -> { start.await(); race(); }).start();
 * start.await();   // the third party
 * }</pre>
 *
 * <p>The barrier breaks — every waiting party, and every later one until {@link #reset()}, gets
 * {@link BrokenBarrierException} — when a waiting party times out or is interrupted, when
 * {@link #abort()} is called, when {@link #reset()} is called while parties wait, and, unlike
 * CPython's barrier, when the process of a waiting party dies: waiting parties check every
 * ~250 ms that the others are alive, and log the death (WARNING, with the dead pid).
 *
 * <p>Implementation notes. The whole state is one word, changed only by compare-and-set
 * ({@link BarrierDescriptor}): the generation, the arrivals in it, and a broken bit. A party
 * arrives by adding one to the arrivals (its arrival index is the count before); the last one
 * instead moves the word to the next generation with no arrivals, which releases the others.
 * Breaking sets the bit in the current generation; {@code reset()} moves to the next generation
 * and records in the word whether the one it ended was broken, so that a waiter that did not
 * look in between still tells a trip from a reset. A party writes its token into the slot of
 * its arrival index, tagged with its generation, for the liveness checks: before the arrival
 * shows in the word (so no one sees an arrival whose slot is not written yet) and again after
 * (a party that tried the same index and lost may have written it in between; if the winner
 * dies in that instant its death goes unnoticed, and a waiter times out instead). Waiters poll
 * the word with a {@link Wait} (parking up to 2 ms between looks, 20 ms once it has waited half
 * a second).
 */
public final class ProcessBarrier implements Serializable, AutoCloseable {
    private static final long serialVersionUID = 1L;
    private final SharedSegment segment;
    private final int parties;
    private transient SlotTable slots;

    /**
     * Creates a barrier for {@code parties} parties in the calling process's tree.
     *
     * @throws IllegalArgumentException when {@code parties} is less than 1 or more than 65536
     */
    public ProcessBarrier(int parties) {
        if (parties < 1 || parties > BarrierDescriptor.MAX_PARTIES) {
            throw new IllegalArgumentException("a barrier needs between 1 and " + BarrierDescriptor.MAX_PARTIES
                    + " parties, not " + parties);
        }
        this.parties = parties;
        this.segment = SharedSegment.create("barrier", BarrierDescriptor.size(parties));
        segment.setLongVolatile(PARTIES, parties);
        this.slots = new SlotTable(segment, SLOTS_BASE, parties);
    }

    /**
     * Waits until every party has called {@code await()}; Python's {@code wait()}.
     *
     * @return the arrival index: 0 for the first party to arrive, {@code parties - 1} for the last
     * @throws BrokenBarrierException when the barrier is broken before or while waiting (see the
     *     class comment)
     * @throws InterruptedException when the thread is interrupted before or while waiting; the
     *     barrier is then broken for the others
     */
    public int await() throws InterruptedException, BrokenBarrierException {
        try {
            return await(-1);
        } catch (TimeoutException e) {
            throw new AssertionError("a wait without a timeout timed out", e);
        }
    }

    /**
     * Like {@link #await()}, waiting at most {@code timeout}; Python's {@code wait(timeout)}.
     *
     * @param timeout how long to wait; zero or negative does not wait (unless this is the last party)
     * @return the arrival index
     * @throws TimeoutException when the time ran out; the barrier is then broken for the others
     *     (Python raises its broken-barrier error here; Java's {@code CyclicBarrier} does this)
     * @throws BrokenBarrierException when the barrier is broken before or while waiting
     * @throws InterruptedException when the thread is interrupted before or while waiting; the
     *     barrier is then broken for the others
     */
    public int await(Duration timeout) throws InterruptedException, BrokenBarrierException, TimeoutException {
        return await(Math.max(0, timeout.toNanos()));
    }

    /**
     * Returns the barrier to its initial state: no arrivals, not broken. Parties waiting now get
     * {@link BrokenBarrierException}. Never blocks.
     */
    public void reset() {
        while (true) {
            long state = segment.getLongVolatile(STATE);
            boolean ended = BarrierDescriptor.isBroken(state) || count(state) > 0;
            if (segment.compareAndSetLong(STATE, state, state(generation(state) + 1, 0, false, ended))) {
                return;
            }
        }
    }

    /**
     * Breaks the barrier: parties waiting now, and every later {@code await()} until
     * {@link #reset()}, get {@link BrokenBarrierException}. Python's {@code abort()}. Never blocks.
     */
    public void abort() {
        breakGeneration(generation(segment.getLongVolatile(STATE)));
    }

    /** @return whether the barrier is broken (a snapshot; never blocks) */
    public boolean isBroken() {
        return BarrierDescriptor.isBroken(segment.getLongVolatile(STATE));
    }

    /** @return the number of parties that trip the barrier */
    public int parties() {
        return parties;
    }

    /** @return how many parties wait now (a snapshot; 0 while broken); Python's {@code n_waiting} */
    public int numberWaiting() {
        long state = segment.getLongVolatile(STATE);
        return BarrierDescriptor.isBroken(state) ? 0 : count(state);
    }

    /** @return how many times the barrier broke because a waiting party's process had died */
    public long deadParties() {
        return segment.getLongVolatile(DEAD_PARTIES);
    }

    /** Removes the barrier's name from the tree (see {@link ProcessLock#close()}). */
    @Override
    public void close() {
        segment.unlink();
    }

    @Override
    public String toString() {
        return "ProcessBarrier(" + segment.name() + ", " + numberWaiting() + "/" + parties
                + (isBroken() ? " waiting, broken)" : " waiting)");
    }

    private int await(long timeoutNanos) throws InterruptedException, BrokenBarrierException, TimeoutException {
        long generation;
        int index;
        while (true) {
            long state = segment.getLongVolatile(STATE);
            generation = generation(state);
            if (BarrierDescriptor.isBroken(state)) {
                throw new BrokenBarrierException();
            }
            if (Thread.interrupted()) {
                breakGeneration(generation);
                throw new InterruptedException();
            }
            index = count(state);
            if (index + 1 == parties) {
                if (segment.compareAndSetLong(STATE, state, state(generation + 1, 0, false, false))) {
                    return index;
                }
            } else {
                slots.write(index, Owner.currentToken(), generation + 1); // before the arrival shows
                if (segment.compareAndSetLong(STATE, state, state + 1)) {
                    break;
                }
            }
        }
        slots.write(index, Owner.currentToken(), generation + 1); // again: a party that lost the slot may have written it
        Wait wait = new Wait(timeoutNanos);
        while (true) {
            long state = segment.getLongVolatile(STATE);
            if (generation(state) != generation) {
                if (generation(state) == (generation + 1 & GENERATION_MASK) && !isPreviousBroken(state)) {
                    return index; // tripped
                }
                throw new BrokenBarrierException(); // reset while waiting (or reset twice since: no telling)
            }
            if (BarrierDescriptor.isBroken(state)) {
                throw new BrokenBarrierException();
            }
            if (Thread.interrupted()) {
                if (breakGeneration(generation)) {
                    throw new InterruptedException();
                }
                Thread.currentThread().interrupt(); // tripped or broken meanwhile: the next look tells
                continue;
            }
            if (wait.expired()) {
                if (breakGeneration(generation)) {
                    throw new TimeoutException("the barrier's " + parties + " parties did not all arrive in time");
                }
                continue;
            }
            wait.pause();
            if (wait.livenessCheckDue()) {
                breakIfAPartyDied(generation, count(state));
            }
        }
    }

    /** @return whether this call broke generation {@code generation} (false: it had ended or was broken) */
    private boolean breakGeneration(long generation) {
        while (true) {
            long state = segment.getLongVolatile(STATE);
            if (generation(state) != generation || BarrierDescriptor.isBroken(state)) {
                return false;
            }
            if (segment.compareAndSetLong(STATE, state, state | BarrierDescriptor.BROKEN)) {
                return true;
            }
        }
    }

    private void breakIfAPartyDied(long generation, int arrived) {
        for (int i = 0; i < arrived; i++) {
            if (slots.isDeadWith(i, generation + 1)) {
                long pid = Owner.pidOf(slots.token(i));
                if (breakGeneration(generation)) {
                    segment.getAndAddLong(DEAD_PARTIES, 1);
                    Log.of(ProcessBarrier.class).log(System.Logger.Level.WARNING,
                            "process {0} died waiting at barrier {1}: the barrier is broken", String.valueOf(pid), segment.name());
                }
                return;
            }
        }
    }

    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
        in.defaultReadObject();
        slots = new SlotTable(segment, SLOTS_BASE, parties);
    }
}
