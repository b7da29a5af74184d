package io.github.multiprocessing4j.internal.pool;

import io.github.multiprocessing4j.ChildProcess;
import io.github.multiprocessing4j.ProcessPool;
import io.github.multiprocessing4j.SerializableRunnable;
import io.github.multiprocessing4j.StartMethod;
import io.github.multiprocessing4j.WorkerDiedException;
import io.github.multiprocessing4j.internal.process.ProcessContext;
import io.github.multiprocessing4j.internal.serial.Serialization;
import io.github.multiprocessing4j.internal.serial.ValueSection;
import io.github.multiprocessing4j.internal.serial.Wire;
import io.github.multiprocessing4j.internal.util.Log;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The parent side of a process pool: its workers, the chunks waiting for one, the chunks each
 * worker holds, and the collector thread that reads the results.
 *
 * <p>Implementation notes. Every worker has its own inbox, written only by this class, and all
 * answer on one result channel. A chunk goes to a worker only when the worker can take it: it
 * holds fewer than {@value #DEPTH_CHUNKS} chunks, or the chunk fits within {@value #DEPTH_TASKS}
 * held tasks; so a worker always has its next chunk at hand (no round trip between two chunks)
 * and yet chunks are not piled on a worker that is busy while another is idle. Among the workers
 * that can take it, the one holding the fewest tasks gets it (a booted one when they hold as
 * many): a worker still booting is idle, not slow, and boots in less time than most tasks
 * take. Chunks no worker
 * can take wait here, in submission order, and go out as answers come back.
 *
 * <p>Because only this class writes the inboxes, it knows exactly which chunks a worker holds.
 * A watcher thread per worker waits for the worker's exit and then writes a {@code DIED} message
 * on the result channel. The worker's own messages were all written before it exited, and a
 * message it was writing when killed is completed or dropped by the queue's repair (which the
 * watcher's put triggers), so when the collector reads {@code DIED} it has already read every
 * answer the worker gave: the chunks the worker still holds are exactly the ones it never
 * answered, and they fail with {@link WorkerDiedException}. A replacement is started; a worker
 * that reached {@code maxTasksPerChild} chunks is replaced as soon as its last chunk is sent.
 *
 * <p>A worker that ends before it was ready (exit code above 0: its JVM could not boot, or its
 * initializer threw) breaks the pool: restarting it would fail the same way for ever, which is
 * CPython's behaviour. Every task then fails, and new ones are refused, with the reason.
 *
 * <p>States: RUNNING; SHUTDOWN (no new calls; what was submitted, and map calls under way, are
 * finished); STOPPING (inboxes closed: workers end once they are empty; or, after
 * {@link #terminate}, workers killed); TERMINATED (every worker reaped, every channel closed and
 * emptied, which frees its shared memory). The lock is never held while user code runs, nor while
 * a process starts; futures are completed by the collector thread.
 */
public final class PoolEngine {
    /** A worker is given a chunk while it holds fewer chunks than this... */
    static final int DEPTH_CHUNKS = 2;
    /** ...or while the chunk fits in this many held tasks (small chunks are pipelined deeper). */
    static final int DEPTH_TASKS = 256;
    private static final long THREAD_STACK_BYTES = 256 * 1024;

    private enum State { RUNNING, SHUTDOWN, STOPPING, TERMINATED }

    private final int processes;
    private final SerializableRunnable initializer;
    private final int maxTasksPerChild;
    private final List<String> jvmArgs;
    private final StartMethod startMethod;
    private final Channel results;
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<Integer, WorkerHandle> workers = new LinkedHashMap<>();
    private final ArrayDeque<Chunk> pending = new ArrayDeque<>();
    private final CountDownLatch terminated = new CountDownLatch(1);
    private final AtomicLong ids = new AtomicLong();
    private final Thread collector;

    private State state = State.RUNNING;
    private boolean killing;
    /** Map calls under way: SHUTDOWN waits for them to have submitted everything. */
    private int drivers;
    /** Workers to start (written under the lock, read without it as a hint), and being started. */
    private volatile int wanted;
    private int starting;
    private int nextWorker = 1;
    private RuntimeException broken;

    /**
     * Starts the workers and the collector; returns without waiting for the workers to boot.
     *
     * @param jvmArgs options of the workers' JVMs, after the pool's own defaults
     * @param startMethod how the workers are started; null for the program's default
     * @throws IllegalStateException when this process is a daemon
     * @throws IllegalArgumentException when the initializer is not serializable
     * @throws java.io.UncheckedIOException when a worker process cannot be started
     */
    public PoolEngine(int processes, SerializableRunnable initializer, int maxTasksPerChild, List<String> jvmArgs,
                      StartMethod startMethod) {
        if (processes < 1) {
            throw new IllegalArgumentException("a pool needs at least one process, not " + processes);
        }
        if (ProcessContext.current().isDaemon()) {
            throw new IllegalStateException("daemonic processes are not allowed to have children");
        }
        if (initializer != null) {
            Serialization.serialize(initializer, "initializer"); // fails here, naming the class
        }
        this.processes = processes;
        this.initializer = initializer;
        this.maxTasksPerChild = Math.max(0, maxTasksPerChild);
        this.jvmArgs = List.copyOf(jvmArgs);
        this.startMethod = startMethod;
        this.results = Channel.create();
        this.collector = new Thread(null, this::collect, "mp4j-pool-collector", THREAD_STACK_BYTES);
        collector.setDaemon(true);
        wanted = processes;
        try {
            startWanted(true);
        } catch (RuntimeException e) {
            terminate();
            collector.start();
            awaitTermination(Duration.ofSeconds(10));
            throw e;
        }
        collector.start();
    }

    /** @return the number of workers the pool keeps */
    public int processes() {
        return processes;
    }

    // ---------------------------------------------------------------- building chunks

    /** @return a new chunk id */
    long nextId() {
        return ids.incrementAndGet();
    }

    /**
     * Serializes a map call's function once.
     *
     * @throws IllegalArgumentException when it is not serializable; the message names the class
     */
    FunctionRef function(Object function) {
        return new FunctionRef(nextId(), Serialization.serialize(function, "function"));
    }

    /**
     * Makes the chunk of a submitted task.
     *
     * @param mode {@link PoolMessages#CALL} or {@link PoolMessages#RUN}
     * @throws IllegalArgumentException when the task is not serializable; the message names the class
     */
    Chunk taskChunk(Object task, byte mode, ChunkOwner owner) {
        byte[] serialized = Serialization.serialize(task, "task");
        long id = nextId();
        byte[] message = PoolMessages.chunk(id, mode, 0, serialized, 0).toByteArray();
        return new Chunk(id, message, 1, 0, null, owner);
    }

    // ---------------------------------------------------------------- calls

    /**
     * Submits one task: a {@link java.util.concurrent.Callable} (its value is the result) or a
     * runnable ({@link SerializableRunnable} or a serializable {@link Runnable}).
     *
     * @param fixedResult whether the future gets {@code result} rather than the task's value
     * @return the future, completed by the collector thread
     * @throws IllegalArgumentException when the task is not serializable; the message names the class
     * @throws RejectedExecutionException when the pool is shut down or broken
     */
    public <T> CompletableFuture<T> submitTask(Object task, boolean fixedResult, T result) {
        byte mode = task instanceof java.util.concurrent.Callable ? PoolMessages.CALL : PoolMessages.RUN;
        TaskCall<T> call = new TaskCall<>(task, loaderOf(task), fixedResult, result);
        submit(taskChunk(task, mode, call), false);
        call.future.whenComplete((value, failure) -> {
            if (call.future.isCancelled()) {
                forgetAbandoned();
            }
        });
        return call.future;
    }

    /**
     * Starts a map call; its input is read as its results are taken.
     *
     * @param knownTotal the number of inputs, or -1 when unknown
     * @param listener told of progress in the caller's thread; may be null
     * @throws IllegalArgumentException when the function is not serializable, or the chunk size below 1
     */
    public <R> StreamCall<R> stream(StreamCall.Order order, Object function, Iterator<?> source, int chunkSize,
                                    long knownTotal, ProcessPool.ProgressListener listener) {
        return new StreamCall<>(this, order, function, source, chunkSize, knownTotal, listener, loaderOf(function));
    }

    private static ClassLoader loaderOf(Object task) {
        ClassLoader loader = task.getClass().getClassLoader();
        if (loader == null) {
            loader = Thread.currentThread().getContextClassLoader();
        }
        return loader != null ? loader : PoolEngine.class.getClassLoader();
    }

    /**
     * Terminates the pool (see {@link #terminate}).
     *
     * @return the tasks submitted with {@link #submitTask} that were never sent to a worker
     */
    public List<Object> terminateAndListUnsent() {
        List<Object> tasks = new ArrayList<>();
        for (ChunkOwner owner : stopNow(new CancellationException("the pool was terminated"), null)) {
            if (owner instanceof TaskCall) {
                tasks.add(((TaskCall<?>) owner).task);
            }
        }
        return tasks;
    }

    // ---------------------------------------------------------------- submitting

    /**
     * Queues a chunk; it goes to a worker as soon as one can take it. Never blocks for long.
     *
     * @param driver whether it comes from a map call registered with {@link #beginDriver}, which
     *     may go on submitting after {@link #shutdown}
     * @throws RejectedExecutionException when the pool is shut down or broken
     */
    void submit(Chunk chunk, boolean driver) {
        submit(List.of(chunk), driver);
    }

    /** {@link #submit(Chunk, boolean)} for several chunks at once: all are queued, or none. */
    void submit(List<Chunk> chunks, boolean driver) {
        lock.lock();
        try {
            checkAccepting(driver && state == State.SHUTDOWN);
            pending.addAll(chunks);
            dispatchLocked();
        } finally {
            lock.unlock();
        }
        startWanted(false);
    }

    /**
     * Registers a map call, which the pool finishes even when shut down meanwhile.
     *
     * @throws RejectedExecutionException when the pool is shut down or broken
     */
    void beginDriver() {
        lock.lock();
        try {
            checkAccepting(false);
            drivers++;
        } finally {
            lock.unlock();
        }
    }

    /** Ends what {@link #beginDriver} began. */
    void endDriver() {
        lock.lock();
        try {
            drivers--;
            stopIfDoneLocked();
        } finally {
            lock.unlock();
        }
    }

    /** Drops chunks not yet sent whose owner no longer wants them (a cancelled future). */
    void forgetAbandoned() {
        lock.lock();
        try {
            pending.removeIf(c -> c.owner.abandoned());
            stopIfDoneLocked();
        } finally {
            lock.unlock();
        }
    }

    private void checkAccepting(boolean finishingAfterShutdown) {
        if (broken != null) {
            throw new RejectedExecutionException("the pool is broken: " + broken.getMessage(), broken);
        }
        if (state != State.RUNNING && !finishingAfterShutdown) {
            throw new RejectedExecutionException("the pool is " + (state == State.SHUTDOWN ? "shut down" : "terminated")
                    + ": it takes no new tasks");
        }
    }

    // ---------------------------------------------------------------- dispatching (lock held)

    private void dispatchLocked() {
        boolean sent = false;
        while (!pending.isEmpty()) {
            Chunk chunk = pending.peekFirst();
            if (chunk.owner.abandoned()) {
                pending.pollFirst();
                continue;
            }
            WorkerHandle worker = choose(chunk);
            if (worker == null) {
                break;
            }
            pending.pollFirst();
            worker.send(chunk);
            sent = true;
            if (maxTasksPerChild > 0 && worker.assigned >= maxTasksPerChild) {
                worker.retiring = true; // it ends by itself after this chunk
                if (state.compareTo(State.STOPPING) < 0) {
                    wanted++;
                }
            }
        }
        if (sent) {
            for (WorkerHandle w : workers.values()) {
                w.flush();
            }
        }
    }

    private WorkerHandle choose(Chunk chunk) {
        WorkerHandle best = null;
        for (WorkerHandle w : workers.values()) {
            if (w.retiring || w.closed || !canTake(w, chunk)) {
                continue;
            }
            if (best == null || w.heldTasks < best.heldTasks || (w.heldTasks == best.heldTasks && w.ready && !best.ready)) {
                best = w;
            }
        }
        return best;
    }

    private static boolean canTake(WorkerHandle w, Chunk chunk) {
        return w.held.size() < DEPTH_CHUNKS || w.heldTasks + chunk.count <= DEPTH_TASKS;
    }

    // ---------------------------------------------------------------- workers

    /**
     * Starts the workers wanted, outside the lock (a start takes milliseconds).
     *
     * @param rethrow whether a failed start is thrown (at construction) rather than breaking the pool
     */
    private void startWanted(boolean rethrow) {
        while (wanted > 0) {
            int id;
            lock.lock();
            try {
                if (wanted <= 0 || state.compareTo(State.STOPPING) >= 0) {
                    wanted = 0;
                    return;
                }
                wanted--;
                starting++;
                id = nextWorker++;
            } finally {
                lock.unlock();
            }
            WorkerHandle worker;
            try {
                worker = startWorker(id);
            } catch (RuntimeException e) {
                lock.lock();
                try {
                    starting--;
                    finishIfStoppedLocked();
                } finally {
                    lock.unlock();
                }
                if (rethrow) {
                    throw e;
                }
                breakPool(new IllegalStateException("a pool worker could not be started: " + e.getMessage(), e));
                return;
            }
            lock.lock();
            try {
                starting--;
                workers.put(id, worker);
                if (state.compareTo(State.STOPPING) >= 0) {
                    worker.close();
                    if (killing) {
                        worker.process.kill();
                    }
                } else {
                    dispatchLocked();
                }
            } finally {
                lock.unlock();
            }
            watch(worker);
        }
    }

    private WorkerHandle startWorker(int id) {
        Channel inbox = Channel.create();
        try {
            // No JVM option of the pool's own: workers are plain children, which can start as warm spares.
            ChildProcess process = ChildProcess.builder(new WorkerLoop(id, inbox, results, initializer, maxTasksPerChild))
                    .name("PoolWorker-" + id)
                    .daemon(true)
                    .jvmArgs(jvmArgs.toArray(new String[0]))
                    .startMethod(startMethod)
                    .build();
            process.start();
            return new WorkerHandle(id, process, inbox);
        } catch (RuntimeException e) {
            inbox.discard();
            throw e;
        }
    }

    /** Starts the thread that tells the collector when the worker has ended. */
    private void watch(WorkerHandle worker) {
        Thread watcher = new Thread(null, () -> {
            while (true) {
                try {
                    worker.process.join();
                    break;
                } catch (InterruptedException e) {
                    // only the worker's end ends this thread
                }
            }
            int exitCode = worker.process.exitCode().orElse(Integer.MIN_VALUE);
            try {
                results.put(PoolMessages.died(worker.id, worker.pid, exitCode));
            } catch (RuntimeException e) {
                Log.of(PoolEngine.class).log(System.Logger.Level.WARNING, "could not report the end of pool worker "
                        + worker.name(), e);
            }
        }, "mp4j-pool-watcher-" + worker.id, THREAD_STACK_BYTES);
        watcher.setDaemon(true);
        watcher.start();
    }

    // ---------------------------------------------------------------- collector

    private void collect() {
        try {
            while (true) {
                Wire.Reader message;
                try {
                    message = results.take();
                } catch (RuntimeException e) {
                    if (channelFailed(e)) {
                        return;
                    }
                    continue;
                }
                if (message == null) {
                    return; // closed and empty: terminated
                }
                try {
                    handle(message);
                } catch (RuntimeException | LinkageError e) {
                    Log.of(PoolEngine.class).log(System.Logger.Level.ERROR, "the pool could not handle a message", e);
                }
                startWanted(false);
            }
        } finally {
            terminated.countDown();
        }
    }

    /**
     * The result channel could not be read (damaged shared memory): rather than hang, the pool
     * breaks, which kills the workers, and learns of their ends from the processes themselves,
     * since their DIED messages may not come through.
     *
     * @return whether the collector is done
     */
    private boolean channelFailed(RuntimeException e) {
        lock.lock();
        try {
            if (state == State.TERMINATED) {
                return true;
            }
        } finally {
            lock.unlock();
        }
        Log.of(PoolEngine.class).log(System.Logger.Level.ERROR, "the pool's result channel failed", e);
        breakPool(new IllegalStateException("the pool's result channel failed: " + e, e));
        List<WorkerHandle> left;
        lock.lock();
        try {
            left = new ArrayList<>(workers.values());
        } finally {
            lock.unlock();
        }
        for (WorkerHandle w : left) {
            try {
                w.process.join();
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
            died(w.id, w.pid, w.process.exitCode().orElse(Integer.MIN_VALUE));
        }
        return false;
    }

    /**
     * Handles a message, or each message of a batch: first the bookkeeping of all of them under
     * one lock, with one dispatch of the chunks their answers made room for, then, without the
     * lock, the results are read and handed to their owners.
     */
    private void handle(Wire.Reader message) {
        Wire.Reader[] parts = PoolMessages.parts(message);
        byte[] kinds = new byte[parts.length];
        int[] workerIds = new int[parts.length];
        Chunk[] chunks = new Chunk[parts.length];
        lock.lock();
        try {
            for (int i = 0; i < parts.length; i++) {
                kinds[i] = parts[i].getByte();
                workerIds[i] = parts[i].getInt();
                WorkerHandle worker = workers.get(workerIds[i]);
                if (worker == null) {
                    continue;
                }
                if (kinds[i] == PoolMessages.READY) {
                    worker.ready = true;
                } else if (kinds[i] == PoolMessages.RESULTS || kinds[i] == PoolMessages.CHUNK_FAILED) {
                    Chunk chunk = worker.held.remove(parts[i].getLong());
                    if (chunk != null) {
                        worker.heldTasks -= chunk.count;
                        chunks[i] = chunk;
                    }
                }
            }
            dispatchLocked();
            stopIfDoneLocked();
        } finally {
            lock.unlock();
        }
        for (int i = 0; i < parts.length; i++) {
            Wire.Reader in = parts[i];
            Chunk chunk = chunks[i];
            switch (kinds[i]) {
                case PoolMessages.READY:
                    break;
                case PoolMessages.RESULTS:
                    if (chunk != null) {
                        Object[] values;
                        try {
                            values = ValueSection.read(in, chunk.owner.loader());
                        } catch (RuntimeException e) {
                            chunk.owner.failed(chunk, e);
                            break;
                        }
                        chunk.owner.completed(chunk, values);
                    }
                    break;
                case PoolMessages.CHUNK_FAILED:
                    if (chunk != null) {
                        chunk.owner.failed(chunk, ValueSection.readFailure(in.rest(), chunk.owner.loader()));
                    }
                    break;
                case PoolMessages.INIT_FAILED: {
                    Throwable failure = ValueSection.readFailure(in.rest(), PoolEngine.class.getClassLoader());
                    breakPool(new IllegalStateException("the initializer failed in pool worker " + workerIds[i] + ": "
                            + failure, failure));
                    break;
                }
                case PoolMessages.DIED:
                    died(workerIds[i], in.getLong(), in.getInt());
                    break;
                default:
                    throw new IllegalStateException("unknown pool message kind " + kinds[i]);
            }
        }
    }

    private void died(int workerId, long pid, int exitCode) {
        WorkerHandle worker;
        List<Chunk> lost;
        boolean bootFailure;
        lock.lock();
        try {
            worker = workers.remove(workerId);
            if (worker == null) {
                return;
            }
            lost = new ArrayList<>(worker.held.values());
            worker.held.clear();
            bootFailure = !worker.ready && exitCode > 0 && state.compareTo(State.STOPPING) < 0;
            if (!worker.retiring && state.compareTo(State.STOPPING) < 0) {
                wanted++;
            }
            dispatchLocked();
            stopIfDoneLocked();
            finishIfStoppedLocked();
        } finally {
            lock.unlock();
        }
        worker.inbox.discard();
        Throwable cause = worker.process.failure().orElse(null);
        if (!lost.isEmpty() || exitCode != 0) {
            Log.of(PoolEngine.class).log(System.Logger.Level.DEBUG, "pool worker {0} (pid {1}) ended with exit code {2}"
                    + " holding {3} chunks", worker.name(), Long.toString(pid), exitCode, lost.size());
        }
        for (Chunk chunk : lost) {
            chunk.owner.failed(chunk, new WorkerDiedException(worker.name(), pid, exitCode, cause));
        }
        if (bootFailure) {
            breakPool(new IllegalStateException("pool worker " + worker.name() + " (pid " + pid + ") ended with exit code "
                    + exitCode + " before it was ready" + (cause == null ? "" : ": " + cause), cause));
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
            pending.removeIf(c -> c.owner.abandoned());
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
        stopNow(new CancellationException("the pool was terminated"), null);
    }

    private void breakPool(RuntimeException reason) {
        stopNow(reason, reason);
    }

    private List<ChunkOwner> stopNow(RuntimeException failure, RuntimeException brokenBy) {
        List<Chunk> lost = new ArrayList<>();
        List<ChunkOwner> neverSent = new ArrayList<>();
        List<WorkerHandle> toKill;
        lock.lock();
        try {
            if (brokenBy != null && broken == null && state != State.TERMINATED) {
                broken = brokenBy;
            }
            for (Chunk c : pending) {
                neverSent.add(c.owner);
            }
            lost.addAll(pending);
            pending.clear();
            for (WorkerHandle w : workers.values()) {
                lost.addAll(w.held.values());
                w.held.clear();
                w.heldTasks = 0;
                w.close();
            }
            toKill = new ArrayList<>(workers.values());
            killing = true;
            wanted = 0;
            if (state.compareTo(State.STOPPING) < 0) {
                state = State.STOPPING;
            }
            finishIfStoppedLocked();
        } finally {
            lock.unlock();
        }
        for (Chunk c : lost) {
            c.owner.failed(c, failure);
        }
        for (WorkerHandle w : toKill) {
            w.process.kill();
        }
        return neverSent;
    }

    private void stopIfDoneLocked() {
        if (state != State.SHUTDOWN || drivers > 0) {
            return;
        }
        Iterator<Chunk> it = pending.iterator();
        while (it.hasNext()) {
            if (!it.next().owner.abandoned()) {
                return;
            }
        }
        for (WorkerHandle w : workers.values()) {
            if (!w.held.isEmpty()) {
                return;
            }
        }
        pending.clear();
        state = State.STOPPING;
        wanted = 0;
        for (WorkerHandle w : workers.values()) {
            w.close(); // it ends when it finds its inbox closed and empty
            if (!w.ready) {
                // Still booting, it may not have opened its inbox, which closing just removed: it
                // would fail to boot. It has done nothing yet, so it may as well end now.
                w.process.kill();
            }
        }
        finishIfStoppedLocked();
    }

    private void finishIfStoppedLocked() {
        if (state == State.STOPPING && workers.isEmpty() && starting == 0) {
            state = State.TERMINATED;
            results.close(); // the collector takes what is left, then ends
        }
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
        return terminated.getCount() == 0;
    }

    /**
     * Waits for {@link #isTerminated}. Returns false at once when called from the collector
     * thread (a future's callback), which would otherwise wait for itself.
     *
     * @throws InterruptedException when interrupted while waiting
     */
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        if (Thread.currentThread() == collector) {
            return isTerminated();
        }
        return terminated.await(timeout, unit);
    }

    private void awaitTermination(Duration timeout) {
        try {
            awaitTermination(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** @return whether the calling thread is the collector, which must not wait for results */
    public boolean isCollectorThread() {
        return Thread.currentThread() == collector;
    }

    /** @return the process ids of the live workers, oldest first */
    public List<Long> workerPids() {
        lock.lock();
        try {
            List<Long> pids = new ArrayList<>();
            for (WorkerHandle w : workers.values()) {
                pids.add(w.pid);
            }
            return pids;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        lock.lock();
        try {
            int held = 0;
            for (WorkerHandle w : workers.values()) {
                held += w.held.size();
            }
            return "state=" + state.name().toLowerCase() + ", " + workers.size() + " workers, " + held + " chunks held, "
                    + pending.size() + " waiting" + (broken != null ? ", broken: " + broken.getMessage() : "");
        } finally {
            lock.unlock();
        }
    }
}
