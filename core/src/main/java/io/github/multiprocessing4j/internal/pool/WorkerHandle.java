package io.github.multiprocessing4j.internal.pool;

import io.github.multiprocessing4j.internal.serial.Wire;
import io.github.multiprocessing4j.spi.PoolWorker;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The parent's view of one worker: its process, its inbox and the chunks it holds (sent, not
 * answered). Guarded by the pool's lock. The {@link Dispatcher} uses only the bookkeeping
 * ({@link #send} does not touch the inbox), so its tests make handles without process or inbox.
 *
 * <p>Implementation notes. A worker waits for its next chunk by polling its inbox, and a wait
 * of more than half a second polls every 20 ms (see {@code Backoff}): a pool that idled for a
 * second, as a service's between requests, saw its next task start up to 20 ms late. So a chunk
 * put into the inbox of a worker that held nothing for {@value #WAKE_AFTER_IDLE_NANOS} ns or more
 * comes with a nudge ({@link PoolWorker#wake}: a byte down its lifeline, a system call here and a
 * thread's wake-up there), and so does the inbox's close that ends it. A worker busy or idle for
 * less is not nudged: it looks within its next pause, at most about as long as its idleness.
 */
final class WorkerHandle {
    /** How long a worker has held nothing before a chunk for it comes with a nudge (see the class notes). */
    static final long WAKE_AFTER_IDLE_NANOS = 1_000_000;
    /** How far past twice its task time a worker's held work may run before it counts as {@linkplain #isOverdue overdue}. */
    static final long OVERDUE_SLACK_NANOS = 5_000_000;
    /** How many kinds of task a worker's task times are kept for, the last it ran. */
    static final int TASK_KINDS = 16;
    /** The longest a chunk's work is foretold to be (about 13 days): the sums of held work cannot overflow. */
    private static final long LONGEST_FORETOLD_NANOS = 1L << 50;
    /** What a parked worker's end wakes: no collector reads its channel. */
    static final Runnable NOBODY = () -> { };

    final int id;
    final PoolWorker process;
    final MessageChannel inbox;
    /** Where it is asked to interrupt a chunk ({@link TaskStopper}); null for a backend's worker. */
    final MessageChannel control;
    /** Chunks sent and not answered, in the order sent. */
    final HeldChunks held = new HeldChunks();
    /**
     * Functions the worker has cached: the same LRU operations in the same order as the worker's.
     * Changed only by {@link #send} and {@link #takeBackUnsent}, which keep {@link #lastFunction}.
     */
    final Map<Long, Boolean> functions = WorkerLoop.lruCache(WorkerLoop.FUNCTION_CACHE);
    /**
     * The function most recently sent or named, the one {@link #functions} holds last; -1 for none.
     * Naming it again leaves the cache as it is, so a map call's chunks skip the map.
     */
    private long lastFunction = -1;
    /** Messages given by {@link #send} and not yet put into the inbox: {@code byte[]}s, or {@link Wire.Spliced} chunks. */
    private final List<Object> outgoing = new ArrayList<>();
    /** {@link System#nanoTime()} when it last came to hold nothing (its start, before its first chunk). */
    private long idleSince = System.nanoTime();
    /**
     * {@link System#nanoTime()} of its last answer, or of the chunk that ended its idling, or of
     * its READY: the work it holds has run since then.
     */
    long workingSince = System.nanoTime();
    /** The chunk this worker was asked to give back ({@link #askRelease}), until it does or answers it; null for none. */
    private Chunk releaseAsked;
    /** The next {@link #flush} nudges the worker: a chunk came after it idled (see the class notes). */
    private boolean wakeDue;
    int heldTasks;
    /** The work of the chunks it holds whose time was foretold when sent ({@link Chunk#foretoldNanos}), in ns. */
    private long heldWorkNanos;
    /** How many chunks it holds whose time was not known when sent. */
    private int heldUnforetold;
    /**
     * How long a task of each {@linkplain Chunk#kind kind} took on the worker, in ns: a moving
     * average over its answers; the {@value #TASK_KINDS} kinds it ran last (see {@link Dispatcher}).
     */
    private final Map<Long, Long> taskNanosByKind = WorkerLoop.lruCache(TASK_KINDS);
    /**
     * The kind looked up or answered last, and its task time (-1 when not known): a map call's
     * chunks ask again and again. Its time goes into {@link #taskNanosByKind} only when another
     * kind is asked for ({@link #switchKind}): an answer of the same kind touches no map.
     */
    private long lastKind = -1;
    private long lastKindNanos = -1;
    /** {@link #lastKindNanos} changed since it was read from or put into {@link #taskNanosByKind}. */
    private boolean lastKindChanged;
    /** Chunks sent in all, for {@code maxTasksPerChild}. */
    int assigned;
    /** Booted and initialised. */
    boolean ready;
    /** Has been sent its quota of chunks: it ends once they are done, and gets no more. */
    boolean retiring;
    /** Its inbox is closed: it ends once the inbox is empty. */
    boolean closed;
    /**
     * Ended by the pool's decision: killed for a chunk it did not stop in time, or past its memory
     * limit. It gets no more chunks, and those it held but never started go to other workers.
     */
    boolean stopped;

    /** Set by its watcher once the worker's process has ended. */
    volatile boolean exited;
    /** Whether its watcher reports its end on the result channel: not once its parked group is ended on purpose. */
    volatile boolean reportsEnd = true;
    /** Wakes the collector of the pool the worker serves now, once its end is reported (a parked worker: nobody). */
    volatile Runnable wakeCollector = NOBODY;

    WorkerHandle(int id, PoolWorker process, MessageChannel inbox) {
        this(id, process, inbox, null);
    }

    WorkerHandle(int id, PoolWorker process, MessageChannel inbox, MessageChannel control) {
        this.id = id;
        this.process = process;
        this.inbox = inbox;
        this.control = control;
    }

    /**
     * Gives the worker a chunk, defining its function first when the worker lacks it. The
     * messages go out at the next {@link #flush()}.
     */
    void send(Chunk chunk) {
        FunctionRef function = chunk.function;
        if (function != null && function.id != lastFunction) {
            if (functions.get(function.id) == null) {
                outgoing.add(function.defineMessage);
                functions.put(function.id, Boolean.TRUE);
            }
            lastFunction = function.id;
        }
        outgoing.add(chunk.message);
        if (held.isEmpty()) {
            workingSince = System.nanoTime();
            if (workingSince - idleSince >= WAKE_AFTER_IDLE_NANOS) {
                wakeDue = true;
            }
        }
        held.add(chunk);
        if (chunk.event != null) {
            chunk.event.sentTo(pid());
        }
        heldTasks += chunk.count;
        chunk.foretoldNanos = workNanos(chunk);
        if (chunk.foretoldNanos < 0) {
            heldUnforetold++;
        } else {
            heldWorkNanos += chunk.foretoldNanos;
        }
        assigned++;
    }

    /** @return whether the worker has held no chunk for {@code nanos} or more at {@code now} ({@link System#nanoTime()}) */
    boolean idleFor(long now, long nanos) {
        return held.isEmpty() && now - idleSince >= nanos;
    }

    /**
     * Asks the worker to have its pool code compiled ({@link PoolMessages#WARM_UP}): the message
     * goes out at the next {@link #flush()}, after what was sent before it.
     */
    void sendWarmUp() {
        outgoing.add(PoolMessages.warmUp());
    }

    /**
     * Holds chunk {@code chunkId} no more (answered, or given back), and no longer waits for it to
     * be given back.
     *
     * @param now {@link System#nanoTime()}: when it idles from, if this was its last chunk
     * @return the chunk; null when it was not held
     */
    private Chunk letGo(long chunkId, long now) {
        Chunk chunk = held.remove(chunkId);
        if (releaseAsked == chunk) {
            releaseAsked = null;
        }
        if (chunk != null) {
            heldTasks -= chunk.count;
            if (chunk.foretoldNanos < 0) {
                heldUnforetold--;
            } else {
                heldWorkNanos -= chunk.foretoldNanos;
            }
            if (held.isEmpty()) {
                idleSince = now;
            }
        }
        return chunk;
    }

    /**
     * Forgets every chunk it holds, when it ends or the pool is killed.
     *
     * @return the chunks, in the order sent
     */
    List<Chunk> dropHeld() {
        List<Chunk> chunks = held.inOrder();
        held.clear();
        heldTasks = 0;
        heldWorkNanos = 0;
        heldUnforetold = 0;
        return chunks;
    }

    /**
     * Puts what {@link #send} gave into the inbox, as one message when there are several, once the
     * worker is {@link #ready}: until then its chunks stay here, where {@link #takeBackUnsent}
     * can give them to a worker that booted first. Nudges a worker that had idled.
     *
     * @return whether it nudged the worker: it had idled, and so had the pool's wait for answers
     */
    boolean flush() {
        if (!ready || outgoing.isEmpty()) {
            return false;
        }
        if (PoolMessages.worthBatching(outgoing)) {
            inbox.put(PoolMessages.batch(outgoing));
        } else {
            for (Object message : outgoing) {
                inbox.put(message);
            }
        }
        outgoing.clear();
        if (!wakeDue) {
            return false;
        }
        wakeDue = false;
        process.wake();
        return true;
    }

    /**
     * A chunk was answered: it is held no more.
     *
     * @param taskNanos how long each of its tasks took on the worker (its run time over its
     *     tasks), or -1 when the answer does not say (a chunk that failed as a whole)
     * @return the chunk; null when it was not held (answered already, or taken back)
     */
    Chunk answered(long chunkId, long taskNanos) {
        long now = System.nanoTime();
        Chunk chunk = letGo(chunkId, now); // when it was asked back, it had started: its answer came
        if (chunk != null) {
            workingSince = now;
            if (taskNanos >= 0) {
                taskTook(chunk.kind, taskNanos);
            }
        }
        return chunk;
    }

    /**
     * @return when the chunks it holds behind the one it runs should go to a worker that is free
     *     ({@link #askRelease}), by {@link System#nanoTime()}: once its held work runs past what
     *     its task time foretold ({@link #isOverdue}), or at once when that time is not known;
     *     {@link Long#MAX_VALUE} when it holds nothing to give back: no control channel (a
     *     backend's worker), fewer than two chunks, not ready or ending, or asked already
     */
    long releaseDueAt() {
        if (control == null || !ready || stopped || closed || held.size() < 2 || releaseAsked != null) {
            return Long.MAX_VALUE;
        }
        return heldUnforetold > 0 ? workingSince : overdueAt();
    }

    /**
     * Asks the worker, on its control channel, to give back the last chunk it holds if it has not
     * started it ({@link PoolMessages#RELEASE}): it answers {@link PoolMessages#RELEASED} and
     * skips the chunk, or runs it and answers as usual. One request at a time.
     */
    void askRelease() {
        Chunk last = held.newest();
        releaseAsked = last;
        try {
            control.put(PoolMessages.release(last.id));
        } catch (RuntimeException closed) {
            // the worker is ending: its DIED settles what it holds
        }
    }

    /**
     * The worker gave a chunk back before it started it: it is held no more, and goes to another.
     *
     * @return the chunk; null when it was not held
     */
    Chunk released(long chunkId) {
        return letGo(chunkId, System.nanoTime());
    }

    /** The worker's READY came: what it was given while it booted starts now. */
    void becameReady() {
        ready = true;
        workingSince = System.nanoTime();
    }

    /**
     * @param now {@link System#nanoTime()}
     * @return whether the work it holds has run well past what its task time foretold (twice that,
     *     and {@value #OVERDUE_SLACK_NANOS} ns) at {@code now}: a task longer than those of its kind
     *     before it, such as a long one among short tasks of the same lambda, holds the worker, and
     *     nothing more should wait behind it
     */
    boolean isOverdue(long now) {
        return ready && heldUnforetold == 0 && !held.isEmpty() && now - overdueAt() > 0;
    }

    /** @return when the work it holds counts as overdue, by {@link System#nanoTime()}; its time must have been foretold */
    private long overdueAt() {
        return workingSince + 2 * heldWorkNanos + OVERDUE_SLACK_NANOS;
    }

    /** @return the work of the chunks it holds, in ns, as foretold when each was sent; -1 when one's was not known */
    long heldWorkNanos() {
        return heldUnforetold > 0 ? -1 : heldWorkNanos;
    }

    /** @return how long {@code chunk}'s tasks would take on the worker in all, in ns, by its task time; -1 when not known */
    long workNanos(Chunk chunk) {
        long taskNanos = taskNanos(chunk.kind);
        if (taskNanos < 0) {
            return -1;
        }
        return taskNanos > LONGEST_FORETOLD_NANOS / chunk.count ? LONGEST_FORETOLD_NANOS : taskNanos * chunk.count;
    }

    /** @return how long a task of {@code kind} took on the worker, in ns; -1 when not known */
    long taskNanos(long kind) {
        if (kind != lastKind) {
            switchKind(kind);
        }
        return lastKindNanos;
    }

    /** Counts an answer's task time into the average of its kind's. */
    void taskTook(long kind, long taskNanos) {
        if (kind != lastKind) {
            switchKind(kind);
        }
        lastKindNanos = lastKindNanos < 0 ? taskNanos : (lastKindNanos + taskNanos) / 2;
        lastKindChanged = true;
    }

    /** Makes {@code kind} the {@link #lastKind}, its time read from the kinds' map, the last one's put there first. */
    private void switchKind(long kind) {
        if (lastKindChanged) {
            taskNanosByKind.put(lastKind, lastKindNanos);
            lastKindChanged = false;
        }
        lastKindNanos = taskNanosByKind.getOrDefault(kind, -1L);
        lastKind = kind;
    }

    /**
     * Takes back the chunks of a worker not ready yet, none of which left this process: they and
     * the functions that would have gone with them are forgotten, as if never sent.
     *
     * @return the chunks, in the order sent; none when the worker is ready or retiring
     */
    List<Chunk> takeBackUnsent() {
        if (ready || retiring || held.isEmpty()) {
            return List.of();
        }
        List<Chunk> chunks = dropHeld();
        outgoing.clear();
        functions.clear(); // it has been sent nothing: its cache is empty
        lastFunction = -1;
        assigned -= chunks.size();
        return chunks;
    }

    /** Closes the inbox: the worker ends once it has emptied it. Nudges it, as it may have idled long. */
    void close() {
        if (!closed) {
            closed = true;
            inbox.close();
            process.wake();
            if (control != null) {
                control.close(); // its reader, a daemon thread, ends with the worker anyway
            }
        }
    }

    /**
     * {@return whether the worker could serve another pool as it is} ({@link PoolParking}): booted,
     * holding nothing and owing nothing (no chunk asked back, nothing unsent), neither leaving nor ended
     */
    boolean isParkable() {
        return ready && !retiring && !closed && !stopped && held.isEmpty() && releaseAsked == null && outgoing.isEmpty()
                && !exited;
    }

    /** @return the worker's pid; -1 while a remote worker has not been placed yet */
    long pid() {
        return process.pid();
    }

    String name() {
        return process.name();
    }
}
