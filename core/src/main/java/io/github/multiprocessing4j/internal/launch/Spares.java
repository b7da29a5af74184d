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
 * last one has booted (it has recorded itself in the tree's table), so the two do not compete for the CPU,
 * and never for a configuration whose child failed to boot (a bad JVM option would only fail
 * again, in the background). A configuration keeps as many spares as the caller wants: as many
 * as its children that ran at once when one was last started, up to the number of processors
 * (a program that starts its workers together gets them all warm the next time; one that starts
 * one child at a time keeps one spare).
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
    }

    /** How a spare's process is configured: the caller's redirects, environment and directory. */
    public interface Launcher {
        ProcessBuilder processBuilder(List<String> commandLine);
    }

    private static final Map<Key, java.util.ArrayDeque<Spare>> READY = new HashMap<>();
    /** How many spares are booting, per configuration. */
    private static final Map<Key, Integer> FILLING = new HashMap<>();

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
     * Boots a spare for {@code key} in the background, once process {@code childPid} (just
     * started with that configuration) has booted, unless {@code wanted} spares are ready or
     * booting already.
     */
    public static void refillAfterBoot(Key key, int wanted, Started child, Launcher launcher) {
        synchronized (Spares.class) {
            int ready = READY.containsKey(key) ? READY.get(key).size() : 0;
            int filling = FILLING.getOrDefault(key, 0);
            if (ready + filling >= wanted) {
                return;
            }
            FILLING.put(key, filling + 1);
        }
        Thread filler = new Thread(() -> {
            try {
                if (awaitBoot(child)) {
                    spawn(key, launcher);
                }
            } finally {
                synchronized (Spares.class) {
                    FILLING.merge(key, -1, Integer::sum);
                }
            }
        }, "mp4j-spare-filler");
        filler.setDaemon(true);
        filler.start();
    }

    /**
     * Ends every spare of this JVM and waits for them to exit: spares are invisible to the
     * program, but a test that checks for leftover processes, or a program that wants none,
     * can have them gone.
     */
    public static void discardAll() {
        List<Spare> spares;
        synchronized (Spares.class) {
            spares = new ArrayList<>();
            READY.values().forEach(spares::addAll);
            READY.clear();
        }
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

    private static boolean awaitBoot(Started child) {
        long deadline = System.nanoTime() + BOOT_WAIT_NANOS;
        while (System.nanoTime() - deadline < 0) {
            if (child.booted()) {
                return true;
            }
            if (child.ended()) {
                return child.booted(); // it may have booted, run and ended between two looks
            }
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                return false;
            }
        }
        return false;
    }

    private static void spawn(Key key, Launcher launcher) {
        ChildCommand command = ChildCommand.buildSpare(key.jvmOptions);
        ProcessBuilder builder = launcher.processBuilder(command.line());
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            Log.of(Spares.class).log(System.Logger.Level.DEBUG, "could not boot a spare JVM: {0}", e.getMessage());
            command.childExited();
            return;
        }
        synchronized (Spares.class) {
            READY.computeIfAbsent(key, k -> new java.util.ArrayDeque<>()).add(new Spare(process, command, builder));
        }
    }
}
