package io.github.multiprocessing4j.internal.pool;

import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Stops chunks that run too long or were cancelled with {@code cancel(true)}: first softly, then
 * by killing their worker. A softer {@code ExecutorService} cannot be had across processes: a
 * thread in another JVM cannot be stopped, only its process.
 *
 * <p>Implementation notes. A timed chunk's clock starts when its worker says it started it
 * ({@link PoolMessages#STARTED}). When the time is up, or the chunk is cancelled, the chunk gets
 * its {@link Chunk#stopFailure} (a {@link TimeoutException} or a {@link CancellationException})
 * and its worker is told on its control channel to interrupt it: a chunk that ends then (it
 * returns or throws) fails with that failure and the worker lives on. A chunk still held by its
 * worker {@code interruptGrace} later, if it was known to run (its worker started it and has not
 * answered it, or answered the interrupt with {@link PoolMessages#INTERRUPTING}), has its worker
 * killed by pid: the {@link WorkerSupervisor} then fails it with its stop failure, and sends the
 * worker's other chunks, which it never started, to other workers. The clocks are one timer
 * thread's, started with the first clock; every action is checked again under the pool's lock,
 * since the chunk may have been answered, or its worker have died, meanwhile.
 */
final class TaskStopper {
    private final ReentrantLock lock;
    private final WorkerSupervisor supervisor;
    private final long graceNanos;
    /** Started with the first clock; guarded by the lock. */
    private ScheduledThreadPoolExecutor timer;
    private boolean closed;

    TaskStopper(ReentrantLock lock, WorkerSupervisor supervisor, long graceNanos) {
        this.lock = lock;
        this.supervisor = supervisor;
        this.graceNanos = graceNanos;
    }

    /** A worker started a chunk: a timed one gets its clock. With the lock held. */
    void startedLocked(WorkerHandle worker, Chunk chunk) {
        if (chunk.timeoutNanos > 0 && chunk.stopFailure == null) {
            schedule(() -> timedOut(worker, chunk), chunk.timeoutNanos);
        }
    }

    /**
     * {@code cancel(true)} of a chunk that a worker holds: it is interrupted if it runs, skipped
     * if it has not started. With the lock held.
     *
     * @return whether a worker held it (else the caller drops it from the queue)
     */
    boolean cancelLocked(Chunk chunk) {
        WorkerHandle worker = holderOf(chunk);
        if (worker == null) {
            return false;
        }
        if (chunk.stopFailure == null) {
            chunk.stopFailure = new CancellationException("cancelled while in pool worker " + worker.name() + " (pid "
                    + worker.pid() + ")");
            interruptLocked(worker, chunk);
        }
        return true;
    }

    /** The worker interrupted the chunk, which was running: it has the grace to end. With the lock held. */
    void interruptingLocked(WorkerHandle worker, Chunk chunk) {
        schedule(() -> killIfStillHeld(worker, chunk), graceNanos);
    }

    private void timedOut(WorkerHandle worker, Chunk chunk) {
        lock.lock();
        try {
            if (!holds(worker, chunk) || chunk.stopFailure != null) {
                return;
            }
            chunk.stopFailure = new TimeoutException("the task ran longer than its timeout of "
                    + Duration.ofNanos(chunk.timeoutNanos) + " in pool worker " + worker.name() + " (pid " + worker.pid()
                    + ")");
            interruptLocked(worker, chunk);
            // Known to run (it was started and not answered): killed after the grace even if the
            // worker cannot say it interrupted it.
            schedule(() -> killIfStillHeld(worker, chunk), graceNanos);
        } finally {
            lock.unlock();
        }
    }

    private void interruptLocked(WorkerHandle worker, Chunk chunk) {
        if (worker.control != null) {
            try {
                worker.control.put(PoolMessages.interrupt(chunk.id));
            } catch (RuntimeException closed) {
                // the worker is ending: its DIED settles the chunk
            }
        }
    }

    private void killIfStillHeld(WorkerHandle worker, Chunk chunk) {
        lock.lock();
        try {
            if (!holds(worker, chunk) || worker.stopped) {
                return;
            }
            worker.stopped = true; // no more chunks; it is replaced when its DIED is read
        } finally {
            lock.unlock();
        }
        worker.process.kill();
    }

    private boolean holds(WorkerHandle worker, Chunk chunk) {
        return supervisor.worker(worker.id) == worker && worker.held.get(chunk.id) == chunk;
    }

    private WorkerHandle holderOf(Chunk chunk) {
        for (WorkerHandle w : supervisor.workers()) {
            if (w.held.get(chunk.id) == chunk) {
                return w;
            }
        }
        return null;
    }

    /** Runs {@code action} on the pool's timer thread after {@code delayNanos} (not once the pool has terminated). With the lock held. */
    void schedule(Runnable action, long delayNanos) {
        if (closed) {
            return;
        }
        if (timer == null) {
            timer = new ScheduledThreadPoolExecutor(1, r -> {
                Thread t = new Thread(r, "mp4j-pool-timer");
                t.setDaemon(true);
                return t;
            });
            timer.setRemoveOnCancelPolicy(true);
        }
        timer.schedule(action, delayNanos, TimeUnit.NANOSECONDS);
    }

    /** Ends the timer thread: the pool has terminated. With the lock held. */
    void closeLocked() {
        closed = true;
        if (timer != null) {
            timer.shutdownNow();
        }
    }
}
