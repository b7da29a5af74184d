package io.github.multiprocessing4j;

import io.github.multiprocessing4j.internal.launch.ArchiveTraining;
import io.github.multiprocessing4j.internal.launch.SpareWarmUp;
import io.github.multiprocessing4j.internal.pool.PoolParking;
import io.github.multiprocessing4j.internal.queue.ByteQueue;
import io.github.multiprocessing4j.internal.queue.PipeEnds;
import io.github.multiprocessing4j.internal.runtime.ChildRun;
import io.github.multiprocessing4j.internal.runtime.LaunchConfiguration;
import io.github.multiprocessing4j.internal.runtime.RuntimeContext;
import io.github.multiprocessing4j.internal.shm.SharedSegment;
import io.github.multiprocessing4j.internal.shm.WordArray;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * A child process running a {@link SerializableRunnable} in a fresh JVM: Python's
 * {@code multiprocessing.Process} for Java.
 *
 * <pre>{@code
 * ChildProcess p = new ChildProcess(() -> System.out.println("child " + Multiprocessing.currentProcess().pid()));
 * p.start();
 * p.join();
 * assert p.exitCode().getAsInt() == 0;
 * }</pre>
 *
 * <p>The child is the same {@code java} as this JVM, with the class path described below. It
 * writes to this process's stdout and stderr (its file descriptors; with the system property
 * {@code mp4j.childOutput=forward}, through this JVM's {@code System.out} and
 * {@code System.err} instead, so that a test runner or an IDE that captures those captures the
 * child's output too); its stdin is not the terminal. The target, with everything it
 * captures, is serialized at {@link #start()} and deserialized in the child, so the child works
 * on copies, except for the library's shared objects, which are handles to the same OS objects.
 * Once started, this object keeps no reference to the target (as CPython's {@code start()} drops
 * it): what the target captured can be garbage-collected here while the process object lives.
 *
 * <p>Class path. Unless one is given ({@link Builder#classPath}, else the system property
 * {@code mp4j.classPath} of this JVM, in that order), the child's class path is derived from where
 * this JVM's classes were actually loaded, so that a program run by a tool that loads it through
 * a class loader of its own ({@code mvn exec:java}, an IDE, a test runner) works as under
 * {@code java -cp}: this JVM's {@code java.class.path}, then, when the class of the target (for a
 * lambda, the class that wrote it), this library's classes or the calling thread's context class
 * loader come from another loader than the JVM's application class loader, the URLs of that
 * loader and of its parents and the directory or jar of the class. Every entry is made absolute,
 * so a child with another {@linkplain Builder#workingDirectory working directory} finds them; so
 * is the module path's, when this library runs as a named module. {@link #start()} fails with
 * one line naming the class when the child could not load the target's class: a class without a
 * class file (defined by jshell, or at runtime by any other loader; a hidden class), or, with a
 * derived class path, one loaded from a jar inside a jar (a Spring Boot executable jar: run it
 * unpacked, or give the class path). The classes of the values the target captures are not
 * checked: a missing one fails the child, as {@link #failure()} then reports.
 *
 * <p>Life and death, as in Python: a <em>daemon</em> child is ended when its parent ends,
 * however the parent ends (normal exit, exception, {@code System.exit}, SIGTERM, SIGKILL),
 * within one second; a daemonic process may not start children. A non-daemon child keeps this
 * JVM alive after {@code main} returns until it has finished (the JVM "joins" it), and outlives
 * a parent that is killed, as an orphan. {@code System.exit} does not wait for it either (the
 * JVM's exit runs the same shutdown hooks as after SIGTERM, which must not wait): it runs on as
 * an orphan, where CPython's {@code sys.exit()} joins non-daemonic children first. Unlike
 * CPython, a finished child never lingers as a zombie: it is reaped the moment it exits, and its
 * exit code is kept here.
 *
 * <p>Exit codes follow Python's rule: 0 when the target returned, 1 when it threw (the stack
 * trace is printed on the child's stderr and the exception is carried back, see
 * {@link #failure()}), {@code n} after {@code System.exit(n)}, and {@code -N} when the child was
 * ended by signal N ({@code -15} after {@link #terminate()}, {@code -9} after {@link #kill()},
 * {@code -2} after {@link #interrupt()}).
 * The child reports its own normal exit, so {@code System.exit(137)} is told apart from SIGKILL.
 *
 * <p>This class is thread-safe.
 *
 * @implNote The parent writes a bootstrap message (identity, tree, target) to the child's stdin
 * and then keeps that pipe open without writing: it is the child's lifeline, whose EOF tells a
 * daemon child that its parent has gone, even when the parent was SIGKILLed. A reaper thread per
 * child waits for its exit and settles its exit code; the reaper of a non-daemon child is itself
 * a non-daemon thread, which is what makes the JVM wait for non-daemon children after
 * {@code main}. The last reaper of a tree releases the tree's table (its directory), unless this
 * JVM holds spares: they are its next children. This class is a façade: the start methods, the
 * reaping and the table of children are in the library's internal runtime layer.
 */
public final class ChildProcess {
    static {
        RuntimeContext.warmUpSparesWith(ChildProcess::sharedObjectClasses);
        ArchiveTraining.exerciseWith(() -> {
            ArchiveExercise.run();
            return null;
        });
        SpareWarmUp.exerciseWith(QueueWarmUp::run);
    }

    /** What the child runs; dropped once started, as CPython does, with everything it captured. Guarded by this. */
    private SerializableRunnable target;
    private final LaunchConfiguration configuration;
    private final StartMethod startMethod;
    /** Whether a warm start asks for spares for the children after this one (false: a pool's worker). */
    private final boolean asksForSpares;

    private volatile String name;
    private volatile boolean daemon;
    /** Set once {@link #start()} has succeeded. */
    private volatile ChildRun run;

    /**
     * Creates a process that will run {@code target}, named {@code ChildProcess-N}.
     *
     * @param target what the child runs; serialized at {@link #start()}
     * @throws NullPointerException when {@code target} is null
     */
    public ChildProcess(SerializableRunnable target) {
        this(null, target);
    }

    /**
     * Creates a process that will run {@code target} under the given name.
     *
     * @param name the process name, or null for {@code ChildProcess-N}
     * @param target what the child runs; serialized at {@link #start()}
     * @throws NullPointerException when {@code target} is null
     */
    public ChildProcess(String name, SerializableRunnable target) {
        this(builder(target).name(name));
    }

    private ChildProcess(Builder b) {
        this.target = b.target;
        this.name = b.name != null ? b.name : "ChildProcess-" + RuntimeContext.get().process().nextChildNumber();
        this.daemon = b.daemon;
        this.configuration = new LaunchConfiguration(b.jvmArgs, b.environment, b.workingDirectory, b.classPath);
        this.startMethod = b.startMethod;
        this.asksForSpares = b.asksForSpares;
    }

    /**
     * Starts building a process that will run {@code target}: with a name, a daemon flag, JVM
     * arguments, environment variables, a working directory, a class path or a start method.
     *
     * @param target what the child runs; serialized at {@link #start()}
     * @return a builder for the process
     * @throws NullPointerException when {@code target} is null
     */
    public static Builder builder(SerializableRunnable target) {
        return new Builder(target);
    }

    /**
     * Starts the child JVM and returns without waiting for it to boot.
     *
     * @throws IllegalStateException when this process was already started, when the calling
     *     process is a daemon ("daemonic processes are not allowed to have children"), or when a
     *     child JVM could not load the target's class or this library's (see "Class path" in the
     *     class comment); no JVM is launched then
     * @throws IllegalArgumentException when the target, or something it captures, is not
     *     serializable; the message names the class
     * @throws UncheckedIOException when the operating system cannot start the process
     */
    public void start() {
        synchronized (this) {
            ChildRun r = run;
            if (r != null) {
                throw new IllegalStateException("process " + name + " already started (pid " + r.process().pid() + ")");
            }
            StartMethod method = startMethod != null ? startMethod : Multiprocessing.startMethod();
            run = RuntimeContext.get().start(name, daemon, configuration, target, method == StartMethod.WARM,
                    asksForSpares, this);
            target = null; // serialized and sent: the child has its own copy
        }
    }

    /**
     * Returns the child's process id. Never blocks.
     *
     * @return the child's process id
     * @throws IllegalStateException before {@link #start()}
     */
    public long pid() {
        return started().process().pid();
    }

    /** {@return the process name, {@code ChildProcess-N} unless one was given} */
    public String name() {
        return name;
    }

    /**
     * Renames the process. Only the parent's view changes once the child runs.
     *
     * @param name the new name
     * @throws NullPointerException when {@code name} is null
     */
    public void setName(String name) {
        this.name = Objects.requireNonNull(name, "name");
        ChildRun r = run;
        if (r != null) {
            r.rename(name);
        }
    }

    /** {@return whether the process is (or will be started as) a daemon} */
    public boolean isDaemon() {
        return daemon;
    }

    /**
     * Makes the process a daemon, ended together with its parent, or not.
     *
     * @param daemon the flag
     * @throws IllegalStateException after {@link #start()}
     */
    public synchronized void setDaemon(boolean daemon) {
        if (run != null) {
            throw new IllegalStateException("process " + name + " has already started: set daemon before start()");
        }
        this.daemon = daemon;
    }

    /**
     * Tells whether the child is running. Never blocks for long: when the child has just exited,
     * this waits the moment it takes to settle its exit code, so that {@link #exitCode()} is known
     * as soon as this returns false.
     *
     * @return true between a successful {@link #start()} and the child's exit
     */
    public boolean isAlive() {
        ChildRun r = run;
        return r != null && r.isAlive();
    }

    /**
     * Waits until the child has exited.
     *
     * @throws InterruptedException when the calling thread is interrupted while waiting; the child
     *     is not affected
     * @throws IllegalStateException before {@link #start()}
     */
    public void join() throws InterruptedException {
        started().join();
    }

    /**
     * Waits at most {@code timeout} for the child to exit.
     *
     * @param timeout how long to wait; zero or negative checks without waiting
     * @return true when the child has exited
     * @throws InterruptedException when the calling thread is interrupted while waiting
     * @throws IllegalStateException before {@link #start()}
     */
    public boolean join(Duration timeout) throws InterruptedException {
        return started().join(timeout.toNanos());
    }

    /**
     * Asks the child to end by sending SIGTERM; its exit code becomes {@code -15}. Returns at
     * once: call {@link #join()} to wait. Does nothing when the child has already exited.
     *
     * @throws IllegalStateException before {@link #start()}
     */
    public void terminate() {
        started().terminate();
    }

    /**
     * Interrupts the child by sending SIGINT, as Ctrl-C would; Python 3.14's
     * {@code Process.interrupt()}. Unlike a Python child, where SIGINT raises
     * {@code KeyboardInterrupt} in the target, a Java child ends as the JVM ends on SIGINT: its
     * shutdown hooks run (the target's {@code finally} blocks do not), and its exit code becomes
     * {@code -2}, as after {@code kill -INT}. Waits for the system's {@code kill} command, which
     * sends the signal (milliseconds), but not for the child: call {@link #join()} to wait. Does
     * nothing when the child has already exited. A program started with SIGINT ignored (one a
     * script runs in the background, {@code cmd &}) would pass that on to its children, and a JVM
     * keeps a signal ignored at its start ignored; so such a program starts its children through
     * {@code /usr/bin/env --default-signal=INT}, which gives them SIGINT back (where that
     * {@code env} lacks the option, a warning is logged and they ignore it: {@link #terminate()}
     * then ends them).
     *
     * @throws IllegalStateException before {@link #start()}
     * @throws java.io.UncheckedIOException when the {@code kill} command cannot be run
     */
    public void interrupt() {
        started().interrupt();
    }

    /**
     * Has the child's threads that wait on shared memory (a queue's {@code get()}, a lock) look
     * at it at once rather than at their next poll, which comes up to 20 ms later in a wait of
     * more than half a second: for the pool, which knows when it has given an idle worker work.
     * Never blocks for long.
     */
    void wake() {
        started().wake();
    }

    /**
     * Ends the child at once by sending SIGKILL; its exit code becomes {@code -9}. Returns at
     * once: call {@link #join()} to wait. Does nothing when the child has already exited.
     *
     * @throws IllegalStateException before {@link #start()}
     */
    public void kill() {
        started().kill();
    }

    /**
     * Returns the exit code, once the child has exited: 0 when the target returned, 1 when it
     * threw, {@code n} after {@code System.exit(n)}, {@code -N} when ended by signal N. Does not
     * block.
     *
     * @return the exit code, or empty while the child runs or before it starts
     */
    public OptionalInt exitCode() {
        ChildRun r = run;
        return r == null || r.isAlive() ? OptionalInt.empty() : OptionalInt.of(r.exitCode());
    }

    /**
     * Returns the exception that ended the child, carried back from it, once it has exited: the
     * target's uncaught exception (or, when that could not be serialized, a stand-in with its class
     * name, message and stack trace), or an {@link IllegalStateException} with the JVM's own error
     * output when the child JVM could not boot. Does not block.
     *
     * @return the failure, or empty while the child runs, or when it did not fail
     */
    public Optional<Throwable> failure() {
        ChildRun r = run;
        return r == null || r.isAlive() ? Optional.empty() : Optional.ofNullable(r.failure());
    }

    /**
     * Returns the operating system's handle of the child (its {@link ProcessHandle}), for
     * {@code onExit()}, descendants and other JDK process tools. Never blocks.
     *
     * @return the operating system's handle of the child
     * @throws IllegalStateException before {@link #start()}
     */
    public ProcessHandle toHandle() {
        return started().process().toHandle();
    }

    /**
     * Describes the process as Python's {@code repr} does: its name, its pid once started, its
     * state ({@code initial}, {@code started}, or {@code stopped} with the exit code) and whether
     * it is a daemon.
     *
     * @return the description, as {@code <ChildProcess name='worker' pid=1234 started daemon>}
     */
    @Override
    public String toString() {
        ChildRun r = run;
        String state = r == null ? "initial" : r.isAlive() ? "started" : "stopped exitcode=" + r.exitCode();
        return "<ChildProcess name='" + name + "'" + (r == null ? "" : " pid=" + r.process().pid()) + " " + state
                + (daemon ? " daemon" : "") + ">";
    }

    /** Live children started by this JVM, for {@link Multiprocessing#activeChildren()}. */
    static List<ChildProcess> active() {
        List<ChildProcess> active = RuntimeContext.get().children().activeOwners(ChildProcess.class);
        Set<Long> kept = PoolParking.parkedPids();
        if (!kept.isEmpty()) {
            active.removeIf(child -> kept.contains(child.pid()));
        }
        return active;
    }

    /**
     * @return the library's serializable handles, which targets capture: a spare JVM initialises
     *     them while it waits (see {@link StartMethod#WARM}); class literals, so that a rename
     *     cannot silently drop one from the list
     */
    static List<Class<?>> sharedObjectClasses() {
        return List.of(ProcessQueue.class, ProcessJoinableQueue.class, ProcessSimpleQueue.class, LocalQueue.class,
                LocalJoinableQueue.class, PipeConnection.class,
                ProcessLock.class, ProcessRLock.class, SharedMutexLock.class, ProcessSemaphore.class,
                ProcessBoundedSemaphore.class, SharedSemaphore.class, ProcessEvent.class, ProcessCondition.class,
                LocalLock.class, LocalSemaphore.class, LocalEvent.class, LocalLong.class,
                ProcessBarrier.class, SharedLong.class, SharedDouble.class, SharedLongArray.class, SharedDoubleArray.class,
                SharedMemory.class, ByteQueue.class, PipeEnds.class, SharedSegment.class, WordArray.class);
    }

    /**
     * For {@link Multiprocessing#waitAny}: whether the child has ended, without reading
     * {@code /proc} while it runs (the JDK's own record of its child, then {@link #isAlive()}
     * to settle its end).
     *
     * @throws IllegalStateException before {@link #start()}
     */
    boolean hasEnded() {
        return !started().process().isAlive() && !isAlive();
    }

    /**
     * For a pool that has ended: boots spares of this child's configuration until it has
     * {@code count}, for the next pool's workers (see {@link RuntimeContext#askSparesAfter}).
     *
     * @throws IllegalStateException before {@link #start()}
     */
    void askSparesAfter(int count) {
        RuntimeContext.get().askSparesAfter(started(), count);
    }

    private ChildRun started() {
        ChildRun r = run;
        if (r == null) {
            throw new IllegalStateException("process " + name + " has not been started");
        }
        return r;
    }

    /** Configures a {@link ChildProcess} beyond its target. Not thread-safe. */
    public static final class Builder {
        private final SerializableRunnable target;
        private String name;
        private boolean daemon;
        private final List<String> jvmArgs = new ArrayList<>();
        private final Map<String, String> environment = new LinkedHashMap<>();
        private Path workingDirectory;
        private String classPath;
        private StartMethod startMethod;
        private boolean asksForSpares = true;

        private Builder(SerializableRunnable target) {
            this.target = Objects.requireNonNull(target, "target");
        }

        /**
         * Names the process.
         *
         * @param name the process name; null (the default) for {@code ChildProcess-N}
         * @return this builder
         */
        public Builder name(String name) {
            this.name = name;
            return this;
        }

        /**
         * Makes the process a daemon, ended together with its parent, or not (the default).
         *
         * @param daemon whether the child is ended together with its parent
         * @return this builder
         */
        public Builder daemon(boolean daemon) {
            this.daemon = daemon;
            return this;
        }

        /**
         * Adds options for the child JVM ({@code -Xmx64m}, {@code -Dkey=value}, ...), placed after
         * the library's defaults ({@code -XX:+UseSerialGC -XX:TieredStopAtLevel=1}, and a young
         * generation of 16 MB and a smaller initial heap, {@code -Xmn16m
         * -XX:InitialRAMPercentage=0.5}, unless an option sizes the heap; on JDK 22 and later
         * {@code -Djdk.reflect.useNativeAccessorOnly=true}, which spares a child's boot the
         * classes the JDK's reflection would spin; on JDK 24 and later
         * {@code --sun-misc-unsafe-memory-access=allow}, by which the child reaches shared memory
         * without the JDK's warning) and after the
         * options the program gives every child, so they win; an option that chooses the
         * collector, the reflection's accessors or {@code Unsafe}'s memory access replaces the
         * default one. The program's options for every child are the
         * system property {@code mp4j.childJvmArgs} (options separated by white space, read
         * when the library first starts a child; {@code -Dmp4j.childJvmArgs="-XX:+UseG1GC
         * -Xmx256m"} on the program's command line): every child and pool worker of the program
         * gets them, and passes them on to its own children.
         * An option that stops the JVM from booting makes {@link #failure()} report the JVM's own
         * words.
         *
         * @implNote The defaults make a child start fast and stay small; a child that computes for
         * long gets the optimizing compiler back with {@code -XX:TieredStopAtLevel=4} (about 15 ms
         * more start-up on the machine the library was measured on) and a parallel collector with
         * {@code -XX:+UseParallelGC}. On JDK 17, {@code -XX:+UseG1GC} boots a child with about a
         * quarter less CPU (only G1 maps the JDK's archived module graph there), for programs
         * that start many short-lived children; a child that allocates fast (taking large items,
         * say) runs slower with it. On JDK 22 and later, a child that calls methods by reflection
         * in a loop (a framework's bindings) wants {@code -Djdk.reflect.useNativeAccessorOnly=false}:
         * native accessors spare its start tens of milliseconds of CPU but make each such call,
         * once made often, about twice as costly.
         *
         * @param args the options
         * @return this builder
         */
        public Builder jvmArgs(String... args) {
            for (String a : args) {
                jvmArgs.add(Objects.requireNonNull(a, "JVM argument"));
            }
            return this;
        }

        /**
         * Sets an environment variable of the child, which otherwise inherits this process's
         * environment.
         *
         * @param key the variable
         * @param value its value
         * @return this builder
         */
        public Builder env(String key, String value) {
            environment.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * Sets the child's working directory. The child's class path does not depend on it: its
         * entries are absolute (see "Class path" in the class comment).
         *
         * @param directory the child's working directory; null (the default) for this process's
         * @return this builder
         */
        public Builder workingDirectory(Path directory) {
            this.workingDirectory = directory;
            return this;
        }

        /**
         * Sets the child's class path instead of the one derived from where this JVM's classes
         * were loaded (see "Class path" in the class comment). It wins over the system property
         * {@code mp4j.classPath}. Relative entries are resolved against this JVM's working
         * directory, not the child's.
         *
         * @param classPath entries separated by {@link java.io.File#pathSeparator}, as
         *     {@code java -cp} takes them; null (the default) for {@code mp4j.classPath} when set,
         *     else the derived class path
         * @return this builder
         */
        public Builder classPath(String classPath) {
            this.classPath = classPath;
            return this;
        }

        /**
         * Chooses how {@link #start()} gets the child's JVM: a fresh one, or a warm spare.
         *
         * @param method the start method; null (the default) for
         *     {@link Multiprocessing#startMethod()} at the time of {@code start()}
         * @return this builder
         */
        public Builder startMethod(StartMethod method) {
            this.startMethod = method;
            return this;
        }

        /**
         * For a long-lived child after which no start is near (a pool's worker): with
         * {@code false}, a warm start takes a spare if there is one but asks for none to replace
         * it, so that no spare boots beside the child's first work.
         */
        Builder asksForSpares(boolean asks) {
            this.asksForSpares = asks;
            return this;
        }

        /**
         * Makes the process as configured, not started yet.
         *
         * @return a new, unstarted process
         */
        public ChildProcess build() {
            return new ChildProcess(this);
        }
    }
}
