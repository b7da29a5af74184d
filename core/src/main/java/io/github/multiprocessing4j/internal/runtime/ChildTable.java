package io.github.multiprocessing4j.internal.runtime;

import io.github.multiprocessing4j.internal.sync.Doorbell;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The children this JVM started and has not reaped yet: what {@code activeChildren()} lists,
 * what the exit hook ends when they are daemons, and what tells the warm start how many spares
 * a configuration wants. Thread-safe.
 *
 * <p>Implementation notes. A child enters the table as soon as its JVM is spawned and leaves it
 * when its reaper has settled its end, so a child that exits between two looks is still listed
 * until it is settled ({@link ChildRun#isAlive()} waits for that moment).
 */
public final class ChildTable implements Doorbell.ChildLifelines {
    /** How long daemon children get to end after SIGTERM at exit before SIGKILL. */
    static final long DAEMON_END_GRACE_MS = 1000;

    private final Set<ChildRun> unreaped = ConcurrentHashMap.newKeySet();
    /**
     * The same runs by pid, for the rings of waiter boards ({@link #ring}); not the table itself,
     * since a pid the kernel gives again before its earlier child is settled would hide that one.
     */
    private final Map<Long, ChildRun> byPid = new ConcurrentHashMap<>();

    /** Adds a spawned child (its pid known). */
    void add(ChildRun child) {
        unreaped.add(child);
        byPid.put(child.pid(), child);
    }

    void remove(ChildRun child) {
        unreaped.remove(child);
        byPid.remove(child.pid(), child);
    }

    @Override
    public boolean ring(int pid) {
        ChildRun child = byPid.get((long) pid);
        return child != null && child.ring();
    }

    /** @return whether every child has been reaped */
    boolean isEmpty() {
        return unreaped.isEmpty();
    }

    /**
     * @param type the class of the objects that own the runs (the public process class)
     * @return the owners of the children still running, reaping (settling) those that have just ended
     */
    public <T> List<T> activeOwners(Class<T> type) {
        List<T> alive = new ArrayList<>();
        for (ChildRun c : unreaped) {
            if (c.isAlive()) {
                alive.add(type.cast(c.owner()));
            }
        }
        return alive;
    }

    /** Has each child's booting record written, where its reaper has not yet ({@link ChildRun#recordBootingNow}). */
    void recordBooting() {
        for (ChildRun c : unreaped) {
            c.recordBootingNow();
        }
    }

    /** @return how many children of {@code configuration} are running (not reaped yet) */
    int running(LaunchConfiguration configuration) {
        int running = 0;
        for (ChildRun c : unreaped) {
            if (c.configuration().equals(configuration)) {
                running++;
            }
        }
        return running;
    }

    /**
     * @param budget tells when a child's record is worth a look, and learns how long a boot takes
     *     from the children found booted
     * @param now {@link System#nanoTime()}
     * @return how many children have been spawned and have neither booted (recorded themselves) nor ended
     */
    int bootingCount(BootBudget budget, long now) {
        int booting = 0;
        for (ChildRun c : unreaped) {
            if (c.stillBooting(budget, now)) {
                booting++;
            }
        }
        return booting;
    }

    /**
     * Ends every daemon child: SIGTERM to all, then SIGKILL to those still there after
     * {@code graceMillis}. Returns once each has ended or been sent SIGKILL.
     */
    void endDaemonChildren(long graceMillis) {
        List<ChildRun> daemons = new ArrayList<>();
        for (ChildRun c : unreaped) {
            if (c.isDaemon() && c.terminateIfRunning()) {
                daemons.add(c);
            }
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(graceMillis);
        for (ChildRun c : daemons) {
            c.killUnlessEndedBy(deadline);
        }
    }
}
