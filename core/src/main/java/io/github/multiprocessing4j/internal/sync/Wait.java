package io.github.multiprocessing4j.internal.sync;

import java.util.function.BooleanSupplier;

/**
 * The one wait loop of the process-shared primitives, in the spirit of
 * {@link java.util.concurrent.locks.AbstractQueuedSynchronizer}: a primitive says what ends the
 * wait (an {@linkplain Attempt attempt} at its shared state) and what to do now and then about
 * processes that may have died (a liveness check); this class does the rest: back off (spin,
 * yield, park), keep the deadline, handle interrupts.
 *
 * <pre>{@code
 * public boolean acquire(long timeoutNanos) throws InterruptedException {
 *     if (tryAcquire()) {
 *         return true;   // the fast path: no wait, no allocation
 *     }
 *     return Wait.interruptibly(timeoutNanos, this::tryAcquire, this::takeOverFromDeadOwner);
 * }
 *
 * public void acquireUninterruptibly() {
 *     if (!tryAcquire()) {
 *         Wait.uninterruptibly(-1, this::tryAcquire, this::takeOverFromDeadOwner);
 *     }
 * }
 * }</pre>
 *
 * (Method references keep the example short; the library's own waits on a path a process meets
 * early pass small classes instead: see the implementation notes below.)
 *
 * <p>Contract of every entry point:
 * <ul>
 * <li>The caller has already tried once and failed: the wait begins with a pause. Each round
 *     then (1) looks at the interrupt status, (2) ends the wait when the deadline has passed,
 *     (3) pauses, (4) makes the attempt, and (5) once every {@link #LIVENESS_CHECK_NANOS} of
 *     waiting, runs the liveness check. The first liveness check comes after that period, not
 *     at once.
 * <li>The wait ends when the attempt succeeds (returns {@code true}, or a non-null result), when
 *     the liveness check does (it may complete the wait itself, as a lock taken over from a dead
 *     owner does), or when {@code timeoutNanos} have passed since the call: then it returns
 *     {@code false} or {@code null}. A negative {@code timeoutNanos} waits for ever; 0 returns at
 *     once without an attempt (the caller's own try was the only one).
 * <li>The {@code interruptibly} entry points throw {@link InterruptedException} (the interrupt
 *     status cleared) when the thread is interrupted before the attempt succeeds, including
 *     before the wait begins. The {@code uninterruptibly} ones are not ended by an interrupt: the
 *     thread's interrupt status is set again when they return or throw, so the caller's caller
 *     still sees it.
 * <li>An exception thrown by the attempt or the liveness check ends the wait and propagates
 *     (after the interrupt status is restored); a checked one is the {@code X} of the attempt.
 * <li>The attempt and the check run on the waiting thread and should not block for long: while
 *     they run, neither the deadline nor an interrupt is noticed. A null liveness check means
 *     there is nothing to check.
 * </ul>
 *
 * <p>Implementation notes. Processes cannot wake each other's threads, so every wait polls; the
 * pauses between looks are {@link Backoff}'s (microsecond answers are seen at once, a wait of
 * seconds wakes 50 times a second). A wait given the {@link WaiterBoard} of what it waits for
 * sits on it once it has parked a millisecond (its looks come every half millisecond by then, up
 * to 2 ms) and this process's {@link Doorbell} listens (the first such wait has it made), and
 * leaves it when it ends: the process that makes the change rings it, and the wait looks at
 * once. A child makes its doorbell only for a long wait (half a second): until then its wait
 * sits in a seat that only its parent rings, through the child's lifeline
 * ({@link Doorbell#LIFELINE_SEAT}), and takes a doorbell seat in its place once it is long. An
 * uninterruptible wait
 * clears the interrupt status while it waits, because a thread parked with its status set would
 * not park at all and would spin. One instance holds the state of one waiting call (deadline,
 * backoff, next liveness check, seat); it is never shared.
 *
 * <p>The attempts and checks of the waits a process meets first (a queue's take, put and
 * wait for an item, a pipe's receive and poll, the mutex's, the semaphore's and the event's) are
 * small classes, not lambdas or method references, and so is {@code whenTrue}'s adapter: the
 * JVM links a lambda the first time it is made (a bootstrap call and a class spun at run time,
 * which the class-data archive holds only when its training made the same wait), and a new
 * child makes its first waits amid its first items. Measured on the 2-core development VM (JDK
 * 17, 2026-12-07, medians of 15 new children, programs of each alternated): a child's
 * first {@code get} that waited 1 ms for an item took 2.49-2.74 ms with the lambdas, 1.45-1.52
 * ms with these classes (its second such {@code get} 1.09 either way); a pipe's first
 * {@code poll} of 1 ms 2.88-3.44 against 1.41-1.45 ms (two programs each); two new children
 * moving 200,000 items of 64 bytes through a queue 4.75-5.08M against 5.14-5.28M a second
 * (medians of 11, three programs each). The waits of the barrier, the condition and a joinable queue's {@code join}
 * still make lambdas: a process meets them seldom, and not amid a stream of items.
 */
public final class Wait {
    /** How long a waiter waits between two checks of other processes' liveness. */
    public static final long LIVENESS_CHECK_NANOS = 250_000_000;

    /**
     * One look at shared state that may end a wait.
     *
     * @param <T> what a successful attempt yields
     * @param <X> the checked exception it may throw ({@link RuntimeException} for none)
     */
    @FunctionalInterface
    public interface Attempt<T, X extends Exception> {
        /** @return the wait's result when the wait is over; null when it goes on */
        T attempt() throws X;
    }

    /** Returned by the loop when an interrupt ended an interruptible wait. */
    private static final Object INTERRUPTED = new Object();

    private final long timeoutNanos;
    private final long deadline;
    private final Backoff backoff = new Backoff();
    private long nextCheck;
    /** Where the wait sits to be rung; null for none. */
    private final Seating seating;
    /** What the seating gave the wait when it sat, -1 while it has no seat. */
    private int seat = -1;
    /** What the wait sat as: this process's pid, or that pid as a lifeline seat ({@link Doorbell#LIFELINE_SEAT}). */
    private int seatedAs;

    /**
     * Waits until {@code done} holds, or the liveness check completes the wait.
     *
     * @param timeoutNanos how long to wait at most; negative for ever
     * @param done the attempt: true ends the wait
     * @param livenessCheck run every {@link #LIVENESS_CHECK_NANOS}; true ends the wait; may be null
     * @return true when the wait ended by {@code done} or the check, false on timeout
     * @throws InterruptedException when the thread is interrupted first (see the class contract)
     */
    public static boolean interruptibly(long timeoutNanos, BooleanSupplier done, BooleanSupplier livenessCheck)
            throws InterruptedException {
        return interruptibly(timeoutNanos, done, livenessCheck, null);
    }

    /**
     * {@link #interruptibly(long, BooleanSupplier, BooleanSupplier)} that sits on {@code seating}
     * once it is long.
     *
     * @param seating the board of what the wait waits for (or the boards, {@link Seating#onEach}); null for none
     */
    public static boolean interruptibly(long timeoutNanos, BooleanSupplier done, BooleanSupplier livenessCheck,
            Seating seating) throws InterruptedException {
        return interruptiblyFor(timeoutNanos, whenTrue(done), whenTrue(livenessCheck), seating) != null;
    }

    /**
     * Like {@link #interruptibly}, but an interrupt does not end the wait; the thread's interrupt
     * status is set again on return.
     *
     * @return true when the wait ended by {@code done} or the check, false on timeout
     */
    public static boolean uninterruptibly(long timeoutNanos, BooleanSupplier done, BooleanSupplier livenessCheck) {
        return uninterruptibly(timeoutNanos, done, livenessCheck, null);
    }

    /**
     * {@link #uninterruptibly(long, BooleanSupplier, BooleanSupplier)} that sits on {@code seating}
     * once it is long.
     *
     * @param seating the board of what the wait waits for (or the boards, {@link Seating#onEach}); null for none
     */
    public static boolean uninterruptibly(long timeoutNanos, BooleanSupplier done, BooleanSupplier livenessCheck,
            Seating seating) {
        return uninterruptiblyFor(timeoutNanos, whenTrue(done), whenTrue(livenessCheck), seating) != null;
    }

    /**
     * Waits until {@code attempt}, or the liveness check, yields a result.
     *
     * @param timeoutNanos how long to wait at most; negative for ever
     * @param attempt a non-null result ends the wait
     * @param livenessCheck run every {@link #LIVENESS_CHECK_NANOS}; a non-null result ends the
     *     wait; may be null
     * @return the result, or null on timeout
     * @throws InterruptedException when the thread is interrupted first (see the class contract)
     * @throws X what the attempt or the check threw
     */
    public static <T, X extends Exception> T interruptiblyFor(long timeoutNanos, Attempt<T, X> attempt,
            Attempt<T, X> livenessCheck) throws InterruptedException, X {
        return interruptiblyFor(timeoutNanos, attempt, livenessCheck, null);
    }

    /**
     * {@link #interruptiblyFor(long, Attempt, Attempt)} that sits on {@code seating} once it is
     * long, so that the process that makes the change it waits for can ring it (see the class notes).
     *
     * @param seating the board of what the wait waits for (or the boards, {@link Seating#onEach}); null for none
     */
    @SuppressWarnings("unchecked")
    public static <T, X extends Exception> T interruptiblyFor(long timeoutNanos, Attempt<T, X> attempt,
            Attempt<T, X> livenessCheck, Seating seating) throws InterruptedException, X {
        Object result = new Wait(timeoutNanos, seating).loop(attempt, livenessCheck, true);
        if (result == INTERRUPTED) {
            throw new InterruptedException();
        }
        return (T) result;
    }

    /**
     * Like {@link #interruptiblyFor}, but an interrupt does not end the wait; the thread's
     * interrupt status is set again on return or throw.
     *
     * @return the result, or null on timeout
     * @throws X what the attempt or the check threw
     */
    public static <T, X extends Exception> T uninterruptiblyFor(long timeoutNanos, Attempt<T, X> attempt,
            Attempt<T, X> livenessCheck) throws X {
        return uninterruptiblyFor(timeoutNanos, attempt, livenessCheck, null);
    }

    /**
     * {@link #uninterruptiblyFor(long, Attempt, Attempt)} that sits on {@code seating} once it is long.
     *
     * @param seating the board of what the wait waits for (or the boards, {@link Seating#onEach}); null for none
     */
    @SuppressWarnings("unchecked")
    public static <T, X extends Exception> T uninterruptiblyFor(long timeoutNanos, Attempt<T, X> attempt,
            Attempt<T, X> livenessCheck, Seating seating) throws X {
        return (T) new Wait(timeoutNanos, seating).loop(attempt, livenessCheck, false);
    }

    /**
     * Has {@code thread}'s wait, if it is in one, look at its shared state now and pause briefly
     * again (as a young wait), where it could be parked for up to {@link Backoff#LONG_WAIT_PARK_NANOS}:
     * for a thread of this process that has just made the answer likely (sent the work whose
     * result that thread waits for). Never blocks.
     */
    public static void wake(Thread thread) {
        Backoff.wake(thread);
    }

    /**
     * {@link #wake} for every thread of this process that waits now: for a nudge from another
     * process, which cannot tell which thread waits for it. Never blocks.
     */
    public static void wakeAll() {
        Backoff.wakeAll();
    }

    /**
     * @param timeoutNanos how long the wait may last; negative for ever
     * @param seating where the wait sits once it is long; null for none
     */
    private Wait(long timeoutNanos, Seating seating) {
        long start = System.nanoTime();
        this.timeoutNanos = timeoutNanos;
        this.seating = seating;
        this.deadline = start + timeoutNanos;
        this.nextCheck = start + LIVENESS_CHECK_NANOS;
    }

    /** @return whether the wait has a deadline and it has passed */
    private boolean expired() {
        return timeoutNanos >= 0 && System.nanoTime() - deadline >= 0;
    }

    /** Waits a little ({@link Backoff}), never past the deadline. Returns early when interrupted. */
    private void pause() {
        if (timeoutNanos >= 0) {
            backoff.pauseUntil(deadline);
        } else {
            backoff.pause();
        }
    }

    /** @return true once every {@link #LIVENESS_CHECK_NANOS}: time to look for dead processes */
    private boolean livenessCheckDue() {
        long now = System.nanoTime();
        if (now - nextCheck < 0) {
            return false;
        }
        nextCheck = now + LIVENESS_CHECK_NANOS;
        return true;
    }

    /** @return the result, null on timeout, or {@link #INTERRUPTED} when {@code stopOnInterrupt} */
    private <T, X extends Exception> Object loop(Attempt<T, X> attempt, Attempt<T, X> livenessCheck,
            boolean stopOnInterrupt) throws X {
        boolean interrupted = false;
        try {
            while (true) {
                if (Thread.interrupted()) {
                    if (stopOnInterrupt) {
                        return INTERRUPTED;
                    }
                    interrupted = true;
                }
                if (expired()) {
                    return null;
                }
                pause();
                if (seating != null) {
                    sitWhenDue(); // before the look: a change made before the seat is seen by the look
                }
                T result = attempt.attempt();
                if (result == null && livenessCheck != null && livenessCheckDue()) {
                    result = livenessCheck.attempt();
                }
                if (result != null) {
                    return result;
                }
            }
        } finally {
            leaveSeat();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Sits on its board (or boards) once it has parked {@link Backoff#EARLY_SEAT_NANOS}: as this
     * process (any process that makes the change rings its doorbell) when its doorbell listens
     * (the first try has it made), in place of a lifeline seat it had; in a child, until the wait
     * is long, only when the doorbell is there already, and as a lifeline seat when it is not,
     * which only its parent rings (through the child's lifeline, there from its start: no doorbell
     * to make for a wait of a few milliseconds).
     */
    private void sitWhenDue() {
        if (seat >= 0 && seatedAs == Doorbell.OWN_PID || !backoff.maySit()) {
            return;
        }
        boolean child = Doorbell.ringsThroughLifeline();
        if (child && !backoff.isLong() ? Doorbell.listensAlready() : Doorbell.listening()) {
            leaveSeat();
            seatedAs = Doorbell.OWN_PID;
            seat = seating.sit(seatedAs);
        } else if (child && seat < 0) {
            seatedAs = Doorbell.OWN_PID | Doorbell.LIFELINE_SEAT;
            seat = seating.sitLeavingOneFree(seatedAs);
        }
    }

    private void leaveSeat() {
        if (seat >= 0) {
            seating.leave(seat, seatedAs);
            seat = -1;
        }
    }

    private static Attempt<Boolean, RuntimeException> whenTrue(BooleanSupplier condition) {
        return condition == null ? null : new WhenTrue(condition);
    }

    /** A condition as an attempt: {@code TRUE} when it holds, else null (a class: see the class notes). */
    private record WhenTrue(BooleanSupplier condition) implements Attempt<Boolean, RuntimeException> {
        @Override
        public Boolean attempt() {
            return condition.getAsBoolean() ? Boolean.TRUE : null;
        }
    }
}
