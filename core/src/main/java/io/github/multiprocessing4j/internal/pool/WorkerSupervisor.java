package io.github.multiprocessing4j.internal.pool;

import io.github.multiprocessing4j.internal.events.FlightEvents;
import io.github.multiprocessing4j.internal.events.PoolTaskEvent;
import io.github.multiprocessing4j.internal.util.Log;
import io.github.multiprocessing4j.spi.PoolWorker;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Starts a pool's workers, watches them, and replaces those that end while the pool runs.
 *
 * <p>Implementation notes. A worker starts outside the pool's lock (a start takes milliseconds),
 * through the pool's {@link WorkerLauncher}. A watcher thread per worker waits for the worker's
 * exit and then writes a {@code DIED} message on the result channel. The worker's own messages
 * were all written before it exited, and a message it was writing when killed is completed or
 * dropped by the queue's repair (which the watcher's put triggers), so when the collector reads
 * {@code DIED} it has already read every answer the worker gave: the chunks the worker still
 * holds are exactly the ones it never answered, and they fail with the configured "worker died"
 * exception, or, when the pool retries, go back to the head of the dispatcher's queue while they
 * have retries left (a late answer of the dead worker is ignored, since the worker is no longer
 * known: a result is never delivered twice, though a retried task may have run twice). A
 * replacement is started; a worker that reached {@code maxTasksPerChild} chunks is
 * replaced as soon as its last chunk is sent. A worker the pool ended itself ({@link WorkerHandle#stopped}:
 * killed by the {@link TaskStopper}, or past its memory limit) fails only the chunk it was
 * stopped for, with that chunk's stop failure; the others it held never started, and go back to
 * the head of the queue without counting as retries.
 *
 * <p>A worker that ends before it was ready with an exit code above 0 (its JVM could not boot,
 * or its initializer threw) breaks the pool: restarting it would fail the same way for ever,
 * which is CPython's behaviour.
 */
final class WorkerSupervisor {
    private static final long THREAD_STACK_BYTES = 256 * 1024;

    private final PoolEngine engine;
    private final ReentrantLock lock;
    private final PoolConfig config;
    private final WorkerLauncher launcher;
    private final MessageChannel results;
    private final ChannelFactory channels;
    /** Makes the workers' control channels; null when they have none (a backend's workers). */
    private final ChannelFactory controls;
    /** The live workers, oldest first; guarded by the lock. */
    private final Map<Integer, WorkerHandle> workers = new LinkedHashMap<>();
    /** Workers to start (written under the lock, read without it as a hint). */
    private volatile int wanted;
    /** Workers being started, outside the lock. */
    private int starting;
    /** Ids of workers being started whose READY came before they were known (a fast boot); guarded by the lock. */
    private final Set<Integer> readyBeforeKnown = new HashSet<>();
    private int nextWorker = 1;

    WorkerSupervisor(PoolEngine engine, PoolConfig config, WorkerLauncher launcher, ChannelFactory channels,
                     ChannelFactory controls, MessageChannel results) {
        this.channels = channels;
        this.controls = controls;
        this.engine = engine;
        this.lock = engine.lock;
        this.config = config;
        this.launcher = launcher;
        this.results = results;
        this.wanted = config.processes();
    }

    /** @return the live workers; with the lock held */
    Collection<WorkerHandle> workers() {
        return workers.values();
    }

    /** @return the worker, or null when it has ended; with the lock held */
    WorkerHandle worker(int id) {
        return workers.get(id);
    }

    /** @return whether no worker is alive or starting; with the lock held */
    boolean noneLeft() {
        return workers.isEmpty() && starting == 0;
    }

    /** Asks for {@code n} more workers, started at the next {@link #startWanted}; with the lock held. */
    void want(int n) {
        wanted += n;
    }

    /** Starts no more workers; with the lock held. */
    void wantNone() {
        wanted = 0;
    }

    /**
     * Starts the workers wanted, outside the lock.
     *
     * @param rethrow whether a failed start is thrown (at construction) rather than breaking the pool
     */
    void startWanted(boolean rethrow) {
        while (wanted > 0) {
            int id;
            lock.lock();
            try {
                if (wanted <= 0 || engine.isStoppingLocked()) {
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
                    engine.finishIfStoppedLocked();
                } finally {
                    lock.unlock();
                }
                if (rethrow) {
                    throw e;
                }
                engine.breakPool(new IllegalStateException("a pool worker could not be started: " + e.getMessage(), e));
                return;
            }
            lock.lock();
            try {
                starting--;
                workers.put(id, worker);
                worker.ready = readyBeforeKnown.remove(id);
                engine.workerStartedLocked(worker);
            } finally {
                lock.unlock();
            }
            watch(worker);
        }
    }

    private WorkerHandle startWorker(int id) {
        MessageChannel inbox = channels.create();
        MessageChannel control = null;
        try {
            control = controls == null ? null : controls.create();
            WorkerLoop loop = new WorkerLoop(id, inbox, results, config.initializer(), config.maxTasksPerChild(),
                    config.invoker(), control, config.maxMemoryPerChild());
            boolean replacementsExpected = config.maxTasksPerChild() > 0 || config.maxMemoryPerChild() > 0
                    || id > config.processes();
            WorkerHandle worker = new WorkerHandle(id, launcher.start("PoolWorker-" + id, loop, config.jvmArgs(),
                    replacementsExpected), inbox, control);
            worker.wakeCollector = engine::wakeCollector;
            return worker;
        } catch (RuntimeException e) {
            inbox.discard();
            if (control != null) {
                control.discard();
            }
            throw e;
        }
    }

    /**
     * Takes over the workers of a parked group ({@link PoolParking}) as this pool's own, booted and
     * ready: before the collector starts. They keep their ids, so the messages they write on the
     * group's result channel, which this pool reads, name them as before.
     */
    void adopt(List<WorkerHandle> parked) {
        lock.lock();
        try {
            for (WorkerHandle worker : parked) {
                workers.put(worker.id, worker);
                worker.wakeCollector = engine::wakeCollector;
                nextWorker = Math.max(nextWorker, worker.id + 1);
                wanted--;
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Gives up every worker, for a next pool ({@link PoolParking}), when all {@code processes} of
     * them could serve it as they are ({@link WorkerHandle#isParkable}) and none is starting;
     * with the lock held.
     *
     * @return the workers, no longer this pool's; null when they cannot be parked (nothing changed)
     */
    List<WorkerHandle> detachAllLocked(int processes) {
        if (starting > 0 || workers.size() != processes) {
            return null;
        }
        for (WorkerHandle worker : workers.values()) {
            if (!worker.isParkable()) {
                return null;
            }
        }
        List<WorkerHandle> detached = new ArrayList<>(workers.values());
        workers.clear();
        for (WorkerHandle worker : detached) {
            worker.wakeCollector = WorkerHandle.NOBODY;
        }
        return detached;
    }

    /** The pool has ended: its launcher may prepare a next pool's workers. */
    void poolEnded() {
        launcher.poolEnded(config.processes());
    }

    /**
     * The collector read the READY of a worker not known yet: one being started, whose boot was
     * faster than its start's bookkeeping. With the lock held.
     */
    void readyBeforeKnown(int workerId) {
        if (workerId >= nextWorker) {
            return; // not a worker of this pool's
        }
        readyBeforeKnown.add(workerId);
    }

    /** Starts the thread that tells the collector when the worker has ended. */
    private void watch(WorkerHandle worker) {
        Thread watcher = new Thread(null, () -> {
            awaitExit(worker.process);
            worker.exited = true;
            if (!worker.reportsEnd) {
                return; // its parked group was ended: nobody reads the channel any more
            }
            try {
                // the channel of the pool it serves now: an adopting pool reads its group's channel
                results.put(PoolMessages.died(worker.id, worker.pid(), worker.process.exitCode()));
                worker.wakeCollector.run(); // a pool's close waits for this news
            } catch (RuntimeException e) {
                Log.of(WorkerSupervisor.class).log(System.Logger.Level.WARNING, "could not report the end of pool worker "
                        + worker.name(), e);
            }
        }, "mp4j-pool-watcher-" + worker.id, THREAD_STACK_BYTES);
        watcher.setDaemon(true);
        watcher.start();
    }

    /** Waits for the worker's end; an interrupt does not end the wait (only the worker's end does). */
    static void awaitExit(PoolWorker process) {
        while (true) {
            try {
                process.join();
                return;
            } catch (InterruptedException e) {
                // only the worker's end ends this wait
            }
        }
    }

    /**
     * A worker has ended (its {@code DIED} message was read, or the pool learnt it otherwise):
     * fails the chunks it held, starts a replacement when the pool runs, and breaks the pool when
     * it ended before it was ready.
     */
    void ended(int workerId, long pid, int exitCode) {
        WorkerHandle worker;
        List<Chunk> lost = new ArrayList<>();
        List<Chunk> retried = new ArrayList<>();
        List<Chunk> stoppedChunks = new ArrayList<>();
        List<Chunk> again = new ArrayList<>();
        boolean bootFailure;
        boolean running;
        lock.lock();
        try {
            worker = workers.remove(workerId);
            if (worker == null) {
                return;
            }
            running = !engine.isStoppingLocked();
            for (Chunk chunk : worker.dropHeld()) {
                if (chunk.stopFailure != null) {
                    stoppedChunks.add(chunk);
                } else if (worker.stopped && running && !chunk.owner.abandoned()) {
                    again.add(chunk); // never started: not a retry
                } else if (running && chunk.retried < config.retries() && !chunk.owner.abandoned()) {
                    chunk.retried++;
                    retried.add(chunk);
                    again.add(chunk);
                } else {
                    lost.add(chunk);
                }
            }
            engine.retryLocked(again);
            bootFailure = !worker.ready && exitCode > 0 && running && !worker.stopped;
            if (!worker.retiring && running) {
                wanted++;
            }
            engine.workerEndedLocked();
        } finally {
            lock.unlock();
        }
        worker.inbox.discard();
        if (worker.control != null) {
            worker.control.discard();
        }
        Throwable cause = worker.process.failure();
        if (!lost.isEmpty() || !retried.isEmpty() || exitCode != 0) {
            Log.of(WorkerSupervisor.class).log(System.Logger.Level.DEBUG, "pool worker {0} (pid {1}) ended with exit code"
                    + " {2} holding {3} chunks ({4} sent again)", worker.name(), Long.toString(pid), exitCode,
                    lost.size() + again.size() + stoppedChunks.size(), again.size());
        }
        for (Chunk chunk : stoppedChunks) {
            chunk.ended(chunk.stopFailure instanceof CancellationException ? PoolTaskEvent.CANCELLED : PoolTaskEvent.FAILED,
                    chunk.count);
            chunk.owner.failed(chunk, chunk.stopFailure);
        }
        if (!lost.isEmpty() || !retried.isEmpty() || (running && !worker.retiring)) {
            FlightEvents.poolWorkerDeath(pid, worker.name(), exitCode, worker.ready, tasks(lost), tasks(retried));
        }
        for (Chunk chunk : lost) {
            chunk.ended(PoolTaskEvent.WORKER_DIED, 0);
            chunk.owner.failed(chunk, config.workerDied().create(worker.name(), pid, exitCode, cause));
        }
        if (bootFailure) {
            engine.breakPool(new IllegalStateException("pool worker " + worker.name() + " (pid " + pid + ") ended with exit"
                    + " code " + exitCode + " before it was ready" + (cause == null ? "" : ": " + cause), cause));
        }
    }

    private static int tasks(List<Chunk> chunks) {
        int tasks = 0;
        for (Chunk chunk : chunks) {
            tasks += chunk.count;
        }
        return tasks;
    }

    /** @return the process ids of the live workers, oldest first; with the lock held */
    List<Long> pidsLocked() {
        List<Long> pids = new ArrayList<>();
        for (WorkerHandle w : workers.values()) {
            long pid = w.pid();
            if (pid > 0) {
                pids.add(pid); // a remote worker not placed yet has none
            }
        }
        return pids;
    }
}
