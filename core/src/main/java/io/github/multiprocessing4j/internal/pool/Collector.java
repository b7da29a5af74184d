package io.github.multiprocessing4j.internal.pool;

import io.github.multiprocessing4j.internal.events.PoolTaskEvent;
import io.github.multiprocessing4j.internal.serial.Serialization;
import io.github.multiprocessing4j.internal.serial.ValueSection;
import io.github.multiprocessing4j.internal.serial.Wire;
import io.github.multiprocessing4j.internal.sync.Wait;
import io.github.multiprocessing4j.internal.util.Log;
import io.github.multiprocessing4j.internal.util.Uninterruptibly;

import java.io.ObjectInputFilter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The thread that reads a pool's result channel and hands each message to whom it concerns:
 * answers to the chunks' owners, the workers' ends to the {@link WorkerSupervisor}, a failed
 * initializer to the engine, which breaks. It ends once the channel is closed and empty, which is
 * when the pool has terminated, or at the message by which the pool parked its workers
 * ({@link PoolParking}): the channel goes on with them, to the pool that adopts them.
 *
 * <p>Implementation notes. A message may be a batch: the bookkeeping of all its parts is done
 * under one turn of the pool's lock, with one dispatch of the chunks their answers made room for;
 * then, without the lock, the results are read and handed to their owners, whose callbacks (a
 * future's dependents) run in this thread. When the channel itself cannot be read (damaged
 * shared memory), the pool breaks rather than hang, and learns of its workers' ends from the
 * processes, since their {@code DIED} messages may not come through.
 */
final class Collector {
    private static final long THREAD_STACK_BYTES = 256 * 1024;

    private final PoolEngine engine;
    private final ReentrantLock lock;
    private final MessageChannel results;
    /** What the answers are deserialized through, in this thread; null for no filter. */
    private final ObjectInputFilter filter;
    /** Run once the pool has terminated and the channel is read empty (frees a backend); may be null. */
    private final Runnable afterEnd;
    private final CountDownLatch ended = new CountDownLatch(1);
    private final Thread thread;
    private WorkerSupervisor supervisor;
    /** Read {@link PoolMessages#DETACHED}: the pool parks its workers, and the channel is theirs now. */
    private boolean detached;
    /** The workers the pool parks, with this channel, once this thread has read up to the DETACHED ({@link #detach}). */
    private volatile ParkedGroup parking;

    Collector(PoolEngine engine, MessageChannel results, ObjectInputFilter filter, Runnable afterEnd) {
        this.afterEnd = afterEnd;
        this.engine = engine;
        this.results = results;
        this.filter = filter;
        this.lock = engine.lock;
        this.thread = new Thread(null, this::collect, "mp4j-pool-collector", THREAD_STACK_BYTES);
        thread.setDaemon(true);
    }

    /** @return the channel the workers answer on */
    MessageChannel results() {
        return results;
    }

    void start(WorkerSupervisor supervisor) {
        this.supervisor = supervisor;
        thread.start();
    }

    boolean isCollectorThread() {
        return Thread.currentThread() == thread;
    }

    boolean hasEnded() {
        return ended.getCount() == 0;
    }

    boolean awaitEnd(long timeout, TimeUnit unit) throws InterruptedException {
        return ended.await(timeout, unit);
    }

    /** Waits for the collector's end; an interrupt does not end the wait (the status is set again). */
    void awaitEndUninterruptibly() {
        Uninterruptibly.await(ended);
    }

    /**
     * Has the collector look for answers at once, and pause briefly again, where it may be parked
     * for up to 20 ms after a long wait: answers are coming soon (an idle worker was just given
     * work, or a worker ended). Never blocks.
     */
    void wake() {
        Wait.wake(thread);
    }

    /** Closes the channel: the collector reads what it holds, then ends. */
    void close() {
        results.close();
    }

    /**
     * Ends the collector without closing the channel, which goes on with the pool's workers
     * ({@link PoolParking}): it reads up to the {@link PoolMessages#DETACHED} written here, then
     * parks {@code group} and ends. So the group is there for a next pool only once this thread
     * reads the channel no more, and before the pool's {@code awaitTermination} returns. Should
     * the collector end otherwise (the channel failed), the group is ended instead.
     */
    void detach(ParkedGroup group) {
        parking = group;
        results.put(PoolMessages.detached());
        wake();
    }

    private void collect() {
        Serialization.filterThisThread(filter);
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
                    Log.of(Collector.class).log(System.Logger.Level.ERROR, "the pool could not handle a message", e);
                }
                if (detached) {
                    return; // what comes after is for the pool that adopts the workers
                }
                supervisor.startWanted(false);
            }
        } finally {
            try {
                ParkedGroup group = parking;
                if (group != null) {
                    PoolParking.park(detached ? group : group.expiringNow());
                }
                if (afterEnd != null) {
                    afterEnd.run();
                }
            } catch (RuntimeException e) {
                Log.of(Collector.class).log(System.Logger.Level.WARNING, "could not free the pool's backend", e);
            } finally {
                ended.countDown();
            }
        }
    }

    /** @return whether the collector is done: the pool had terminated already */
    private boolean channelFailed(RuntimeException e) {
        lock.lock();
        try {
            if (engine.isTerminatedLocked()) {
                return true;
            }
        } finally {
            lock.unlock();
        }
        Log.of(Collector.class).log(System.Logger.Level.ERROR, "the pool's result channel failed", e);
        engine.breakPool(new IllegalStateException("the pool's result channel failed: " + e, e));
        List<WorkerHandle> left;
        lock.lock();
        try {
            left = new ArrayList<>(supervisor.workers());
        } finally {
            lock.unlock();
        }
        for (WorkerHandle w : left) {
            try {
                w.process.join();
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
            supervisor.ended(w.id, w.pid(), w.process.exitCode());
        }
        return false;
    }

    private void handle(Wire.Reader message) {
        Wire.Reader[] parts = PoolMessages.parts(message);
        byte[] kinds = new byte[parts.length];
        int[] workerIds = new int[parts.length];
        Chunk[] chunks = new Chunk[parts.length];
        Throwable[] stops = new Throwable[parts.length];
        lock.lock();
        try {
            for (int i = 0; i < parts.length; i++) {
                kinds[i] = parts[i].getByte();
                workerIds[i] = parts[i].getInt();
                WorkerHandle worker = supervisor.worker(workerIds[i]);
                if (worker == null) {
                    if (kinds[i] == PoolMessages.READY) {
                        supervisor.readyBeforeKnown(workerIds[i]);
                    }
                    continue;
                }
                if (kinds[i] == PoolMessages.READY) {
                    worker.becameReady();
                    engine.workerReadyLocked(worker);
                } else if (kinds[i] == PoolMessages.RESULTS || kinds[i] == PoolMessages.CHUNK_FAILED) {
                    long chunkId = parts[i].getLong();
                    Chunk chunk = worker.answered(chunkId, kinds[i] == PoolMessages.RESULTS ? parts[i].getLong() : -1);
                    if (chunk != null) {
                        chunks[i] = chunk;
                        stops[i] = chunk.stopFailure;
                    }
                } else if (kinds[i] == PoolMessages.STARTED || kinds[i] == PoolMessages.INTERRUPTING) {
                    Chunk chunk = worker.held.get(parts[i].getLong());
                    if (chunk != null && kinds[i] == PoolMessages.STARTED) {
                        engine.stopper().startedLocked(worker, chunk);
                    } else if (chunk != null) {
                        engine.stopper().interruptingLocked(worker, chunk);
                    }
                } else if (kinds[i] == PoolMessages.RELEASED) {
                    Chunk chunk = worker.released(parts[i].getLong());
                    if (chunk != null && chunk.stopFailure != null) {
                        chunks[i] = chunk; // being stopped (cancel(true)): it fails as when skipped, never run elsewhere
                        stops[i] = chunk.stopFailure;
                    } else if (chunk != null) {
                        engine.retryLocked(List.of(chunk)); // ahead of the others: a free worker takes it below
                    }
                } else if (kinds[i] == PoolMessages.OVER_MEMORY) {
                    worker.stopped = true; // it ends: what it holds goes to the others when its DIED is read
                    Log.of(Collector.class).log(System.Logger.Level.DEBUG, "pool worker {0} (pid {1}) passed its memory"
                            + " limit with {2} resident bytes: it is replaced", worker.name(), Long.toString(worker.pid()),
                            Long.toString(parts[i].getLong()));
                }
            }
            engine.answersReadLocked();
        } finally {
            lock.unlock();
        }
        for (int i = 0; i < parts.length; i++) {
            if (stops[i] != null) {
                deliverStopped(kinds[i], parts[i], chunks[i], stops[i]);
            } else {
                deliver(kinds[i], workerIds[i], parts[i], chunks[i]);
            }
        }
    }

    /**
     * The answer of a chunk the pool was stopping (it timed out, or was cancelled with
     * {@code cancel(true)}), which ended by itself once interrupted: it fails with why it was
     * stopped, whatever it answered; the one failure of a single task is kept as the cause.
     */
    private static void deliverStopped(byte kind, Wire.Reader in, Chunk chunk, Throwable stop) {
        if (kind == PoolMessages.RESULTS && chunk.count == 1 && stop.getCause() == null) {
            try {
                Object[] values = ValueSection.read(in, chunk.owner.loader());
                if (values[0] instanceof ValueSection.Failed) {
                    stop.initCause(((ValueSection.Failed) values[0]).cause());
                }
            } catch (RuntimeException | LinkageError unreadable) {
                // the stop failure says enough
            }
        }
        chunk.ended(stop instanceof java.util.concurrent.CancellationException ? PoolTaskEvent.CANCELLED
                : PoolTaskEvent.FAILED, chunk.count);
        chunk.owner.failed(chunk, stop);
    }

    /** Hands a message to whom it concerns; with no lock held. */
    private void deliver(byte kind, int workerId, Wire.Reader in, Chunk chunk) {
        switch (kind) {
            case PoolMessages.READY:
            case PoolMessages.STARTED:
            case PoolMessages.INTERRUPTING:
            case PoolMessages.OVER_MEMORY:
            case PoolMessages.RELEASED:
                break; // bookkeeping only, done under the lock
            case PoolMessages.RESULTS:
                if (chunk != null) {
                    Object packed;
                    Object[] values = null;
                    try {
                        packed = ValueSection.readPacked(in); // ints, longs or doubles: kept unboxed
                        if (packed == null) {
                            values = ValueSection.read(in, chunk.owner.loader());
                        }
                    } catch (RuntimeException e) {
                        chunk.ended(PoolTaskEvent.FAILED, chunk.count);
                        chunk.owner.failed(chunk, e);
                        break;
                    }
                    if (packed != null) {
                        chunk.ended(PoolTaskEvent.COMPLETED, 0);
                        chunk.owner.completedPacked(chunk, packed);
                    } else {
                        chunk.answered(values);
                        chunk.owner.completed(chunk, values);
                    }
                }
                break;
            case PoolMessages.CHUNK_FAILED:
                if (chunk != null) {
                    chunk.ended(PoolTaskEvent.FAILED, chunk.count);
                    chunk.owner.failed(chunk, ValueSection.readFailure(in.rest(), chunk.owner.loader()));
                }
                break;
            case PoolMessages.INIT_FAILED: {
                Throwable failure = ValueSection.readFailure(in.rest(), Collector.class.getClassLoader());
                engine.breakPool(new IllegalStateException("the initializer failed in pool worker " + workerId + ": "
                        + failure, failure));
                break;
            }
            case PoolMessages.DIED:
                supervisor.ended(workerId, in.getLong(), in.getInt());
                break;
            case PoolMessages.DETACHED:
                detached = true;
                break;
            default:
                throw new IllegalStateException("unknown pool message kind " + kind);
        }
    }
}
