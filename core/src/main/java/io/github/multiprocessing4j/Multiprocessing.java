package io.github.multiprocessing4j;

import io.github.multiprocessing4j.internal.os.Platform;
import io.github.multiprocessing4j.internal.pool.PoolParking;
import io.github.multiprocessing4j.internal.queue.FreedPipeFiles;
import io.github.multiprocessing4j.internal.process.ProcessContext;
import io.github.multiprocessing4j.internal.process.ProcessIdentity;
import io.github.multiprocessing4j.internal.registry.LocalTreeRegistry;
import io.github.multiprocessing4j.internal.registry.ProcessRecord;
import io.github.multiprocessing4j.internal.runtime.RuntimeContext;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The module-level functions of Python's {@code multiprocessing}: who am I, who is my parent,
 * which children are running, how many CPUs are there. All methods are thread-safe and do not
 * block, except where said.
 */
public final class Multiprocessing {
    private static volatile StartMethod startMethod =
            "cold".equalsIgnoreCase(System.getProperty("mp4j.startMethod")) ? StartMethod.COLD : StartMethod.WARM;

    private Multiprocessing() {
    }

    /**
     * Returns this process: in a child, its name and daemon flag as its parent started it, and
     * its pid ({@code ProcessHandle.current().pid()}); in a JVM not started by this library,
     * {@code MainProcess}. Python's {@code current_process()}.
     *
     * @return this process
     */
    public static ProcessInfo currentProcess() {
        // From the process context itself, not the RuntimeContext: a child that only asks who it
        // is (most do) never creates the runtime's state, whose classes it would load on its start.
        return KnownProcess.of(ProcessContext.current().identity(), true);
    }

    /**
     * Returns the process that started this one, as it was when it did (still named after its
     * death, when this process is an orphan). Python's {@code parent_process()}.
     *
     * @return the parent; empty in a JVM not started by this library
     */
    public static Optional<ProcessInfo> parentProcess() {
        Optional<ProcessIdentity> parent = ProcessContext.current().parent();
        return parent.isPresent() ? Optional.of(KnownProcess.of(parent.get(), false)) : Optional.empty(); // no lambda: see ChildMain
    }

    /**
     * Returns the children of this process that are still running, and reaps the ones that have
     * finished (settling their exit codes), like Python's {@code active_children()}. May wait
     * the moment it takes to settle a child that has just exited.
     *
     * @return the running children started by this JVM, in no particular order; not the workers
     *     that closed pools keep for a next pool (see {@link ProcessPool#close()}), which are
     *     the library's until a pool takes them, as the spare JVMs are
     */
    public static List<ChildProcess> activeChildren() {
        return ChildProcess.active();
    }

    /**
     * Sets how children started from now on get their JVM, unless their builder says otherwise
     * (Python's {@code set_start_method}). The default is {@link StartMethod#WARM}, or what the
     * system property {@code mp4j.startMethod} ({@code cold} or {@code warm}) says.
     *
     * @param method the start method of children whose builder does not choose one
     * @throws NullPointerException when {@code method} is null
     */
    public static void setStartMethod(StartMethod method) {
        startMethod = Objects.requireNonNull(method, "method");
    }

    /** {@return the start method of children whose builder does not choose one} */
    public static StartMethod startMethod() {
        return startMethod;
    }

    /**
     * Ends the spare JVMs that the warm start method keeps ready, and the workers that closed
     * pools keep for a next pool (see {@link ProcessPool#close()}), and waits until they have
     * exited; also removes the shared-memory files of closed pipes that this process keeps for
     * its next pipes (see {@link Pipe}). The next warm start of each configuration is cold again.
     * For programs (and tests) that want no idle JVM or file left; never needed for correctness,
     * since spares, kept workers and kept files end with this process.
     *
     * <p>Blocks for milliseconds: the spares are killed (none runs any code of the program), but
     * for the first JVM of a class path, which writes the class-data archive as it exits and is
     * waited for up to 5 s; and for a spare being spawned at that moment. An interrupt kills the
     * spares not yet gone and returns with the interrupt status set.
     */
    public static void discardSpares() {
        FreedPipeFiles.discardAll();
        PoolParking.discardAll();
        RuntimeContext.get().discardSpares();
    }

    /**
     * Boots {@code count} spare JVMs now, in the background, so that even this program's first
     * {@linkplain StartMethod#WARM warm} starts take a JVM that has booted; from then on the
     * library keeps at least {@code count} spares (each one taken is replaced, and they stay
     * however long they wait, unlike the spares the library boots on its own). CPython's
     * {@code set_forkserver_preload} is the nearest idea. Returns at once, without waiting for
     * the spares to boot; call it early, well before the first {@code start()}.
     *
     * <p>The spares serve children of the default configuration only: a builder that sets no JVM
     * arguments, environment variables, working directory or class path (a child with any of
     * these gets spares of its own after its first start). Spares boot no more at once than this
     * machine has processors. Each is an idle JVM of some 30-40 MiB until a start takes it;
     * {@link #discardSpares()} ends them. The system property {@code mp4j.spares} fixes how many
     * spares every configuration keeps instead of the library's own count (by default as many as
     * children ran at once, up to the processor count, and more while starts come faster than
     * spares boot).
     *
     * @param count how many spares to keep ready; 0 boots none
     * @throws IllegalArgumentException when {@code count} is negative
     * @throws IllegalStateException when this process is a daemon (daemons may have no children)
     */
    public static void prestart(int count) {
        try {
            // ChildProcess's initialiser names the classes every spare prepares: before the first spare.
            java.lang.invoke.MethodHandles.lookup().ensureInitialized(ChildProcess.class);
        } catch (IllegalAccessException e) {
            throw new AssertionError(e); // same package: always accessible
        }
        RuntimeContext.get().prestart(count);
    }

    /** {@return the number of processors available to this JVM} (Python's {@code cpu_count()}) */
    public static int cpuCount() {
        return Runtime.getRuntime().availableProcessors();
    }

    /**
     * Lists every live process of every process tree that this library started on this machine
     * and that this user can see, roots first: what {@code mp4j ps} prints. A child is listed from
     * the moment its parent started it, as {@code booting} until its JVM runs. Reads the trees'
     * process tables and {@code /proc}; takes milliseconds.
     *
     * @return the snapshot, ordered by tree and then by start
     */
    public static List<ProcessSnapshot> processTable() {
        RuntimeContext.recordBootingChildren(); // this JVM's children from their start() on, reapers or not
        List<ProcessSnapshot> table = new ArrayList<>();
        for (LocalTreeRegistry tree : LocalTreeRegistry.allTrees()) {
            for (ProcessRecord r : tree.records()) {
                if (LocalTreeRegistry.isAlive(r)) {
                    table.add(new ProcessSnapshot(tree.treeId(), r.pid(), r.parentPid(), r.name(), r.daemon(),
                            describe(r.state()), Platform.stateLetter(r.pid()), Platform.startInstant(r.pid()),
                            Platform.residentBytes(r.pid()), startMethod(r.startMethod())));
                }
            }
        }
        table.sort(Comparator.comparing(ProcessSnapshot::treeId)
                .thenComparing(s -> s.startTime().orElse(null), Comparator.nullsLast(Comparator.naturalOrder()))
                .thenComparingLong(ProcessSnapshot::pid));
        return table;
    }

    /**
     * Waits until at least one of {@code objects} is ready, and returns every one that is (Python's
     * {@code multiprocessing.connection.wait(object_list, timeout)}).
     * {@link #waitAny(Duration, Collection)} over the arguments.
     *
     * <pre>{@code
     * for (Object ready : Multiprocessing.waitAny(Duration.ofSeconds(5), fromWorker, results, child)) {
     *     if (ready == fromWorker) { handle(fromWorker.recv()); }
     *     else if (ready == results) { handle(results.get()); }
     *     else { System.out.println("the child ended: " + child.exitCode()); }
     * }
     * }</pre>
     *
     * @param timeout how long to wait at most; zero or negative looks once without waiting; null
     *     waits without a limit (Python's {@code timeout=None})
     * @param objects what to wait for: see {@link #waitAny(Duration, Collection)}
     * @return the ready objects, in the order given; empty when the timeout passed first
     * @throws InterruptedException when the thread is interrupted while waiting (the interrupt
     *     status is cleared); nothing is received or taken either way
     * @throws IllegalArgumentException when {@code objects} is empty or one is of a type that
     *     cannot be waited for (the message names it)
     * @throws IllegalStateException when a connection is closed or only sends, a queue was
     *     closed in this process, or a {@link ChildProcess} was not started
     * @throws NullPointerException when {@code objects} or one of them is null
     */
    public static List<Object> waitAny(Duration timeout, Object... objects) throws InterruptedException {
        return Readiness.waitAny(timeout, Arrays.asList(objects));
    }

    /**
     * Waits until at least one of {@code objects} is ready, and returns every one that is (Python's
     * {@code multiprocessing.connection.wait(object_list, timeout)}). Nothing is received or
     * taken: the caller then uses the ready objects, whose next call does not block. An object
     * is ready when
     * <ul>
     *   <li>a {@link Connection}: {@link Connection#recv recv} would not block: a message is there,
     *       or it would throw {@link java.io.EOFException} (the other end closed, or every process
     *       that used it died);</li>
     *   <li>a {@link ProcessQueue}, {@link ProcessJoinableQueue} or {@link ProcessSimpleQueue}:
     *       {@code get} would not block: an item is there, or the queue is closed;</li>
     *   <li>a {@link ChildProcess}: it has ended (Python's {@code sentinel}), so its
     *       {@link ChildProcess#exitCode() exitCode()} is known; a {@link ProcessHandle}: the
     *       process has ended;</li>
     *   <li>a {@link java.util.concurrent.Future} (a pool's {@code submit}, {@code applyAsync} or
     *       {@code mapAsync}): it is done.</li>
     * </ul>
     * Another process may take a ready queue's item first: use {@code getNowait()} or a timeout
     * where several consume. Several threads may wait on the same objects at once.
     *
     * <p>The wait polls the objects, backing off as the wait lasts, as their own waits do: a
     * change is seen within microseconds at first, within 2 ms while the wait is young, within
     * 20 ms once it has lasted half a second; from then on a put into one of the queues or a send
     * to one of the connections rings this process, as it rings a {@code get()}, and is seen
     * within about a millisecond (the first ring from a process that has not rung before comes
     * no sooner than the next look). The death of every process that used a pipe's other end is
     * seen within a quarter of a second more. An object of a backend across machines is asked
     * over the network each look.
     *
     * @param <T> the type of the objects
     * @param timeout how long to wait at most; zero or negative looks once without waiting; null
     *     waits without a limit (Python's {@code timeout=None})
     * @param objects what to wait for; the same object may be given twice, and is then returned
     *     twice
     * @return the ready objects, in the order given; empty when the timeout passed first
     * @throws InterruptedException when the thread is interrupted while waiting (the interrupt
     *     status is cleared); nothing is received or taken either way
     * @throws IllegalArgumentException when {@code objects} is empty (it would wait for nothing)
     *     or one is of another type than those above (the message names it)
     * @throws IllegalStateException when a connection is closed or only sends (one end of a
     *     one-way pipe), a queue was closed in this process, or a {@link ChildProcess} was not
     *     started
     * @throws NullPointerException when {@code objects} or one of them is null
     */
    public static <T> List<T> waitAny(Duration timeout, Collection<? extends T> objects) throws InterruptedException {
        return Readiness.waitAny(timeout, objects);
    }

    private static String describe(ProcessRecord.State state) {
        return state == ProcessRecord.State.BOOTING ? "booting" : state == ProcessRecord.State.RUNNING ? "running"
                : "exiting";
    }

    private static Optional<StartMethod> startMethod(String recorded) {
        return recorded.isEmpty() ? Optional.empty() : Optional.of(StartMethod.valueOf(recorded.toUpperCase(Locale.ROOT)));
    }

    /**
     * This process or its parent as {@link ProcessInfo}.
     *
     * @param self whether it is this process: alive by definition while it can be asked
     */
    private record KnownProcess(long pid, long startTicks, String name, boolean isDaemon, boolean self)
            implements ProcessInfo {

        static KnownProcess of(ProcessIdentity p, boolean self) {
            return new KnownProcess(p.pid(), p.startTicks(), p.name(), p.daemon(), self);
        }

        @Override
        public boolean isAlive() {
            return self || Platform.isAlive(pid, startTicks);
        }

        @Override
        public String toString() {
            return "<ProcessInfo name='" + name + "' pid=" + pid + (isDaemon ? " daemon>" : ">");
        }
    }
}
