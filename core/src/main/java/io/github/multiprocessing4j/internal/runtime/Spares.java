package io.github.multiprocessing4j.internal.launch;

import io.github.multiprocessing4j.internal.util.Log;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Child JVMs booted ahead of need, per launch configuration: the warm start method.
 *
 * <p>Implementation notes. A spare is a child JVM started with {@link ChildMain} like any other,
 * whose bootstrap message is simply not written yet: it prepares what does not depend on who it
 * will be ({@link ChildMain#prepareSpare}) and blocks reading stdin. {@code start()} takes it and
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
 * class of the target that the child before it ran ({@link Started#firstClass}), likely the
 * next target's as well.
 */
public final class Spares {
    /** How long a refill waits for the child that triggered it to boot. */
    private static final long BOOT_WAIT_NANOS = TimeUnit.SECONDS.toNanos(10);

    /** What must match for a spare to be used: the JVM options, environment and working directory. */
    public static final class Key {
        private final List<String> jvmOptions;
        private final Map<String, String> environment;
        private final Path workingDirectory;

        public Key(List<String> jvmOptions, Map<String, String> environment, Path workingDirectory) {
            this.jvmOptions = List.copyOf(jvmOptions);
            this.environment = Map.copyOf(environment);
            this.workingDirectory = workingDirectory;
        }

        @Override
        public boolean equals(Object o) {
            if (!(o instanceof Key)) {
                return false;
            }
            Key k = (Key) o;
            return jvmOptions.equals(k.jvmOptions) && environment.equals(k.environment)
                    && java.util.Objects.equals(workingDirectory, k.workingDirectory);
        }

        @Override
        public int hashCode() {
            return java.util.Objects.hash(jvmOptions, environment, workingDirectory);
        }
    }

    /** A booted JVM waiting for its message, with what its reaper will need. */
    public static final class Spare {
        public final Process process;
        public final ChildCommand command;
        public final ProcessBuilder builder;

        Spare(Process process, ChildCommand command, ProcessBuilder builder) {
            this.process = process;
            this.command = command;
            this.builder = builder;
        }
    }

    /** What a refill watches: the child that a start just launched. */
    public interface Started {
        /** @return whether the child has booted (recorded itself), whether or not it still runs */
        boolean booted();

        /** @return whether the child has ended and its end is settled */
        boolean ended();

        /**
         * @return the class whose code the child runs first (a lambda target's capturing class),
         *     which the next spare loads ahead, or null; called on the spares' thread
         */
        String firstClass();
    }

    /** How a spare's process is configured: the caller's redirects, environment and directory. */
    public interface Launcher {
        ProcessBuilder processBuilder(List<String> commandLine);
    }

    private static final Map<Key, java.util.ArrayDeque<Spare>> READY = new HashMap<>();
    /** How many spares are booting or about to, per configuration. */
    private static final Map<Key, Integer> FILLING = new HashMap<>();
    /** What the spares' thread has to do: one request per spare to boot. */
    private static final java.util.concurrent.BlockingQueue<Refill> REFILLS = new java.util.concurrent.LinkedBlockingQueue<>();
    private static Thread filler;
    /** Counts {@link #discardAll} calls: a request made before one is dropped. Guarded by Spares.class. */
    private static long generation;
    /** Whether the spares' thread is working on a request. Guarded by Spares.class. */
    private static boolean busy;

    private record Refill(Key key, Started child, Launcher launcher, long generation) {
    }

    private Spares() {
    }

    /** @return the spare of {@code key}, which the caller now owns, or null when there is none */
    public static synchronized Spare take(Key key) {
        java.util.ArrayDeque<Spare> ready = READY.get(key);
        Spare spare;
        while (ready != null && (spare = ready.poll()) != null) {
            if (spare.process.isAlive()) {
                return spare;
            }
            spare.command.childExited();
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
    public static synchronized void refillAfterBoot(Key key, int wanted, boolean tookSpare, Started child,
                                                    Launcher launcher) {
        int ready = READY.containsKey(key) ? READY.get(key).size() : 0;
        int filling = FILLING.getOrDefault(key, 0);
        int target = tookSpare ? Math.min(ready + filling + 1, Runtime.getRuntime().availableProcessors()) : wanted;
        if (ready + filling >= target) {
            return;
        }
        FILLING.put(key, filling + 1);
        REFILLS.add(new Refill(key, child, launcher, generation));
        if (filler == null) {
            filler = new Thread(Spares::fill, "mp4j-spares");
            filler.setDaemon(true);
            filler.start();
        }
    }

    /** The spares' thread: boots a spare for each request, once the child that made it has booted. */
    private static void fill() {
        while (true) {
            Refill refill;
            try {
                refill = REFILLS.take();
            } catch (InterruptedException e) {
                continue; // nobody interrupts this thread on purpose; it serves the whole JVM
            }
            synchronized (Spares.class) {
                if (refill.generation != generation) {
                    continue; // discarded
                }
                busy = true;
            }
            Spare spare = null;
            try {
                if (awaitBoot(refill)) {
                    spare = spawn(refill.key, refill.launcher, refill.child.firstClass());
                }
            } catch (RuntimeException e) {
                Log.of(Spares.class).log(System.Logger.Level.DEBUG, "could not boot a spare JVM", e);
            } finally {
                synchronized (Spares.class) {
                    if (refill.generation == generation) {
                        FILLING.merge(refill.key, -1, Integer::sum);
                        if (spare != null) {
                            READY.computeIfAbsent(refill.key, k -> new java.util.ArrayDeque<>()).add(spare);
                            spare = null;
                        }
                    }
                }
                if (spare != null) {
                    end(List.of(spare)); // discarded while it was being booted
                }
                synchronized (Spares.class) {
                    busy = false;
                    Spares.class.notifyAll();
                }
            }
        }
    }

    /**
     * Ends every spare of this JVM and waits for them to exit: spares are invisible to the
     * program, but a test that checks for leftover processes, or a program that wants none,
     * can have them gone.
     */
    public static void discardAll() {
        List<Spare> spares = new ArrayList<>();
        synchronized (Spares.class) {
            generation++;
            REFILLS.clear();
            FILLING.clear();
            READY.values().forEach(spares::addAll);
            READY.clear();
            while (busy) { // a spare being booted now is discarded before this returns
                try {
                    Spares.class.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        end(spares);
    }

    /** Ends spares (EOF on stdin before any message) and waits until they have exited. */
    private static void end(List<Spare> spares) {
        for (Spare spare : spares) {
            try {
                spare.process.getOutputStream().close(); // EOF before any message: it exits
            } catch (IOException e) {
                // gone already
            }
        }
        for (Spare spare : spares) {
            try {
                if (!spare.process.waitFor(5, TimeUnit.SECONDS)) {
                    spare.process.destroyForcibly().waitFor();
                }
            } catch (InterruptedException e) {
                spare.process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
            spare.command.childExited();
        }
    }

    /**
     * @return whether this JVM has spares, ready or booting: its next children, for which its
     *     tree's table is kept (see {@code ChildProcess})
     */
    public static synchronized boolean anyHeld() {
        return readyCount() > 0 || FILLING.values().stream().anyMatch(n -> n > 0);
    }

    /** @return how many spares are ready, for tests */
    public static synchronized int readyCount() {
        int count = 0;
        for (java.util.ArrayDeque<Spare> ready : READY.values()) {
            count += ready.size();
        }
        return count;
    }

    /** @return the pids of the spares that are ready, for tests */
    public static synchronized Set<Long> readyPids() {
        Set<Long> pids = new HashSet<>();
        for (java.util.ArrayDeque<Spare> ready : READY.values()) {
            for (Spare spare : ready) {
                pids.add(spare.process.pid());
            }
        }
        return pids;
    }

    /** @return whether the child of {@code refill} booted; false when it did not, or the request was discarded */
    private static boolean awaitBoot(Refill refill) {
        long deadline = System.nanoTime() + BOOT_WAIT_NANOS;
        while (System.nanoTime() - deadline < 0) {
            synchronized (Spares.class) {
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
                return false;
            }
        }
        return false;
    }

    /** @return a new spare of {@code key}, or null when it could not be started */
    private static Spare spawn(Key key, Launcher launcher, String firstClass) {
        ChildCommand command = ChildCommand.buildSpare(key.jvmOptions, firstClass);
        ProcessBuilder builder = launcher.processBuilder(command.line());
        try {
            return new Spare(builder.start(), command, builder);
        } catch (IOException e) {
            Log.of(Spares.class).log(System.Logger.Level.DEBUG, "could not boot a spare JVM: {0}", e.getMessage());
            command.childExited();
            return null;
        }
    }
}
