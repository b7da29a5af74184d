package io.github.multiprocessing4j.internal.launch;

import io.github.multiprocessing4j.internal.process.ScratchTree;
import io.github.multiprocessing4j.internal.util.Log;

import java.util.function.BooleanSupplier;

/**
 * The last step of a spare's preparation when the target of the child before it captured a
 * shared object ({@link ChildMain#QUEUE_WARM_UP_PROPERTY}): it runs the API layer's queue exercise
 * in a tree of its own ({@link ScratchTree}), so that its child's first queue operations run code
 * C1 has compiled instead of the interpreter's.
 *
 * <p>Implementation notes. A new JVM runs its first few hundred puts and takes interpreted, at
 * 11-22 µs each (every word of the queue's header read or written is an interpreted call into
 * {@code Unsafe}'s natives), and the compiled code arrives over its first thousands of items.
 * Measured on the 2-core development VM, a consumer child of 200,000 ints from a new producer
 * child took its first 10,000 in 12-24 ms and each later 10,000 in about 1 ms; with both children
 * first moving 2,000 items through a queue of their own, its first 10,000 took 1.3-5.8 ms and
 * the 200,000 24-33 ms instead of 36-47 (see the architecture notes). Compiled code serves every
 * queue, so an exercise on a queue of the spare's own is as good. It is part of the spare's
 * preparation (the spare counts as booting until it is done, and is not marked ready before), and
 * runs in rounds, stopping at the first round's end after the message came (bytes waiting on
 * stdin): a spare taken meanwhile becomes its child at most a round later (half a millisecond
 * interpreted, much less once compiled). A spare taken while it boots never runs it. What it
 * costs: about 40 ms of the spare's CPU in a new JVM without the class-data archive (with it,
 * measured later: an idle spare 140-150 ms against 60-80 without the exercise, most of the
 * difference its C1 compiler's: see the architecture notes),
 * and about 2 MiB more resident memory in an idle spare (the young generation's pages its garbage
 * touched, compiled code, the compiler's arenas), which a child that moves items would touch
 * anyway; so only spares after a child whose target captured a shared object run it
 * ({@link SparePreparation#queueWarmUp}). The
 * exercise is the API layer's ({@code QueueWarmUp}), which registers itself from
 * {@code ChildProcess}'s static initialiser, as the archive's training does
 * ({@link ArchiveTraining}); a failure is logged and ignored, since it only makes a child faster.
 */
public final class SpareWarmUp {
    /** What the API layer registers: an exercise that stops early when asked. */
    @FunctionalInterface
    public interface Exercise {
        /**
         * Makes a queue (in the calling JVM's current tree), moves items through it, and
         * unlinks it.
         *
         * @param stop asked between rounds: true ends the exercise
         * @throws Exception when a queue operation fails
         */
        void run(BooleanSupplier stop) throws Exception;
    }

    private static volatile Exercise exercise;

    private SpareWarmUp() {
    }

    /**
     * Sets the exercise a prepared spare runs (the API layer's).
     *
     * @param run the exercise
     */
    public static void exerciseWith(Exercise run) {
        exercise = run;
    }

    /**
     * Runs the exercise in a tree of this JVM's own, which is gone again when this returns.
     *
     * @param messageCame asked between the exercise's rounds: true when the message has come
     */
    static void run(BooleanSupplier messageCame) {
        try {
            Class.forName(ArchiveTraining.REGISTERING_CLASS, true, SpareWarmUp.class.getClassLoader());
            Exercise run = exercise;
            if (run != null && !messageCame.getAsBoolean()) {
                // No collection afterwards to drop the mappings of the queues' deleted files (small
                // chunks: some tens of KiB): tried, it left an idle spare 0.7 MiB larger (its old
                // generation's pages touched).
                ScratchTree.run(() -> {
                    run.run(messageCame);
                    return null;
                });
            }
        } catch (Exception | LinkageError e) {
            Log.of(SpareWarmUp.class).log(System.Logger.Level.DEBUG, "a spare's queue warm-up stopped early", e);
        }
    }
}
