package io.github.multiprocessing4j.internal.pool;

import io.github.multiprocessing4j.internal.util.Log;
import io.github.multiprocessing4j.internal.util.SecondsProperty;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The workers of closed pools, kept a few seconds for the next pool of the same configuration:
 * a program that makes a pool, maps, and closes it, again and again (a pool per request, per
 * batch, per test), gets the last pool's booted and compiled workers instead of new JVMs.
 *
 * <p>Implementation notes. A pool on this machine whose workers all idle when it stops (every
 * chunk answered, none booting, leaving or asked back) and that has no quota of tasks per worker
 * does not close their inboxes: it writes {@link PoolMessages#DETACHED} on
 * its result channel, at which its collector ends (every answer before it was read), and parks
 * the workers with the channel here, as a group ({@link ParkedGroup}). The workers notice
 * nothing: they wait for their next chunk as between two calls. A new pool whose configuration
 * has the same key ({@link PoolEngine}: the launcher's, the process count, the JVM options, the
 * invoker, the memory limit, the initializer's bytes: a kept worker ran its initializer once,
 * and a pool of the same initializer wants no more) adopts the newest such group whole: its collector reads the
 * group's channel, its supervisor takes the workers with their ids and their function-cache
 * mirrors, so both sides stay as they were. Chunk and function ids are unique in the JVM
 * ({@link ChunkFactory}), so a late note of the old pool (a chunk given back) names nothing of
 * the new one. A group waits {@value #KEEP_ALIVE_PROPERTY} seconds (5 by default; 0 parks
 * nothing); then a thread of this class closes its workers' inboxes, waits for their exits,
 * frees the channels, and has the launcher ask for spares as at a pool's end before. A worker
 * that dies while parked (its watcher marks it once it is reaped; before, the system no longer
 * lists it) makes its group one that no pool adopts: the group is ended.
 *
 * <p>Why: measured on the 2-core development VM (2026-12-07), a program that makes a
 * {@code ProcessPool(2)}, maps {@code x * x} over 1,000 ints and closes it, 15 times: 71-215 ms
 * a round, about 180 ms of CPU each (two spares booting for the next pool, the workers' exits),
 * against CPython's fork 9.6 ms; see {@code docs/ARCHITECTURE.md} for the figures with parking.
 */
public final class PoolParking {
    /** The system property: how long, in seconds, a closed pool's workers wait for a next pool (0: not at all). */
    public static final String KEEP_ALIVE_PROPERTY = "mp4j.poolKeepAliveSeconds";
    /** The default of {@value #KEEP_ALIVE_PROPERTY}. */
    static final double DEFAULT_KEEP_ALIVE_SECONDS = 5;
    /** How long a group's workers have to exit once their inboxes are closed before they are killed. */
    private static final long EXIT_GRACE_NANOS = 5_000_000_000L;

    private static final Object LOCK = new Object();
    /** The parked groups, oldest first; guarded by {@link #LOCK}. */
    private static final List<ParkedGroup> PARKED = new ArrayList<>();
    /** Ends the groups whose time is up; started with the first park (again after an interrupt). Guarded by {@link #LOCK}. */
    private static Thread expiry;
    /** Whether the exit hook that frees the groups' channels is added. Guarded by {@link #LOCK}. */
    private static boolean exitHookAdded;

    private PoolParking() {
    }

    /** @return how long a group waits, in ns, read at each park (a malformed or negative value: the default) */
    static long keepAliveNanos() {
        return (long) (SecondsProperty.read(KEEP_ALIVE_PROPERTY, DEFAULT_KEEP_ALIVE_SECONDS) * 1e9);
    }

    /** Keeps a group until its expiry, for {@link #adopt}; the expiry thread ends it then. */
    static void park(ParkedGroup group) {
        synchronized (LOCK) {
            PARKED.add(group);
            startExpiryThread();
            if (!exitHookAdded) {
                Runtime.getRuntime().addShutdownHook(new Thread(PoolParking::releaseAtExit, "mp4j-pool-parking-exit"));
                exitHookAdded = true;
            }
            LOCK.notifyAll();
        }
    }

    /**
     * @return the newest parked group of {@code key}, not expired, whose workers are all alive,
     *     no longer parked; null when there is none (a group found with a dead worker is ended, in
     *     the background)
     */
    static ParkedGroup adopt(Object key) {
        List<ParkedGroup> broken = new ArrayList<>();
        ParkedGroup adopted = null;
        synchronized (LOCK) {
            long now = System.nanoTime();
            for (int i = PARKED.size() - 1; i >= 0 && adopted == null; i--) {
                ParkedGroup group = PARKED.get(i);
                if (group.key.equals(key) && group.expiresAt - now > 0) { // an expired one is being ended
                    PARKED.remove(i);
                    if (group.allAlive()) {
                        adopted = group;
                    } else {
                        broken.add(group);
                    }
                }
            }
            if (!broken.isEmpty()) {
                PARKED.addAll(0, expireNow(broken)); // the expiry thread ends them
                startExpiryThread();
                LOCK.notifyAll();
            }
        }
        return adopted;
    }

    /** Starts the expiry thread unless it runs; with {@link #LOCK} held. */
    private static void startExpiryThread() {
        if (expiry == null) {
            expiry = new Thread(PoolParking::endExpiredGroups, "mp4j-pool-parking");
            expiry.setDaemon(true);
            expiry.start();
        }
    }

    private static List<ParkedGroup> expireNow(List<ParkedGroup> groups) {
        List<ParkedGroup> now = new ArrayList<>();
        for (ParkedGroup group : groups) {
            now.add(group.expiringNow());
        }
        return now;
    }

    /**
     * Ends every parked worker and waits for them (killing those that have not exited within
     * seconds): for {@code Multiprocessing.discardSpares()}. No spare is asked for them.
     */
    public static void discardAll() {
        List<ParkedGroup> all = takeAll();
        for (ParkedGroup group : all) {
            group.closeInboxes(); // all first: the workers exit side by side
        }
        for (ParkedGroup group : all) {
            group.awaitExits(EXIT_GRACE_NANOS);
        }
    }

    /**
     * At this JVM's exit, or when the expiry thread is interrupted: closes the parked workers'
     * inboxes and frees the groups' channels without waiting (the workers end once they find their
     * inboxes gone; at exit, as daemon children, with this process). The channels are
     * segments of the process tree, which outlives a child: a child's pool would otherwise leave
     * them until the tree's root exits.
     */
    private static void releaseAtExit() {
        for (ParkedGroup group : takeAll()) {
            try {
                group.closeInboxes();
                group.freeChannels();
            } catch (RuntimeException e) {
                // exiting: what is left goes with the tree
            }
        }
    }

    /** @return every parked group, none parked any more */
    private static List<ParkedGroup> takeAll() {
        synchronized (LOCK) {
            List<ParkedGroup> all = new ArrayList<>(PARKED);
            PARKED.clear();
            return all;
        }
    }

    /** @return the pids of the workers parked now (none listed among a program's active children) */
    public static Set<Long> parkedPids() {
        synchronized (LOCK) {
            if (PARKED.isEmpty()) {
                return Set.of();
            }
            Set<Long> pids = new HashSet<>();
            for (ParkedGroup group : PARKED) {
                for (WorkerHandle worker : group.workers) {
                    pids.add(worker.pid());
                }
            }
            return pids;
        }
    }

    /** @return how many workers are parked now */
    public static int parkedWorkers() {
        synchronized (LOCK) {
            int workers = 0;
            for (ParkedGroup group : PARKED) {
                workers += group.workers.size();
            }
            return workers;
        }
    }

    /**
     * The expiry thread: ends each group once its time is up. Interrupted, it lets every group go
     * at once (as at exit) and ends: whoever interrupts a library thread wants it gone (Maven's
     * {@code exec:java} interrupts the threads a program left, then waits 15 s for each one that
     * does not end), and the next park starts a new one.
     */
    private static void endExpiredGroups() {
        while (true) {
            List<ParkedGroup> expired = new ArrayList<>();
            synchronized (LOCK) {
                while (expired.isEmpty()) {
                    if (Thread.interrupted()) {
                        expiry = null;
                        break;
                    }
                    long now = System.nanoTime();
                    long soonest = Long.MAX_VALUE;
                    for (int i = 0; i < PARKED.size(); ) {
                        ParkedGroup group = PARKED.get(i);
                        if (group.expiresAt - now <= 0) {
                            expired.add(PARKED.remove(i));
                        } else {
                            soonest = Math.min(soonest, group.expiresAt - now);
                            i++;
                        }
                    }
                    if (expired.isEmpty()) {
                        waitOnLock(soonest);
                    }
                }
            }
            if (expired.isEmpty()) {
                releaseAtExit(); // interrupted
                return;
            }
            for (ParkedGroup group : expired) {
                try {
                    group.closeInboxes();
                    group.awaitExits(EXIT_GRACE_NANOS);
                    group.ended();
                } catch (RuntimeException e) {
                    Log.of(PoolParking.class).log(System.Logger.Level.WARNING, "could not end a parked pool's workers", e);
                }
            }
        }
    }

    /** Waits on the lock, held, for up to {@code nanos}; an interrupt comes back as the thread's status. */
    private static void waitOnLock(long nanos) {
        try {
            if (nanos == Long.MAX_VALUE) {
                LOCK.wait();
            } else {
                LOCK.wait(Math.max(1, nanos / 1_000_000), 0);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // looked at next: see endExpiredGroups
        }
    }
}
