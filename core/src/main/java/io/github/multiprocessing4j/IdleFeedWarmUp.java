package io.github.multiprocessing4j;

import io.github.multiprocessing4j.internal.shm.SharedSegment;
import io.github.multiprocessing4j.internal.util.Log;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Has a process's queue code compiled once it is seen feeding, or being fed, every so often: on a
 * thread of its own, the exercise a prepared spare runs ({@link QueueWarmUp}), once per JVM, after
 * {@value #NOTICES} puts or takes of such a feed ({@code ByteQueue.watchIdleFeeds}: a put that
 * rang a consumer seated on the queue's board 10 ms or more after its previous such ring, or a
 * take that waited 10 ms or more, each within two items of the handle's previous one, which
 * itself does not count: a feed, not one pause).
 *
 * <p>Implementation notes. A producer that puts an item every so often, and a consumer that
 * waits for each, run their puts and takes interpreted for a long time: the JIT compiles a method
 * after a few hundred calls, which such a feed takes seconds or minutes to make, and an
 * interpreted put after the processor idled reads its bytecodes and metadata from memory again.
 * Measured on the 2-core development VM (JDK 17, 2026-12-06): a put after 20 ms of idling took
 * 100-108 µs (medians of 60-100) in a new program, 32-34 µs after this exercise, 5-7 µs after
 * 100,000 puts and takes (C2); from a parent's put to its child's take, each after 20 ms of
 * idling, 360-408 µs without this class and 259-304 µs with it (medians of 100, three programs
 * each, interleaved; CPython's fork: 278 in the bench's shape). A stream is never slowed: its
 * puts and takes compile within milliseconds, and it does not tell this class (see
 * {@code ByteQueue.watchIdleFeeds}).
 *
 * <p>What it costs, once: starting the thread, 235-329 µs of the put that makes the last notice
 * (a take's notice comes as its handle's next wait begins, when nothing is handed over), then the
 * exercise's few thousand puts and takes and their compilation (44-56 ms of wall time, 34-45 ms of
 * CPU on its thread), 5 ms later, while the feed idles; its queues are scratch queues of the
 * process's tree ({@code SharedSegment.scratch}), unlinked when it ends, removed when the process
 * is reaped if it was killed meanwhile (until 2026-12-07 they stayed until the tree ended: the
 * queue robustness tests' leak check met them in consumers killed during it). A spare
 * that ran the exercise before it became its child does not run it again.
 * {@value #ENABLED_PROPERTY}{@code =false} turns it off in the JVM that has it (children get it
 * through {@code mp4j.childJvmArgs}). The thread ends at an interrupt (Maven's {@code exec:java}
 * interrupts the threads a program leaves).
 */
final class IdleFeedWarmUp {
    /** The system property that turns the warm-up off ({@code false}) in a JVM. */
    static final String ENABLED_PROPERTY = "mp4j.idleFeedWarmUp";
    /** The puts and takes of an idle feed seen before the warm-up starts: a feed, not one pause. */
    static final int NOTICES = 3;
    /** Whether this JVM warms up for idle feeds, its queues' and its pools' ({@link PoolWarmUp}). */
    static final boolean ENABLED = !"false".equalsIgnoreCase(System.getProperty(ENABLED_PROPERTY));
    private static final AtomicInteger NOTICED = new AtomicInteger();
    /**
     * How long the warm-up's thread waits before it starts: the hand-off that made the last notice
     * (a consumer waking, its take) ends meanwhile, and the feed idles again (for 10 ms at least).
     */
    static final long START_DELAY_MILLIS = 5;
    /**
     * Whether this JVM has run the exercise or runs it now (a spare's, or this class's): kept here,
     * not in {@link QueueWarmUp}, so that a notice loads no class (see {@link #EXERCISE}).
     */
    private static volatile boolean exerciseRan;
    /** The thread that ran or runs the exercise; null before. */
    private static volatile Thread thread;

    /**
     * What each queue and pipe end of the API tells ({@code ByteQueue.watchIdleFeeds}). A class of
     * its own, not a method reference: a child links it while it rebuilds its target's queues,
     * where the first method reference a JVM links costs about a millisecond.
     */
    static final Runnable WATCHER = new Runnable() {
        @Override
        public void run() {
            noticed();
        }
    };

    /**
     * The warm-up's work. Made with the class (when a process makes or receives its first queue or
     * pipe end), so that the notice that starts it loads no class: loaded then from the jar, with
     * {@link QueueWarmUp}, the put that made the notice took 1-2.4 ms longer.
     */
    private static final Runnable EXERCISE = new Runnable() {
        @Override
        public void run() {
            try {
                Thread.sleep(START_DELAY_MILLIS);
                SharedSegment.scratch(() -> QueueWarmUp.run(() -> Thread.currentThread().isInterrupted()));
            } catch (InterruptedException e) {
                // asked to end: the exercise's queues are unlinked already
            } catch (Exception | LinkageError e) {
                // only a head start: the queues work as well without it
                Log.of(IdleFeedWarmUp.class).log(System.Logger.Level.DEBUG, "the idle feed's warm-up stopped early", e);
            }
        }
    };

    private IdleFeedWarmUp() {
    }

    /** One more put or take of an idle feed: the last of {@value #NOTICES} starts the warm-up, unless it ran. */
    private static void noticed() {
        if (!ENABLED || NOTICED.incrementAndGet() != NOTICES || exerciseRan) {
            return;
        }
        Thread warmUp = new Thread(EXERCISE, "mp4j-queue-warm-up");
        warmUp.setDaemon(true);
        thread = warmUp;
        warmUp.start();
    }

    /** Notes that this JVM runs the exercise ({@link QueueWarmUp#run}): a feed then has nothing to warm up. */
    static void exerciseRuns() {
        exerciseRan = true;
    }

    /** @return whether this JVM has run the exercise, or runs it now */
    static boolean exerciseRan() {
        return exerciseRan;
    }

    /** @return the warm-up's thread, once started; null before (for tests) */
    static Thread thread() {
        return thread;
    }
}
