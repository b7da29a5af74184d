package io.github.multiprocessing4j.internal.runtime;

import io.github.multiprocessing4j.internal.events.FlightEvents;
import io.github.multiprocessing4j.internal.events.ProcessStartEvent;
import io.github.multiprocessing4j.internal.launch.BootFailure;
import io.github.multiprocessing4j.internal.launch.BootstrapMessage;
import io.github.multiprocessing4j.internal.os.Platform;
import io.github.multiprocessing4j.internal.queue.PipeEnds;
import io.github.multiprocessing4j.internal.registry.ProcessRecord;
import io.github.multiprocessing4j.internal.registry.ProcessRegistry;
import io.github.multiprocessing4j.internal.serial.Serialization;
import io.github.multiprocessing4j.internal.sync.Doorbell;
import io.github.multiprocessing4j.internal.sync.RingGap;
import io.github.multiprocessing4j.internal.util.Log;
import io.github.multiprocessing4j.internal.util.Uninterruptibly;

import java.io.IOException;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One run of a child process, from its launch to its settled end: the state behind a public
 * process object once it has started. Thread-safe.
 *
 * <p>Implementation notes. A reaper thread per child waits for its exit, settles the exit code
 * ({@link ExitSettlement}) from the status, the child's record in the tree's table and the signal
 * this JVM sent, reads the failure the child left, and removes the record. The reaper of a
 * non-daemon child is itself a non-daemon thread, which is what makes the JVM wait for
 * non-daemon children after {@code main}. The reaper is created with the run and started by the
 * {@link Launcher} when that costs the start least; until the child is spawned it waits.
 *
 * <p>The reaper also commits the run's Flight Recorder events: the start once the child has
 * booted ({@link ProcessStartEvent}: while that event is recorded, the reaper first looks for the
 * child's record in the table, every 0.1 to 5 ms, until it is there or the child has ended), and
 * the exit ({@code ProcessExitEvent}).
 */
public final class ChildRun {
    private static final long REAPER_STACK_BYTES = 128 * 1024;

    private final RuntimeContext runtime;
    private final LaunchRequest request;
    private final Object owner;
    private final ProcessRegistry registry;
    /** The pipe ends the target carries, the child's from its spawn. */
    private final PipeEnds.Handover pipeEnds;
    private final CountDownLatch spawned = new CountDownLatch(1);
    private final CountDownLatch reaped = new CountDownLatch(1);
    private final Thread reaper;
    private final long startNanos = System.nanoTime();
    /** The start's Flight Recorder event, committed by the reaper; null when not recorded. */
    private final ProcessStartEvent startEvent = FlightEvents.processStart();
    /** Whether the warm start method was asked for, for the start event. */
    private volatile boolean warmAsked;

    private volatile String name;
    private volatile StartedChild child;
    /** Set once the bootstrap message is written: a nudge may follow it down the lifeline, never precede it. */
    private volatile boolean bootstrapSent;
    private volatile int exitCode;
    private volatile Throwable failure;
    /** The last signal this JVM sent the child ({@link #terminate()}, {@link #kill()}). */
    private volatile int signalSent;
    /** Guards {@link #bootingRecordSettled}. */
    private final Object bootingRecordLock = new Object();
    /** Whether the booting record was written, or is no more to be ({@link #recordBooting}). */
    private boolean bootingRecordSettled;
    /** Whether {@link #booted()} has seen the child booted: it stays so, and the boot budget asks often. */
    private volatile boolean bootSeen;
    /** Whether the child had recorded itself (booted) when it was reaped. */
    private volatile boolean bootedBeforeExit;
    /** From the JVM's spawn to the look that first found it booted; 0 until then, or when it ended first. */
    private volatile long bootSeenAfterNanos;
    /** The child's start ticks, read as it booted; -1 when it ended before they could be read. */
    private volatile long childTicks = -1;
    /** When the {@link BootBudget} last looked at the record (0: never); the spares' thread's. */
    private long lastBootLook;
    /** When {@link #ring} may write to the lifeline again. */
    private final RingGap ringGap = new RingGap(false);

    ChildRun(RuntimeContext runtime, LaunchRequest request, Object owner, ProcessRegistry registry,
             PipeEnds.Handover pipeEnds) {
        this.runtime = runtime;
        this.pipeEnds = pipeEnds;
        this.request = request.withoutMessage(); // the launcher sends the message; the run needs not keep it
        this.owner = owner;
        this.registry = registry;
        this.name = request.name();
        this.reaper = new Thread(null, this::reapOnceSpawned, "mp4j-reaper-" + request.name(), REAPER_STACK_BYTES);
        reaper.setDaemon(request.daemon());
    }

    /** Starts the reaper; it waits until the child is spawned, or its spawn failed. */
    void startReaper() {
        reaper.start();
    }

    /** Hands the run its child, which from now on is in the table of this JVM's children. */
    void spawned(StartedChild started) {
        pipeEnds.recordChild(started.pid(), started::startTicks); // before the child has its target: see PipeEnds
        child = started;
        if (startEvent != null) {
            startEvent.launched(started.pid(), warmAsked ? "warm" : "cold", started.fromSpare(),
                    System.nanoTime() - startNanos);
        }
        runtime.children().add(this);
        spawned.countDown();
    }

    /** Writes the bootstrap message to the child {@link #spawned} gave; from then on {@link #wake} reaches it. */
    void sendBootstrap(BootstrapMessage message) {
        child.sendBootstrap(message);
        bootstrapSent = true;
    }

    /** Tells the run that the warm start method was asked for (it may still start cold, with no spare ready). */
    void warmStartAsked() {
        warmAsked = true;
    }

    /** @return whether the warm start method was asked for this child */
    boolean warmStartWasAsked() {
        return warmAsked;
    }

    /** Tells the run that no child came: its reaper, if started, ends. */
    void spawnFailed() {
        spawned.countDown();
    }

    private void reapOnceSpawned() {
        Uninterruptibly.await(spawned);
        if (child != null) {
            recordBooting(child);
            reap(child);
        }
    }

    /**
     * Puts the child in the tree's table while its JVM boots, so that {@code mp4j ps} shows it
     * from its start. Here, on the reaper, rather than in {@link #spawned}: off the start's
     * critical path, and always before this same thread removes the record. Once only: a look
     * at the table from this JVM may have written it first ({@link #recordBootingNow}); the
     * reaper's call settles it before any removal, so none is written after.
     */
    private void recordBooting(StartedChild c) {
        synchronized (bootingRecordLock) {
            if (bootingRecordSettled) {
                return;
            }
            bootingRecordSettled = true;
            OptionalLong ticks = c.startTicks();
            if (ticks.isEmpty()) {
                return; // gone already: nothing to show
            }
            childTicks = ticks.getAsLong();
            try {
                registry.putBooting(new ProcessRecord(c.pid(), runtime.process().pid(), ticks.getAsLong(), name,
                        request.daemon(), ProcessRecord.State.BOOTING, 0, c.fromSpare() ? "warm" : "cold"));
            } catch (RuntimeException e) {
                Log.of(ChildRun.class).log(System.Logger.Level.DEBUG, "could not record booting process " + name, e);
            }
        }
    }

    /**
     * Writes the booting record now if the reaper has not yet: {@code processTable()} called in
     * this JVM just after {@code start()} lists the child (its reaper, a new thread, may not have run).
     */
    void recordBootingNow() {
        StartedChild c = child;
        if (c != null) {
            recordBooting(c);
        }
    }

    /** Waits for the exit, settles the exit code and failure, and removes the child's record. */
    private void reap(StartedChild c) {
        Process p = c.process();
        if (startEvent != null) {
            startEvent.booted(name, request.daemon(), awaitBootOrExit(p));
        }
        // Uninterruptible: this thread's only job is to see the child end. Not onExit(): its
        // asynchronous completion gets a new thread per child where the common pool has a
        // single thread (a machine of two processors).
        Uninterruptibly.run(p::waitFor);
        boolean bootFailed = false;
        try {
            int raw = p.exitValue();
            Optional<ProcessRecord> record = recordOfItsOwn(p.pid());
            bootedBeforeExit = record.isPresent();
            ExitSettlement settled = ExitSettlement.settle(raw, record, signalSent);
            exitCode = settled.exitCode();
            // A child writes its failure and then exits with 1: one that exited with 0 wrote none,
            // and a file there would be a dead namesake's (pids recur).
            failure = exitCode == 0 ? null : readFailure(p.pid());
            bootFailed = settled.bootFailed();
            if (failure == null && bootFailed) {
                failure = new IllegalStateException("process " + name + " (pid " + p.pid() + "): "
                        + BootFailure.explain(c.command().line(), c.builder(), raw, c.command().bootFailureNote()));
            }
            registry.remove(p.pid());
            FlightEvents.processExit(p.pid(), name, exitCode, request.daemon(), bootedBeforeExit, signalSent, failure,
                    System.nanoTime() - startNanos);
        } catch (RuntimeException e) {
            Log.of(ChildRun.class).log(System.Logger.Level.WARNING, "could not read how process " + name + " ended", e);
        } finally {
            c.command().childExited(bootFailed);
            c.closeLifeline();
            runtime.reaped(this);
            reaped.countDown();
        }
    }

    /** @return whether the child booted (it recorded itself in the table); false when it ended first */
    private boolean awaitBootOrExit(Process p) {
        long pauseNanos = 100_000;
        while (p.isAlive()) {
            if (recordOfItsOwn(p.pid()).isPresent()) {
                return true;
            }
            LockSupport.parkNanos(pauseNanos);
            pauseNanos = Math.min(2 * pauseNanos, 5_000_000);
        }
        return recordOfItsOwn(p.pid()).isPresent(); // it may have booted and ended between two looks
    }

    /**
     * @return the record the child wrote of itself: not the one this process wrote while it
     *     booted, nor a dead namesake's left under the same pid (its start ticks differ, when
     *     this process read the child's before it ended)
     */
    private Optional<ProcessRecord> recordOfItsOwn(long pid) {
        Optional<ProcessRecord> record = registry.find(pid).filter(ProcessRecord::booted);
        long ticks = childTicks;
        return ticks < 0 ? record : record.filter(r -> r.startTicks() == ticks);
    }

    private Throwable readFailure(long pid) {
        Optional<byte[]> bytes = registry.findFailure(pid);
        if (bytes.isEmpty()) {
            return null;
        }
        try {
            return (Throwable) Serialization.deserialize(bytes.get(), ChildRun.class.getClassLoader());
        } catch (IOException | ClassNotFoundException | ClassCastException e) {
            return new IllegalStateException("the child failed, but its exception could not be read back: " + e, e);
        }
    }

    /** @return the child's pid; once spawned */
    long pid() {
        return child.pid();
    }

    /** @return the child's process (never null once the run is returned by a start) */
    public Process process() {
        return child.process();
    }

    /** @return the object this run belongs to: the public process */
    Object owner() {
        return owner;
    }

    LaunchConfiguration configuration() {
        return request.configuration();
    }

    LaunchRequest request() {
        return request;
    }

    boolean isDaemon() {
        return request.daemon();
    }

    /** Keeps the parent's name of the child up to date, for the messages of its end. */
    public void rename(String newName) {
        this.name = newName;
    }

    /** @return whether the child has booted (recorded itself), whether or not it still runs */
    boolean booted() {
        if (bootSeen) {
            return true;
        }
        StartedChild c = child;
        if (bootedBeforeExit) {
            bootSeen = true;
            return true;
        }
        boolean booted = c != null && recordOfItsOwn(c.pid()).isPresent();
        if (booted) {
            bootSeenAfterNanos = System.nanoTime() - c.spawnedAt();
            bootSeen = true;
        }
        return booted;
    }

    /**
     * For the boot budget, and the spares' wait for a configuration's first boot: whether the
     * child has neither booted nor ended, looking at its record only when the budget says a look
     * is due; tells the budget how long the boot took once a look has found it booted.
     */
    boolean stillBooting(BootBudget budget, long now) {
        if (ended()) {
            return false;
        }
        if (!bootSeen && !bootedBeforeExit) {
            if (!budget.lookDue(spawnedAt(), lastBootLook, now)) {
                return true;
            }
            lastBootLook = now;
            if (!booted()) {
                return true;
            }
        }
        budget.bootSeen(bootSeenAfterNanos);
        return false;
    }

    /** @return {@link System#nanoTime()} when the child's JVM was spawned (a spare's spawn, when it took one) */
    long spawnedAt() {
        StartedChild c = child;
        return c != null ? c.spawnedAt() : startNanos;
    }

    /** @return whether the child has ended and its end is settled */
    public boolean ended() {
        return reaped.getCount() == 0;
    }

    /**
     * @return whether the child runs; when it has just exited, waits the moment its reaper takes
     *     to settle it, so that {@link #exitCode()} is known once this returns false
     */
    public boolean isAlive() {
        if (ended()) {
            return false;
        }
        Process p = process();
        if (p.isAlive() && !Platform.hasExited(p.pid())) {
            return true;
        }
        Uninterruptibly.await(reaped); // exited: the JDK reaps it at once, then our reaper settles it
        return false;
    }

    /** Waits until the child's end is settled. */
    public void join() throws InterruptedException {
        reaped.await();
    }

    /** @return whether the child's end was settled within {@code nanos} */
    public boolean join(long nanos) throws InterruptedException {
        return reaped.await(Math.max(0, nanos), TimeUnit.NANOSECONDS);
    }

    /** Sends SIGTERM unless the child has ended. */
    public void terminate() {
        if (!ended()) {
            signalSent = Platform.SIGTERM;
            process().destroy();
        }
    }

    /**
     * Sends SIGINT unless the child has ended. (The child is checked alive just before: its pid
     * could be reused only in the instant between that check and the signal.)
     */
    public void interrupt() {
        Process p = process();
        if (!ended() && p.isAlive()) {
            signalSent = Platform.SIGINT;
            Platform.sendSignal(p.pid(), Platform.SIGINT);
        }
    }

    /**
     * Has the child's waiting threads look at their shared state at once ({@link StartedChild#wake}),
     * unless it has ended. Never blocks for long.
     */
    public void wake() {
        if (bootstrapSent && !ended()) {
            child.wake(); // never before the message: the child would read the byte as its start
        }
    }

    /**
     * Rings the child for a waiter board ({@link Doorbell.ChildLifelines}): {@link #wake}, unless
     * it was rung a moment ago ({@link RingGap}: a woken wait looks every 2 ms at most for half a
     * second). Never blocks for long.
     *
     * @return whether the child has its target and has not ended: rung now or a moment ago
     */
    boolean ring() {
        if (!bootstrapSent || ended()) {
            return false;
        }
        if (ringGap.due()) {
            child.wake();
        }
        return true;
    }

    /** Sends SIGKILL unless the child has ended. */
    public void kill() {
        if (!ended()) {
            signalSent = Platform.SIGKILL;
            process().destroyForcibly();
        }
    }

    /** @return the settled exit code; meaningful once {@link #isAlive()} has returned false */
    public int exitCode() {
        return exitCode;
    }

    /** @return the failure the child left, or null; meaningful once {@link #isAlive()} has returned false */
    public Throwable failure() {
        return failure;
    }

    /** At exit: SIGTERM when the process still runs. @return whether it was sent */
    boolean terminateIfRunning() {
        Process p = process();
        if (!p.isAlive()) {
            return false;
        }
        p.destroy();
        return true;
    }

    /** At exit: SIGKILL unless the child's end is settled by {@code deadline} ({@link System#nanoTime()}). */
    void killUnlessEndedBy(long deadline) {
        try {
            if (!reaped.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                process().destroyForcibly();
            }
        } catch (InterruptedException e) {
            process().destroyForcibly();
        }
    }
}
