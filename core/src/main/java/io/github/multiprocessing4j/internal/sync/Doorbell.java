package io.github.multiprocessing4j.internal.sync;

import io.github.multiprocessing4j.internal.os.OwnerOnly;
import io.github.multiprocessing4j.internal.os.Platform;
import io.github.multiprocessing4j.internal.util.Log;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * This process's doorbell: a Unix-domain socket that other processes write a byte into to cut
 * short the pauses of this process's long waits ({@link Wait#wakeAll}), and the ringing of other
 * processes' doorbells. A {@link WaiterBoard} says whose doorbell to ring.
 *
 * <pre>
 * /dev/shm/mp4j-bells-UID/     mode 0700, one directory for the user's processes on the machine,
 *                                removed by the last one whose doorbell goes (and made again)
 *   4250                       the doorbell of process 4250 (a socket), made when one of its
 *   4313                         waits first became long; removed when it exits (a process
 *                                killed leaves it to the next process that makes its doorbell)
 * </pre>
 *
 * <p>Implementation notes. Processes cannot wake each other's threads from Java 17 (no futex),
 * so every wait polls, and a wait that lasted half a second looks every 20 ms ({@link Backoff}):
 * a consumer that waited a second for its next item saw it 10 ms late on average, where CPython's
 * semaphore-based queue wakes it at once. A socket can wake a thread of another process: the
 * listening thread blocks in {@code select} and, at each byte, unparks this process's parked
 * waits, which look at once and start their pauses again from the shortest. Only long waits
 * need it (a young one looks within 2 ms), so a process makes its doorbell when a wait of its
 * first becomes long, and a ring is sent only while someone sits on the board: a steady stream
 * never rings. A child's wait of a millisecond or more sits too, as a lifeline seat
 * ({@link #LIFELINE_SEAT}): its parent rings it through the child's lifeline, which needs no
 * doorbell, and any other process leaves the seat alone (ringing it would mean a doorbell the
 * child has not made). Measured on the 2-core development VM, a child's {@code get()} of an
 * item its parent put after 10 to 300 ms of idling: median 1.2-1.3 ms from the put to the item
 * before, 0.37-0.49 ms with these seats (CPython's fork, the same program: 0.33-0.50 ms).
 * Neither the doorbell nor the first ring of another's is made on the caller's thread: the
 * first use of Unix-domain sockets costs a JVM 25-35 ms (the JDK seeds a {@code SecureRandom}
 * for them, loading the security providers), which a put paid in full in a
 * child (measured: 30-37 ms for the first put that rang). So the doorbell is made by its
 * listening thread ({@code mp4j-doorbell}), the wait sitting down on a later look, and a ring
 * with no connection yet is handed to the connecting thread ({@code mp4j-bell-connector}), which
 * connects (non-blocking: a listener that is stopped never holds it) and sends it; later rings
 * are a non-blocking write on that connection from the caller's thread (20-50 µs), whose
 * interrupt status is set aside meanwhile, since a channel closes itself when its thread is
 * interrupted, and at most one a millisecond per doorbell ({@link #RING_GAP_NANOS}: a waiter
 * seated in a join() while consumers finish thousands of items a second is rung by their
 * taskDone()s). A first ring therefore comes no sooner than the waiter's next look would; every
 * later one saves the waiter up to 20 ms. A doorbell that cannot be reached (its process died, or
 * is exiting) frees the seat that named it. Nothing depends on a ring: a lost one leaves the
 * waiter to its next look, 20 ms at most. A process rings its own waits directly, and its
 * children through their lifelines ({@link ChildLifelines}: the pipe to a child's stdin, whose
 * bytes the child's lifeline thread turns into the same wake-up), which are there from the
 * child's start: a parent that never used sockets sent its first ring to a child that had idled
 * a second 25-35 ms late, so the child saw the item on its own next look (5.9-10.8 ms after the
 * put in five plain programs; 0.95-1.9 ms through the lifeline). Measured on the
 * 2-core development VM, a child's {@code get()} after a second's idling, from the parent's put
 * to the item in the child: median 10.4 ms before, 1.0 ms with the doorbell (CPython 0.5-0.6 ms,
 * whose put wakes its feeder thread, whose write wakes the child's read: two thread wake-ups, as
 * here the doorbell's listening thread and the waiting thread). Where Unix-domain sockets are
 * missing (Windows before 10, a path too long), waits poll as before.
 */
public final class Doorbell {
    /** Prefix of the user's doorbell directory, in the shared-memory root; the uid follows. */
    static final String DIRECTORY_PREFIX = "mp4j-bells-";
    /** A socket's path must fit {@code sun_path} (108 bytes on Linux), terminating zero included. */
    private static final int MAX_PATH_BYTES = 100;

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
    /** The listening thread, once started: stopped at exit ({@link #closeAtExit}). */
    private static Listener listener;
    private static volatile Path directory;

    /** Rings of doorbells not connected yet, by pid, for the connecting thread; it waits on the map. */
    private static final Map<Integer, Seat> TO_CONNECT = new HashMap<>();
    private static Thread connector;
    /** One connection per doorbell rung, made by the connecting thread; any thread rings through it. */
    private static final Map<Integer, Bell> CONNECTIONS = new ConcurrentHashMap<>();
    /**
     * The shortest gap between two rings of one doorbell: a ring wakes the process's waits, which
     * then look every 2 ms at most for half a second, so a second ring within it would only cost
     * the ringer a write (20-50 µs) per put, release or taskDone() while a waiter stays seated.
     */
    static final long RING_GAP_NANOS = 1_000_000;
    private static final byte[] ONE = {1};
    /** Rings this process has heard (bytes read from its doorbell or its lifeline): what tests look at. */
    private static final AtomicLong HEARD = new AtomicLong();
    /** Connections this process has made to other processes' doorbells: what tests look at. */
    private static final AtomicLong CONNECTED = new AtomicLong();
    /** The lifelines of this process's children, once it has started one: rings for them go there. */
    private static volatile ChildLifelines childLifelines;
    /** How long the exit waits for the listening thread to leave {@code select}: microseconds, when it runs. */
    private static final long STOP_MILLIS = 100;

    private Doorbell() {
    }

    /**
     * Whether this process's doorbell listens; the first call has it made, on its own thread:
     * a wait that has become long asks at each look and sits on its board once it listens.
     * Never blocks.
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

    /**
     * Rings process {@code pid}'s doorbell, for {@code seat} of {@code board}: a non-blocking
     * write on the connection a first ring made, or, the first time, a ring handed to the
     * connecting thread (see the class notes). A doorbell that cannot be reached frees the seat.
     * Rings this process's own waits directly, and a lifeline seat ({@link #LIFELINE_SEAT}) only
     * when it is this process's child's, through the child's lifeline (no other process can
     * reach it, and none frees it). Never blocks; keeps the thread's interrupt status.
     */
    static void ring(int pid, WaiterBoard board, int seat) {
        int process = pid & ~LIFELINE_SEAT;
        if (process == OWN_PID) {
            Backoff.wakeAll();
            return;
        }
        if (process != pid) { // a lifeline seat
            ChildLifelines lifelines = childLifelines;
            if (lifelines != null) {
                lifelines.ring(process); // false: not this process's child, whose parent rings it
            }
            return;
        }
        Bell bell = CONNECTIONS.get(pid);
        if (bell == null) {
            ChildLifelines lifelines = childLifelines;
            if (lifelines == null || !lifelines.ring(pid)) {
                connectAndRing(pid, board, seat);
            }
            return;
        }
        if (!bell.gap.due()) {
            return;
        }
        boolean interrupted = Thread.interrupted();
        try {
            if (!write(bell.connection)) {
                CONNECTIONS.remove(pid, bell); // the process ended, and its pid may be another's now
                close(bell.connection);
                connectAndRing(pid, board, seat);
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Hands a ring to the connecting thread, started the first time. */
    private static void connectAndRing(int pid, WaiterBoard board, int seat) {
        synchronized (TO_CONNECT) {
            if (TO_CONNECT.putIfAbsent(pid, new Seat(board, seat)) == null) {
                if (connector == null) {
                    connector = new Connector();
                    connector.start();
                }
                TO_CONNECT.notifyAll();
            }
        }
    }

    /** @return how many rings this process has heard, on its doorbell or its lifeline */
    public static long heard() {
        return HEARD.get();
    }

    /** @return how many connections this process has made to other processes' doorbells */
    public static long connectionsMade() {
        return CONNECTED.get();
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
     * a write on a pipe that is there from the child's start, where a first ring to a doorbell
     * waits for this JVM's first use of sockets (see the class notes). Set once this process
     * starts a child.
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
        ServerSocketChannel server = open();
        listening = server == null ? UNAVAILABLE : LISTENING;
        if (server != null) {
            hear(server);
        }
    }

    /** @return the doorbell, bound; null when this process cannot have one */
    private static ServerSocketChannel open() {
        try {
            Path directory = directory();
            Path bell = bell(directory, OWN_PID);
            if (bell.toString().getBytes(StandardCharsets.UTF_8).length > MAX_PATH_BYTES) {
                return null;
            }
            for (int attempt = 1; ; attempt++) {
                try {
                    ServerSocketChannel server = bindIn(directory, bell);
                    if (server != null) {
                        ownBell = bell;
                        Runtime.getRuntime().addShutdownHook(new Thread(Doorbell::closeAtExit, "mp4j-bell-removal"));
                    }
                    return server;
                } catch (IOException e) {
                    if (attempt == 3 || Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS)) {
                        throw e;
                    }
                    // the last doorbell's process took the directory with it meanwhile: made again
                }
            }
        } catch (IOException | UnsupportedOperationException | IllegalStateException e) {
            // IllegalStateException: the JVM is shutting down (no hook can be added)
            Log.of(Doorbell.class).log(System.Logger.Level.DEBUG, "no doorbell: long waits poll", e);
            removeOwnBell();
            return null;
        }
    }

    /**
     * Makes {@code directory} when it is missing, then binds this process's doorbell there.
     *
     * @return the doorbell; null when the directory is not this user's alone
     * @throws IOException when the directory cannot be made or the socket bound (the directory
     *     may have been removed meanwhile by the process whose doorbell was the last one there)
     */
    private static ServerSocketChannel bindIn(Path directory, Path bell) throws IOException {
        if (!Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS)) {
            try {
                OwnerOnly.createDirectory(directory);
            } catch (FileAlreadyExistsException raced) {
                // another process made it
            }
        }
        if (!ownedByThisUserAlone(directory)) {
            Log.of(Doorbell.class).log(System.Logger.Level.WARNING,
                    "{0} is not a directory of this user''s alone: no doorbell, long waits poll", directory);
            return null;
        }
        removeBellsOfDeadProcesses(directory);
        Files.deleteIfExists(bell); // a process of this pid that died without removing its own
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(UnixDomainSocketAddress.of(bell));
            return server;
        } catch (IOException e) {
            server.close();
            throw e;
        }
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
     * {@code select} when the JVM exits: HotSpot's exit waits for threads in native code to stop,
     * up to 300 ms, and they never do. Measured: a pool worker whose wait had become long ended
     * 340 ms after its pool's {@code close()}, where one that had not ended after 25-40 ms.
     */
    static void closeAtExit() {
        Listener hearing;
        synchronized (LOCK) {
            hearing = listener;
            listening = UNAVAILABLE; // a wait that becomes long from now on polls
        }
        if (hearing != null) {
            hearing.interrupt(); // wakes its select, after which it ends
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

    private static long pidOf(Path bell) {
        try {
            return Long.parseLong(bell.getFileName().toString());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /**
     * The listening thread: accepts ringers' connections, and wakes this process's waits at each
     * byte, until it is interrupted ({@link #closeAtExit}).
     */
    private static void hear(ServerSocketChannel server) {
        ByteBuffer bytes = ByteBuffer.allocate(64);
        try (server; Selector selector = Selector.open()) {
            server.configureBlocking(false);
            server.register(selector, SelectionKey.OP_ACCEPT);
            while (true) {
                selector.select();
                if (Thread.currentThread().isInterrupted()) {
                    return; // the process is exiting
                }
                boolean rang = false;
                for (SelectionKey key : selector.selectedKeys()) {
                    if (key.isAcceptable()) {
                        SocketChannel ringing = server.accept();
                        if (ringing != null) {
                            ringing.configureBlocking(false);
                            ringing.register(selector, SelectionKey.OP_READ);
                        }
                    } else if (key.isReadable()) {
                        rang |= read((SocketChannel) key.channel(), key, bytes);
                    }
                }
                selector.selectedKeys().clear();
                if (rang) {
                    Backoff.wakeAll();
                }
            }
        } catch (ClosedByInterruptException exiting) {
            // interrupted between two selects: the process is exiting
        } catch (IOException e) {
            Log.of(Doorbell.class).log(System.Logger.Level.WARNING, "the doorbell stopped: long waits poll", e);
            listening = UNAVAILABLE;
        }
    }

    /** @return whether the connection brought rings; closes it at its end */
    private static boolean read(SocketChannel ringing, SelectionKey key, ByteBuffer bytes) {
        try {
            bytes.clear();
            int n = ringing.read(bytes);
            if (n > 0) {
                HEARD.addAndGet(n);
                return true;
            }
            if (n < 0) {
                key.cancel();
                close(ringing);
            }
        } catch (IOException e) {
            key.cancel();
            close(ringing);
        }
        return false;
    }

    /** The connecting thread: connects to the doorbells rung for the first time, and rings them. */
    private static void connectAndRingLoop() {
        while (true) {
            Map<Integer, Seat> rings;
            synchronized (TO_CONNECT) {
                while (TO_CONNECT.isEmpty()) {
                    try {
                        TO_CONNECT.wait();
                    } catch (InterruptedException e) {
                        // nobody interrupts this thread; a ring is never worth its end
                    }
                }
                rings = new HashMap<>(TO_CONNECT);
                TO_CONNECT.clear();
            }
            for (Map.Entry<Integer, Seat> ring : rings.entrySet()) {
                int pid = ring.getKey();
                SocketChannel connection = connect(pid);
                if (connection != null && write(connection)) {
                    CONNECTIONS.put(pid, new Bell(connection));
                } else {
                    if (connection != null) {
                        close(connection);
                    }
                    ring.getValue().leave(pid); // its process died, or no longer listens
                }
            }
        }
    }

    /** @return whether the byte went (or the doorbell has rings unread: enough); false when the connection broke */
    private static boolean write(SocketChannel connection) {
        try {
            connection.write(ByteBuffer.wrap(ONE));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** @return a non-blocking connection to {@code pid}'s doorbell, or null when there is none to be had at once */
    private static SocketChannel connect(int pid) {
        SocketChannel connection = null;
        CONNECTED.incrementAndGet();
        try {
            connection = SocketChannel.open(StandardProtocolFamily.UNIX);
            connection.configureBlocking(false);
            if (connection.connect(UnixDomainSocketAddress.of(bell(directory(), pid)))) {
                return connection;
            }
        } catch (IOException | UnsupportedOperationException e) {
            // no doorbell at that path, or no Unix-domain sockets here
        }
        if (connection != null) {
            close(connection); // not connected at once: its doorbell is not listening
        }
        return null;
    }

    private static void close(SocketChannel connection) {
        try {
            connection.close();
        } catch (IOException ignored) {
            // closed anyway
        }
    }

    /**
     * The classes a first ring loads, for a JVM that dumps a class-data archive to load: a
     * child's first ringing put then loads none from the jar (measured: 4.5-6 ms for that put
     * before, 1.3 ms with them archived). Starts nothing.
     */
    public static List<Class<?>> firstRingClasses() {
        return List.of(Doorbell.class, Seat.class, Bell.class, Connector.class, Listener.class);
    }

    /** The listening thread (a class, not a lambda: see {@link Connector}). */
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

    /** The connecting thread: a class, not a method reference, so a first ring links no lambda (a millisecond and more in a child's interpreter). */
    private static final class Connector extends Thread {
        Connector() {
            super("mp4j-bell-connector");
            setDaemon(true);
        }

        @Override
        public void run() {
            connectAndRingLoop();
        }
    }

    /** A connection to a doorbell, and when it was last rung. */
    private static final class Bell {
        final SocketChannel connection;
        final RingGap gap = new RingGap(true); // the connecting thread has just rung it

        Bell(SocketChannel connection) {
            this.connection = connection;
        }
    }

    /** The seat that named a doorbell: freed when the doorbell cannot be reached. */
    private static final class Seat {
        final WaiterBoard board;
        final int seat;

        Seat(WaiterBoard board, int seat) {
            this.board = board;
            this.seat = seat;
        }

        void leave(int pid) {
            board.leave(seat, pid);
        }
    }
}
