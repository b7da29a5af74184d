package io.github.multiprocessing4j.internal.sync;

import io.github.multiprocessing4j.internal.os.OwnerOnly;
import io.github.multiprocessing4j.internal.os.Platform;
import io.github.multiprocessing4j.internal.util.Log;

import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.Pipe;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * This process's doorbell: a pipe that other processes write a byte into to cut short the pauses
 * of this process's waits ({@link Wait#wakeAll}), and the ringing of other processes' doorbells.
 * A {@link WaiterBoard} says whose doorbell to ring.
 *
 * <pre>
 * /dev/shm/mp4j-bells-UID/     mode 0700, one directory for the user's processes on the machine,
 *                                removed by the last one whose doorbell goes (and made again)
 *   4250                       the doorbell of process 4250 ({@link DoorbellFile}: where its pipe
 *   4313                         is), made when one of its waits first sat; removed when it exits
 *                                (a process killed leaves it to the next process that makes its
 *                                doorbell, or to the janitor of a program's first tree)
 * </pre>
 *
 * <p>Implementation notes. Processes cannot wake each other's threads from Java 17 (no futex),
 * so every wait polls: a young wait looks every 2 ms at most, a wait that lasted half a second
 * every 20 ms ({@link Backoff}). A pipe can wake a thread of another process: this process's
 * listening thread ({@code mp4j-doorbell}) blocks reading its doorbell pipe and, at each byte,
 * unparks the process's parked waits, which look at once and start their pauses again from the
 * shortest. Java cannot pass a pipe to a process it did not start, but Linux lets a process of
 * the same user open another's: {@code /proc/PID/fd/FD} of a pipe's end, opened for writing,
 * is a new writing end of that pipe (never a blocking open: an anonymous pipe is no FIFO). So
 * the doorbell is a {@link Pipe} of this process's, and its file says the number of the pipe's
 * read end and the pipe's inode. A ringer checks that {@code /proc/PID/fd/FD} links to that
 * pipe before it opens it and again after: a pid reused by another process between the two
 * would show another link (a live pipe's inode is never another's), so the ringer never writes
 * into another process's file. Java does not say which descriptor a pipe got: the listening
 * thread lists the pipes of {@code /proc/self/fd} before and after it opens its own, takes the
 * one new pipe (another thread opening one at the same moment makes it try again), and proves
 * it by a byte written through {@code /proc/self/fd/FD} and read back. A ring never blocks: a
 * byte is written only while no other is unheard ({@link DoorbellFile}), so the pipe never fills.
 *
 * <p>Who sits, and who rings. A wait sits on its board once it has parked a millisecond
 * ({@link Backoff#EARLY_SEAT_NANOS}) and its process's doorbell listens (its first try has the
 * doorbell made, on the listening thread): from then on, the change it waits for rings it. In a
 * child whose doorbell is not made, such a wait sits as a lifeline seat ({@link #LIFELINE_SEAT}),
 * which only its parent rings, through the child's lifeline (the pipe to its stdin, there from
 * the child's start: {@link ChildLifelines}), and any other process leaves alone; the child makes
 * its doorbell once the wait is long, and swaps the seat for a doorbell seat. Children are rung by
 * their parent through their lifelines in any case, and a process rings its own waits directly.
 * A steady stream never rings: a consumer that finds its item within a millisecond never sits,
 * and a ring goes out only while someone sits on the board, at most one a millisecond per
 * process rung ({@link #RING_GAP_NANOS}: a waiter seated in a {@code join()} while consumers
 * finish thousands of items a second is rung by their {@code taskDone()}s). The first ring of
 * another process's doorbell is handed to this process's opening thread ({@code mp4j-bell-opener}),
 * which opens its pipe (a small file read and mapped, two links read, a file opened: about a
 * millisecond in a new child's interpreter) and rings it: done in the put itself, that made a
 * start/join loop's child's put 3-9 ms longer while the machine booted the next spare beside it
 * (2 cores, measured). A spare opens its parent's doorbell ahead ({@link #openAhead}), the
 * parent being what its target's first put most likely rings. Later rings are a look at the
 * file's word and a one-byte write, from the caller's thread. A doorbell that cannot be reached
 * (its process died, or is exiting) frees the seat that named it. Nothing depends on a ring: a
 * lost one leaves the waiter to its next look, 20 ms at most.
 *
 * <p>Measured on the 2-core development VM. A child's {@code get()} after a second's idling, from
 * the parent's put to the item in the child: median 10.4 ms without doorbells, 1.0 ms with them
 * (CPython 0.5-0.6 ms, whose put wakes its feeder thread, whose write wakes the child's read: two
 * thread wake-ups, as here the listening thread and the waiting thread). A child's {@code get()} of
 * an item its parent put after 10 to 300 ms of idling: median 1.2-1.3 ms while only long waits
 * sat, 0.37-0.49 ms with lifeline seats (CPython's fork, the same program: 0.33-0.50 ms). The
 * doorbell was a Unix-domain socket before: the first use of those costs a JVM 25-35 ms (the JDK
 * seeds a {@code SecureRandom} for them, loading the security providers), so only long waits sat,
 * and a root process's wait of a few milliseconds was seen up to 2 ms late: a parent's
 * {@code get()} of the items a child put every 30 ms, median 1.2-1.5 ms from the put then, 0.53-0.57
 * ms with the pipe (CPython's fork 0.25-0.29 ms); the answer of a pool's {@code apply()} of a 5 ms
 * task, from the worker's put to the caller, 1.26-1.84 ms then, 0.54-0.58 ms now. Where
 * {@code /proc} cannot be used this way (another system than Linux), waits poll as before.
 */
public final class Doorbell {
    /** Prefix of the user's doorbell directory, in the shared-memory root; the uid follows. */
    static final String DIRECTORY_PREFIX = "mp4j-bells-";

    /** This process's pid, what its waits sit on boards with. */
    static final int OWN_PID = (int) Platform.currentPid();
    /**
     * Set in a seat's pid by a child's wait that only its parent rings, through the child's
     * lifeline (see {@link WaiterBoard}): above any pid Linux gives (at most 2^22).
     */
    static final int LIFELINE_SEAT = 1 << 30;
    /** Whether this process is a child whose lifeline thread listens. */
    private static volatile boolean onLifeline;
    private static final Object LOCK = new Object();
    private static final int NOT_MADE = 0;
    private static final int BEING_MADE = 1;
    private static final int LISTENING = 2;
    private static final int UNAVAILABLE = -1;
    /** Where this process's doorbell is: one of the four states above. */
    private static volatile int listening;
    private static Path ownBell;
    /** This process's doorbell file, once published: written and read by the listening thread only. */
    private static DoorbellFile ownFile;
    /** The listening thread, once started: stopped at exit ({@link #closeAtExit}). */
    private static Listener listener;
    private static volatile Path directory;
    /** How many times the listening thread tries to make the doorbell (see {@link #makeDoorbell}). */
    private static final int MAKING_ATTEMPTS = 3;

    /** One open doorbell per process rung; any thread rings through it. */
    private static final Map<Integer, Bell> BELLS = new ConcurrentHashMap<>();
    /** Rings of doorbells not opened yet, by pid, for the opening thread; it waits on the map. */
    private static final Map<Integer, Seat> TO_OPEN = new HashMap<>();
    private static Thread opener;
    /**
     * The shortest gap between two rings of one doorbell: a ring wakes the process's waits, which
     * then look every 2 ms at most for half a second, so a second ring within it would only cost
     * the ringer a write per put, release or taskDone() while a waiter stays seated.
     */
    static final long RING_GAP_NANOS = 1_000_000;
    /** Rings this process has heard (bytes read from its doorbell or its lifeline): what tests look at. */
    private static final AtomicLong HEARD = new AtomicLong();
    /** Other processes' doorbells this process has opened: what tests look at. */
    private static final AtomicLong OPENED = new AtomicLong();
    /** The lifelines of this process's children, once it has started one: rings for them go there. */
    private static volatile ChildLifelines childLifelines;
    /** How long the exit waits for the listening thread to leave its read: microseconds, when it runs. */
    private static final long STOP_MILLIS = 100;

    private Doorbell() {
    }

    /**
     * Whether this process's doorbell listens; the first call has it made, on its own thread:
     * a wait that may sit asks at each look and sits on its board once it listens. Never blocks.
     *
     * @return whether the doorbell listens now (false while it is being made, and for good when
     *     it cannot be)
     */
    static boolean listening() {
        int state = listening;
        if (state == NOT_MADE) {
            synchronized (LOCK) {
                if (listening == NOT_MADE) {
                    listening = BEING_MADE;
                    listener = new Listener();
                    listener.start();
                }
            }
            return false;
        }
        return state == LISTENING;
    }

    /** @return whether this process's doorbell listens, without having it made */
    static boolean listensAlready() {
        return listening == LISTENING;
    }

    /**
     * Rings process {@code pid}'s doorbell, for {@code seat} of {@code board}: a one-byte write
     * into its pipe, opened by the first ring (see the class notes). A doorbell that cannot be
     * reached frees the seat. Rings this process's own waits directly, its children through their
     * lifelines, and a lifeline seat ({@link #LIFELINE_SEAT}) only when it is this process's
     * child's (no other process can reach it, and none frees it). Never blocks; an interrupt
     * does not stop it.
     */
    static void ring(int pid, WaiterBoard board, int seat) {
        int process = pid & ~LIFELINE_SEAT;
        if (process == OWN_PID) {
            Backoff.wakeAll();
            return;
        }
        ChildLifelines lifelines = childLifelines;
        if (lifelines != null && lifelines.ring(process) || process != pid) {
            return; // rung through the child's lifeline, or a lifeline seat of another's child
        }
        Bell bell = BELLS.get(pid);
        if (bell == null || !ringIfDue(pid, bell)) {
            ringNewBell(pid, board, seat); // the process's pid may be another's now: opened again
        }
    }

    /**
     * Rings an open doorbell unless it was rung a moment ago ({@link #RING_GAP_NANOS}).
     *
     * @return false when its process is gone: the doorbell is forgotten and closed
     */
    private static boolean ringIfDue(int pid, Bell bell) {
        if (bell.gap.due() && !bell.ring()) {
            BELLS.remove(pid, bell);
            bell.close();
            return false;
        }
        return true;
    }

    /** Hands the ring of a doorbell not opened yet to the opening thread, started the first time. */
    private static void ringNewBell(int pid, WaiterBoard board, int seat) {
        synchronized (TO_OPEN) {
            if (TO_OPEN.putIfAbsent(pid, new Seat(board, seat)) == null) {
                if (opener == null) {
                    opener = new Opener();
                    opener.start();
                }
                TO_OPEN.notifyAll();
            }
        }
    }

    /** The opening thread: opens the doorbells rung for the first time, and rings them. */
    private static void openAndRingLoop() {
        while (true) {
            Map<Integer, Seat> rings;
            synchronized (TO_OPEN) {
                while (TO_OPEN.isEmpty()) {
                    try {
                        TO_OPEN.wait();
                    } catch (InterruptedException e) {
                        // nobody interrupts this thread; a ring is never worth its end
                    }
                }
                rings = new HashMap<>(TO_OPEN);
                TO_OPEN.clear();
            }
            for (Map.Entry<Integer, Seat> ring : rings.entrySet()) {
                openAndRing(ring.getKey(), ring.getValue().board, ring.getValue().seat);
            }
        }
    }

    /** Opens {@code pid}'s doorbell and rings it; frees the seat when it has none that can be reached. */
    private static void openAndRing(int pid, WaiterBoard board, int seat) {
        Bell bell = openedBell(pid);
        if (bell == null || !ringIfDue(pid, bell)) {
            board.leave(seat, pid);
        }
    }

    /** @return {@code pid}'s doorbell, opened and kept if it was not yet; null when it has none that can be reached */
    private static Bell openedBell(int pid) {
        Bell bell = BELLS.get(pid);
        if (bell == null) {
            Bell opened = Bell.open(pid);
            if (opened == null) {
                return null;
            }
            bell = BELLS.putIfAbsent(pid, opened);
            if (bell == null) {
                return opened;
            }
            opened.close(); // another thread's came first
        }
        return bell;
    }

    /** @return how many rings this process has heard, on its doorbell or its lifeline */
    public static long heard() {
        return HEARD.get();
    }

    /** @return how many times this process has opened another process's doorbell (or tried to) */
    public static long bellsOpened() {
        return OPENED.get();
    }

    /**
     * Says that a child's lifeline thread listens: from then on its waits may take lifeline seats
     * ({@link #LIFELINE_SEAT}), which its parent rings.
     */
    public static void listensOnLifeline() {
        onLifeline = true;
    }

    /** @return whether this process is a child whose lifeline thread listens ({@link #listensOnLifeline}) */
    static boolean ringsThroughLifeline() {
        return onLifeline;
    }

    /** Counts the bytes a child's lifeline thread read (a parent's rings and nudges), as heard rings. */
    public static void heardOnLifeline(int bytes) {
        HEARD.addAndGet(bytes);
    }

    /**
     * Has this process ring its own children through their lifelines (the pipe it holds to each
     * child's stdin, whose bytes wake every wait of the child) rather than their doorbells:
     * a write on a pipe that is there from the child's start, where the child may have made no
     * doorbell. Set once this process starts a child.
     */
    public static void ringChildrenThrough(ChildLifelines lifelines) {
        childLifelines = lifelines;
    }

    /** The lifelines of this process's children (the runtime's table of children). */
    public interface ChildLifelines {
        /**
         * Rings process {@code pid} through its lifeline when it is a child of this process,
         * at most once every {@link #RING_GAP_NANOS} ({@link RingGap}). Never blocks for long.
         *
         * @return false when {@code pid} is no child of this process that has its target (its
         *     doorbell is rung instead)
         */
        boolean ring(int pid);
    }

    /** @return where process {@code pid}'s doorbell is when it has one */
    public static Path bellOf(long pid) {
        return bell(directory(), pid);
    }

    /** @return the directory of this user's doorbells */
    static Path directory() {
        Path known = directory;
        if (known == null) {
            known = userDirectory();
            directory = known;
        }
        return known;
    }

    private static Path userDirectory() {
        Object uid = ownUid();
        return Platform.sharedMemoryRoot().resolve(DIRECTORY_PREFIX + (uid != null ? uid : System.getProperty("user.name")));
    }

    /** @return this process's user id, null where the file system has none */
    private static Object ownUid() {
        try {
            return Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return null;
        }
    }

    /** @return the doorbell of process {@code pid} in {@code directory} */
    static Path bell(Path directory, long pid) {
        return directory.resolve(Long.toString(pid));
    }

    /** The listening thread: makes the doorbell, then hears it for the life of the process. */
    private static void openAndHear() {
        Pipe pipe = makeDoorbell();
        listening = pipe == null ? UNAVAILABLE : LISTENING;
        if (pipe != null) {
            hear(pipe.source());
        }
    }

    /** @return the doorbell's pipe, its file published; null when this process cannot have one */
    private static Pipe makeDoorbell() {
        try {
            Path directory = directory();
            Path bell = bell(directory, OWN_PID);
            for (int attempt = 1; ; attempt++) {
                try {
                    Pipe pipe = makeIn(directory, bell);
                    if (pipe != null) {
                        ownBell = bell;
                        Runtime.getRuntime().addShutdownHook(new Thread(Doorbell::closeAtExit, "mp4j-bell-removal"));
                    }
                    return pipe;
                } catch (IOException e) {
                    if (attempt == MAKING_ATTEMPTS) {
                        throw e;
                    }
                    // the last doorbell's process took the directory with it meanwhile (made
                    // again), or another thread opened a pipe as this one did (told apart again)
                }
            }
        } catch (IOException | UnsupportedOperationException | IllegalStateException e) {
            // IllegalStateException: the JVM is shutting down (no hook can be added)
            Log.of(Doorbell.class).log(System.Logger.Level.DEBUG, "no doorbell: waits poll", e);
            removeOwnBell();
            removeIfEmpty(directory()); // made for nothing (no room in a full /dev/shm for the file, say)
            return null;
        }
    }

    /**
     * Makes {@code directory} when it is missing, then this process's doorbell pipe, and
     * publishes its file there.
     *
     * @return the pipe; null when the directory is not this user's alone
     * @throws IOException when the directory cannot be made, the pipe cannot be told apart or
     *     reached through {@code /proc}, or the file cannot be written
     */
    private static Pipe makeIn(Path directory, Path bell) throws IOException {
        if (!Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS)) {
            try {
                OwnerOnly.createDirectory(directory);
            } catch (FileAlreadyExistsException raced) {
                // another process made it
            }
        }
        if (!ownedByThisUserAlone(directory)) {
            Log.of(Doorbell.class).log(System.Logger.Level.WARNING,
                    "{0} is not a directory of this user''s alone: no doorbell, waits poll", directory);
            return null;
        }
        removeBellsOfDeadProcesses(directory);
        Set<String> pipesBefore = ownPipes().keySet();
        Pipe pipe = Pipe.open();
        try {
            Map<String, Integer> opened = ownPipes();
            opened.keySet().removeAll(pipesBefore);
            if (opened.size() != 1) {
                throw new IOException(opened.size()
                        + " pipes opened at once in this process: the doorbell's is not known");
            }
            Map.Entry<String, Integer> own = opened.entrySet().iterator().next();
            int fd = own.getValue();
            proveReachable(pipe, fd);
            ownFile = DoorbellFile.publish(bell, inodeOf(own.getKey()), fd);
            return pipe;
        } catch (IOException | RuntimeException e) {
            pipe.source().close();
            pipe.sink().close();
            throw e;
        }
    }

    /** @return the pipes this process holds now ({@code pipe:[INODE]}), each with one of its descriptors */
    private static Map<String, Integer> ownPipes() throws IOException {
        Map<String, Integer> pipes = new HashMap<>();
        try (DirectoryStream<Path> descriptors = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path descriptor : descriptors) {
                String link;
                try {
                    link = Files.readSymbolicLink(descriptor).toString();
                } catch (IOException closedMeanwhile) {
                    continue;
                }
                if (link.startsWith(PIPE_LINK_PREFIX)) {
                    pipes.put(link, Integer.parseInt(descriptor.getFileName().toString()));
                }
            }
        }
        return pipes;
    }

    private static final String PIPE_LINK_PREFIX = "pipe:[";

    private static long inodeOf(String pipeLink) {
        return Long.parseLong(pipeLink.substring(PIPE_LINK_PREFIX.length(), pipeLink.length() - 1));
    }

    /** @return what {@code /proc/PID/fd/FD} links to while it is the pipe of inode {@code inode} */
    private static String pipeLink(long inode) {
        return PIPE_LINK_PREFIX + inode + "]";
    }

    /** Writes a byte through {@code /proc/self/fd/FD} and reads it back from the pipe, as a ringer would reach it. */
    private static void proveReachable(Pipe pipe, int fd) throws IOException {
        try (FileOutputStream through = new FileOutputStream(descriptor(OWN_PID, fd).toFile())) {
            through.write(1);
        }
        pipe.source().configureBlocking(false);
        int read = pipe.source().read(ByteBuffer.allocate(1));
        pipe.source().configureBlocking(true);
        if (read != 1) {
            throw new IOException("a byte written through /proc/self/fd/" + fd
                    + " did not come out of the doorbell's pipe");
        }
    }

    /** @return {@code /proc/PID/fd/FD} */
    private static Path descriptor(int pid, int fd) {
        return Path.of("/proc", Integer.toString(pid), "fd", Integer.toString(fd));
    }

    /**
     * @return whether {@code directory} is a directory (not a link) owned by this process's user
     *     with no permission for anyone else: another user's could let them take the doorbells'
     *     names (a ring is harmless, but a waiter that sat there would never be rung)
     */
    static boolean ownedByThisUserAlone(Path directory) throws IOException {
        try {
            Object owner = Files.getAttribute(directory, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            return Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS) && owner.equals(ownUid())
                    && OwnerOnly.DIRECTORY_MODE.containsAll(Files.getPosixFilePermissions(directory, LinkOption.NOFOLLOW_LINKS));
        } catch (UnsupportedOperationException | IllegalArgumentException notUnix) {
            return Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS); // no owners to compare: the file system's protection is all there is
        }
    }

    /**
     * At exit: stops the listening thread, then removes the doorbell. The thread must not be in
     * its read of the pipe when the JVM exits: HotSpot's exit waits for threads in native code to stop,
     * up to 300 ms, and they never do. Measured: a pool worker whose wait had become long ended
     * 340 ms after its pool's {@code close()}, where one that had not ended after 25-40 ms.
     */
    static void closeAtExit() {
        Listener hearing;
        synchronized (LOCK) {
            hearing = listener;
            listening = UNAVAILABLE; // a wait that may sit from now on polls
        }
        if (hearing != null) {
            hearing.interrupt(); // closes the pipe under its read, after which it ends
            try {
                hearing.join(STOP_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        removeOwnBell();
    }

    /** @return whether this process's listening thread runs */
    static boolean hearing() {
        Listener hearing;
        synchronized (LOCK) {
            hearing = listener;
        }
        return hearing != null && hearing.isAlive();
    }

    /** Removes this process's doorbell, and the directory with it when it was the last one there. */
    private static void removeOwnBell() {
        Path bell = ownBell;
        if (bell == null) {
            return;
        }
        try {
            Files.deleteIfExists(bell);
        } catch (IOException e) {
            return; // left to the next process of this pid, or to removeBellsOfDeadProcesses
        }
        removeIfEmpty(bell.getParent());
    }

    /**
     * Removes the doorbells of processes that were killed (no hook of theirs removed them), and
     * the directory when that empties it: for the janitor of a program's first tree, as it
     * removes the tables of killed trees. Never throws.
     */
    public static void removeBellsOfDeadProcesses() {
        Path directory = directory();
        if (Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS)) {
            removeBellsOfDeadProcesses(directory);
            removeIfEmpty(directory);
        }
    }

    private static void removeIfEmpty(Path directory) {
        try {
            Files.delete(directory);
        } catch (IOException othersThere) {
            // another process's doorbell is there (or one is being made, and makes the directory again)
        }
    }

    /** Removes the doorbells of processes that have exited (killed before they removed their own). */
    static void removeBellsOfDeadProcesses(Path directory) {
        try (DirectoryStream<Path> bells = Files.newDirectoryStream(directory)) {
            for (Path bell : bells) {
                long pid = pidOf(bell);
                if (pid > 0 && pid != OWN_PID && Platform.hasExited(pid)) {
                    Files.deleteIfExists(bell);
                }
            }
        } catch (IOException e) {
            // nothing to tidy, or another process tidies at the same time
        }
    }

    /** @return the pid a doorbell file is named by (a partly written one's too), 0 for another file */
    private static long pidOf(Path bell) {
        String name = bell.getFileName().toString();
        int end = name.indexOf('.');
        try {
            return Long.parseLong(end < 0 ? name : name.substring(0, end));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /**
     * The listening thread: wakes this process's waits at each byte read from the doorbell's pipe,
     * until it is interrupted ({@link #closeAtExit}), which closes the pipe's read end.
     */
    private static void hear(Pipe.SourceChannel source) {
        ByteBuffer bytes = ByteBuffer.allocate(64);
        try {
            while (true) {
                bytes.clear();
                int n = source.read(bytes);
                if (n <= 0) {
                    throw new IOException("the doorbell's pipe ended");
                }
                ownFile.heard();
                HEARD.addAndGet(n);
                Backoff.wakeAll();
            }
        } catch (ClosedByInterruptException exiting) {
            // the process is exiting
        } catch (IOException e) {
            Log.of(Doorbell.class).log(System.Logger.Level.WARNING, "the doorbell stopped: waits poll", e);
            listening = UNAVAILABLE;
        }
    }

    /**
     * Does ahead what a process's first ring of another's doorbell does before it opens it: loads
     * the classes, and finds the doorbell directory (the user id, read through a file attribute
     * view that costs a child's interpreter 1.5-3.5 ms the first time, measured). For a spare's
     * preparation, and the class-data archive's training, so that the archive holds those classes.
     * Opens nothing, starts nothing.
     */
    public static void prepareFirstRing() {
        directory();
        // Seat and RingGap too: a child's first ring of its parent (a put that the parent waits
        // for) loaded them from the jar, opening its zip machinery, in every child
        for (Class<?> used : List.of(DoorbellFile.class, Bell.class, Seat.class, RingGap.class)) {
            used.getDeclaredMethods(); // loaded and linked
        }
    }

    /**
     * Opens process {@code pid}'s doorbell when it has one, without ringing it: for a spare's
     * preparation, with its parent's pid, so that its target's first ring of its parent (a
     * {@code put()} of a result its parent waits for) is a write. Opening costs a child's
     * interpreter about a millisecond, and up to 5 ms of the put's time while the machine is busy
     * booting the next spare (measured, 2 cores). Never throws.
     */
    public static void openAhead(long pid) {
        if (pid != OWN_PID) {
            openedBell((int) pid);
        }
    }

    /**
     * The listening thread: a class, not a method reference, so making the doorbell links no
     * lambda (a millisecond and more in a child's interpreter).
     */
    private static final class Listener extends Thread {
        Listener() {
            super("mp4j-doorbell");
            setDaemon(true);
        }

        @Override
        public void run() {
            openAndHear();
        }
    }

    /** The opening thread: a class, not a method reference, so a first ring links no lambda. */
    private static final class Opener extends Thread {
        Opener() {
            super("mp4j-bell-opener");
            setDaemon(true);
        }

        @Override
        public void run() {
            openAndRingLoop();
        }
    }

    /** The seat that named a doorbell not opened yet: freed when the doorbell cannot be reached. */
    private static final class Seat {
        final WaiterBoard board;
        final int seat;

        Seat(WaiterBoard board, int seat) {
            this.board = board;
            this.seat = seat;
        }
    }

    /**
     * Another process's doorbell, opened by this one: the writing end of its pipe, its file, and
     * when it was last rung. The pipe is written as a stream, not a channel: a stream's write of
     * a byte is one native call (a channel's is a dozen calls and a lock, 40-100 µs in a child's
     * interpreter, measured), and an interrupt does not close it.
     */
    private static final class Bell {
        final FileOutputStream pipe;
        final DoorbellFile file;
        final RingGap gap = new RingGap(false);

        private Bell(FileOutputStream pipe, DoorbellFile file) {
            this.pipe = pipe;
            this.file = file;
        }

        /**
         * Opens process {@code pid}'s doorbell: its file, then its pipe through {@code /proc},
         * checked before and after (see the class notes).
         *
         * @return the doorbell; null when the process has none this process can reach
         */
        static Bell open(int pid) {
            OPENED.incrementAndGet();
            try {
                DoorbellFile file = DoorbellFile.open(bell(directory(), pid));
                if (file == null) {
                    return null;
                }
                Path end = descriptor(pid, file.fd());
                String link = pipeLink(file.pipeInode());
                if (!linksTo(end, link)) {
                    return null; // a file left by a process of that pid that was killed
                }
                FileOutputStream pipe = new FileOutputStream(end.toFile()); // O_TRUNC does nothing to a pipe
                if (!linksTo(end, link)) {
                    close(pipe); // the process ended meanwhile, and its pid is another's: not its pipe
                    return null;
                }
                return new Bell(pipe, file);
            } catch (IOException | UnsupportedOperationException e) {
                return null; // no such process now, or no /proc to reach it through
            }
        }

        private static boolean linksTo(Path end, String link) {
            try {
                return Files.readSymbolicLink(end).toString().equals(link);
            } catch (IOException e) {
                return false;
            }
        }

        /** @return whether the ring went, or one was unheard already (enough); false when the process is gone */
        boolean ring() {
            if (!file.claimRing()) {
                return true;
            }
            try {
                pipe.write(1);
                return true;
            } catch (IOException e) {
                return false;
            }
        }

        void close() {
            close(pipe);
        }

        private static void close(FileOutputStream pipe) {
            try {
                pipe.close();
            } catch (IOException ignored) {
                // closed anyway
            }
        }
    }
}
