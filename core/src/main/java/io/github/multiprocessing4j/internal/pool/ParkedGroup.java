package io.github.multiprocessing4j.internal.pool;

import java.util.List;

/**
 * The workers of a closed pool, with the result channel they answer on, waiting in
 * {@link PoolParking} for a pool of the same configuration to adopt them; or, once their time is
 * up, ended. Touched by one thread at a time: the one that took it out of the parking.
 */
final class ParkedGroup {
    /** The configuration a pool must have to adopt the group ({@link PoolEngine}). */
    final Object key;
    /** The channel the workers answer on; the adopting pool's collector reads it. */
    final MessageChannel results;
    /** The workers, ready and idle, with their inboxes and function-cache mirrors. */
    final List<WorkerHandle> workers;
    /** {@link System#nanoTime()} when the group is ended unless adopted. */
    final long expiresAt;
    /** Run once the group has ended of its time: the launcher may prepare a next pool's workers. */
    private final Runnable afterExpiry;

    ParkedGroup(Object key, MessageChannel results, List<WorkerHandle> workers, long expiresAt, Runnable afterExpiry) {
        this.key = key;
        this.results = results;
        this.workers = List.copyOf(workers);
        this.expiresAt = expiresAt;
        this.afterExpiry = afterExpiry;
    }

    /** @return the same group, ended at the expiry thread's next look, asking no spares (a worker died) */
    ParkedGroup expiringNow() {
        return new ParkedGroup(key, results, workers, System.nanoTime(), () -> { });
    }

    /**
     * @return whether none of its workers has ended: neither marked by its watcher nor gone from
     *     the system (the mark comes once the process is reaped, a moment after its death)
     */
    boolean allAlive() {
        for (WorkerHandle worker : workers) {
            if (worker.exited || !ProcessHandle.of(worker.pid()).map(ProcessHandle::isAlive).orElse(false)) {
                return false;
            }
        }
        return true;
    }

    /** Closes the workers' inboxes (each ends once it finds its own closed and empty); their ends go unreported. */
    void closeInboxes() {
        for (WorkerHandle worker : workers) {
            worker.reportsEnd = false;
            worker.close();
        }
    }

    /**
     * Waits up to {@code graceNanos} for the workers to exit, kills those left and waits for them,
     * then frees the inboxes, the control channels and the result channel. An interrupt kills
     * the ones left at once (the status is set again).
     */
    void awaitExits(long graceNanos) {
        long deadline = System.nanoTime() + graceNanos;
        boolean interrupted = false;
        for (WorkerHandle worker : workers) {
            while (!worker.exited && !interrupted && deadline - System.nanoTime() > 0) {
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    interrupted = true; // the ones left are killed
                }
            }
            if (!worker.exited) {
                worker.process.kill();
                WorkerSupervisor.awaitExit(worker.process);
            }
        }
        freeChannels();
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Frees the inboxes, the control channels and the result channel (whatever they hold is thrown away). */
    void freeChannels() {
        for (WorkerHandle worker : workers) {
            worker.inbox.discard();
            if (worker.control != null) {
                worker.control.discard();
            }
        }
        results.discard();
    }

    /** The group has ended of its time. */
    void ended() {
        afterExpiry.run();
    }
}
