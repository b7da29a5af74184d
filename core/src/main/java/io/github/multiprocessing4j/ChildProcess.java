package io.github.multiprocessing4j;

import io.github.multiprocessing4j.internal.launch.BootFailure;
import io.github.multiprocessing4j.internal.launch.BootstrapMessage;
import io.github.multiprocessing4j.internal.launch.ChildCommand;
import io.github.multiprocessing4j.internal.launch.Spares;
import io.github.multiprocessing4j.internal.os.Platform;
import io.github.multiprocessing4j.internal.process.ProcessContext;
import io.github.multiprocessing4j.internal.registry.ProcessRecord;
import io.github.multiprocessing4j.internal.registry.ProcessRegistry;
import io.github.multiprocessing4j.internal.runtime.ExitSettlement;
import io.github.multiprocessing4j.internal.serial.Serialization;
import io.github.multiprocessing4j.internal.util.Log;
import io.github.multiprocessing4j.internal.util.Uninterruptibly;

import java.io.IOException;
import java.io.OutputStream;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

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
 * <p>The child is the same {@code java} with the same class path as this JVM. It writes to this
 * process's stdout and stderr; its stdin is not the terminal. The target, with everything it
 * captures, is serialized at {@link #start()} and deserialized in the child, so the child works
 * on copies, except for the library's shared objects, which are handles to the same OS objects.
 *
 * <p>Life and death, as in Python: a <em>daemon</em> child is ended when its parent ends,
 * however the parent ends (normal exit, exception, {@code System.exit}, SIGTERM, SIGKILL),
 * within one second; a daemonic process may not start children. A non-daemon child keeps this
 * JVM alive after {@code main} returns until it has finished (the JVM "joins" it), and outlives
 * a parent that is killed, as an orphan. Unlike CPython, a finished child never lingers as a
 * zombie: it is reaped the moment it exits, and its exit code is kept here.
 *
 * <p>Exit codes follow Python's rule: 0 when the target returned, 1 when it threw (the stack
 * trace is printed on the child's stderr and the exception is carried back, see
 * {@link #failure()}), {@code n} after {@code System.exit(n)}, and {@code -N} when the child was
 * ended by signal N ({@code -15} after {@link #terminate()}, {@code -9} after {@link #kill()}).
 * The child reports its own normal exit, so {@code System.exit(137)} is told apart from SIGKILL.
 *
 * <p>This class is thread-safe.
 *
 * <p>Implementation notes. The parent writes a bootstrap message (identity, tree, target) to the
 * child's stdin and then keeps that pipe open without writing: it is the child's lifeline, whose
 * EOF tells a daemon child that its parent has gone, even when the parent was SIGKILLed. A
 * reaper thread per child waits for its exit, reads how it ended from the tree's process table
 * and removes its record; the reaper of a non-daemon child is itself a non-daemon thread, which
 * is what makes the JVM wait for non-daemon children after {@code main}. The last reaper of a
 * tree releases the tree's table (its directory), unless this JVM holds spares: they are its next
 * children, and a table made again for each of them would cost every warm start a millisecond.
 */
public final class ChildProcess {
    private static final Set<ChildProcess> UNREAPED = ConcurrentHashMap.newKeySet();
    private static final long DAEMON_END_GRACE_MS = 1000;
    private static final long REAPER_STACK_BYTES = 128 * 1024;

    static {
        ProcessContext.current().onExit(ChildProcess::endDaemonChildren);
    }

    private final SerializableRunnable target;
    private final List<String> jvmArgs;
    private final Map<String, String> environment;
    private final Path workingDirectory;
    private final StartMethod startMethod;
    private final Spares.Key configuration;
    private final CountDownLatch reaped = new CountDownLatch(1);

    private volatile String name;
    private volatile boolean daemon;
    private volatile Process process;
    private volatile OutputStream lifeline;
    private volatile int exitCode;
    private volatile Throwable failure;
    /** The last signal this process sent the child through {@link #terminate()} or {@link #kill()}. */
    private volatile int signalSent;
    /** Whether the child had recorded itself (booted) when it was reaped. */
    private volatile boolean bootedBeforeExit;

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
        this.name = b.name != null ? b.name : "ChildProcess-" + ProcessContext.current().nextChildNumber();
        this.daemon = b.daemon;
        this.jvmArgs = List.copyOf(b.jvmArgs);
        this.environment = Map.copyOf(b.environment);
        this.workingDirectory = b.workingDirectory;
        this.startMethod = b.startMethod;
        this.configuration = new Spares.Key(jvmArgs, environment, workingDirectory);
    }

    /**
     * @param target what the child runs
     * @return a builder for a process with a name, daemon flag, JVM arguments, environment or
     *     working directory
     */
    public static Builder builder(SerializableRunnable target) {
        return new Builder(target);
    }

    /**
     * Starts the child JVM and returns without waiting for it to boot.
     *
     * @throws IllegalStateException when this process was already started, or when the calling
     *     process is a daemon ("daemonic processes are not allowed to have children")
     * @throws IllegalArgumentException when the target, or something it captures, is not
     *     serializable; the message names the class
     * @throws UncheckedIOException when the operating system cannot start the process
     */
    public void start() {
        ProcessContext context = ProcessContext.current();
        synchronized (this) {
            if (process != null) {
                throw new IllegalStateException("process " + name + " already started (pid " + process.pid() + ")");
            }
            if (context.isDaemon()) {
                throw new IllegalStateException("daemonic processes are not allowed to have children");
            }
            byte[] serializedTarget = Serialization.serialize(target, "target of " + name);
            ProcessRegistry registry = context.registry();
            registry.ensureOpen();
            StartMethod method = startMethod != null ? startMethod : Multiprocessing.startMethod();
            Spares.Spare spare = method == StartMethod.WARM ? Spares.take(configuration) : null;
            ChildCommand command = spare != null ? spare.command : ChildCommand.build(jvmArgs, name);
            ProcessBuilder builder = spare != null ? spare.builder : processBuilder(command.line());
            CountDownLatch spawned = new CountDownLatch(1);
            Thread reaper = new Thread(null, () -> reapOnceSpawned(spawned, registry, command, builder),
                    "mp4j-reaper-" + name, REAPER_STACK_BYTES);
            reaper.setDaemon(daemon);
            if (spare == null) {
                // Before the spawn: once the child JVM boots, it competes with this thread for the
                // CPU, and creating a thread then takes milliseconds.
                reaper.start();
            }
            Process started;
            try {
                started = spare != null ? spare.process : builder.start();
            } catch (IOException e) {
                spawned.countDown(); // no process: the reaper ends
                throw new UncheckedIOException("could not start process " + name + ": " + e.getMessage(), e);
            }
            process = started;
            lifeline = started.getOutputStream();
            UNREAPED.add(this);
            spawned.countDown();
            sendBootstrap(new BootstrapMessage(registry.treeId(), context.pid(), context.startTicks(), context.name(),
                    context.isDaemon(), name, daemon, serializedTarget));
            if (spare != null) {
                reaper.start(); // after the message, which the spare has been waiting for
            }
            if (method == StartMethod.WARM) {
                Spares.refillAfterBoot(configuration, sparesWanted(), spare != null, new Spares.Started() {
                    @Override
                    public boolean booted() {
                        return bootedBeforeExit || registry.find(started.pid()).isPresent();
                    }

                    @Override
                    public boolean ended() {
                        return reaped.getCount() == 0;
                    }

                    @Override
                    public String firstClass() {
                        return Serialization.firstClassOf(target);
                    }
                }, this::processBuilder);
            }
        }
    }

    /**
     * @return how many spares to keep for this process's configuration: as many as its children
     *     running now (this one included), up to the number of processors
     */
    private int sparesWanted() {
        int running = 0;
        for (ChildProcess c : UNREAPED) {
            if (c.configuration.equals(configuration)) {
                running++;
            }
        }
        return Math.max(1, Math.min(running, Runtime.getRuntime().availableProcessors()));
    }

    private void reapOnceSpawned(CountDownLatch spawned, ProcessRegistry registry, ChildCommand command,
                                 ProcessBuilder builder) {
        Uninterruptibly.await(spawned);
        if (process != null) {
            reap(registry, command, builder);
        }
    }

    private ProcessBuilder processBuilder(List<String> command) {
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.PIPE)
                .redirectOutput(ProcessBuilder.Redirect.INHERIT)
                .redirectError(ProcessBuilder.Redirect.INHERIT);
        builder.environment().putAll(environment);
        if (workingDirectory != null) {
            builder.directory(workingDirectory.toFile());
        }
        return builder;
    }

    private void sendBootstrap(BootstrapMessage message) {
        try {
            message.writeTo(lifeline);
        } catch (IOException e) {
            // The child died at once (a bad JVM option): the reaper reports why.
            Log.of(ChildProcess.class).log(System.Logger.Level.DEBUG, "child {0} closed its stdin before the bootstrap message", name);
        }
    }

    /** Waits for the exit, settles the exit code and failure, and removes the child's record. */
    private void reap(ProcessRegistry registry, ChildCommand command, ProcessBuilder builder) {
        Process p = process;
        p.onExit().join(); // uninterruptible: this thread's only job is to see the child end
        try {
            int raw = p.exitValue();
            Optional<ProcessRecord> record = registry.find(p.pid()); // written by the child once it booted
            bootedBeforeExit = record.isPresent();
            ExitSettlement settled = ExitSettlement.settle(raw, record, signalSent);
            exitCode = settled.exitCode();
            failure = readFailure(registry, p.pid());
            if (failure == null && settled.bootFailed()) {
                failure = new IllegalStateException("process " + name + " (pid " + p.pid() + "): "
                        + BootFailure.explain(command.lineWithoutSharing(), builder, raw));
            }
            registry.remove(p.pid());
        } catch (RuntimeException e) {
            Log.of(ChildProcess.class).log(System.Logger.Level.WARNING, "could not read how process " + name + " ended", e);
        } finally {
            command.childExited();
            closeLifeline();
            UNREAPED.remove(this);
            try {
                if (!Spares.anyHeld()) { // spares are the next children: their table stays ready for them
                    registry.releaseIfIdle();
                }
            } catch (RuntimeException e) {
                Log.of(ChildProcess.class).log(System.Logger.Level.WARNING, "could not release the process table", e);
            }
            reaped.countDown();
        }
    }

    private static Throwable readFailure(ProcessRegistry registry, long pid) {
        Optional<byte[]> bytes = registry.findFailure(pid);
        if (bytes.isEmpty()) {
            return null;
        }
        try {
            ClassLoader loader = ChildProcess.class.getClassLoader();
            return (Throwable) Serialization.deserialize(bytes.get(), loader);
        } catch (IOException | ClassNotFoundException | ClassCastException e) {
            return new IllegalStateException("the child failed, but its exception could not be read back: " + e, e);
        }
    }

    private void closeLifeline() {
        try {
            OutputStream l = lifeline;
            if (l != null) {
                l.close();
            }
        } catch (IOException e) {
            // the child is gone; nothing to tell it
        }
    }

    /**
     * @return the child's process id
     * @throws IllegalStateException before {@link #start()}
     */
    public long pid() {
        return started().pid();
    }

    /** @return the process name, {@code ChildProcess-N} unless one was given */
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
    }

    /** @return whether the process is (or will be started as) a daemon */
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
        if (process != null) {
            throw new IllegalStateException("process " + name + " has already started: set daemon before start()");
        }
        this.daemon = daemon;
    }

    /**
     * Whether the child is running. Never blocks for long: when the child has just exited, this
     * waits the moment it takes to settle its exit code, so that {@link #exitCode()} is known as
     * soon as this returns false.
     *
     * @return true between a successful {@link #start()} and the child's exit
     */
    public boolean isAlive() {
        Process p = process;
        if (p == null || reaped.getCount() == 0) {
            return false;
        }
        if (p.isAlive() && !Platform.hasExited(p.pid())) {
            return true;
        }
        Uninterruptibly.await(reaped); // exited: the JDK reaps it at once, then our reaper settles it
        return false;
    }

    /**
     * Waits until the child has exited.
     *
     * @throws InterruptedException when the calling thread is interrupted while waiting; the child
     *     is not affected
     * @throws IllegalStateException before {@link #start()}
     */
    public void join() throws InterruptedException {
        started();
        reaped.await();
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
        started();
        return reaped.await(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS);
    }

    /**
     * Asks the child to end by sending SIGTERM; its exit code becomes {@code -15}. Returns at
     * once: call {@link #join()} to wait. Does nothing when the child has already exited.
     *
     * @throws IllegalStateException before {@link #start()}
     */
    public void terminate() {
        Process p = started();
        if (reaped.getCount() > 0) {
            signalSent = Platform.SIGTERM;
            p.destroy();
        }
    }

    /**
     * Ends the child at once by sending SIGKILL; its exit code becomes {@code -9}. Returns at
     * once: call {@link #join()} to wait. Does nothing when the child has already exited.
     *
     * @throws IllegalStateException before {@link #start()}
     */
    public void kill() {
        Process p = started();
        if (reaped.getCount() > 0) {
            signalSent = Platform.SIGKILL;
            p.destroyForcibly();
        }
    }

    /**
     * The exit code, once the child has exited: 0 when the target returned, 1 when it threw,
     * {@code n} after {@code System.exit(n)}, {@code -N} when ended by signal N. Does not block.
     *
     * @return the exit code, or empty while the child runs or before it starts
     */
    public OptionalInt exitCode() {
        return isAlive() || process == null ? OptionalInt.empty() : OptionalInt.of(exitCode);
    }

    /**
     * The exception that ended the child, carried back from it, once it has exited: the target's
     * uncaught exception (or, when that could not be serialized, a stand-in with its class name,
     * message and stack trace), or an {@link IllegalStateException} with the JVM's own error
     * output when the child JVM could not boot. Does not block.
     *
     * @return the failure, or empty while the child runs, or when it did not fail
     */
    public Optional<Throwable> failure() {
        return isAlive() || process == null ? Optional.empty() : Optional.ofNullable(failure);
    }

    /**
     * @return the operating system's handle of the child
     * @throws IllegalStateException before {@link #start()}
     */
    public ProcessHandle toHandle() {
        return started().toHandle();
    }

    @Override
    public String toString() {
        Process p = process;
        String state = p == null ? "initial" : isAlive() ? "started" : "stopped exitcode=" + exitCode;
        return "<ChildProcess name='" + name + "'" + (p == null ? "" : " pid=" + p.pid()) + " " + state
                + (daemon ? " daemon" : "") + ">";
    }

    /** Live children started by this JVM, for {@link Multiprocessing#activeChildren()}. */
    static List<ChildProcess> active() {
        List<ChildProcess> alive = new ArrayList<>();
        for (ChildProcess c : UNREAPED) {
            if (c.isAlive()) {
                alive.add(c);
            }
        }
        return alive;
    }

    private Process started() {
        Process p = process;
        if (p == null) {
            throw new IllegalStateException("process " + name + " has not been started");
        }
        return p;
    }

    /** At exit: SIGTERM to every daemon child, then SIGKILL to those still there after a grace. */
    private static void endDaemonChildren() {
        List<ChildProcess> daemons = new ArrayList<>();
        for (ChildProcess c : UNREAPED) {
            if (c.daemon && c.process != null && c.process.isAlive()) {
                c.process.destroy();
                daemons.add(c);
            }
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DAEMON_END_GRACE_MS);
        for (ChildProcess c : daemons) {
            try {
                if (!c.reaped.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    c.process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                c.process.destroyForcibly();
            }
        }
    }

    /** Configures a {@link ChildProcess} beyond its target. Not thread-safe. */
    public static final class Builder {
        private final SerializableRunnable target;
        private String name;
        private boolean daemon;
        private final List<String> jvmArgs = new ArrayList<>();
        private final Map<String, String> environment = new LinkedHashMap<>();
        private Path workingDirectory;
        private StartMethod startMethod;

        private Builder(SerializableRunnable target) {
            this.target = Objects.requireNonNull(target, "target");
        }

        /**
         * @param name the process name; null for {@code ChildProcess-N}
         * @return this builder
         */
        public Builder name(String name) {
            this.name = name;
            return this;
        }

        /**
         * @param daemon whether the child is ended together with its parent
         * @return this builder
         */
        public Builder daemon(boolean daemon) {
            this.daemon = daemon;
            return this;
        }

        /**
         * Adds options for the child JVM ({@code -Xmx64m}, {@code -Dkey=value}, ...), placed after
         * the library's defaults ({@code -XX:+UseSerialGC -XX:TieredStopAtLevel=1}), so they win.
         * The defaults make a child start fast and stay small; a child that computes for long gets
         * the optimizing compiler back with {@code -XX:TieredStopAtLevel=4} (about 15 ms more
         * start-up here) and a parallel collector with {@code -XX:+UseParallelGC}. An option that
         * stops the JVM from booting makes {@link #failure()} report the JVM's own words.
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
         * @param directory the child's working directory; null for this process's
         * @return this builder
         */
        public Builder workingDirectory(Path directory) {
            this.workingDirectory = directory;
            return this;
        }

        /**
         * @param method how {@link #start()} gets the child's JVM; null (the default) for
         *     {@link Multiprocessing#startMethod()} at the time of {@code start()}
         * @return this builder
         */
        public Builder startMethod(StartMethod method) {
            this.startMethod = method;
            return this;
        }

        /** @return a new, unstarted process */
        public ChildProcess build() {
            return new ChildProcess(this);
        }
    }
}
