package io.github.multiprocessing4j.internal.pool;

import io.github.multiprocessing4j.internal.events.PoolTaskEvent;
import io.github.multiprocessing4j.internal.process.ProcessContext;
import io.github.multiprocessing4j.internal.serial.Serialization;
import io.github.multiprocessing4j.internal.util.Log;
import io.github.multiprocessing4j.spi.PoolBackend;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The parent side of a process pool: its calls, its life cycle, and the parts that do the work.
 *
 * <p>Implementation notes. Every worker has its own inbox, written only by this side, and all
 * answer on one result channel; so the pool knows exactly which chunks each worker holds. The
 * parts, which share this engine's lock:
 * <ul>
 *   <li>{@link ChunkFactory} builds chunks in the callers' threads, outside the lock;</li>
 *   <li>{@link Dispatcher} decides which worker gets which chunk;</li>
 *   <li>{@link WorkerSupervisor} starts the workers, watches them, replaces those that end;</li>
 *   <li>{@link Collector} reads the result channel in its own thread and hands out the answers.</li>
 * </ul>
 * The lock is never held while user code runs, nor while a process starts; futures are completed
 * by the collector thread.
 *
 * <p>The life cycle, as {@link java.util.concurrent.ThreadPoolExecutor}'s:
 * <ul>
 *   <li>RUNNING: takes new calls.</li>
 *   <li>SHUTDOWN: takes no new calls; finishes the tasks submitted and the map calls open (which
 *       may go on submitting their input).</li>
 *   <li>STOPPING: nothing left to run; the inboxes are closed (a booting worker's once it is
 *       ready, so that its initializer runs, as CPython's), and the workers end once they find
 *       theirs empty.</li>
 *   <li>KILLING: the workers were killed ({@link #terminate}, or the pool broke); every chunk not
 *       answered has failed.</li>
 *   <li>TERMINATED: every worker ended and reaped; the result channel is closed, and the collector
 *       ends once it has read it empty, which frees the pool's shared memory.</li>
 * </ul>
 * <pre>
 *   RUNNING --shutdown()--> SHUTDOWN --no chunk left and no map call open--> STOPPING
 *      |                       |                                                |
 *      +-------- terminate() or the pool breaks (from any of these three) ------+--> KILLING
 *
 *   STOPPING or KILLING --no worker alive or starting--> TERMINATED
 * </pre>
 * States only move to the right (compared by ordinal). The pool breaks when a worker could not be
 * started, a worker ended before it was ready, its initializer threw, or the result channel
 * failed: {@link #brokenBy} keeps why, and every call is then refused with it as the cause.
 */
public final class PoolEngine {
    private enum State { RUNNING, SHUTDOWN, STOPPING, KILLING, TERMINATED }

    /** Guards the state, the dispatcher and the workers' bookkeeping. */
    final ReentrantLock lock = new ReentrantLock();
    private final int processes;
    private final ChunkFactory chunks;
    private final Dispatcher dispatcher;
    private final Collector collector;
    private final WorkerSupervisor supervisor;
    private final TaskStopper stopper;
    /** How long a chunk may run when its task or function does not say ({@link TimedTask}); 0 for no limit. */
    private final long taskTimeoutNanos;

    private State state = State.RUNNING;
    /** Why the pool broke, set once, on the way to KILLING; kept after it terminates. */
    private RuntimeException brokenBy;
    /** When the timer looks next for work to give back to a free worker ({@link #releaseForIdleLocked}); 0 for no look due. */
    private long releaseCheckAt;
    /** Map calls in progress: SHUTDOWN waits for them to have submitted all their input. */
    private int openMapCalls;
    /** Runs the callers' code; asked to {@linkplain TaskInvoker#warmUp warm up} ({@link #warmUp}). */
    private final TaskInvoker invoker;
    /** Whether the workers are told to warm up too: a pool on this machine's (a backend's workers are not). */
    private final boolean workersWarmUp;
    /**
     * What a pool must share with this one to adopt its workers once it is closed, or to give
     * them to it ({@link PoolParking}); null when they never go from pool to pool (a quota of
     * tasks per worker, a backend's or a thread launcher's workers).
     */
    private final Object parkingKey;
    /**
     * Tasks submitted while every worker had idled {@link #IDLE_TASK_NANOS}
     * ({@link #isIdleTaskThatWarmsUp}), counted under the lock; volatile, so that a task after the
     * count is full does not take the lock for it.
     */
    private volatile int idleTasks;
    /** A task submitted while every worker has held nothing for this long is an idle task (the pool is used every so often). */
    static final long IDLE_TASK_NANOS = 10_000_000;
    /** The idle tasks after which the pool warms up: used every so often, not paused once. */
    static final int WARM_UP_AFTER_IDLE_TASKS = 3;

    /**
     * Starts the workers and the collector; returns without waiting for the workers to boot.
     *
     * @throws IllegalStateException when this process is a daemon
     * @throws IllegalArgumentException when the initializer is not serializable
     * @throws RuntimeException what the launcher threw when a worker could not be started
     */
    public PoolEngine(PoolConfig config, WorkerLauncher launcher) {
        this(config, launcher, null);
    }

    /**
     * Starts a pool whose channels are a backend's, when it has one; see {@link #PoolEngine(PoolConfig, WorkerLauncher)}.
     *
     * @param backend where the channels live (and the answers' deserialization filter); null for
     *     shared memory. The launcher places the workers where the backend says.
     */
    public PoolEngine(PoolConfig config, WorkerLauncher launcher, PoolBackend backend) {
        if (launcher.startsProcesses() && ProcessContext.current().isDaemon()) {
            throw new IllegalStateException("daemonic processes are not allowed to have children");
        }
        byte[] initializer = config.initializer() == null ? null
                : Serialization.serialize(config.initializer(), "initializer"); // fails here, naming the class
        this.processes = config.processes();
        this.taskTimeoutNanos = config.taskTimeoutNanos();
        this.invoker = config.invoker();
        this.workersWarmUp = backend == null;
        this.parkingKey = parkingKey(config, launcher, backend, initializer);
        this.dispatcher = new Dispatcher(config.maxTasksPerChild());
        ChannelFactory channels = backend == null ? SharedMessageChannel::create
                : () -> new BackendChannel(backend.newChannel());
        ParkedGroup adopted = parkingKey == null ? null : PoolParking.adopt(parkingKey);
        this.collector = new Collector(this, adopted != null ? adopted.results : channels.create(),
                backend == null ? null : backend.filter(), backend == null ? null : backend::close);
        this.chunks = new ChunkFactory(collector.results());
        // A backend's workers get no control channel (a Redis list each would hold a connection
        // per worker): a chunk stopped there is not interrupted, only its worker killed.
        this.supervisor = new WorkerSupervisor(this, config, launcher, channels,
                backend == null ? SharedMessageChannel::createControl : null, collector.results());
        this.stopper = new TaskStopper(lock, supervisor, config.interruptGraceNanos());
        if (adopted != null) {
            supervisor.adopt(adopted.workers);
        }
        try {
            supervisor.startWanted(true);
        } catch (RuntimeException e) {
            terminate();
            collector.start(supervisor);
            try {
                awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
            throw e;
        }
        collector.start(supervisor);
    }

    /**
     * @param initializer the initializer's serialized bytes, or null for none: a kept worker ran
     *     its pool's initializer, so only a pool whose initializer is the same, captured values
     *     and all, may take it (its initializer has run there once, as CPython runs it once per worker)
     * @return what {@link #parkingKey} holds for this configuration
     */
    private static Object parkingKey(PoolConfig config, WorkerLauncher launcher, PoolBackend backend,
                                     byte[] initializer) {
        Object launcherKey = launcher.reuseKey();
        if (backend != null || launcherKey == null || config.maxTasksPerChild() > 0) {
            return null;
        }
        return Arrays.asList(launcherKey, config.processes(), config.jvmArgs(), config.invoker(),
                config.maxMemoryPerChild(), initializer == null ? null : ByteBuffer.wrap(initializer));
    }

    /** @return the number of workers the pool keeps */
    public int processes() {
        return processes;
    }

    ChunkFactory chunks() {
        return chunks;
    }

    TaskStopper stopper() {
        return stopper;
    }

    // ---------------------------------------------------------------- calls

    /**
     * Submits one task. A {@link TimedTask} is unwrapped: its worker runs what it wraps, within its
     * time limit; another runs within the pool's default limit, if any.
     *
     * @return the future, completed by the collector thread; its {@code cancel(true)} stops the
     *     task in its worker (see {@link TaskStopper})
     * @throws IllegalArgumentException when the task is not serializable; the message names the class
     * @throws RejectedExecutionException when the pool is shut down or broken
     */
    public <T> CompletableFuture<T> submitTask(PoolTask task) {
        boolean warmUp = isIdleTaskThatWarmsUp();
        PoolTask toRun = task;
        long timeout = taskTimeoutNanos;
        if (task.task() instanceof TimedTask timed) {
            timeout = timed.timeoutNanos();
            toRun = task.running(timed.task());
        }
        TaskCall<T> call = new TaskCall<>(task, loaderOf(toRun.task()));
        if (warmUp) {
            call.afterAnswer(this::warmUp); // the caller has its answer first
        }
        Chunk chunk = chunks.taskChunk(toRun, call, timeout);
        call.future.interruptWith(() -> interrupt(chunk));
        submit(List.of(chunk), false);
        call.future.whenComplete((value, failure) -> {
            if (call.future.isCancelled()) {
                forgetAbandoned();
            }
        });
        return call.future;
    }

    /**
     * Notes a task submitted while every worker has held nothing for {@link #IDLE_TASK_NANOS} or
     * more (its dispatcher's bookkeeping, {@link WorkerHandle#idleFor}).
     *
     * @return whether it is the {@value #WARM_UP_AFTER_IDLE_TASKS}th such task: the pool warms up
     *     after it ({@link #warmUp})
     */
    private boolean isIdleTaskThatWarmsUp() {
        if (idleTasks >= WARM_UP_AFTER_IDLE_TASKS) {
            return false; // counted out: this pool's tasks take no lock for it any more
        }
        long now = System.nanoTime();
        lock.lock();
        try {
            if (idleTasks >= WARM_UP_AFTER_IDLE_TASKS) {
                return false;
            }
            for (WorkerHandle w : supervisor.workers()) {
                if (!w.idleFor(now, IDLE_TASK_NANOS)) {
                    return false;
                }
            }
            return ++idleTasks == WARM_UP_AFTER_IDLE_TASKS;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Has this process and the pool's workers warm up ({@link TaskInvoker#warmUp}): once per
     * pool, after its {@value #WARM_UP_AFTER_IDLE_TASKS}th idle task.
     *
     * @implNote A pool used every so often (a service's {@code apply()} per request) runs its
     * tasks' path interpreted for a long time, in its process and in its workers, since the JIT
     * compiles a method after a few hundred calls; the warm-up runs that path 1,200 times
     * on threads of its own ({@code PoolWarmUp}). Only single tasks count: a map call's chunks
     * compile its path within the call. Called once the task that made the notice has its
     * answer (starting a thread, and loading the warm-up's classes, took that task 2-3 ms when
     * done before it was sent); a worker sends what it has answered before it starts its own.
     * A worker started later (a replacement) is not told.
     */
    private void warmUp() {
        if (!invoker.warmUp() || !workersWarmUp) {
            return;
        }
        lock.lock();
        try {
            if (state != State.RUNNING) {
                return; // the inboxes close: nothing to warm up for
            }
            for (WorkerHandle w : supervisor.workers()) {
                w.sendWarmUp();
                w.flush();
            }
        } catch (RuntimeException e) {
            // only a head start, which must not break the collector that runs this
            Log.of(PoolEngine.class).log(System.Logger.Level.DEBUG, "the pool's workers were not told to warm up", e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Starts a map call; its input is read as its results are taken.
     *
     * @param knownTotal the number of inputs, or -1 when unknown
     * @param function the function; a {@link TimedTask} is unwrapped, and its limit applies to
     *     each chunk (else the pool's default limit, if any)
     * @param listener told of progress in the caller's thread; may be null
     * @throws IllegalArgumentException when the function is not serializable, or the chunk size below 1
     */
    public <R> StreamCall<R> stream(StreamCall.Order order, Object function, Iterator<?> source, int chunkSize,
                                    long knownTotal, MapProgressListener listener) {
        long timeout = taskTimeoutNanos;
        if (function instanceof TimedTask timed) {
            timeout = timed.timeoutNanos();
            function = timed.task();
        }
        return new StreamCall<>(this, order, function, source, chunkSize, knownTotal, listener, loaderOf(function),
                timeout);
    }

    /**
     * Starts a map call whose input is read at once and whose results complete a future.
     *
     * @param function the function; a {@link TimedTask} is unwrapped, and its limit applies to
     *     each chunk (else the pool's default limit, if any)
     * @param knownTotal the number of inputs, or -1 when unknown
     * @return the future: see {@link AsyncMapCall}
     * @throws IllegalArgumentException when the function or an item is not serializable, or the chunk size below 1
     * @throws RejectedExecutionException when the pool is shut down or broken
     * @throws RuntimeException what the input's iterator threw, as it is; nothing was submitted then
     */
    public <R> CompletableFuture<List<R>> mapAsync(Object function, Iterator<?> source, int chunkSize, long knownTotal) {
        long timeout = taskTimeoutNanos;
        if (function instanceof TimedTask timed) {
            timeout = timed.timeoutNanos();
            function = timed.task();
        }
        return AsyncMapCall.start(this, function, source, chunkSize, knownTotal, loaderOf(function), timeout);
    }

    private static ClassLoader loaderOf(Object task) {
        ClassLoader loader = task.getClass().getClassLoader();
        if (loader == null) {
            loader = Thread.currentThread().getContextClassLoader();
        }
        return loader != null ? loader : PoolEngine.class.getClassLoader();
    }

    /**
     * Queues chunks, all or none; they go to workers as soon as some can take them. Never blocks for long.
     *
     * @param fromMapCall whether they come from a map call opened with {@link #openMapCall}, which
     *     may go on submitting after {@link #shutdown}
     * @throws RejectedExecutionException when the pool is shut down or broken
     */
    void submit(List<Chunk> chunks, boolean fromMapCall) {
        lock.lock();
        try {
            checkAccepting(fromMapCall && state == State.SHUTDOWN);
            dispatcher.add(chunks);
            dispatchLocked();
        } finally {
            lock.unlock();
        }
        supervisor.startWanted(false);
    }

    /**
     * Opens a map call, which the pool finishes even when shut down meanwhile.
     *
     * @throws RejectedExecutionException when the pool is shut down or broken
     */
    void openMapCall() {
        lock.lock();
        try {
            checkAccepting(false);
            openMapCalls++;
        } finally {
            lock.unlock();
        }
    }

    /** Closes what {@link #openMapCall} opened. */
    void closeMapCall() {
        lock.lock();
        try {
            openMapCalls--;
            stopIfDoneLocked();
        } finally {
            lock.unlock();
        }
    }

    /**
     * {@code cancel(true)} of a submitted task: a worker that holds it interrupts it, or skips it
     * if it has not started ({@link TaskStopper}); one not sent yet is dropped.
     */
    private void interrupt(Chunk chunk) {
        lock.lock();
        try {
            if (!stopper.cancelLocked(chunk)) {
                dispatcher.dropAbandoned();
                stopIfDoneLocked();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Drops chunks not yet sent whose owner no longer wants them (a cancelled future). */
    void forgetAbandoned() {
        lock.lock();
        try {
            dispatcher.dropAbandoned();
            stopIfDoneLocked();
        } finally {
            lock.unlock();
        }
    }

    private void checkAccepting(boolean finishingAfterShutdown) {
        if (brokenBy != null) {
            throw new RejectedExecutionException("the pool is broken: " + brokenBy.getMessage(), brokenBy);
        }
        if (state != State.RUNNING && !finishingAfterShutdown) {
            throw new RejectedExecutionException("the pool is " + (state == State.SHUTDOWN ? "shut down" : "terminated")
                    + ": it takes no new tasks");
        }
    }

    // ---------------------------------------------------------------- the parts' hooks (lock held)

    /** Sends what can be sent, and asks for the replacements of workers that reached their quota. */
    private void dispatchLocked() {
        if (dispatcher.dispatch(supervisor.workers()) > 0) {
            boolean nudged = false;
            for (WorkerHandle w : supervisor.workers()) {
                nudged |= w.flush();
            }
            if (nudged) {
                collector.wake(); // it idled as long as that worker: its answer comes soon
            }
        }
        int retired = dispatcher.takeRetired();
        if (retired > 0 && !isStoppingLocked()) {
            supervisor.want(retired);
        }
        releaseForIdleLocked();
    }

    /**
     * When nothing waits and a ready worker holds nothing, a worker that holds chunks behind the
     * one it runs is asked to give the last back once its work runs past what its task time
     * foretold ({@link WorkerHandle#releaseDueAt}); the timer looks again when that is later. The
     * dispatcher keeps chunks off a worker whose tasks may run long, but a task time can be wrong:
     * a lambda's tasks share one, and after short ones a long one looks short, so that tasks
     * submitted with it were sent to wait behind it (three of 100 ms submitted with one of 1,000
     * ms, after 2,000 tiny ones: 1,101-1,108 ms on a pool of two, where the free worker could have
     * run them within the long one's time).
     */
    private void releaseForIdleLocked() {
        if (dispatcher.waitingCount() > 0 || !Dispatcher.anyIdleReady(supervisor.workers())) {
            return;
        }
        long now = System.nanoTime();
        long soonest = Long.MAX_VALUE;
        for (WorkerHandle w : supervisor.workers()) {
            long due = w.releaseDueAt();
            if (due == Long.MAX_VALUE) {
                continue;
            }
            if (due - now <= 0) {
                w.askRelease();
            } else {
                soonest = Math.min(soonest, due - now);
            }
        }
        if (soonest != Long.MAX_VALUE && (releaseCheckAt == 0 || releaseCheckAt - (now + soonest) > 0)) {
            releaseCheckAt = now + soonest;
            stopper.schedule(this::releaseCheckDue, soonest);
        }
    }

    /** The timer's look for work to give back ({@link #releaseForIdleLocked}). */
    private void releaseCheckDue() {
        lock.lock();
        try {
            releaseCheckAt = 0;
            if (!isTerminatedLocked()) {
                releaseForIdleLocked();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Has the collector look for messages at once ({@link Collector#wake}): one was just put. Never blocks. */
    void wakeCollector() {
        collector.wake();
    }

    /** @return whether the pool is past SHUTDOWN: no worker is to be started any more */
    boolean isStoppingLocked() {
        return state.compareTo(State.STOPPING) >= 0;
    }

    boolean isTerminatedLocked() {
        return state == State.TERMINATED;
    }

    /** The collector has read answers: they may have made room for more chunks, or finished the pool's work. */
    void answersReadLocked() {
        dispatchLocked();
        stopIfDoneLocked();
    }

    /** Chunks of a dead worker go out again, before the others. */
    void retryLocked(List<Chunk> chunks) {
        if (!chunks.isEmpty()) {
            dispatcher.retry(chunks);
        }
    }

    /**
     * A worker was started: it gets chunks, unless the pool is stopping; when it is stopping
     * gracefully, the worker still boots and runs its initializer (see {@link #workerReadyLocked}).
     */
    void workerStartedLocked(WorkerHandle worker) {
        if (state.compareTo(State.KILLING) >= 0) {
            worker.close();
            worker.process.kill();
        } else if (isStoppingLocked()) {
            stopGracefullyLocked(worker);
        } else {
            dispatchLocked();
        }
    }

    /**
     * A worker has booted and run its initializer: when the pool is stopping, its inbox, left open
     * while it booted, is closed now, and it ends; else the chunks it was given while it booted
     * go into its inbox, and it may take others' ({@link Dispatcher}).
     */
    void workerReadyLocked(WorkerHandle worker) {
        if (isStoppingLocked()) {
            worker.close();
        } else {
            if (worker.flush()) {
                collector.wake();
            }
            dispatchLocked();
        }
    }

    /** A worker has ended and its chunks were taken back. */
    void workerEndedLocked() {
        dispatchLocked();
        stopIfDoneLocked();
        finishIfStoppedLocked();
    }

    /** SHUTDOWN to STOPPING, when nothing is left to run. */
    private void stopIfDoneLocked() {
        if (state != State.SHUTDOWN || openMapCalls > 0 || dispatcher.hasWanted()) {
            return;
        }
        for (WorkerHandle w : supervisor.workers()) {
            if (!w.held.isEmpty()) {
                return;
            }
        }
        dispatcher.drain(); // only abandoned chunks are left
        state = State.STOPPING;
        supervisor.wantNone();
        if (parkLocked()) {
            return;
        }
        for (WorkerHandle w : supervisor.workers()) {
            stopGracefullyLocked(w);
        }
        finishIfStoppedLocked();
    }

    /**
     * Parks the workers for a next pool ({@link PoolParking}) instead of ending them, when the
     * pool may and every worker idles: the pool terminates once its collector has read every
     * answer and parked them ({@link Collector#detach}).
     *
     * @return whether the workers were parked
     */
    private boolean parkLocked() {
        long keepAlive = PoolParking.keepAliveNanos();
        if (parkingKey == null || keepAlive <= 0 || brokenBy != null) {
            return false;
        }
        List<WorkerHandle> workers = supervisor.detachAllLocked(processes);
        if (workers == null) {
            return false;
        }
        state = State.TERMINATED;
        stopper.closeLocked();
        collector.detach(new ParkedGroup(parkingKey, collector.results(), workers, System.nanoTime() + keepAlive,
                supervisor::poolEnded));
        return true;
    }

    /** Has a worker end once it has booted and found its inbox closed and empty, as STOPPING wants. */
    private void stopGracefullyLocked(WorkerHandle w) {
        if (w.ready) {
            w.close(); // it ends when it finds its inbox closed and empty
        } else if (w.pid() < 0) {
            // A remote worker that no agent has taken yet never ran, and may never be placed.
            w.close();
            w.process.kill();
        }
        // Else still booting: it may not have opened its inbox yet, which closing would remove
        // (it is empty), so that it failed to boot. Python's close() lets every worker run its
        // initializer: a booting worker's inbox is closed once it is ready (workerReadyLocked).
    }

    /** STOPPING or KILLING to TERMINATED, when no worker is left. */
    void finishIfStoppedLocked() {
        if ((state == State.STOPPING || state == State.KILLING) && supervisor.noneLeft()) {
            state = State.TERMINATED;
            stopper.closeLocked();
            collector.close(); // the collector takes what is left, then ends
            supervisor.poolEnded();
        }
    }

    // ---------------------------------------------------------------- ending

    /** Stops accepting calls; what was submitted is finished, then the workers end. Never blocks. */
    public void shutdown() {
        lock.lock();
        try {
            if (state == State.RUNNING) {
                state = State.SHUTDOWN;
            }
            dispatcher.dropAbandoned();
            stopIfDoneLocked();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Kills the workers; every chunk not answered yet fails with a {@link CancellationException}.
     * Never blocks for long.
     */
    public void terminate() {
        kill(new CancellationException("the pool was terminated"), null);
    }

    /**
     * Terminates the pool (see {@link #terminate}).
     *
     * @return the tasks submitted with {@link #submitTask} that were never sent to a worker
     */
    public List<PoolTask> terminateAndListUnsent() {
        List<PoolTask> tasks = new ArrayList<>();
        for (ChunkOwner owner : kill(new CancellationException("the pool was terminated"), null)) {
            if (owner instanceof TaskCall) {
                tasks.add(((TaskCall<?>) owner).task);
            }
        }
        return tasks;
    }

    /** Breaks the pool: it is killed, and refuses every call from now on with {@code reason} as the cause. */
    void breakPool(RuntimeException reason) {
        kill(reason, reason);
    }

    /** @return the owners of the chunks that were never sent */
    private List<ChunkOwner> kill(RuntimeException failure, RuntimeException brokenBy) {
        List<Chunk> lost;
        List<ChunkOwner> neverSent = new ArrayList<>();
        List<WorkerHandle> toKill;
        lock.lock();
        try {
            if (brokenBy != null && this.brokenBy == null && state != State.TERMINATED) {
                this.brokenBy = brokenBy;
            }
            lost = dispatcher.drain();
            for (Chunk c : lost) {
                neverSent.add(c.owner);
            }
            for (WorkerHandle w : supervisor.workers()) {
                lost.addAll(w.dropHeld());
                w.close();
            }
            toKill = new ArrayList<>(supervisor.workers());
            supervisor.wantNone();
            if (state.compareTo(State.KILLING) < 0) {
                state = State.KILLING;
            }
            finishIfStoppedLocked();
        } finally {
            lock.unlock();
        }
        for (Chunk c : lost) {
            c.ended(brokenBy == null ? PoolTaskEvent.CANCELLED : PoolTaskEvent.POOL_BROKEN, 0);
            c.owner.failed(c, failure);
        }
        for (WorkerHandle w : toKill) {
            w.process.kill();
        }
        return neverSent;
    }

    /** @return whether {@link #shutdown} or {@link #terminate} was called, or the pool broke */
    public boolean isShutdown() {
        lock.lock();
        try {
            return state != State.RUNNING;
        } finally {
            lock.unlock();
        }
    }

    /** @return whether every worker has ended and the pool's shared memory is freed */
    public boolean isTerminated() {
        return collector.hasEnded();
    }

    /**
     * Waits for {@link #isTerminated}. Returns at once when called from the collector thread (a
     * future's callback), which would otherwise wait for itself.
     *
     * @throws InterruptedException when interrupted while waiting
     */
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        if (collector.isCollectorThread()) {
            return isTerminated();
        }
        return collector.awaitEnd(timeout, unit);
    }

    /**
     * {@link #awaitTermination} without a timeout, which an interrupt does not end (the interrupt
     * status is set again); returns at once in the collector thread.
     */
    public void awaitTerminationUninterruptibly() {
        if (!collector.isCollectorThread()) {
            collector.awaitEndUninterruptibly();
        }
    }

    /** @return whether the calling thread is the collector, which must not wait for results */
    public boolean isCollectorThread() {
        return collector.isCollectorThread();
    }

    /** @return the process ids of the live workers, oldest first */
    public List<Long> workerPids() {
        lock.lock();
        try {
            return supervisor.pidsLocked();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        lock.lock();
        try {
            int held = 0;
            for (WorkerHandle w : supervisor.workers()) {
                held += w.held.size();
            }
            return "state=" + state.name().toLowerCase() + ", " + supervisor.workers().size() + " workers, " + held
                    + " chunks held, " + dispatcher.waitingCount() + " waiting"
                    + (brokenBy != null ? ", broken: " + brokenBy.getMessage() : "");
        } finally {
            lock.unlock();
        }
    }
}
