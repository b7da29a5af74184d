package io.github.multiprocessing4j.internal.runtime;

import io.github.multiprocessing4j.internal.launch.BootstrapMessage;
import io.github.multiprocessing4j.internal.launch.ChildClassPath;
import io.github.multiprocessing4j.internal.process.ProcessContext;
import io.github.multiprocessing4j.internal.queue.PipeEnds;
import io.github.multiprocessing4j.internal.registry.ProcessRegistry;
import io.github.multiprocessing4j.internal.serial.Serialization;
import io.github.multiprocessing4j.internal.shm.SharedSegment;
import io.github.multiprocessing4j.internal.sync.Doorbell;
import io.github.multiprocessing4j.internal.util.Log;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The library's state for this JVM, in one object: who this process is ({@link ProcessContext}),
 * the children it started ({@link ChildTable}), its spare JVMs ({@link Spares}) and its start
 * methods ({@link Launcher}s). Created once per JVM, on first use; thread-safe.
 *
 * <p>Shutdown order, at this JVM's exit (the process context's exit hook runs the actions in
 * the order they were added, and this context adds its own when it is created):
 * <ol>
 *   <li>end the daemon children: SIGTERM, then SIGKILL after {@link ChildTable#DAEMON_END_GRACE_MS};
 *   <li>stop the spares: no new one is booted, the ready ones get EOF on their lifeline and exit;
 *   <li>then the process context settles this process's own record in the tree's table and, in
 *       a root or an orphan, releases the table (the tree's directory) when nobody else is in it.
 * </ol>
 * Non-daemon children were waited for before (their reapers are non-daemon threads, which the
 * JVM waits for before it exits).
 *
 * <p>Implementation notes. The process context stays a holder of its own: a child JVM needs its
 * identity before any of this exists (its boot sets it before the target is rebuilt), the lower
 * layers that ask who this process is must not depend on this package, and a child that only
 * asks who it is should not pay for creating this context (its classes are loaded on its start). The per-JVM caches
 * of lower layers (the shared segments' mappings, the joinable queues' states) are theirs: they
 * hold nothing that must be ended in order at exit, only memory released with the JVM.
 */
public final class RuntimeContext {
    private static volatile RuntimeContext current;
    /** Set by the API: the classes every spare initialises ahead. */
    private static volatile Supplier<List<Class<?>>> spareWarmUp;

    private final ProcessContext process;
    private final ChildTable children = new ChildTable();
    private final Spares spares;
    private final ColdLauncher cold;
    private final WarmLauncher warm;

    private RuntimeContext(ProcessContext process) {
        this.process = process;
        this.spares = new Spares(new Supplier<List<String>>() {
            @Override
            public List<String> get() {
                List<String> names = new ArrayList<>();
                Supplier<List<Class<?>>> classes = spareWarmUp;
                for (Class<?> c : classes == null ? List.<Class<?>>of() : classes.get()) {
                    names.add(c.getName());
                }
                return names;
            }
        }, children);
        this.cold = new ColdLauncher();
        this.warm = new WarmLauncher(cold, spares, children);
        Doorbell.ringChildrenThrough(children);
        // No lambda here: a child may create this context, and the first lambda a JVM links costs
        // it milliseconds (see ChildMain).
        process.onExit(new Runnable() {
            @Override
            public void run() {
                shutdown();
            }
        });
    }

    /** @return this JVM's context, created on the first call */
    public static RuntimeContext get() {
        RuntimeContext c = current;
        if (c == null) {
            synchronized (RuntimeContext.class) {
                if (current == null) {
                    current = new RuntimeContext(ProcessContext.current());
                }
                c = current;
            }
        }
        return c;
    }

    /**
     * Has the booting record of every child this JVM spawned written now, where its reaper has
     * not yet (see {@link ChildRun}), so that this JVM's look at the process table lists each
     * child it started; nothing in a JVM that has started none.
     */
    public static void recordBootingChildren() {
        RuntimeContext c = current;
        if (c != null) {
            c.children().recordBooting();
        }
    }

    /**
     * Names the classes every spare JVM initialises while it waits (the library's handles, which
     * a child rebuilds before its target's first line, and whose first JDK deserialization, when
     * the spare prepares that, costs a millisecond or more each), from the next spare on. The API, which defines them, gives them as class literals, so that a rename
     * cannot break the list; they are asked for on the spares' thread, when the first spare
     * boots, so that none is loaded before then.
     */
    public static void warmUpSparesWith(Supplier<List<Class<?>>> classes) {
        spareWarmUp = Objects.requireNonNull(classes, "classes");
    }

    /** @return who this process is */
    public ProcessContext process() {
        return process;
    }

    /** @return the children this JVM started and has not reaped */
    public ChildTable children() {
        return children;
    }

    /** @return this JVM's spare JVMs */
    public Spares spares() {
        return spares;
    }

    /**
     * Starts a child. Returns once its JVM runs and has its bootstrap message, not waiting for
     * it to boot.
     *
     * @param name the child's name
     * @param daemon whether the child ends with its parent
     * @param configuration its JVM options, environment, working directory and class path (null
     *     to derive it, see {@link ChildClassPath})
     * @param target the target, serialized here
     * @param warmStart whether to use the warm start method (else cold)
     * @param asksForSpares whether a warm start asks for spares for the next children (see
     *     {@link LaunchRequest#asksForSpares()})
     * @param owner the public object the run belongs to (listed by {@link ChildTable#activeOwners})
     * @throws IllegalStateException when this process is a daemon, or when the child could not
     *     load the target's class or this library's ({@link ChildClassPath#resolve})
     * @throws IllegalArgumentException when the target is not serializable
     * @throws UncheckedIOException when the operating system cannot start the process
     * @return the child's run
     */
    public ChildRun start(String name, boolean daemon, LaunchConfiguration configuration, Object target,
                          boolean warmStart, boolean asksForSpares, Object owner) {
        if (process.isDaemon()) {
            throw new IllegalStateException("daemonic processes are not allowed to have children");
        }
        LaunchConfiguration resolved = configuration.withClassPath(
                ChildClassPath.resolve(configuration.classPath(), target, "process " + name));
        PipeEnds.Handover handover = PipeEnds.beginHandover();
        int segmentsWritten = SharedSegment.writtenOnThisThread();
        byte[] serializedTarget;
        try {
            serializedTarget = Serialization.serialize(target, "target of " + name);
        } finally {
            handover.endSerialization();
        }
        boolean capturesSharedObjects = SharedSegment.writtenOnThisThread() != segmentsWritten;
        ProcessRegistry registry = process.registry();
        registry.ensureOpen();
        BootstrapMessage message = new BootstrapMessage(registry.treeId(), process.pid(), process.startTicks(),
                process.name(), process.isDaemon(), name, daemon, serializedTarget);
        LaunchRequest request = new LaunchRequest(name, daemon, resolved, Serialization.firstClassOf(target),
                Serialization.needsObjectStream(serializedTarget), capturesSharedObjects, asksForSpares, message);
        ChildRun run = new ChildRun(this, request, owner, registry, handover);
        try {
            (warmStart ? warm : cold).launch(request, run);
        } catch (IOException e) {
            throw new UncheckedIOException("could not start process " + name + ": " + e.getMessage(), e);
        }
        return run;
    }

    /**
     * After long-lived children whose starts asked for no spares (a pool's workers, see
     * {@link LaunchRequest#asksForSpares()}) have ended: boots spares of their configuration, in
     * the background, until it has {@code count} (up to the processors), for the next ones (a next
     * pool). Nothing when {@code last} was started cold. Returns at once.
     *
     * @param last the last of those children, whose boot proves the configuration
     * @param count how many ran at once
     */
    public void askSparesAfter(ChildRun last, int count) {
        if (last.warmStartWasAsked()) {
            spares.refillForNext(last.request().configuration(), count, last);
        }
    }

    /** Called by a child's reaper once its end is settled. */
    void reaped(ChildRun run) {
        children.remove(run);
        try {
            // A child not reaped yet holds the table, and spares are the next children: it stays.
            // Asked at every reap, releaseIfIdle read every record of the table each time: with 200
            // children at once, most of the parent's reaping CPU.
            if (children.isEmpty() && !spares.anyHeld()) {
                process.registry().releaseIfIdle();
            }
        } catch (RuntimeException e) {
            Log.of(RuntimeContext.class).log(System.Logger.Level.WARNING, "could not release the process table", e);
        }
    }

    /**
     * Boots spare JVMs for children of the default configuration (no JVM options, environment or
     * working directory of their own, the class path derived as for a target of this JVM's class
     * path), until it has {@code count}, and keeps that many from then on. Returns at once.
     *
     * @param count how many spares to keep ready
     * @throws IllegalArgumentException when {@code count} is negative
     * @throws IllegalStateException when this process is a daemon (it may have no children)
     */
    public void prestart(int count) {
        if (count < 0) {
            throw new IllegalArgumentException("count must not be negative: " + count);
        }
        if (process.isDaemon()) {
            throw new IllegalStateException("daemonic processes are not allowed to have children");
        }
        LaunchConfiguration configuration = new LaunchConfiguration(List.of(), Map.of(), null, null);
        // Resolved as for a target whose class the JVM's own loaders have (Object stands for it):
        // a plain java -cp gives its children this same class path.
        spares.prestart(configuration.withClassPath(ChildClassPath.resolve(null, new Object(), "a spare JVM")), count);
    }

    /** Ends the spare JVMs and waits for them; releases the tree's table if nothing else holds it. */
    public void discardSpares() {
        spares.discardAll();
        process.registry().releaseIfIdle(); // kept for the spares' sake
    }

    /** The exit action: see the class comment for the order. */
    private void shutdown() {
        children.endDaemonChildren(ChildTable.DAEMON_END_GRACE_MS);
        spares.stopAtExit();
    }
}
