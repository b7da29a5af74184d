package io.github.multiprocessing4j;

import io.github.multiprocessing4j.internal.shm.SharedSegment;
import io.github.multiprocessing4j.internal.statics.StaticShared;
import io.github.multiprocessing4j.internal.sync.BarrierDescriptor;
import io.github.multiprocessing4j.internal.sync.RobustBarrier;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.TimeoutException;

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
 * CPython's barrier, when the process of a waiting party dies: the waiting parties notice it
 * (within about a quarter of a second) and log it (WARNING, with the dead pid), and the last
 * party to arrive looks too before it trips (and before the action runs), at every party that
 * has waited a millisecond or more: a party that died waiting never lets the barrier trip,
 * unless it died within a millisecond of its arrival, when it counts as one that died just after
 * the trip. A barrier counts arrivals, not members: a party that dies between rounds is waited
 * for in the next round until a timeout, as in CPython. {@link #await()}
 * blocks; every other method returns at once.
 *
 * <p>A barrier action (Python's {@code action}, {@code CyclicBarrier}'s {@code barrierAction}) is
 * run by the last party to arrive, in its own thread and process, before any party is released;
 * when it throws, the barrier breaks (the others get {@link BrokenBarrierException}) and the last
 * party's {@code await} throws what it threw. A default timeout (Python's {@code timeout}) bounds
 * every {@link #await()}.
 *
 * <p>Implementation notes. The state is one word of shared memory changed by compare-and-set;
 * waiters poll it (parking up to 2 ms between looks, 20 ms once they have waited half a second)
 * and check every 250 ms that the parties that arrived are alive. The algorithm is
 * {@code internal.sync.RobustBarrier}.
 */
public final class ProcessBarrier implements Serializable, Unlinkable {
    private static final long serialVersionUID = 1L;
    /** The shared memory where the barrier's state lives, found by its name in every process. */
    private final SharedSegment segment;
    /** This handle's use in this process. */
    private final ProcessUse use;
    /** The number of parties that trip the barrier. */
    private final int parties;
    /** Run by the last party to arrive before the barrier trips; null for none. */
    private final SerializableRunnable action;
    /** How long {@link #await()} waits at most; null for ever. */
    private final Duration timeout;
    private transient RobustBarrier barrier;

    /**
     * Creates a barrier for {@code parties} parties in the calling process's tree.
     *
     * <p>Made by a static initialiser, it is the tree's: see
     * <a href="package-summary.html#static-fields">static fields</a>.
     *
     * @param parties the number of parties that trip the barrier, from 1 to 65536
     * @throws IllegalArgumentException when {@code parties} is less than 1 or more than 65536
     */
    public ProcessBarrier(int parties) {
        this(parties, null, null);
    }

    /**
     * Creates a barrier for {@code parties} parties whose last party to arrive runs
     * {@code action} before the barrier trips; Python's {@code Barrier(parties, action)}.
     *
     * <p>Made by a static initialiser, it is the tree's: see
     * <a href="package-summary.html#static-fields">static fields</a>.
     *
     * @param parties the number of parties that trip the barrier, from 1 to 65536
     * @param action run by the last party to arrive, before any party is released (see the
     *     class comment); it travels with the barrier to the other processes, so what it
     *     captures must be serializable
     * @throws IllegalArgumentException when {@code parties} is less than 1 or more than 65536
     * @throws NullPointerException when {@code action} is null
     */
    public ProcessBarrier(int parties, SerializableRunnable action) {
        this(parties, Objects.requireNonNull(action, "action"), null);
    }

    /**
     * Creates a barrier for {@code parties} parties with an optional action and a default
     * timeout for {@link #await()}; Python's {@code Barrier(parties, action, timeout)}.
     *
     * <p>Made by a static initialiser, it is the tree's: see
     * <a href="package-summary.html#static-fields">static fields</a>.
     *
     * @param parties the number of parties that trip the barrier, from 1 to 65536
     * @param action run by the last party to arrive, before any party is released; null for none
     * @param timeout how long {@link #await()} waits at most (zero or negative: it does not wait);
     *     null waits for ever
     * @throws IllegalArgumentException when {@code parties} is less than 1 or more than 65536
     */
    public ProcessBarrier(int parties, SerializableRunnable action, Duration timeout) {
        if (parties < 1 || parties > BarrierDescriptor.MAX_PARTIES) {
            throw new IllegalArgumentException("a barrier needs between 1 and " + BarrierDescriptor.MAX_PARTIES
                    + " parties, not " + parties);
        }
        this.parties = parties;
        this.action = action;
        this.timeout = timeout;
        this.segment = StaticShared.resolve("ProcessBarrier", () -> {
            SharedSegment made = SharedSegment.create("barrier", BarrierDescriptor.size(parties));
            RobustBarrier.initialise(made, parties);
            return made;
        }, SharedSegment::unlink);
        this.use = ProcessUse.ofNew("ProcessBarrier");
        this.barrier = new RobustBarrier(segment, parties);
    }

    /**
     * Waits until every party has called {@code await()}, at most the barrier's default timeout
     * if it has one; Python's {@code wait()}. The last party to arrive runs the barrier's action,
     * if any, before the others are released.
     *
     * @return the arrival index: 0 for the first party to arrive, {@code parties - 1} for the last
     * @throws BrokenBarrierException when the barrier is broken before or while waiting (see the
     *     class comment); also when the default timeout ran out, which breaks the barrier for the
     *     others, as in Python (with a timeout of its own, {@link #await(Duration)} throws
     *     {@link TimeoutException} instead); and to the last party when the barrier was broken
     *     or reset while it ran the action
     * @throws InterruptedException when the thread is interrupted before or while waiting; the
     *     barrier is then broken for the others
     * @throws RuntimeException what the action threw, to the party that ran it (a checked
     *     exception as the cause of a {@link java.util.concurrent.CompletionException}); the
     *     barrier is then broken for the others
     */
    public int await() throws InterruptedException, BrokenBarrierException {
        int index = open().await(timeout == null ? -1 : ProcessQueue.nanos(timeout), action);
        if (index < 0) {
            throw new BrokenBarrierException("the barrier's " + parties + " parties did not all arrive within its timeout of "
                    + timeout);
        }
        return index;
    }

    /**
     * Waits until every party has called {@code await}, at most {@code timeout}; Python's
     * {@code wait(timeout)}. The last party to arrive runs the barrier's action, if any, before
     * the others are released.
     *
     * @param timeout how long to wait; zero or negative does not wait (unless this is the last party)
     * @return the arrival index
     * @throws TimeoutException when the time ran out; the barrier is then broken for the others
     *     (Python raises its broken-barrier error here; Java's {@code CyclicBarrier} does this),
     *     but not when it ran out before this party could arrive, while the previous round's
     *     action ran
     * @throws BrokenBarrierException when the barrier is broken before or while waiting, and to
     *     the last party when the barrier was broken or reset while it ran the action
     * @throws InterruptedException when the thread is interrupted before or while waiting; the
     *     barrier is then broken for the others
     * @throws RuntimeException what the action threw, to the party that ran it, as {@link #await()}
     */
    public int await(Duration timeout) throws InterruptedException, BrokenBarrierException, TimeoutException {
        int index = open().await(ProcessQueue.nanos(timeout), action);
        if (index < 0) {
            throw new TimeoutException("the barrier's " + parties + " parties did not all arrive in time");
        }
        return index;
    }

    /**
     * Returns the barrier to its initial state: no arrivals, not broken. Parties waiting now get
     * {@link BrokenBarrierException}. Never blocks.
     */
    public void reset() {
        open().reset();
    }

    /**
     * Breaks the barrier: parties waiting now, and every later {@code await()} until
     * {@link #reset()}, get {@link BrokenBarrierException}. Python's {@code abort()}. Never blocks.
     */
    public void abort() {
        open().abort();
    }

    /**
     * {@return whether the barrier is broken} A snapshot; never blocks. Python's {@code broken}.
     */
    public boolean isBroken() {
        return open().isBroken();
    }

    /** {@return the number of parties that trip the barrier} Python's {@code parties}. */
    public int parties() {
        return parties;
    }

    /**
     * {@return how many parties wait now} A snapshot, 0 while the barrier is broken; Python's
     * {@code n_waiting}.
     */
    public int numberWaiting() {
        return open().numberWaiting();
    }

    /** {@return how many times the barrier broke because a waiting party's process had died} */
    public long deadParties() {
        return open().deadParties();
    }

    /**
     * Ends this process's use of the barrier through this handle (Python's {@code close()}): its
     * further use here throws {@link IllegalStateException}; the other processes keep using
     * it. Its shared memory goes now when no other process can have it (this handle was
     * made here, outside a static initialiser, and never sent to another process), else with
     * {@link #unlink()} or when the last process of its tree ends: which processes hold a shared
     * object is not tracked. Idempotent; never blocks.
     */
    @Override
    public void close() {
        if (use.close()) {
            segment.unlink();
        }
    }

    /**
     * Removes the barrier's name from the tree, for every process (as
     * {@link SharedMemory#unlink()}): handles that exist keep working until they are closed, and
     * the memory goes when the last of them is gone; handles received or deserialized afterwards
     * fail with {@link IllegalStateException}. Works on a closed handle; idempotent; never
     * blocks.
     */
    @Override
    public void unlink() {
        segment.unlink();
    }

    /**
     * @return the state, for an operation through this handle
     * @throws IllegalStateException when this handle was closed in this process
     */
    private RobustBarrier open() {
        use.checkOpen();
        return barrier;
    }

    /**
     * Describes the barrier for logs and debuggers: its segment's name, how many of its parties
     * wait, and whether it is broken (a snapshot).
     *
     * @return the description
     */
    @Override
    public String toString() {
        if (use.isClosed()) {
            return "ProcessBarrier(" + segment.name() + ", " + parties + " parties, closed in this process)";
        }
        return "ProcessBarrier(" + segment.name() + ", " + numberWaiting() + "/" + parties
                + (isBroken() ? " waiting, broken)" : " waiting)");
    }

    /**
     * Reads a handle sent to another process, and attaches it to the barrier's shared memory.
     *
     * @param in the stream the handle is read from
     * @throws IOException when the stream cannot be read
     * @throws ClassNotFoundException when a class of the handle cannot be found
     */
    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
        in.defaultReadObject();
        barrier = new RobustBarrier(segment, parties);
    }
}
