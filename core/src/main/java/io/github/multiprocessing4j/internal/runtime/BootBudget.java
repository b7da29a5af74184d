package io.github.multiprocessing4j.internal.runtime;

import io.github.multiprocessing4j.internal.os.ProcessorTimes;

import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * When the spares' thread lets a spare boot: when no more JVMs than this JVM has processors are
 * booting, its children included, and a processor is idle. A JVM's boot is CPU-bound, so a spare
 * booted beside as many booting JVMs as there are processors would only slow them all, and one
 * booted while the program's processes keep every processor busy takes its CPU from them.
 *
 * <p>Implementation notes. A JVM counts as booting from its spawn until it is ready: a child until
 * it has recorded itself in the tree's table (or ended), a spare until it has marked itself
 * prepared ({@code ChildMain.spareReadyMarker}). The spares' thread looks every two milliseconds
 * and waits at most {@link #MAX_WAIT_NANOS} since it last saw one of them come up, so a JVM that
 * never comes up (a stopped process) delays spares but cannot stop them, while a burst of starts
 * keeps them waiting until its own boots are through: 200 children started at once with the warm
 * start method took 11.4 s when the spares asked meanwhile booted a second late, one after the
 * other, beside the burst (9.5 s cold). Starts do not wait for a place: measured on a loaded
 * two-core machine, 40 children started at once in waves of the processor count took 1.6-2.3
 * times as long as all at once (each start waited for boots slowed by other programs' load), and
 * the waits' polling cost CPU. The system property {@value #PROPERTY} sets another number.
 *
 * <p>A look at a child reads its record file, and a look at a spare asks for its marker: done
 * every two milliseconds for every booting JVM, that was about a fifth of the parent's CPU in a
 * start/join loop (which has a spare booting most of the time). So a JVM is looked at only when
 * a look is due ({@link #lookDue}): not while it is younger than three quarters of the shortest
 * boot seen so far (from a child's spawn, or its spare's, to the look that first found it
 * booted), and then no sooner after the last look than a sixteenth of the JVM's age at that
 * look (a quarter before any boot has been seen: the program's first child, whose boot the
 * spares' thread waits for, is slowed by every look). Each boot seen can only lower the bound, so
 * a machine that boots faster than before is believed within a few boots; a JVM is seen booted at
 * most a quarter of a boot late the first times it boots faster than the bound, and a sixteenth
 * late otherwise, which delays a spare by as much and nothing else.
 *
 * <p>The idle processor: the machine's processor times ({@link ProcessorTimes}) over windows of
 * {@link #IDLE_WINDOW_NANOS} must show at least {@link #IDLE_PROCESSORS_NEEDED} of a processor
 * idle, unless the child whose start asked for the spare has ended. A spare is asked for when a
 * start takes one, which is when the program's new child begins its work: measured on the 2-core
 * development VM, a producer and a consumer started from spares moved 200,000 ints through a
 * queue at 520k items/s while the two replacement spares booted beside them, and at 820k
 * without spares. The same {@link #MAX_WAIT_NANOS} bounds this
 * wait, so on a machine kept busy a spare boots a second late instead of never.
 */
final class BootBudget {
    /** The system property that sets how many JVMs may boot at once before a spare waits (default: the processor count). */
    static final String PROPERTY = "mp4j.bootsAtOnce";
    /** The longest the spares' thread waits for a place: on a loaded machine a boot can take seconds. */
    private static final long MAX_WAIT_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
    /** How long a window of processor times is: a few of the kernel's clock ticks (10 ms each, usually). */
    private static final long IDLE_WINDOW_NANOS = TimeUnit.MILLISECONDS.toNanos(30);
    /** A look at a booting JVM comes no sooner after the last than its age then, divided by this. */
    private static final long LOOK_SPACING = 16;
    /**
     * The same before any boot has been seen: the program's first child, which the looks slow
     * (each a file read in a new JVM's interpreter), is then seen booted at most a quarter late.
     */
    private static final long FIRST_BOOT_LOOK_SPACING = 4;
    /**
     * The idle processors, on average over a window, that let a spare boot: about a whole one (a
     * boot takes one), less a little for the ticks' coarseness. Half of one let spares boot beside
     * a producer and a consumer that wait for each other now and then (a pipeline of two leaves
     * 0.5-0.7 of a processor idle on two), and the boot then took its processor from them: in the
     * bench's {@code tput} section, 4 interleaved rounds each, new children's 4 KiB items through
     * a pipe moved 360-718k items/s with half and 703-729k with this, through a queue 506-716k
     * and 670-706k.
     */
    private static final double IDLE_PROCESSORS_NEEDED = 0.9;

    private final ChildTable children;
    private final Spares spares;
    private final int places;
    private final int processors = Runtime.getRuntime().availableProcessors();
    /** The shortest boot seen ({@link #bootSeen}); 0 before the first. Written and read by the spares' thread. */
    private volatile long shortestBootNanos;

    BootBudget(ChildTable children, Spares spares) {
        this.children = children;
        this.spares = spares;
        this.places = Math.max(1, Integer.getInteger(PROPERTY, processors));
    }

    /** @return how many JVMs this JVM has booting now */
    int booting() {
        long now = System.nanoTime();
        return children.bootingCount(this, now) + spares.bootingCount(this, now);
    }

    /**
     * @param spawnedAt {@link System#nanoTime()} when a JVM was spawned
     * @param lastLook {@link System#nanoTime()} of the last look at whether it has booted; 0 for none
     * @param now {@link System#nanoTime()}
     * @return whether a look is due: the JVM is no younger than three quarters of the shortest boot
     *     seen (any is before a boot has been seen), and it was never looked at or the last look
     *     was a sixteenth of its age then ago (a quarter before a boot has been seen)
     */
    boolean lookDue(long spawnedAt, long lastLook, long now) {
        long shortest = shortestBootNanos;
        if (shortest > 0 && now - spawnedAt < shortest / 4 * 3) {
            return false;
        }
        long spacing = shortest > 0 ? LOOK_SPACING : FIRST_BOOT_LOOK_SPACING;
        return lastLook == 0 || now - lastLook >= (lastLook - spawnedAt) / spacing;
    }

    /** Learns from a child found booted {@code nanos} after its JVM's spawn (0: not found booted, nothing learnt). */
    void bootSeen(long nanos) {
        long shortest = shortestBootNanos;
        if (nanos > 0 && (shortest == 0 || nanos < shortest)) {
            shortestBootNanos = nanos;
        }
    }

    /**
     * For the spares' thread: waits until a place is free and a processor idle or the child
     * that asked for the spare ended (at most {@link #MAX_WAIT_NANOS}, counted again each time
     * one of this JVM's booting JVMs comes up while no place is free), or the spare is no longer
     * wanted.
     *
     * @param stillWanted whether the spare is still wanted (not cancelled nor discarded)
     * @param askerEnded whether the child whose start asked for the spare has ended (its
     *     processor is free again: a start/join loop's next spare need not wait for a window)
     * @return false when interrupted (the flag is set again: the spares' thread ends)
     */
    boolean awaitPlaceForSpare(BooleanSupplier stillWanted, BooleanSupplier askerEnded) {
        long now = System.nanoTime();
        long deadline = now + MAX_WAIT_NANOS;
        Optional<ProcessorTimes> windowStart = ProcessorTimes.now();
        long windowStartNanos = now;
        boolean idle = windowStart.isEmpty(); // nothing to tell by: no gate
        int lastBooting = Integer.MAX_VALUE;
        while (now - deadline < 0) {
            int booting = booting();
            if (booting < places && (idle || askerEnded.getAsBoolean())) {
                break;
            }
            if (booting >= places && booting < lastBooting) {
                deadline = now + MAX_WAIT_NANOS; // this JVM's own boots are coming through: see the class comment
            }
            lastBooting = booting;
            if (!stillWanted.getAsBoolean()) {
                return true; // the caller sees it too, and boots nothing
            }
            if (!pause()) {
                Thread.currentThread().interrupt();
                return false;
            }
            now = System.nanoTime();
            if (!idle && now - windowStartNanos >= IDLE_WINDOW_NANOS) {
                Optional<ProcessorTimes> times = ProcessorTimes.now();
                idle = times.isEmpty() || times.get().idleProcessorsSince(windowStart.get(), processors) >= IDLE_PROCESSORS_NEEDED;
                windowStart = times;
                windowStartNanos = now;
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
