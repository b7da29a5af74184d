package io.github.multiprocessing4j.internal.process;

import io.github.multiprocessing4j.internal.os.Platform;
import io.github.multiprocessing4j.internal.registry.LocalTreeRegistry;
import io.github.multiprocessing4j.internal.registry.ProcessRecord;
import io.github.multiprocessing4j.internal.registry.ProcessRecord.State;
import io.github.multiprocessing4j.internal.registry.ProcessRegistry;
import io.github.multiprocessing4j.internal.shm.InstalledTrees;
import io.github.multiprocessing4j.internal.sync.Doorbell;
import io.github.multiprocessing4j.internal.util.Log;
import io.github.multiprocessing4j.internal.util.Once;
import io.github.multiprocessing4j.internal.util.Uninterruptibly;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Who this JVM is in its process tree: its name, daemon flag and parent, the tree's registry,
 * and what has to happen when it exits.
 *
 * <p>Implementation notes. A JVM not started by this library is the root of a tree called
 * {@code MainProcess}; it creates the tree's registry lazily, on its first child, so that a
 * program that never starts a process leaves nothing behind. A child learns its identity from
 * its bootstrap message before any user code runs ({@link #initChild}).
 *
 * <p>The exit hook: runs the registered exit actions (the runtime's: end daemon children, stop
 * the spares; see {@code RuntimeContext}), then writes how this process ended in its record. A
 * child whose parent is alive leaves the record for the parent, which reads the exit state from
 * it when it reaps the child; a root, or an orphan, removes its own record and releases the tree
 * if nothing else is in it.
 *
 * <p>This class is also what tells the shared segments where this process's tree lives
 * ({@link ProcessSegmentTrees}, installed when the class is loaded).
 */
public final class ProcessContext {
    private static final String MAIN_PROCESS = "MainProcess";
    private static final Once JANITOR = new Once();
    /** How long a root's exit waits for its janitor ({@link #startJanitor}) to finish. */
    private static final long JANITOR_EXIT_WAIT_MS = 2_000;

    private static volatile ProcessContext current;
    private static volatile boolean bootingAsChild;
    private static final CountDownLatch CHILD_IDENTIFIED = new CountDownLatch(1);
    private static final Once EXIT_HOOK = new Once();

    static {
        InstalledTrees.install(new ProcessSegmentTrees()); // shared segments live in this process's tree
    }

    /**
     * Makes sure this class is initialised, which installs where this process's shared segments
     * live: called before a program's first shared object is made, so that the shared-memory
     * layer need not look for it with a {@link java.util.ServiceLoader} (which reads the class
     * path's service files: about 9 ms of a new JVM on the 2-core development VM).
     */
    public static void ensureInitialised() {
        // the static initialiser has run by the time this body runs
    }

    private final long pid;
    private final long startTicks;
    private final String name;
    private final boolean daemon;
    /** The parent as the child was told at start; null in a root. */
    private final ProcessIdentity parent;
    private final String treeId;
    private final AtomicInteger childCounter = new AtomicInteger();
    private final List<Runnable> exitActions = new CopyOnWriteArrayList<>();
    private volatile ProcessRegistry registry;
    private volatile boolean parentGone;
    private volatile State endState = State.RUNNING;
    private volatile int endSignal;

    private ProcessContext(String name, boolean daemon, ProcessIdentity parent, String treeId) {
        this.pid = Platform.currentPid();
        this.startTicks = Platform.ownStartTicks();
        this.name = name;
        this.daemon = daemon;
        this.parent = parent;
        this.treeId = treeId != null ? treeId : LocalTreeRegistry.treeIdFor(pid, startTicks);
    }

    /**
     * @return the context of this JVM: a root {@code MainProcess} unless it is a child; in a
     *     child that is still booting ({@link #expectChildIdentity()}), waits until
     *     {@link #initChild} has run
     */
    public static ProcessContext current() {
        ProcessContext c = current;
        if (c == null && bootingAsChild) {
            Uninterruptibly.await(CHILD_IDENTIFIED);
            c = current;
        }
        if (c == null) {
            synchronized (ProcessContext.class) {
                if (current == null) {
                    current = new ProcessContext(MAIN_PROCESS, false, null, null);
                }
                c = current;
            }
        }
        return c;
    }

    /**
     * Says that this JVM is a child whose identity is on its way: until {@link #initChild} runs,
     * {@link #current()} waits for it instead of making this JVM a root. Called first thing by the
     * child's bootstrap, which sets the identity on another thread while it rebuilds the target.
     */
    public static void expectChildIdentity() {
        bootingAsChild = true;
    }

    /**
     * Makes this JVM the child {@code identity} describes and installs its exit hook, without
     * any I/O; {@link #register()} then records it in the tree. Called once, by the child's
     * bootstrap, before the target runs.
     */
    public static ProcessContext initChild(ChildIdentity identity) {
        synchronized (ProcessContext.class) {
            if (current != null) {
                throw new IllegalStateException("process context already initialised");
            }
            ProcessContext child = childOf(identity);
            installExitHook();
            current = child; // published only with its hook in place: see initialised()
            CHILD_IDENTIFIED.countDown();
            return child;
        }
    }

    /**
     * Builds the context {@code identity} describes, opens its tree's registry (which reads and
     * writes no file until it is used) and drops both: for a spare JVM, whose first run of that
     * code (loading, linking and initialising what it uses) is then not on a child's start. A
     * child whose target captured a shared object waits for that opening (its boot thread's,
     * for the child's record) before it maps the object: rehearsed, warm starts of a target given
     * a pipe's end reached its first line 0.02-1 ms sooner in the medians of seven programs.
     */
    public static void rehearseInitChild(ChildIdentity identity) {
        childOf(identity).registry();
    }

    private static ProcessContext childOf(ChildIdentity identity) {
        ProcessIdentity parent = new ProcessIdentity(identity.parentPid(), identity.parentStartTicks(),
                identity.parentName(), identity.parentDaemon());
        return new ProcessContext(identity.name(), identity.daemon(), parent, identity.treeId());
    }

    /**
     * @return this JVM's context when it has one already, else null; unlike {@link #current()}
     *     it never makes this JVM a root, so a signal handler of a booting child may call it
     */
    public static ProcessContext initialised() {
        return current;
    }

    /** Records this process as running in its tree's table. */
    public void register() {
        registry().put(selfRecord());
    }

    /** @return this process */
    public ProcessIdentity identity() {
        return new ProcessIdentity(pid, startTicks, name, daemon);
    }

    /** @return the process that started this one, as it was at this JVM's start, for a child; empty for a root */
    public Optional<ProcessIdentity> parent() {
        return Optional.ofNullable(parent);
    }

    /** @return this process's pid */
    public long pid() {
        return pid;
    }

    /** @return this process's start ticks (see {@link Platform#startTicks}) */
    public long startTicks() {
        return startTicks;
    }

    /** @return this process's name */
    public String name() {
        return name;
    }

    /** @return whether this process is a daemon */
    public boolean isDaemon() {
        return daemon;
    }

    /** @return the number for the next default child name, counting from 1 */
    public int nextChildNumber() {
        return childCounter.incrementAndGet();
    }

    /**
     * @return the tree's registry; the first call in a root installs the exit hook and starts
     *     the removal of dead trees' registries ({@link #startJanitor})
     */
    public ProcessRegistry registry() {
        ProcessRegistry r = registry;
        if (r == null) {
            synchronized (this) {
                if (registry == null) {
                    if (parent == null && JANITOR.claim()) {
                        startJanitor();
                    }
                    installExitHook();
                    registry = LocalTreeRegistry.open(treeId, new Supplier<ProcessRecord>() {
                        @Override
                        public ProcessRecord get() {
                            return selfRecord(); // not a lambda: see LocalTreeRegistry
                        }
                    });
                }
                r = registry;
            }
        }
        return r;
    }

    /**
     * Removes, on a daemon thread of its own, the directories of trees whose processes are all
     * dead ({@link LocalTreeRegistry#removeDeadTrees}) and the doorbells of killed processes
     * ({@link Doorbell#removeBellsOfDeadProcesses()}); this process's exit waits for it, up to
     * {@link #JANITOR_EXIT_WAIT_MS}, so that a short program still leaves them removed. Their
     * ids name their roots, which are dead, so it cannot meet this tree, and deleting a dead tree
     * twice (another root's janitor, or this one cut short) is harmless. Not on the caller's
     * thread: it lists the shared-memory directory and the spill root, which is
     * {@code java.io.tmpdir} by default; measured on the 2-core development VM with 2,229 entries
     * in {@code /tmp}, a new program's first {@code ProcessQueue} took 31-41 ms with the listing
     * on its path and 24-28 ms without.
     */
    private void startJanitor() {
        Thread janitor = new Thread("mp4j-janitor") {
            @Override
            public void run() {
                int removed = LocalTreeRegistry.removeDeadTrees();
                if (removed > 0) {
                    Log.of(ProcessContext.class).log(System.Logger.Level.DEBUG,
                            "removed {0} process table(s) left by trees that were killed", removed);
                }
                Doorbell.removeBellsOfDeadProcesses(); // and their doorbells
            }
        };
        janitor.setDaemon(true);
        janitor.start();
        onExit(new Runnable() { // not a lambda: see LocalTreeRegistry
            @Override
            public void run() {
                try {
                    janitor.join(JANITOR_EXIT_WAIT_MS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt(); // the exit goes on; a later root finishes the job
                }
            }
        });
    }

    /**
     * Adds an action for the exit hook, run before this process's own record is settled. The
     * hook is installed here if it was not yet: a root that has not used its tree's table yet
     * (one that only prestarted spares) has none otherwise, and its actions would never run.
     */
    public void onExit(Runnable action) {
        exitActions.add(action);
        installExitHook();
    }

    /** Notes that the parent has gone: from now on this process is an orphan and cleans up alone. */
    public void parentGone() {
        parentGone = true;
    }

    /** Notes that this process is ending because it received {@code signal}. */
    public void endingBySignal(int signal) {
        endSignal = signal;
        endState = State.SIGNALED;
    }

    private ProcessRecord selfRecord() {
        long parentPid = parent == null ? 0 : parent.pid();
        return new ProcessRecord(pid, parentPid, startTicks, name, daemon, endState, endSignal);
    }

    /**
     * Installs the exit hook, once per JVM; it settles whichever context this JVM has when it
     * exits. A spare JVM installs it before it has an identity, which takes a thread's creation
     * and the hook's registration off the child's start.
     */
    public static void installExitHook() {
        if (EXIT_HOOK.claim()) {
            Thread hook = new Thread("mp4j-exit") {
                @Override
                public void run() {
                    ProcessContext c = current; // not a lambda: installed while a child boots, see LocalTreeRegistry
                    if (c != null) {
                        c.exiting();
                    }
                }
            };
            Runtime.getRuntime().addShutdownHook(hook);
        }
    }

    private void exiting() {
        // By index, not with an iterator: an action may wait for a thread that registers more
        // (the boot thread registers the lifeline's interrupt); a snapshot would miss those, and
        // a lifeline left blocked in its native read holds the exit up by 300 ms.
        for (int i = 0; i < exitActions.size(); i++) {
            Runnable action = exitActions.get(i);
            try {
                action.run();
            } catch (RuntimeException e) {
                Log.of(ProcessContext.class).log(System.Logger.Level.WARNING, "exit action failed", e);
            }
        }
        if (endState == State.RUNNING) {
            endState = State.EXITED;
        }
        ProcessRegistry r = registry;
        if (r == null) {
            return;
        }
        try {
            boolean parentWillReap = parent != null && !parentGone
                    && Platform.isAlive(parent.pid(), parent.startTicks());
            if (parentWillReap) {
                r.put(selfRecord());
            } else {
                r.remove(pid);
                r.releaseAtExit();
            }
        } catch (RuntimeException e) {
            Log.of(ProcessContext.class).log(System.Logger.Level.WARNING, "could not settle this process's record in " + treeId, e);
        }
    }
}
