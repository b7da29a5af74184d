package io.github.multiprocessing4j.internal.runtime;

import io.github.multiprocessing4j.internal.launch.ChildCommand;
import io.github.multiprocessing4j.internal.launch.ChildMain;
import io.github.multiprocessing4j.internal.launch.SparePreparation;
import io.github.multiprocessing4j.internal.os.Platform;
import io.github.multiprocessing4j.internal.process.ScratchTree;
import io.github.multiprocessing4j.internal.util.Log;
import io.github.multiprocessing4j.internal.util.SecondsProperty;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * will be ({@code ChildMain.prepareSpare}), marks itself prepared ({@code ChildMain.spareReadyMarker})
 * and blocks reading stdin. {@code start()} takes it, prepared or still booting (it is ahead of a
 * JVM spawned now either way), and writes the message; the spare becomes the child. Its stdin is
 * the lifeline as for any child, so a spare whose parent dies reads EOF before any message and
 * exits: spares are daemons of their creator without anything more.
 *
 * <p>How many spares a configuration keeps: as many as it had children running at once, up to
 * the number of processors, and at least its floor. The floor is one, or what {@link #prestart}
 * asked, and it rises by one (up to the processor count) each time a start finds no prepared
 * spare although spares were asked for: a program that starts children faster than one spare can
 * boot between two starts (a start/join loop) gets two booting side by side. A start whose request
 * asks for none (a pool's worker, long-lived: {@link LaunchRequest#asksForSpares()}) takes a spare
 * but has it replaced only to keep what the program fixed ({@link #refillAfterLongLivedStart}),
 * and {@link #refillForNext} boots them once such children have ended.
 * The system property {@value #COUNT_PROPERTY} fixes the number instead. Every spare taken is
 * replaced, and a start that finds none takes the place of a spare asked for but not spawned yet
 * (that JVM would only compete with it).
 *
 * <p>How long: a spare beyond the ones its configuration keeps when idle (one, or what the
 * program fixed) that has waited {@value #IDLE_PROPERTY} seconds for a start (30 by default) is
 * ended by the spares' thread, oldest first, and the floor comes down with it: a program that
 * ran sixteen children at once, or a pool of sixteen, and then went on with other work, would
 * otherwise keep sixteen idle JVMs (some 35 MiB each) until it exits.
 *
 * <p>When a spare boots: for a configuration none of whose children has booted yet, only after
 * the child that asked for it has booted (never for a configuration whose child failed to boot:
 * a bad JVM option would only fail again, in the background); from then on at once, when the
 * {@link BootBudget} has a place (no more JVMs booting than processors). One daemon
 * thread of the JVM boots the spares, in the order asked. A spare loads the class of the target
 * that the child before it ran (the capturing class of a lambda), likely the next target's as
 * well, and, when that target needed JDK deserialization, prepares it and the classes it is
 * given ({@link #Spares(Supplier, ChildTable)}): that costs a spare about 50 ms of CPU, which a
 * start/join loop would pay every round for targets that capture only values with a direct
 * encoding (strings, numbers, the library's handles). When that target captured one of the
 * library's shared objects, the spare also warms up a queue of its own before it waits (the
 * launch layer's {@code SpareWarmUp}), so that its child's queue code runs compiled from the
 * first item ({@link LaunchRequest#forNextSpare()} says what a spare prepares). One
 * instance per JVM, owned by the {@link RuntimeContext}.
 */
public final class Spares {
    /** The system property that fixes how many spares each configuration keeps (default: adaptive, see the class comment). */
    public static final String COUNT_PROPERTY = "mp4j.spares";
    /**
     * The system property that says how long, in seconds, a spare beyond the ones its
     * configuration keeps when idle may wait for a start before it is ended (see the class comment).
     */
    public static final String IDLE_PROPERTY = "mp4j.spareIdleSeconds";
    /** The default of {@value #IDLE_PROPERTY}. */
    static final double DEFAULT_IDLE_SECONDS = 30;
    /** How long a refill waits for the child that triggered it to boot. */
    private static final long BOOT_WAIT_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** The longest {@link #end} waits for a spare that dumps a class-data archive before it kills it. */
    private static final long DUMP_WAIT_SECONDS = 5;
    /** The longest {@link #end} waits for the spares it killed: they die in milliseconds. */
    private static final long KILLED_WAIT_MILLIS = 1_000;

    /** A JVM waiting for its message (or still preparing to), with what its reaper will need. */
    static final class Spare {
        private final Process process;
        private final ChildCommand command;
        private final ProcessBuilder builder;
        private final long spawnedAt;
        /** Its JVM's start ticks, read as it was spawned; -1 when it was gone already. */
        private final long startTicks;
        private final Path readyMarker;
        /** When the {@link BootBudget} last looked at the marker (0: never); the spares' thread's. */
        private long lastBootLook;
        /** Whether a look found the marker; the spares' thread's. */
        private boolean seenPrepared;

        /**
         * @param process the spare's process, its stdin not written yet
         * @param command its command line
         * @param builder how it was started
         * @param spawnedAt {@link System#nanoTime()} just before it was spawned
         */
        Spare(Process process, ChildCommand command, ProcessBuilder builder, long spawnedAt) {
            this.process = process;
            this.command = command;
            this.builder = builder;
            this.spawnedAt = spawnedAt;
            this.startTicks = Platform.startTicks(process.pid()).orElse(-1);
            this.readyMarker = ChildMain.spareReadyMarker(process.pid());
        }

        Process process() {
            return process;
        }

        ChildCommand command() {
            return command;
        }

        ProcessBuilder builder() {
            return builder;
        }

        /** @return {@link System#nanoTime()} just before it was spawned */
        long spawnedAt() {
            return spawnedAt;
        }

        /** @return its JVM's start ticks, read as it was spawned (off a start's path); -1 when it was gone already */
        long startTicks() {
            return startTicks;
        }

        /** @return whether the spare has prepared and waits for its message (it says so by a file) */
        boolean prepared() {
            return Files.exists(readyMarker);
        }

        /** For the boot budget: whether the spare still prepares, looking at its marker only when a look is due. */
        boolean stillBooting(BootBudget budget, long now) {
            if (seenPrepared) {
                return false;
            }
            if (!budget.lookDue(spawnedAt, lastBootLook, now)) {
                return true;
            }
            lastBootLook = now;
            seenPrepared = prepared();
            return !seenPrepared && process.isAlive();
        }
    }

    /** A request for one spare; cancelled when a start takes its place. */
    private static final class Refill {
        final LaunchConfiguration key;
        /** The child whose start asked for it, or null (a prestart). */
        final ChildRun child;
        /** What the spare prepares beyond what every spare does. */
        final SparePreparation preparation;
        final long generation;
        /** Guarded by the {@link Spares}. */
        boolean cancelled;

        Refill(LaunchConfiguration key, ChildRun child, SparePreparation preparation, long generation) {
            this.key = key;
            this.child = child;
            this.preparation = preparation;
            this.generation = generation;
        }
    }

    /** This JVM's processors, read once: each read looks at the container's limits again. */
    private final int processors = Runtime.getRuntime().availableProcessors();
    /** Spawned spares, prepared or still preparing, oldest first. Guarded by this. */
    private final Map<LaunchConfiguration, ArrayDeque<Spare>> ready = new HashMap<>();
    /** How many spares are asked for and not spawned yet, per configuration. Guarded by this. */
    private final Map<LaunchConfiguration, Integer> filling = new HashMap<>();
    /** The least number of spares each configuration keeps (see the class comment). Guarded by this. */
    private final Map<LaunchConfiguration, Integer> floors = new HashMap<>();
    /** What {@link #prestart} asked each configuration to keep. Guarded by this. */
    private final Map<LaunchConfiguration, Integer> prestarted = new HashMap<>();
    /** Configurations one of whose children has booted: their spares need not wait for one. Guarded by this. */
    private final Set<LaunchConfiguration> proven = new HashSet<>();
    /** What the spares' thread has to do: one request per spare to boot. */
    private final BlockingQueue<Refill> refills = new LinkedBlockingQueue<>();
    /** The names of the classes every spare initialises ahead ({@link ChildCommand#buildSpare}). */
    private final Supplier<List<String>> warmUpClasses;
    private final BootBudget budget;
    /** {@value #COUNT_PROPERTY}, or -1 when not set. */
    private final int fixedCount = Integer.getInteger(COUNT_PROPERTY, -1);
    /** The spares' thread, or null before the first request and once it ended (interrupted). Guarded by this. */
    private Thread filler;
    /** The request the spares' thread works on, or null. Guarded by this. */
    private Refill serving;
    /** Counts {@link #discardAll} calls: a request made before one is dropped. Guarded by this. */
    private long generation;

    /**
     * @param warmUpClasses the names of the classes every spare initialises ahead, asked at each spare's boot
     * @param children this JVM's children, which share the {@link BootBudget} with the spares
     */
    Spares(Supplier<List<String>> warmUpClasses, ChildTable children) {
        this.warmUpClasses = warmUpClasses;
        this.budget = new BootBudget(children, this);
    }

    /**
     * Takes the oldest spare of {@code key}: prepared, or still booting (ahead of a JVM spawned
     * now either way).
     *
     * @return the spare, which the caller now owns, or null when there is none
     */
    synchronized Spare take(LaunchConfiguration key) {
        ArrayDeque<Spare> queue = ready.get(key);
        Spare spare;
        while (queue != null && (spare = queue.poll()) != null) {
            if (spare.process().isAlive()) {
                return spare;
            }
            forget(spare);
        }
        return null;
    }

    /**
     * Cancels a spare of {@code key} asked for and not spawned yet, for a start that found none:
     * the start spawns its own JVM in its place (a spare spawned beside it would only compete with
     * it for the processors).
     */
    synchronized void cancelOneAskedFor(LaunchConfiguration key) {
        Refill served = servedFor(key);
        if (served != null && !served.cancelled) {
            served.cancelled = true; // the spares' thread counts it off
            return;
        }
        for (Refill refill : refills) {
            if (refill.key.equals(key) && !refill.cancelled && refills.remove(refill)) {
                filling.merge(key, -1, Integer::sum);
                return;
            }
        }
    }

    /** @return the refill the spares' thread serves when it is of {@code key} and not discarded, else null */
    private Refill servedFor(LaunchConfiguration key) {
        assert Thread.holdsLock(this);
        return serving != null && serving.key.equals(key) && serving.generation == generation ? serving : null;
    }

    /**
     * After a start of {@code child} with {@code key}: asks for spares until the configuration
     * has as many as it keeps (see the class comment).
     *
     * @param running how many children of {@code key} run now, the one just started included
     * @param tookSpare whether {@code child} started in a spare
     * @param tookPrepared whether that spare had prepared
     */
    synchronized void refillAfterStart(LaunchConfiguration key, int running, boolean tookSpare, boolean tookPrepared,
                                       ChildRun child) {
        int cores = processors;
        int readyNow = spawned(key);
        int fillingNow = askedFor(key);
        Integer floor = floors.get(key);
        if (floor != null && !tookPrepared) { // spares were asked for, and none was prepared: too few
            floor = Math.min(floor + 1, Math.max(cores, floor));
        }
        floor = floor == null ? 1 : floor;
        floors.put(key, floor);
        int target;
        if (fixedCount >= 0) {
            target = fixedCount;
        } else {
            target = Math.max(floor, Math.min(running, cores));
            if (tookSpare) { // replaced: counting would miss the spares other starts of a burst are about to take
                target = Math.max(target, Math.min(readyNow + fillingNow + 1, cores));
            }
        }
        askUpTo(key, target, child);
    }

    /** @return how many spares of {@code key} are spawned, prepared or preparing */
    private int spawned(LaunchConfiguration key) {
        assert Thread.holdsLock(this);
        ArrayDeque<Spare> queue = ready.get(key);
        return queue == null ? 0 : queue.size();
    }

    /**
     * @return how many spares of {@code key} are asked for and not spawned yet. A refill the spares'
     *     thread serves and a start cancelled boots nothing, though it is counted until the thread
     *     lets it go: two starts in a row would otherwise leave one spare.
     */
    private int askedFor(LaunchConfiguration key) {
        assert Thread.holdsLock(this);
        Refill served = servedFor(key);
        return filling.getOrDefault(key, 0) - (served != null && served.cancelled ? 1 : 0);
    }

    /**
     * After a start of {@code child} with {@code key} that asks for no spares (a long-lived child,
     * see the class comment): replaces the spare it took only to keep what the program fixed,
     * {@link #prestart}'s count or {@value #COUNT_PROPERTY}.
     */
    synchronized void refillAfterLongLivedStart(LaunchConfiguration key, ChildRun child) {
        int keep = fixedCount >= 0 ? fixedCount : prestarted.getOrDefault(key, 0);
        askUpTo(key, keep, child);
    }

    /**
     * After long-lived children of {@code key} whose starts asked for no spares have ended (a
     * pool's workers): asks for spares until the configuration has {@code count} (up to the
     * processors, or {@value #COUNT_PROPERTY}), for the next ones. The floor is left as it is.
     *
     * @param child the last of them, whose boot proves the configuration
     */
    synchronized void refillForNext(LaunchConfiguration key, int count, ChildRun child) {
        askUpTo(key, fixedCount >= 0 ? fixedCount : Math.min(count, processors), child);
    }

    /** Asks for spares of {@code key} like the one {@code child} started in, until it has {@code count}. */
    private void askUpTo(LaunchConfiguration key, int count, ChildRun child) {
        assert Thread.holdsLock(this);
        for (int have = spawned(key) + askedFor(key); have < count; have++) {
            ask(new Refill(key, child, child.request().forNextSpare(), generation));
        }
    }

    /**
     * Boots spares of {@code key} until it has {@code count}, ready or booting, and keeps at least
     * that many from now on (each one taken is replaced).
     */
    synchronized void prestart(LaunchConfiguration key, int count) {
        floors.merge(key, count, Math::max);
        prestarted.merge(key, count, Math::max);
        proven.add(key); // asked for by the program itself: no child to wait for
        int have = spawned(key) + filling.getOrDefault(key, 0);
        for (; have < count; have++) {
            ask(new Refill(key, null, SparePreparation.FOR_ANY_TARGET, generation));
        }
    }

    private void ask(Refill refill) {
        assert Thread.holdsLock(this);
        filling.merge(refill.key, 1, Integer::sum);
        refills.add(refill);
        if (filler == null) {
            filler = new Thread(this::fill, "mp4j-spares");
            filler.setDaemon(true);
            filler.start();
        }
    }

    /**
     * The spares' thread: boots a spare for each request, when the budget has a place (and, for a
     * configuration not proven yet, once the child that asked has booted). Interrupted, it drops
     * the requests not yet served and ends at once: whoever interrupts it wants it gone (Maven's
     * {@code exec:java} interrupts the threads the program left, then waits 15 s for each one that
     * does not end). The next request starts a new one.
     */
    private void fill() {
        while (true) {
            Refill refill;
            try {
                refill = nextRefill();
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
                serving = refill;
            }
            Spare spare = null;
            try {
                if (awaitProof(refill) && budget.awaitPlaceForSpare(() -> stillWanted(refill), () -> askerEnded(refill))
                        && stillWanted(refill)) {
                    spare = spawn(refill.key, refill.preparation);
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
                    // Discarded while it was being booted: ended while still served, since
                    // discardAll returns once nothing is served and promises no spare left.
                    end(List.of(spare));
                }
                synchronized (this) {
                    serving = null;
                    notifyAll();
                }
            }
        }
    }

    /** Waits for the next request, ending the spares that have waited too long as they come due. */
    private Refill nextRefill() throws InterruptedException {
        while (true) {
            long untilNextDue = endIdleSurplus(System.nanoTime());
            Refill refill = untilNextDue < 0 ? refills.take() : refills.poll(untilNextDue, TimeUnit.NANOSECONDS);
            if (refill != null) {
                return refill;
            }
        }
    }

    /**
     * Ends the spares, oldest first, that have waited {@value #IDLE_PROPERTY} seconds for a start
     * while their configuration has more than it keeps when idle ({@link #keptWhenIdle}); the
     * configuration's floor comes down to that number too.
     *
     * @param now {@link System#nanoTime()}
     * @return nanoseconds until the next spare beyond those kept is due, or -1 when none is
     */
    private long endIdleSurplus(long now) {
        long idleNanos = (long) (idleSeconds() * 1e9);
        long untilNextDue = -1;
        List<Spare> due = new ArrayList<>();
        synchronized (this) {
            for (Map.Entry<LaunchConfiguration, ArrayDeque<Spare>> spares : ready.entrySet()) {
                LaunchConfiguration key = spares.getKey();
                ArrayDeque<Spare> queue = spares.getValue();
                int kept = keptWhenIdle(key);
                while (queue.size() > kept) {
                    long waited = now - queue.peek().spawnedAt();
                    if (waited < idleNanos) {
                        long until = idleNanos - waited;
                        untilNextDue = untilNextDue < 0 ? until : Math.min(untilNextDue, until);
                        break;
                    }
                    due.add(queue.poll());
                    floors.computeIfPresent(key, (k, floor) -> Math.min(floor, kept));
                }
            }
        }
        end(due);
        return untilNextDue;
    }

    /** @return how many spares of {@code key} wait for a start however long they wait: what the program fixed, else one */
    private int keptWhenIdle(LaunchConfiguration key) {
        assert Thread.holdsLock(this);
        return fixedCount >= 0 ? fixedCount : Math.max(1, prestarted.getOrDefault(key, 0));
    }

    /** @return {@value #IDLE_PROPERTY}, read at each look (a malformed or negative value: the default) */
    private static double idleSeconds() {
        return SecondsProperty.read(IDLE_PROPERTY, DEFAULT_IDLE_SECONDS);
    }

    /** @return whether the child that asked for the refill has ended (true for a prestart, which no child asked) */
    private static boolean askerEnded(Refill refill) {
        return refill.child == null || refill.child.ended();
    }

    private synchronized boolean stillWanted(Refill refill) {
        return !refill.cancelled && refill.generation == generation;
    }

    /**
     * @return whether a spare of the refill's configuration may boot: at once when the
     *     configuration is proven, else once the child that asked has booted
     */
    private boolean awaitProof(Refill refill) {
        synchronized (this) {
            if (proven.contains(refill.key)) {
                return true;
            }
        }
        if (refill.child == null || !awaitBoot(refill)) {
            return false;
        }
        synchronized (this) {
            proven.add(refill.key);
        }
        return true;
    }

    /**
     * Ends every spare of this JVM and waits for them to exit: spares are invisible to the
     * program, but a test that checks for leftover processes, or a program that wants none,
     * can have them gone. The configurations' floors are forgotten.
     */
    void discardAll() {
        List<Spare> spares;
        synchronized (this) {
            spares = dropAll();
            while (serving != null) { // a spare being booted now is discarded before this returns
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
     * At this JVM's exit: drops every spare and every refill not yet booted, and ends the spares
     * ({@link #end}), so that none is left when the JVM goes.
     *
     * <p>Why it must wait for them: HotSpot's exit waits, up to 300 ms in steps of 10 ms, for
     * threads in native code, and each child process has one, the JDK's reaper blocked in
     * {@code waitpid}. Closing a spare's lifeline alone (as before) ended it only once it had
     * booted, so a program that ended while a spare booted waited for that boot (151-303 ms from
     * the end of {@code main} to the exit for a program that ended 30 ms after its first child's
     * {@code join()}, and as long a pipe on its stdout), and one that ended with a prepared spare
     * waited for that spare's exit and the next 10 ms step (20.5-26.5 ms, against 7.7-9.4 ms with
     * no spare); killed and waited for here, 12-29 and 14-22 ms.
     */
    void stopAtExit() {
        List<Spare> spares;
        synchronized (this) {
            spares = dropAll();
        }
        end(spares);
    }

    /** @return every spawned spare, no longer this object's; refills asked so far are cancelled */
    private List<Spare> dropAll() {
        assert Thread.holdsLock(this);
        generation++;
        refills.clear();
        filling.clear();
        floors.clear();
        prestarted.clear();
        List<Spare> spares = new ArrayList<>();
        ready.values().forEach(spares::addAll);
        ready.clear();
        return spares;
    }

    /**
     * Ends spares and waits until they are gone: closes their lifelines, kills every one but a
     * spare that dumps its class path's class-data archive, and waits for them (milliseconds).
     * What a spare killed during its queue warm-up left in its own tree is removed
     * ({@link ScratchTree#removeLeftBy}), its readiness marker by {@link #forget}. A spare that
     * dumps the archive is waited for, up to {@value #DUMP_WAIT_SECONDS} s, and killed only then:
     * the dump is written as that JVM exits and must be moved into place afterwards (see
     * {@code ClassDataSharing}). Without the wait at exit, a program whose first JVM of a class
     * path was a spare it never used (one it prestarted, say) left the dump as a temporary file,
     * and the class path never got its archive: every run of such a program booted its JVMs
     * without one (measured on the development VM, a plain program's cold children reached their
     * targets' first lines in 65-100 ms instead of about 50). An interrupt kills every spare not
     * yet gone and ends the wait, the interrupt status set again.
     */
    private static void end(List<Spare> spares) {
        closeLifelines(spares);
        for (Spare spare : spares) {
            if (!spare.command().dumpsAnArchive()) {
                spare.process().destroyForcibly();
            }
        }
        long killedBy = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(KILLED_WAIT_MILLIS);
        try {
            for (Spare spare : spares) {
                boolean dumps = spare.command().dumpsAnArchive();
                long waitNanos = dumps ? TimeUnit.SECONDS.toNanos(DUMP_WAIT_SECONDS) : killedBy - System.nanoTime();
                if (!spare.process().waitFor(Math.max(0, waitNanos), TimeUnit.NANOSECONDS)
                        && !spare.process().destroyForcibly().waitFor(KILLED_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
                    continue; // not gone even killed (a process the kernel has not ended yet): left to it
                }
                forget(spare); // a dump cut short is recognised there and dropped
                if (!dumps && spare.startTicks() >= 0) {
                    ScratchTree.removeLeftBy(spare.process().pid(), spare.startTicks());
                }
            }
        } catch (InterruptedException e) {
            spares.forEach(spare -> spare.process().destroyForcibly());
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Finishes with a spare that has exited: its class-data sharing, its readiness marker and
     * probe file if it could not remove them (killed while it prepared, say).
     */
    private static void forget(Spare spare) {
        spare.command().childExited(false); // spares boot only for a configuration whose child booted
        if (!spare.process().isAlive()) {
            for (Path file : List.of(spare.readyMarker, ChildMain.spareProbeFile(spare.process().pid()))) {
                try {
                    Files.deleteIfExists(file); // each on its own: one that cannot go leaves the other to go
                } catch (IOException e) {
                    // the next spare of that pid removes it, or the tree's end
                }
            }
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

    /**
     * @param budget tells when a spare's marker is worth a look
     * @param now {@link System#nanoTime()}
     * @return how many spares are spawned and have not prepared yet: JVMs booting, for the {@link BootBudget}
     */
    synchronized int bootingCount(BootBudget budget, long now) {
        int booting = 0;
        for (ArrayDeque<Spare> queue : ready.values()) {
            for (Spare spare : queue) {
                if (spare.stillBooting(budget, now)) {
                    booting++;
                }
            }
        }
        return booting;
    }

    /** @return how many spares are spawned (prepared or preparing), for tests */
    public synchronized int readyCount() {
        int count = 0;
        for (ArrayDeque<Spare> queue : ready.values()) {
            count += queue.size();
        }
        return count;
    }

    /** @return the pids of the spares that are spawned (prepared or preparing), for tests */
    public synchronized Set<Long> readyPids() {
        Set<Long> pids = new HashSet<>();
        for (ArrayDeque<Spare> queue : ready.values()) {
            for (Spare spare : queue) {
                pids.add(spare.process().pid());
            }
        }
        return pids;
    }

    /** @return whether the child of {@code refill} booted; false when it did not, or the request was dropped */
    private boolean awaitBoot(Refill refill) {
        long deadline = System.nanoTime() + BOOT_WAIT_NANOS;
        long now;
        while ((now = System.nanoTime()) - deadline < 0) {
            if (!stillWanted(refill)) {
                return false;
            }
            // Its record read only when the budget says a look is due: this waits while the
            // program's first child boots, which every look (a file read, interpreted) slows.
            if (!refill.child.stillBooting(budget, now)) {
                return refill.child.booted(); // booted, or ended (it may have booted, run and ended between two looks)
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
    private Spare spawn(LaunchConfiguration key, SparePreparation preparation) {
        ChildCommand command = ChildCommand.buildSpare(key.classPath(), key.jvmOptions(), key.environment(), preparation,
                warmUpClasses.get());
        ProcessBuilder builder = key.processBuilder(command.line());
        try {
            long spawnedAt = System.nanoTime();
            return new Spare(ChildOutput.start(builder), command, builder, spawnedAt);
        } catch (IOException e) {
            Log.of(Spares.class).log(System.Logger.Level.DEBUG, "could not boot a spare JVM: {0}", e.getMessage());
            command.childExited(false); // no JVM came
            return null;
        }
    }
}
