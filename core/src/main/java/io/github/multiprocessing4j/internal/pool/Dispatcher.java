package io.github.multiprocessing4j.internal.pool;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The pool's dispatch policy: the chunks waiting for a worker, in submission order, and which
 * worker gets each. Pure bookkeeping, always called with the pool's lock held: it gives chunks
 * to {@link WorkerHandle#send} (which only records them) and leaves the inboxes to its caller.
 *
 * <p>Implementation notes. A chunk goes to a worker only when the worker can take it: it holds
 * nothing; or the time of what it holds is known, and the chunk's tasks are known to be short
 * and fit with the held ones within {@value #DEPTH_TASKS} tasks and about {@value #DEPTH_NANOS}
 * ns of work (the worker's {@linkplain WorkerHandle#taskNanos task time} for each
 * {@linkplain Chunk#kind kind} of task, which it reports with each answer); or it holds one
 * chunk whose tasks are known to end within about {@value #PREFETCH_NANOS} ns; and never while
 * its held work has run well past what its task time foretold ({@link WorkerHandle#isOverdue}:
 * the time of a lambda's tasks, short ones before, says nothing of a long one among them). So a
 * worker of short or middling tasks has its next chunk at hand (no round trip between two
 * chunks), small tasks are pipelined deep enough that
 * messages do not set their pace, and yet no chunk waits behind a task that may run long while
 * another worker idles, as CPython's workers, which take their tasks from one shared queue, never
 * wait (a chunk in a worker's inbox comes back only if the worker gives it back unstarted:
 * {@link WorkerHandle#askRelease}, when a task time proves wrong). The price is a round trip per worker
 * before its second chunk of a kind of tasks it has not run yet (a new map call's first chunks).
 * Until 2026-12-05 the depth in tasks held whatever the tasks' length: a map of one 1.5 s task
 * and fifteen of 0.1 s, chunks of one, went out 8 and 8 at once and took 2.2 s, where CPython's
 * pool took 1.5. Until 2026-12-06 a worker was given a second chunk whatever its first held:
 * tasks submitted as a 1,000 ms one and three of 100 ms took 1,100 ms on a pool of two (the
 * second short task behind the long one), CPython's 1,001; a map of a 600 ms task and fifteen of
 * 30 ms, chunks of one, 632 ms against 601. A worker's task time is kept per kind of task: a
 * map call's function, or the class of a task submitted on its own (its lambda); so a map's first
 * chunks, or a new lambda's, go out one to a worker until answers say how long its tasks take,
 * and none waits behind them. Until 2026-12-06 all tasks submitted one by one were one kind: after
 * thousands of tiny tasks, a long one of another lambda looked tiny, and a pool whose workers have
 * no control channel to give a chunk back (a backend's) let the short tasks submitted with it
 * wait behind it. (Forgetting the
 * time whenever a worker came to hold nothing did not do: a worker of tiny tasks whose answers
 * came back together held nothing after each batch, and the pool ran at a third of its speed
 * with chunks of one.) Among the workers
 * that can take it, the one holding the fewest tasks gets it, a ready one when they hold as
 * many: a worker still booting is idle, not slow, and boots in less time than most tasks take.
 * But workers do not boot at once (on two processors, a pool's second worker came up 0-27 ms
 * after its first, in a program's first map, where the first ran all its own chunks in 9 ms), so
 * a booting worker's chunks stay in this process until it is ready ({@link WorkerHandle#flush}),
 * and when a ready worker holds nothing and nothing waits, the chunks of the workers still
 * booting are taken back ({@link WorkerHandle#takeBackUnsent}) and given to ready workers. A
 * chunk that no worker can take waits, and so do those behind it: chunks go out in order, as
 * answers come back. A worker that reaches {@code maxTasksPerChild} chunks gets no more; it ends
 * by itself once it has run them, and its caller starts a replacement.
 */
final class Dispatcher {
    /** A worker that holds chunks is given another while it fits in this many held tasks of known time... */
    static final int DEPTH_TASKS = 256;
    /** ...and in about this much of their work, by the worker's task time (small chunks are pipelined deep)... */
    static final long DEPTH_NANOS = 1_000_000;
    /**
     * ...or while it holds fewer chunks than this, the one it holds known to end within
     * {@link #PREFETCH_NANOS}: the next chunk waits there at most that long, and a worker of
     * longer tasks loses a round trip (under a millisecond) per 20 ms or more of work.
     */
    static final int DEPTH_CHUNKS = 2;
    /** How long the work a worker holds may take, by its task time, for it to be given its next chunk ahead. */
    static final long PREFETCH_NANOS = 20_000_000;

    private final int maxTasksPerChild;
    private final ArrayDeque<Chunk> waiting = new ArrayDeque<>();
    /** Workers that reached their quota since {@link #takeRetired}. */
    private int retired;

    /** @param maxTasksPerChild chunks a worker is given in all; 0 for no limit */
    Dispatcher(int maxTasksPerChild) {
        this.maxTasksPerChild = maxTasksPerChild;
    }

    /** Queues chunks behind those waiting; {@link #dispatch} sends them. */
    void add(List<Chunk> chunks) {
        waiting.addAll(chunks);
    }

    /**
     * Gives the waiting chunks, in order, to the workers that can take them, until one cannot be
     * placed; chunks whose owner abandoned them are dropped on the way.
     *
     * @return how many chunks were given: their messages wait in the workers' handles, to be flushed
     */
    int dispatch(Collection<WorkerHandle> workers) {
        long now = System.nanoTime(); // one instant: the placing itself (milliseconds in a new JVM) makes no work overdue
        int sent = place(workers, false, now);
        if (waiting.isEmpty() && anyIdleReady(workers)) {
            for (WorkerHandle w : workers) {
                retry(w.takeBackUnsent());
            }
            sent += place(workers, true, now);
        }
        return sent;
    }

    /** @return whether a ready worker holds nothing: it may take what booting workers hold, or what busy ones give back */
    static boolean anyIdleReady(Collection<WorkerHandle> workers) {
        for (WorkerHandle w : workers) {
            if (w.ready && w.held.isEmpty() && !w.retiring && !w.closed && !w.stopped) {
                return true;
            }
        }
        return false;
    }

    /**
     * Gives the waiting chunks, in order, to the workers that can take them, until one cannot be
     * placed; to ready workers only when {@code readyOnly} (chunks taken back from booting ones).
     */
    private int place(Collection<WorkerHandle> workers, boolean readyOnly, long now) {
        int sent = 0;
        while (!waiting.isEmpty()) {
            Chunk chunk = waiting.peekFirst();
            if (chunk.owner.abandoned()) {
                waiting.pollFirst();
                continue;
            }
            WorkerHandle worker = choose(workers, chunk, readyOnly, now);
            if (worker == null) {
                break;
            }
            waiting.pollFirst();
            worker.send(chunk);
            sent++;
            if (maxTasksPerChild > 0 && worker.assigned >= maxTasksPerChild) {
                worker.retiring = true;
                retired++;
            }
        }
        return sent;
    }

    /** @return how many workers reached their quota since the last call, each to be replaced */
    int takeRetired() {
        int n = retired;
        retired = 0;
        return n;
    }

    private static WorkerHandle choose(Collection<WorkerHandle> workers, Chunk chunk, boolean readyOnly, long now) {
        WorkerHandle best = null;
        for (WorkerHandle w : workers) {
            if (w.retiring || w.closed || w.stopped || (readyOnly && !w.ready) || !canTake(w, chunk, now)) {
                continue;
            }
            if (best == null || w.heldTasks < best.heldTasks || (w.heldTasks == best.heldTasks && w.ready && !best.ready)) {
                best = w;
            }
        }
        return best;
    }

    private static boolean canTake(WorkerHandle w, Chunk chunk, long now) {
        if (w.held.isEmpty()) {
            return true;
        }
        if (w.isOverdue(now)) {
            return false;
        }
        long heldWork = w.heldWorkNanos();
        if (heldWork < 0) {
            return false; // what it holds may run long: nothing waits behind it
        }
        long work = w.workNanos(chunk);
        if (work >= 0 && w.heldTasks + chunk.count <= DEPTH_TASKS && heldWork + work <= DEPTH_NANOS) {
            return true;
        }
        return w.held.size() < DEPTH_CHUNKS && heldWork <= PREFETCH_NANOS;
    }

    /** Puts chunks back at the head of the queue, in their order: they are sent before the others. */
    void retry(List<Chunk> chunks) {
        for (int i = chunks.size() - 1; i >= 0; i--) {
            waiting.addFirst(chunks.get(i));
        }
    }

    /** Drops the waiting chunks whose owner no longer wants them. */
    void dropAbandoned() {
        waiting.removeIf(c -> c.owner.abandoned());
    }

    /** @return whether a waiting chunk is still wanted */
    boolean hasWanted() {
        for (Chunk c : waiting) {
            if (!c.owner.abandoned()) {
                return true;
            }
        }
        return false;
    }

    /** @return the waiting chunks, now removed */
    List<Chunk> drain() {
        List<Chunk> all = new ArrayList<>(waiting);
        waiting.clear();
        return all;
    }

    int waitingCount() {
        return waiting.size();
    }
}
