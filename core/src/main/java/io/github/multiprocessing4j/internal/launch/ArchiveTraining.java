package io.github.multiprocessing4j.internal.launch;

import io.github.multiprocessing4j.internal.sync.Doorbell;
import io.github.multiprocessing4j.internal.util.Log;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What the child that dumps the class-data archive ({@link ClassDataSharing}) does before its JVM
 * exits: it runs the API layer's exercise (the first use of a queue, a lock and a joinable queue
 * captured by a target), so that the archive holds what that use loads and links, and not only
 * what the dumping child's own target happened to use.
 *
 * <p>Implementation notes. The JVM archives the classes the dumping process loaded, and that
 * process is whichever child was started first with a given class path and options: often one
 * that did little (a benchmark's or a test's empty child), so every later child that used a queue
 * loaded the queue's classes from the jar (which also opens the jar's zip machinery the archive
 * had spared it), spun its lambdas and linked its {@code VarHandle}s. Measured on the 2-core
 * development VM (JDK 17), CPU of a cold child whose target puts one item into a queue:
 * 150-190 ms with an archive dumped by an empty child, 130-140 ms with one dumped by a child that
 * had used a queue (an empty child: 110-130 ms either way). Loading every class of the library's
 * jar instead is worse: the archive grows to 3.4 MB (1.36 MB trained, 0.84 MB untrained), and
 * since the JVM relocates the archive at every boot, an empty child then took longer to start.
 * The dumping child is a cold one, so it also runs what every spare runs before it waits
 * ({@link ChildMain#runWhatEverySpareRuns}, without JDK deserialization, which only some spares
 * prepare): before, every spare loaded those classes outside the archive, the first of them from
 * the jar, which opened the jar's zip machinery. A spare's CPU from boot to EOF, its target's
 * class in a jar: 96-112 ms before, 86-101 ms after (medians of 20, interleaved, three runs).
 * The exercise is the API layer's ({@code ArchiveExercise}, above this one): it registers itself
 * from {@code ChildProcess}'s static initialiser, which {@link #train} runs. Training runs once per
 * archive (once per class path, JVM and options on a machine), as the child ends, so it delays
 * only that child's exit, which the dump delays far more; a failure is logged and ignored
 * (the tree may be ending): training only makes later starts faster.
 */
public final class ArchiveTraining {
    /** The API class whose static initialiser registers the exercise. */
    static final String REGISTERING_CLASS = "io.github.multiprocessing4j.ChildProcess";
    /**
     * Set for a child that dumps an archive again: the old archive's class list, whose classes it
     * loads first ({@link ArchiveContents#replay}), so that the new archive keeps them.
     */
    static final String REPLAY_PROPERTY = "mp4j.cds.replay";

    private static final AtomicBoolean TRAINED = new AtomicBoolean();
    private static volatile Callable<?> exercise;

    private ArchiveTraining() {
    }

    /**
     * Sets what a dumping child runs to train the archive (the API layer's exercise).
     *
     * @param run makes, uses and unlinks shared objects as a child's target would; may throw
     */
    public static void exerciseWith(Callable<?> run) {
        exercise = run;
    }

    /**
     * Has this JVM {@linkplain #train train} the archive when it exits by {@code System.exit} (a
     * shutdown hook: the JVM links what the hooks loaded before it dumps). A target that returns
     * is followed by a call of {@link #train} itself: when the last thread ends, the JVM links the
     * classes to archive before it runs the hooks, so a class loaded in a hook then would not be
     * archived.
     */
    static void atExit() {
        Runtime.getRuntime().addShutdownHook(new Thread(ArchiveTraining::train, "mp4j-archive-training"));
    }

    /**
     * Runs the exercise once per JVM, after loading the classes of the archive this one replaces,
     * if any; a process of a tree only (a spare that never became one
     * cannot make shared objects).
     *
     * @return whether the exercise ran to its end
     */
    static boolean train() {
        if (!TRAINED.compareAndSet(false, true)) {
            return false;
        }
        try {
            String replayed = System.getProperty(REPLAY_PROPERTY);
            if (replayed != null) {
                ArchiveContents.replay(Path.of(replayed), Thread.currentThread().getContextClassLoader());
            }
            Class.forName(REGISTERING_CLASS, true, ArchiveTraining.class.getClassLoader());
            Callable<?> run = exercise;
            if (run == null) {
                return false;
            }
            run.call();
            Doorbell.prepareFirstRing(); // no exercise rings another process
            ChildMain.runWhatEverySpareRuns(false, ArchiveTraining.class.getClassLoader()); // see the class comment
            return true;
        } catch (Exception | LinkageError e) {
            Log.of(ArchiveTraining.class).log(System.Logger.Level.DEBUG,
                    "the class-data archive's training stopped: " + e);
            return false;
        }
    }
}
