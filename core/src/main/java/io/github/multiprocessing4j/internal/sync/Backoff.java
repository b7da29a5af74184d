package io.github.multiprocessing4j.internal.sync;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * How a thread waits for a word in shared memory to change when no one can wake it: spin
 * briefly, then yield, then park for growing intervals up to a bound. The pause of {@link Wait}.
 *
 * <p>Implementation notes. Processes cannot wake each other's threads from Java 17 (no futex),
 * so a waiter polls. For its first {@value #SPIN_NANOS} ns a wait spins, so that an answer that
 * comes within microseconds (a queue's round trip, a lock held briefly) is seen at once; then it
 * yields until {@value #BUSY_NANOS} ns, which lets the process it waits for run on a busy
 * machine; parking comes after, since a park costs 50 µs or more (the kernel's timer slack). A
 * young wait parks for up to {@link #MAX_PARK_NANOS} between looks; once a wait has parked for
 * {@link #LONG_WAIT_NANOS} in all it parks {@link #LONG_WAIT_PARK_NANOS} between looks, which
 * keeps a waiter that waits for seconds at 50 wake-ups a second, at the price of up to that much
 * delay (4% of the wait at worst) in noticing a release after a long wait. Measured: 10 processes
 * blocked on one lock cost 18% of a core with 2 ms pauses only, about 6% with the long-wait
 * pause (LockRobustnessTest). One instance per waiting call; not thread-safe.
 *
 * <p>Spinning only pays while the thread waited for has a CPU of its own. When the machine has
 * more runnable threads than CPUs (on two cores: two processes in a ping-pong and one JIT
 * compiler thread), the process waited for may be queued behind the spinner on the same CPU, and
 * a 20 µs spin then delays it by 20 µs: measured, a round trip over two queues took 45 µs instead
 * of 0.5 for as long as the parent's C2 compiler ran (100 ms and more after a new child), which
 * made the 99th percentile of 20,000 round trips 47 µs. So a wait notes how long each of its
 * yields lasted: a yield that took over {@value #CROWDED_YIELD_NANOS} ns ran another thread on
 * this CPU (alone, a yield takes ~0.5 µs), and for the next {@value #CROWDED_NANOS} ns every wait
 * in this process spins in slices of {@value #CROWDED_SLICE_NANOS} ns with a yield between them.
 * Measured on the same two cores: such a round trip takes 4-8 µs, and the bench's 99th
 * percentile fell from 46 to 8-13 µs (three runs each); spinning in slices always, crowded or
 * not, cost a sixth of a steady stream of 64-byte items between two warmed-up processes (the
 * consumer's yields there find no one to run and only delay its next look), hence the sign. The
 * sign is one plain field shared by the process's waiters: a waiter that misses another's update
 * only spins the old way once more.
 *
 * <p>A thread of this process that knows a waiter's answer is coming can cut its pause short
 * ({@link #wake}, {@link #wakeAll}): a parked waiter is unparked and starts again from the
 * shortest pause, as a young wait. Another process cannot do that itself, but it can ask this
 * process's thread that reads a pipe from it (a child's lifeline, which its parent writes a byte
 * into) or its doorbell's pipe ({@link Doorbell}): a pool's worker that waited a second for its next chunk
 * otherwise saw it up to 20 ms late, and its pool saw the answer as late again. Parked waiters are registered while they park (a
 * map update each side of a park of 20 µs or more). A {@link #wakeAll} also counts itself, and a
 * wait compares the count before each park with the count it saw before its last look: a nudge
 * that came while the wait was looking, not parked (so not unparked), would otherwise be lost,
 * and the wait would park its long pause having looked just before the change the nudge told of.
 * A test of a child's lifeline failed once as that would (a wait parked long, nudged, went on
 * looking every 20 ms).
 */
final class Backoff {
    /** How long a wait spins before it yields: a message answered within it is caught at once. */
    private static final long SPIN_NANOS = 20_000;
    /** How long a wait spins and yields in all before it parks. */
    private static final long BUSY_NANOS = 100_000;
    private static final long MIN_PARK_NANOS = 20_000;
    /** A yield that lasted longer ran another thread on this CPU: the machine is crowded. */
    private static final long CROWDED_YIELD_NANOS = 3_000;
    /** How long one crowded sign lasts. */
    private static final long CROWDED_NANOS = 10_000_000;
    /** A spin's slice between two yields while the machine is crowded. */
    private static final long CROWDED_SLICE_NANOS = 1_000;
    /** The longest pause between two looks at the shared word while the wait is young. */
    static final long MAX_PARK_NANOS = 2_000_000;
    /** How long a wait parks in all before it counts as a long one. */
    static final long LONG_WAIT_NANOS = 500_000_000;
    /**
     * How long a wait parks in all before it may sit to be rung ({@link Wait}): its pauses are
     * about half a millisecond by then, and grow to 2 ms.
     */
    static final long EARLY_SEAT_NANOS = 1_000_000;
    /** The pause between two looks once the wait is long. */
    static final long LONG_WAIT_PARK_NANOS = 20_000_000;

    /** Until when ({@link System#nanoTime()}) waits spin in slices: see the class notes. */
    private static long crowdedUntil = System.nanoTime();
    /** The waits of this process parked now, by thread: what {@link #wake} and {@link #wakeAll} cut short. */
    private static final Map<Thread, Backoff> PARKED = new ConcurrentHashMap<>();
    /** How many times {@link #wakeAll} was called in this process: see the class notes. */
    private static final AtomicLong WAKE_ALLS = new AtomicLong();

    private long start;
    /** When this wait's last yield returned (its start before the first). */
    private long lastYield;
    private boolean parking;
    private long park = MIN_PARK_NANOS;
    private long parked;
    /** Set by {@link #wake}: the next look comes at once, and the pauses start again from the shortest. */
    private volatile boolean woken;
    /** {@link #WAKE_ALLS} as it was before this wait's last look (made before its first). */
    private long wakeAllsSeen = WAKE_ALLS.get();

    /** @return whether the wait has parked for {@link #LONG_WAIT_NANOS} (since it was last woken) */
    boolean isLong() {
        return parked >= LONG_WAIT_NANOS;
    }

    /** @return whether the wait has parked for {@link #EARLY_SEAT_NANOS} (since it was last woken) */
    boolean maySit() {
        return parked >= EARLY_SEAT_NANOS;
    }

    /** Waits a little, more the longer the wait has lasted. Returns early when interrupted. */
    void pause() {
        if (!busy()) {
            park(park);
        }
    }

    /** Waits a little, but not past {@code deadline} ({@link System#nanoTime()} based). */
    void pauseUntil(long deadline) {
        if (!busy()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return;
            }
            park(Math.min(park, left));
        }
    }

    /**
     * Cuts short the pause of {@code thread}'s wait, if it is parked in one: it looks at once,
     * then pauses as a young wait. Does nothing to a thread that is not (one that has just left
     * its park may take the wake for its next one: a look sooner, harmless).
     */
    static void wake(Thread thread) {
        Backoff waiting = PARKED.get(thread);
        if (waiting != null) {
            waiting.woken = true;
            LockSupport.unpark(thread);
        }
    }

    /**
     * Cuts short the pauses of every wait of this process: parked now ({@link #wake}), or looking,
     * whose next park is then skipped (see the class notes).
     */
    static void wakeAll() {
        WAKE_ALLS.incrementAndGet(); // before the look at who is parked: see park
        for (Thread parked : PARKED.keySet()) {
            LockSupport.unpark(parked); // the count tells the wait, once awake, that it was woken
        }
    }

    /** Parks for {@code nanos} at most, registered for {@link #wake}; then chooses the next pause. */
    private void park(long nanos) {
        Thread self = Thread.currentThread();
        PARKED.put(self, this);
        long seenBeforeLook = wakeAllsSeen;
        // Registered first, then the count read: a wakeAll either finds this wait parked or
        // counted itself before this read (both sides are volatile), so none is missed.
        if (WAKE_ALLS.get() == seenBeforeLook) {
            LockSupport.parkNanos(nanos);
        }
        PARKED.remove(self);
        long wakeAlls = WAKE_ALLS.get();
        wakeAllsSeen = wakeAlls; // before the next look
        if (woken || wakeAlls != seenBeforeLook) { // woken alone, or with all the others
            woken = false;
            park = MIN_PARK_NANOS;
            parked = 0;
        } else {
            grow(nanos);
        }
    }

    /** Spins or yields while the wait is in its busy phase; false once it is time to park. */
    private boolean busy() {
        if (parking) {
            return false;
        }
        long now = System.nanoTime();
        if (start == 0) {
            start = now;
            lastYield = now; // a crowded wait's first slice spins too
        }
        long waited = now - start;
        boolean sliceOver = now - lastYield >= CROWDED_SLICE_NANOS && isCrowded(now);
        if (waited < SPIN_NANOS && !sliceOver) {
            Thread.onSpinWait();
            return true;
        }
        if (waited < BUSY_NANOS) {
            yieldNoting(now);
            return true;
        }
        parking = true;
        return false;
    }

    /** @return whether a wait of this process lately saw another thread run on its CPU (the class notes) */
    static boolean isCrowded(long now) {
        return now - crowdedUntil < 0;
    }

    /** Yields, and notes a crowded machine when another thread ran meanwhile. */
    private void yieldNoting(long now) {
        Thread.yield();
        lastYield = System.nanoTime();
        if (lastYield - now > CROWDED_YIELD_NANOS) {
            crowdedUntil = lastYield + CROWDED_NANOS;
        }
    }

    /** Counts a pause and chooses the next: doubling up to the young bound, then the long-wait one. */
    private void grow(long pausedNanos) {
        parked += pausedNanos;
        park = parked >= LONG_WAIT_NANOS ? LONG_WAIT_PARK_NANOS : Math.min(MAX_PARK_NANOS, park * 2);
    }
}
