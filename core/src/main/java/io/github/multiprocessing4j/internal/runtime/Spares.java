package io.github.multiprocessing4j.internal.runtime;

import io.github.multiprocessing4j.internal.launch.ChildCommand;
import io.github.multiprocessing4j.internal.util.Log;

import java.io.IOException;
import java.util.ArrayList;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Child JVMs booted ahead of need, per launch configuration: the warm start method.
 *
 * <p>Implementation notes. A spare is a child JVM started with {@code ChildMain} like any other,
 * whose bootstrap message is simply not written yet: it prepares what does not depend on who it
 * will be ({@code ChildMain.prepareSpare}) and blocks reading stdin. {@code start()} takes it and
 * writes the message; the spare becomes the child. Its stdin is the lifeline as for any child,
 * so a spare whose parent dies reads EOF before any message and exits: spares are daemons of
 * their creator without anything more. A new spare is booted only after the child that used the
 * last one has booted (it has recorded itself in the tree's table), so the two do not compete
 * for the CPU, and never for a configuration whose child failed to boot (a bad JVM option would
 * only fail again, in the background). A configuration keeps as many spares as it had children
 * running at once, up to the number of processors: every spare taken is replaced, and a cold
 * start adds one while there are fewer spares than running children (a program that starts its
 * workers together gets them all warm the next time; one that starts one child at a time keeps
 * one). One daemon thread of the JVM boots the spares, in the order asked. A spare loads the
 * class of the target that the child before it ran (the capturing class of a lambda), likely
 * the next target's as well, and initialises the classes it is given ({@link #Spares(Supplier)}).
 * One instance per JVM, owned by the {@link RuntimeContext}.
 */
public final class Spares {
    /** How long a refill waits for the child that triggered it to boot. */
    private static final long BOOT_WAIT_NANOS = TimeUnit.SECONDS.toNanos(10);

    /**
     * A booted JVM waiting for its message, with what its reaper will need.
     *
     * @param process the spare's process, its stdin not written yet
     * @param command its command line
     * @param builder how it was started
     */
    record Spare(Process process, ChildCommand command, ProcessBuilder builder) {
    }

    private final Map<LaunchConfiguration, ArrayDeque<Spare>> ready = new HashMap<>();
    /** How many spares are booting or about to, per configuration. Guarded by this. */
    private final Map<LaunchConfiguration, Integer> filling = new HashMap<>();
    /** What the spares' thread has to do: one request per spare to boot. */
    private final BlockingQueue<Refill> refills = new LinkedBlockingQueue<>();
    /** The names of the classes every spare initialises ahead ({@link ChildCommand#buildSpare}). */
    private final Supplier<List<String>> warmUpClasses;
    /** The spares' thread, or null before the first request and once it ended (interrupted). Guarded by this. */
    private Thread filler;
    /** Counts {@link #discardAll} calls: a request made before one is dropped. Guarded by this. */
    private long generation;
    /** Whether the spares' thread is working on a request. Guarded by this. */
    private boolean busy;

    private record Refill(LaunchConfiguration key, ChildRun child, long generation) {
    }

    /** @param warmUpClasses the names of the classes every spare initialises ahead, asked at each spare's boot */
    Spares(Supplier<List<String>> warmUpClasses) {
        this.warmUpClasses = warmUpClasses;
    }

    /** @return the spare of {@code key}, which the caller now owns, or null when there is none */
    synchronized Spare take(LaunchConfiguration key) {
        ArrayDeque<Spare> queue = ready.get(key);
        Spare spare;
        while (queue != null && (spare = queue.poll()) != null) {
            if (spare.process().isAlive()) {
                return spare;
            }
            spare.command().childExited();
        }
        return null;
    }

    /**
     * Boots a spare for {@code key} in the background, once {@code child} (just started with that
     * configuration) has booted: when the child took a spare (it is replaced, up to one per
     * processor), or when fewer than {@code wanted} spares are ready or booting. A taken spare
     * is always replaced because counting would miss the spares that other children of the same
     * burst are about to take (a pool's workers start one after the other). The spares are booted
     * by one daemon thread of this JVM, created on the first request: a thread created by each
     * {@code start()} would compete with the starting child for the processors.
     *
     * @param tookSpare whether {@code child} started in a spare
     */
    synchronized void refillAfterBoot(LaunchConfiguration key, int wanted, boolean tookSpare, ChildRun child) {
        int readyNow = ready.containsKey(key) ? ready.get(key).size() : 0;
        int fillingNow = filling.getOrDefault(key, 0);
        int target = tookSpare ? Math.min(readyNow + fillingNow + 1, Runtime.getRuntime().availableProcessors()) : wanted;
        if (readyNow + fillingNow >= target) {
            return;
        }
        filling.put(key, fillingNow + 1);
        refills.add(new Refill(key, child, generation));
        if (filler == null) {
            filler = new Thread(this::fill, "mp4j-spares");
            filler.setDaemon(true);
            filler.start();
        }
    }

    /**
     * The spares' thread: boots a spare for each request, once the child that made it has booted.
     * Interrupted, it drops the requests not yet served and ends at once: whoever interrupts it
     * wants it gone (Maven's {@code exec:java} interrupts the threads the program left, then
     * waits 15 s for each one that does not end). The next request starts a new one.
     */
    private void fill() {
        while (true) {
            Refill refill;
            try {
                refill = refills.take();
            } catch (InterruptedException e) {
                synchronized (this) {
                    refills.clear();
                    filling.clear(); // it counted only the requests just dropped: none is being served
                    filler = null;
                }
                return;
            }
            synchronized (this) {
                if (refill.generation != generation) {
                    continue; // discarded
                }
                busy = true;
            }
            Spare spare = null;
            try {
                if (awaitBoot(refill)) {
                    spare = spawn(refill.key, refill.child.request().targetClass());
                }
            } catch (RuntimeException e) {
                Log.of(Spares.class).log(System.Logger.Level.DEBUG, "could not boot a spare JVM", e);
            } finally {
                synchronized (this) {
                    if (refill.generation == generation) {
                        filling.merge(refill.key, -1, Integer::sum);
                        if (spare != null) {
                            ready.computeIfAbsent(refill.key, k -> new ArrayDeque<>()).add(spare);
                            spare = null;
                        }
                    }
                }
                if (spare != null) {
                    end(List.of(spare)); // discarded while it was being booted
                }
                synchronized (this) {
                    busy = false;
                    notifyAll();
                }
            }
        }
    }

    /**
     * Ends every spare of this JVM and waits for them to exit: spares are invisible to the
     * program, but a test that checks for leftover processes, or a program that wants none,
     * can have them gone.
     */
    void discardAll() {
        List<Spare> spares;
        synchronized (this) {
            spares = dropAll();
            while (busy) { // a spare being booted now is discarded before this returns
                try {
                    wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        end(spares);
    }

    /**
     * At this JVM's exit: drops every spare and every refill not yet booted, and closes the
     * spares' lifelines without waiting for them to exit (they read EOF and exit at once, as they
     * would when this JVM is gone).
     */
    void stopAtExit() {
        List<Spare> spares;
        synchronized (this) {
            spares = dropAll();
        }
        closeLifelines(spares);
    }

    /** @return every ready spare, no longer this object's; refills asked so far are cancelled */
    private List<Spare> dropAll() {
        assert Thread.holdsLock(this);
        generation++;
        refills.clear();
        filling.clear();
        List<Spare> spares = new ArrayList<>();
        ready.values().forEach(spares::addAll);
        ready.clear();
        return spares;
    }

    /** Ends spares (EOF on stdin before any message) and waits until they have exited. */
    private static void end(List<Spare> spares) {
        closeLifelines(spares);
        for (Spare spare : spares) {
            try {
                if (!spare.process().waitFor(5, TimeUnit.SECONDS)) {
                    spare.process().destroyForcibly().waitFor();
                }
            } catch (InterruptedException e) {
                spare.process().destroyForcibly();
                Thread.currentThread().interrupt();
            }
            spare.command().childExited();
        }
    }

    private static void closeLifelines(List<Spare> spares) {
        for (Spare spare : spares) {
            try {
                spare.process().getOutputStream().close(); // EOF before any message: it exits
            } catch (IOException e) {
                // gone already
            }
        }
    }

    /**
     * @return whether this JVM has spares, ready or booting: its next children, for which its
     *     tree's table is kept (see {@link RuntimeContext})
     */
    synchronized boolean anyHeld() {
        return readyCount() > 0 || filling.values().stream().anyMatch(n -> n > 0);
    }

    /** @return how many spares are ready, for tests */
    public synchronized int readyCount() {
        int count = 0;
        for (ArrayDeque<Spare> queue : ready.values()) {
            count += queue.size();
        }
        return count;
    }

    /** @return the pids of the spares that are ready, for tests */
    public synchronized Set<Long> readyPids() {
        Set<Long> pids = new HashSet<>();
        for (ArrayDeque<Spare> queue : ready.values()) {
            for (Spare spare : queue) {
                pids.add(spare.process().pid());
            }
        }
        return pids;
    }

    /** @return whether the child of {@code refill} booted; false when it did not, or the request was discarded */
    private boolean awaitBoot(Refill refill) {
        long deadline = System.nanoTime() + BOOT_WAIT_NANOS;
        while (System.nanoTime() - deadline < 0) {
            synchronized (this) {
                if (refill.generation != generation) {
                    return false;
                }
            }
            if (refill.child.booted()) {
                return true;
            }
            if (refill.child.ended()) {
                return refill.child.booted(); // it may have booted, run and ended between two looks
            }
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // the spares' thread ends: see fill()
                return false;
            }
        }
        return false;
    }

    /** @return a new spare of {@code key}, or null when it could not be started */
    private Spare spawn(LaunchConfiguration key, String firstClass) {
        ChildCommand command = ChildCommand.buildSpare(key.classPath(), key.jvmOptions(), firstClass,
                warmUpClasses.get());
        ProcessBuilder builder = key.processBuilder(command.line());
        try {
            return new Spare(ChildOutput.start(builder), command, builder);
        } catch (IOException e) {
            Log.of(Spares.class).log(System.Logger.Level.DEBUG, "could not boot a spare JVM: {0}", e.getMessage());
            command.childExited();
            return null;
        }
    }
}
