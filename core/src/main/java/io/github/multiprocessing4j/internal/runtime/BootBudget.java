package io.github.multiprocessing4j.internal.runtime;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * How many JVMs this JVM lets boot at once: as many as it has processors. A JVM's boot is
 * CPU-bound; more of them at once only share the processors and each takes longer, so a program
 * that starts 200 children boots them in waves of the processor count instead.
 *
 * <p>Implementation notes. A JVM counts as booting from its spawn until it is ready: a child until
 * it has recorded itself in the tree's table (or ended), a spare until it has marked itself
 * prepared ({@code ChildMain.spareReadyMarker}). A start that must spawn a JVM (no spare of its
 * configuration) waits for a free place; the spares' thread waits too, and gives way to waiting
 * starts. Both look every millisecond; neither waits more than {@link #MAX_WAIT_NANOS} for one
 * place, so a JVM that never comes up (a stopped process) slows starts but cannot block them.
 * The system property {@value #PROPERTY} sets another number of JVMs booting at once.
 */
final class BootBudget {
    /** The system property that sets how many JVMs boot at once (default: the processor count). */
    static final String PROPERTY = "mp4j.bootsAtOnce";
    /**
     * The longest a start waits for a place: on a machine loaded by other programs a boot can take
     * seconds, and a start must not wait for all of them.
     */
    private static final long MAX_WAIT_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final ChildTable children;
    private final Spares spares;
    private final int places;
    /** Starts waiting for a place now: the spares' thread lets them go first. */
    private final AtomicInteger startsWaiting = new AtomicInteger();

    BootBudget(ChildTable children, Spares spares) {
        this.children = children;
        this.spares = spares;
        this.places = Math.max(1, Integer.getInteger(PROPERTY, Runtime.getRuntime().availableProcessors()));
    }

    /** @return how many JVMs this JVM has booting now */
    int booting() {
        return children.bootingCount() + spares.bootingCount();
    }

    /**
     * Waits until fewer than the allowed number of JVMs are booting, at most {@link #MAX_WAIT_NANOS};
     * an interrupt ends the wait early (the flag stays set), since {@code start()} does not throw
     * {@link InterruptedException}.
     */
    void awaitPlaceForStart() {
        startsWaiting.incrementAndGet();
        try {
            long deadline = System.nanoTime() + MAX_WAIT_NANOS;
            while (booting() >= places && System.nanoTime() - deadline < 0) {
                if (!pause()) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        } finally {
            startsWaiting.decrementAndGet();
        }
    }

    /**
     * For the spares' thread: waits until a place is free and no start is waiting for one, or
     * the spare is no longer wanted.
     *
     * @param stillWanted whether the spare is still wanted (not cancelled nor discarded)
     * @return false when interrupted (the flag is set again: the spares' thread ends)
     */
    boolean awaitPlaceForSpare(BooleanSupplier stillWanted) {
        long deadline = System.nanoTime() + MAX_WAIT_NANOS;
        while (booting() + startsWaiting.get() >= places && System.nanoTime() - deadline < 0) {
            if (!stillWanted.getAsBoolean()) {
                return true; // the caller sees it too, and boots nothing
            }
            if (!pause()) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /** @return false when interrupted (the flag is then clear) */
    private static boolean pause() {
        try {
            TimeUnit.NANOSECONDS.sleep(PAUSE_NANOS);
            return true;
        } catch (InterruptedException e) {
            return false;
        }
    }
}
