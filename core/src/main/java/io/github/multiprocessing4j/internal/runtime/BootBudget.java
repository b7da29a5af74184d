package io.github.multiprocessing4j.internal.runtime;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * How many JVMs the spares' thread lets boot at once: no more than this JVM has processors, its
 * children booting included. A JVM's boot is CPU-bound, so a spare booted beside as many booting
 * JVMs as there are processors would only slow them all.
 *
 * <p>Implementation notes. A JVM counts as booting from its spawn until it is ready: a child until
 * it has recorded itself in the tree's table (or ended), a spare until it has marked itself
 * prepared ({@code ChildMain.spareReadyMarker}). The spares' thread looks every two milliseconds
 * and waits at most {@link #MAX_WAIT_NANOS}, so a JVM that never comes up (a stopped process)
 * delays spares but cannot stop them. Starts do not wait for a place: measured on a loaded
 * two-core machine, 40 children started at once in waves of the processor count took 1.6-2.3
 * times as long as all at once (each start waited for boots slowed by other programs' load), and
 * the waits' polling cost CPU. The system property {@value #PROPERTY} sets another number.
 */
final class BootBudget {
    /** The system property that sets how many JVMs may boot at once before a spare waits (default: the processor count). */
    static final String PROPERTY = "mp4j.bootsAtOnce";
    /** The longest the spares' thread waits for a place: on a loaded machine a boot can take seconds. */
    private static final long MAX_WAIT_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

    private final ChildTable children;
    private final Spares spares;
    private final int places;

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
     * For the spares' thread: waits until a place is free, or
     * the spare is no longer wanted.
     *
     * @param stillWanted whether the spare is still wanted (not cancelled nor discarded)
     * @return false when interrupted (the flag is set again: the spares' thread ends)
     */
    boolean awaitPlaceForSpare(BooleanSupplier stillWanted) {
        long deadline = System.nanoTime() + MAX_WAIT_NANOS;
        while (booting() >= places && System.nanoTime() - deadline < 0) {
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
