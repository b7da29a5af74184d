package io.github.multiprocessing4j.internal.launch;

import io.github.multiprocessing4j.internal.os.Platform;
import io.github.multiprocessing4j.internal.process.ChildIdentity;
import io.github.multiprocessing4j.internal.process.ProcessContext;
import io.github.multiprocessing4j.internal.registry.LocalTreeRegistry;
import io.github.multiprocessing4j.internal.registry.ProcessRecord;
import io.github.multiprocessing4j.internal.serial.HandleCodec;
import io.github.multiprocessing4j.internal.serial.ItemCodec;
import io.github.multiprocessing4j.internal.serial.Serialization;
import io.github.multiprocessing4j.internal.shm.SharedSegment;
import io.github.multiprocessing4j.internal.sync.Doorbell;
import io.github.multiprocessing4j.internal.sync.Wait;
import io.github.multiprocessing4j.internal.util.Log;
import io.github.multiprocessing4j.internal.util.Uninterruptibly;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.function.BooleanSupplier;

/**
 * The main class of every child JVM: reads the {@link BootstrapMessage} from stdin, becomes the
 * process it describes, runs the target and exits the way Python's children do.
 *
 * <p>Implementation notes. Exit codes: 0 when the target returns, 1 when it throws (the stack
 * trace is printed on stderr under a "Process NAME (pid N):" line and the exception is left in
 * the registry for the parent), n after {@code System.exit(n)}. In every case the JVM first
 * waits for the child's non-daemon threads, which include the reaper threads of its own
 * non-daemon children, exactly as a plain {@code main} would: on an exception this is done by
 * rethrowing it from {@code main} with a silent uncaught-exception handler, which makes the
 * launcher exit with 1 after the other threads end.
 *
 * <p>Start-up is on the critical path of every {@code start()}, and its two halves are
 * independent: becoming the process (signal handlers, identity, exit hook, the record in the
 * tree's table, the lifeline) runs on a boot thread while the main thread rebuilds the target,
 * which on a machine with two cores saves milliseconds. A spare (see {@code Spares}) has done the
 * slow parts of both before its message comes ({@link #prepareSpare}); its main thread takes the
 * identity itself and leaves only the record and the lifeline to the boot thread, which is
 * already running. A spare whose message is there before its {@code main} begins (taken while its
 * JVM booted) does none of that preparing and boots as a cold child. A cold child's boot thread
 * starts before the message is read, and when the target captured shared objects it first pays
 * the JVM's first mapping ({@link SharedSegment#warmUpMapping}), which the main thread would
 * otherwise pay while it rebuilds them; the main thread then takes the identity itself, as a
 * spare's does, since rebuilding a shared object needs it and the boot thread's mapping takes
 * longer than the message's reading. The target runs once this
 * JVM has its identity and its exit hook waits for the boot thread: a target that exits at once
 * still leaves its record for the parent.
 *
 * <p>A target in the direct lambda encoding is not rebuilt as a lambda but called
 * ({@link Serialization#deserializeTarget}): rebuilding one spins a class, milliseconds of a
 * start.
 *
 * <p>Nothing on the boot path is a lambda (anonymous classes stand in): the first lambda a JVM
 * links costs it about ten milliseconds of method-handle bootstrapping, which the target's own
 * deserialization has to pay anyway; paid here, it would come on top, before the target starts.
 *
 * <p>SIGTERM, SIGINT and SIGHUP are caught so that the exit hook can record that the process
 * ended by a signal; without that, the parent could not tell {@code System.exit(143)} from
 * {@code terminate()}. They are caught before the exit hook is installed: a signal that comes
 * earlier kills the JVM without a record, which the parent also reads as "ended by a signal".
 *
 * <p>The stdin pipe stays open after the message: its EOF means the parent has gone (see
 * {@link LifelineWatcher}). A byte the parent writes into it later is a nudge: this process's
 * waiting threads look at their shared state at once ({@link Wait#wakeAll}), as a pool's worker
 * must when the pool has put a chunk into its inbox after a long wait.
 */
public final class ChildMain {
    /** Exit code when stdin closes before a bootstrap message arrived (nothing to run). */
    static final int NO_MESSAGE_EXIT = 3;
    /** Classes of the boot path that a spare initialises ahead: the first run of them costs milliseconds. */
    private static final List<Class<?>> BOOT_CLASSES = List.of(LocalTreeRegistry.class, ProcessRecord.class,
            ItemCodec.class);
    /** Set (to true) on the command line of a spare JVM (a child that waits for its message). */
    static final String SPARE_PROPERTY = "mp4j.spare";
    /** Names, on the command line of a spare, the class it loads ahead (see {@link #prepareSpare}). */
    static final String FIRST_CLASS_PROPERTY = "mp4j.spare.firstClass";
    /**
     * Set (to true) on the command line of a spare that prepares JDK deserialization: the target
     * of the child before it needed an {@code ObjectInputStream}, so the next one likely will.
     */
    static final String OBJECT_STREAMS_PROPERTY = "mp4j.spare.objectStreams";
    /**
     * Names, on the command line of a spare, the classes it initialises ahead (and prepares for
     * JDK deserialization when it prepares that), comma-separated: the library's handles and what
     * rebuilding them uses, which targets capture, listed by the layer that defines them (from
     * class literals, so that a rename cannot break the list). Their static initialisers must
     * never ask for {@code ProcessContext.current()}, which would wait for ever in a spare.
     */
    static final String WARM_UP_PROPERTY = "mp4j.spare.warmUp";
    /**
     * Set (to true) on the command line of a spare that, as the last step of its preparation,
     * moves items through a queue of its own ({@link SpareWarmUp}): the target of the child before
     * it captured a shared object, so the next one likely will.
     */
    static final String QUEUE_WARM_UP_PROPERTY = "mp4j.spare.queueWarmUp";
    /**
     * Set (to true) on the command line of a cold child whose target captured shared objects: its
     * boot thread pays the JVM's first mapping ahead ({@link SharedSegment#warmUpMapping}). A child
     * that maps nothing never pays it (its process record is a file, not a mapping).
     */
    static final String MAPS_SHARED_OBJECTS_PROPERTY = "mp4j.mapsSharedObjects";

    private ChildMain() {
    }

    /**
     * Entry point of a child JVM.
     *
     * @param args ignored
     * @throws Throwable the target's exception, to make the JVM exit with 1 after its threads end
     */
    public static void main(String[] args) throws Throwable {
        ProcessContext.expectChildIdentity();
        FileInputStream stdin = new FileInputStream(FileDescriptor.in);
        // A spare taken while its JVM booted (a start/join loop takes them so) has its message
        // already: preparing for one would only add CPU to its start, on a machine that the
        // loop's booting JVMs keep busy. It becomes the child as a cold one does.
        boolean spare = Boolean.getBoolean(SPARE_PROPERTY) && !messageWaiting(stdin);
        boolean dumpsTheArchive = Boolean.getBoolean(ClassDataSharing.TRAINING_PROPERTY);
        if (dumpsTheArchive) {
            ArchiveTraining.atExit();
        }
        // Which thread becomes the process: the main thread of a spare and of a child whose boot
        // thread maps first, else the boot thread, beside the target's rebuilding (class notes).
        boolean warmsUpMapping = !spare && (Boolean.getBoolean(MAPS_SHARED_OBJECTS_PROPERTY)
                || Boolean.getBoolean(QUEUE_WARM_UP_PROPERTY));
        boolean mainBecomesProcess = spare || warmsUpMapping;
        BootstrapMessage[] arrived = new BootstrapMessage[1];
        CountDownLatch messageRead = new CountDownLatch(1);
        // Counted down once this JVM is the child and its exit hook waits for the boot thread: a
        // target that exits at once must not find a process without that wait (nor its record).
        CountDownLatch becameChild = new CountDownLatch(1);
        Thread boot = new Thread("mp4j-boot") {
            @Override
            public void run() {
                if (warmsUpMapping) {
                    // The first mapping's one-time cost (about 5 ms: see warmUpMapping), here
                    // while the main thread reads the message and starts on the target, whose
                    // shared objects it would otherwise wait for. (A spare taken while it booted
                    // has no message's word for it: the target of the child before it will do.)
                    SharedSegment.warmUpMapping();
                }
                Uninterruptibly.await(messageRead);
                ProcessContext context;
                if (mainBecomesProcess) {
                    if (spare) {
                        removeReadyMarker(); // here, off the target's path
                    }
                    context = ProcessContext.initialised(); // the main thread became the process
                } else {
                    catchTerminationSignals(); // before the exit hook exists: see the class comment
                    context = ProcessContext.initChild(identityOf(arrived[0]));
                    waitAtExitFor(this, context);
                    becameChild.countDown();
                }
                try {
                    context.register();
                } finally {
                    // Even without its record: the parent's end must still reach it, and the
                    // parent's nudges (one byte each) must not fill a pipe that nobody reads.
                    LifelineWatcher.start(new FileInputStream(FileDescriptor.in).getChannel(), context);
                }
            }
        };
        boot.setDaemon(true); // until the message came, it must not keep a spare's JVM alive
        if (spare) {
            prepareSpare(() -> messageWaiting(stdin));
        }
        boot.start(); // no thread to create once the message has come
        BootstrapMessage message;
        try {
            // Unbuffered: it reads no byte past the message, the rest of stdin is the lifeline.
            message = BootstrapMessage.readFrom(stdin);
        } catch (EOFException e) {
            if (spare) {
                removeReadyMarker();
            }
            Runtime.getRuntime().halt(NO_MESSAGE_EXIT); // parent gone before it said anything
            return;
        }
        System.setIn(InputStream.nullInputStream());
        arrived[0] = message;
        if (mainBecomesProcess) {
            // Becoming the process is quick: done here, it spares the target a wait for the boot
            // thread's identity (a thread's wake-up takes up to a millisecond; a spare prepared it).
            if (!spare) {
                catchTerminationSignals(); // before the exit hook exists: see the class comment
            }
            waitAtExitFor(boot, ProcessContext.initChild(identityOf(message)));
            becameChild.countDown();
        }
        messageRead.countDown();
        try {
            ClassLoader loader = Thread.currentThread().getContextClassLoader();
            Callable<Object> target = Serialization.deserializeTarget(message.target(), loader);
            Uninterruptibly.await(becameChild); // the boot thread's work, when it does it
            target.call();
            if (dumpsTheArchive) {
                ArchiveTraining.train(); // before the JVM links what it archives: see atExit
            }
        } catch (Throwable failure) {
            ProcessContext context = ProcessContext.current();
            System.err.println("Process " + context.name() + " (pid " + context.pid() + "):");
            failure.printStackTrace();
            System.err.flush();
            context.registry().putFailure(context.pid(), Serialization.serializeFailure(failure));
            Thread.currentThread().setUncaughtExceptionHandler((thread, e) -> { });
            throw failure;
        }
    }

    /** A spare's probe file, named by its pid so that one killed before it deleted it is found. */
    private static final String SPARE_PROBE_PREFIX = "mp4j-spare-";
    /** The ending of a spare's readiness marker (see {@link #spareReadyMarker}). */
    private static final String READY_SUFFIX = ".ready";
    /** The ending of a spare's probe file (see {@link #spareProbeFile}). */
    private static final String PROBE_SUFFIX = ".tmp";

    /**
     * Returns the file a spare creates once it is prepared and removes when its message (or EOF)
     * comes: how its parent tells a spare that is ready from one still booting, so that it boots
     * no more JVMs at once than it has processors (see {@code Spares}). A spare SIGKILLed while
     * it waits leaves it; the next spare removes it (its pid names it, as the probe's does).
     *
     * @param sparePid the spare's pid
     * @return the spare's readiness marker
     */
    public static java.nio.file.Path spareReadyMarker(long sparePid) {
        return Platform.sharedMemoryRoot().resolve(SPARE_PROBE_PREFIX + sparePid + READY_SUFFIX);
    }

    /**
     * Returns the file a spare makes, maps and deletes while it prepares
     * ({@link #runWhatEverySpareRuns}). A spare killed in that moment leaves it: its parent
     * removes it once that spare is gone, as when it ends its spares at exit, and the next spare
     * of any program removes those of dead spares.
     *
     * @param sparePid the spare's pid
     * @return the spare's probe file
     */
    public static java.nio.file.Path spareProbeFile(long sparePid) {
        return Platform.sharedMemoryRoot().resolve(SPARE_PROBE_PREFIX + sparePid + PROBE_SUFFIX);
    }

    /** Removes this spare's readiness marker: it is no longer waiting. */
    private static void removeReadyMarker() {
        try {
            java.nio.file.Files.deleteIfExists(spareReadyMarker(Platform.currentPid()));
        } catch (IOException e) {
            // the next spare removes it: its pid names it
        }
    }

    /**
     * Deletes the probe files of spares that died between making and deleting theirs (a SIGKILL in
     * that moment): their pid names them, and no live process has that pid.
     */
    private static void removeProbesOfDeadSpares() throws IOException {
        // No glob: it would compile a regular expression on every spare's boot.
        try (java.nio.file.DirectoryStream<java.nio.file.Path> files =
                     java.nio.file.Files.newDirectoryStream(Platform.sharedMemoryRoot())) {
            for (java.nio.file.Path file : files) {
                String name = file.getFileName().toString();
                String suffix = name.endsWith(PROBE_SUFFIX) ? PROBE_SUFFIX : name.endsWith(READY_SUFFIX) ? READY_SUFFIX : null;
                if (!name.startsWith(SPARE_PROBE_PREFIX) || suffix == null) {
                    continue;
                }
                long pid;
                try {
                    pid = Long.parseLong(name.substring(SPARE_PROBE_PREFIX.length(), name.length() - suffix.length()));
                } catch (NumberFormatException olderForm) {
                    // mp4j-spare-<random>.tmp, made by an earlier version: gone once it is a minute old
                    if (java.nio.file.Files.getLastModifiedTime(file).toMillis() < System.currentTimeMillis() - 60_000) {
                        java.nio.file.Files.deleteIfExists(file);
                    }
                    continue;
                }
                if (ProcessHandle.of(pid).isEmpty()) {
                    java.nio.file.Files.deleteIfExists(file);
                }
            }
        }
    }

    /**
     * What a spare does before it waits for its message: everything a child's start pays for that
     * does not depend on which child it will be. It links a serializable lambda (the first lambda
     * of a JVM costs it milliseconds), maps a file as shared objects are mapped, loads the codec
     * of the library's handles, rehearses reading a message and becoming a process (the first run
     * of code resolves what it uses), installs the exit hook, catches the termination signals,
     * and loads and links the class named by {@link #FIRST_CLASS_PROPERTY}: the capturing class
     * of the target that the child before it ran, very likely the next one's too. That class is
     * not initialised, so none of the application's code runs in a spare. It initialises the
     * library's classes named by {@link #WARM_UP_PROPERTY}, the handles a target captures. With
     * {@link #OBJECT_STREAMS_PROPERTY} it also prepares JDK deserialization, whose first
     * {@code ObjectInputStream} costs a JVM tens of milliseconds, for those classes too; without,
     * it saves that CPU (about a quarter of a spare's), which a target that captures only values
     * with a direct encoding never needs. With {@link #QUEUE_WARM_UP_PROPERTY} it then moves
     * items through a queue of its own ({@link SpareWarmUp}), unless its message has come. Last,
     * it creates its readiness marker ({@link #spareReadyMarker}).
     *
     * @param messageCame whether the spare's message has come: the queue warm-up stops then
     */
    static void prepareSpare(BooleanSupplier messageCame) {
        removeReadyMarker(); // a dead namesake's (pids recur), which would say this spare is ready already
        catchTerminationSignals();
        try {
            Platform.ownStartTicks(); // read once: the identity taken later needs it
            ProcessContext.installExitHook();
            ClassLoader loader = ChildMain.class.getClassLoader();
            byte[] serializedProbe = runWhatEverySpareRuns(Boolean.getBoolean(OBJECT_STREAMS_PROPERTY), loader);
            // The boot path's first run resolves its classes and call sites: done here, with a
            // message that names nobody, it is not done again when the real one comes.
            ByteArrayOutputStream rehearsal = new ByteArrayOutputStream();
            new BootstrapMessage("mp4j-0-0", 0, 0, "rehearsal", false, "rehearsal", false, serializedProbe)
                    .writeTo(rehearsal);
            ProcessContext.rehearseInitChild(identityOf(BootstrapMessage.readFrom(new ByteArrayInputStream(rehearsal.toByteArray()))));
            String firstClass = System.getProperty(FIRST_CLASS_PROPERTY);
            if (firstClass != null) {
                // Loaded and linked, not initialised: none of its code runs before a target's does.
                Class.forName(firstClass, false, loader).getDeclaredMethods();
            }
            for (Class<?> c : BOOT_CLASSES) {
                Class.forName(c.getName(), true, loader);
            }
            Doorbell.prepareFirstRing();
            java.util.OptionalLong parent = Platform.parentPid(Platform.currentPid());
            if (parent.isPresent()) {
                Doorbell.openAhead(parent.getAsLong()); // a target's put rings it, waiting in a get(), say
            }
        } catch (Exception | LinkageError e) {
            // only a head start: the child does the same work later if it must
            Log.of(ChildMain.class).log(System.Logger.Level.DEBUG, "a spare's preparation stopped early", e);
        }
        // The handles a target captures are rebuilt before its first line: with their classes
        // initialised here, a warm child whose target captured a queue got there in 1.8-2.5 ms
        // instead of 3.1-3.5 (medians of 20 starts, 3 programs each, the development VM). A
        // handle inside a value JDK serialization carries (a list of queues, a condition) is
        // rebuilt by it, whose first look at a class (its stream descriptor) costs a millisecond
        // or more each.
        boolean objectStreams = Boolean.getBoolean(OBJECT_STREAMS_PROPERTY);
        for (String name : warmUpClasses()) {
            try {
                Class<?> handleClass = Class.forName(name, true, ChildMain.class.getClassLoader());
                if (objectStreams) {
                    java.io.ObjectStreamClass.lookup(handleClass);
                }
            } catch (Exception | LinkageError e) {
                Log.of(ChildMain.class).log(System.Logger.Level.DEBUG, "a spare could not prepare " + name, e);
            }
        }
        if (Boolean.getBoolean(QUEUE_WARM_UP_PROPERTY)) {
            SpareWarmUp.run(messageCame);
        }
        try {
            java.nio.file.Files.createFile(spareReadyMarker(Platform.currentPid()));
        } catch (IOException e) {
            // the parent counts this spare as booting a while longer: only a head start lost
            Log.of(ChildMain.class).log(System.Logger.Level.DEBUG, "a spare could not mark itself ready", e);
        }
    }

    /**
     * The part of a spare's preparation that any process of a tree may run as well: the class-data
     * archive's training ({@link ArchiveTraining#train}) runs it, so that the archive holds the
     * classes it loads (the archive's dumping child is a cold one, not a spare).
     *
     * @param objectStreams whether to prepare JDK deserialization too
     * @param loader the class loader of the library's classes
     * @return a serialized probe target, for a rehearsal of the boot path
     * @throws Exception when the shared-memory directory cannot be used, or a probe fails
     */
    static byte[] runWhatEverySpareRuns(boolean objectStreams, ClassLoader loader) throws Exception {
        java.nio.file.Path probeFile = spareProbeFile(Platform.currentPid());
        removeProbesOfDeadSpares();
        try (FileChannel channel = FileChannel.open(probeFile, java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.READ, java.nio.file.StandardOpenOption.WRITE)) {
            try (java.nio.channels.FileLock lock = channel.lock()) {
                channel.write(ByteBuffer.wrap(new byte[Long.BYTES]));
            }
            SharedSegment.rehearseMapping(probeFile); // as the shared objects a target captures are mapped
        } finally {
            java.nio.file.Files.deleteIfExists(probeFile);
        }
        String word = "warm";
        Probe probe = () -> word.length();
        byte[] serializedProbe = Serialization.serialize(probe, "probe");
        ((Probe) Serialization.deserialize(serializedProbe, loader)).run();
        Serialization.deserializeTarget(serializedProbe, loader).call();
        HandleCodec.installed();
        if (objectStreams) {
            Serialization.deserialize(Serialization.serialize(new java.util.ArrayList<>(java.util.List.of(word)), "probe"),
                    loader);
            java.io.ObjectStreamClass.lookup(java.lang.invoke.SerializedLambda.class);
        }
        return serializedProbe;
    }

    /** @return whether bytes of the bootstrap message are waiting on stdin (without reading them) */
    private static boolean messageWaiting(FileInputStream stdin) {
        try {
            return stdin.available() > 0;
        } catch (IOException e) {
            return false; // the read that follows finds out
        }
    }

    /** @return the classes named by {@link #WARM_UP_PROPERTY}, none when it is not set */
    static List<String> warmUpClasses() {
        String names = System.getProperty(WARM_UP_PROPERTY, "");
        return names.isEmpty() ? List.of() : List.of(names.split(","));
    }

    /** @return who the child that {@code message} starts is */
    private static ChildIdentity identityOf(BootstrapMessage message) {
        return new ChildIdentity(message.treeId(), message.name(), message.daemon(), message.parentPid(),
                message.parentStartTicks(), message.parentName(), message.parentDaemon());
    }

    /** The exit hook waits for the boot thread, so that the record it writes is never written after the final one. */
    private static void waitAtExitFor(Thread boot, ProcessContext context) {
        context.onExit(new Runnable() {
            @Override
            public void run() {
                Uninterruptibly.join(boot);
            }
        });
    }

    private static void catchTerminationSignals() {
        for (String name : new String[] {"TERM", "INT", "HUP"}) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), new RecordingSignalHandler());
            } catch (IllegalArgumentException e) {
                // signal not known or reserved here (-Xrs): the default handling stays
            }
        }
    }

    /** The spare's rehearsal target: a serializable lambda, encoded and called as a user's is. */
    private interface Probe extends Runnable, java.io.Serializable {
    }

    /**
     * Records the signal for the exit hook, then exits as the JVM would have: 128 + N. A signal
     * that comes before the child has its context (and so its exit hook) halts at once: nothing
     * is recorded, which the parent reads as "ended by a signal" too.
     */
    private static final class RecordingSignalHandler implements sun.misc.SignalHandler {
        @Override
        public void handle(sun.misc.Signal signal) {
            int status = Platform.SIGNAL_EXIT_BASE + signal.getNumber();
            ProcessContext context = ProcessContext.initialised();
            if (context == null) {
                Runtime.getRuntime().halt(status);
            }
            context.endingBySignal(signal.getNumber());
            System.exit(status);
        }
    }
}
