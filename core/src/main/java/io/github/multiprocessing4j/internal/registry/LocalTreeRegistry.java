package io.github.multiprocessing4j.internal.registry;

import io.github.multiprocessing4j.internal.os.Platform;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * The process table of a tree kept in a directory: {@code /dev/shm/mp4j-ROOTPID-ROOTTICKS}.
 *
 * <pre>
 * /dev/shm/mp4j-4242-1834567/      mode 0700, named after the root process (pid + start ticks)
 *   .lock                          taken (flock) around every change of the directory's life
 *   proc-4242                      one record per process, key=value lines, mode 0600,
 *   proc-4250                        replaced atomically (write a temp file, rename)
 *   failure-4250                   the serialized uncaught exception of a child, for its parent
 *   seg-lock-4250-1                shared segments (locks, shared values, shared memory), mode
 *                                    0600, named kind-creatorpid-counter
 * </pre>
 *
 * <p>Implementation notes. The directory lives exactly as long as the tree has something in it:
 * it is created when a process first needs it (the root when it starts its first child) and
 * removed by {@link #releaseIfIdle()} when the caller is the only live process left and nothing
 * else is stored. A record is removed by the parent that reaps the process; a record whose
 * process died and whose parent died too would never be reaped, so {@code releaseIfIdle} drops
 * it. The records of dead children whose parent is alive are left for that parent, which reads
 * the exit state from them. Directories of trees whose every process was SIGKILLed are found by
 * {@link #removeDeadTrees()}, which the first tree a JVM creates runs once.
 *
 * <p>Every change that creates or deletes the directory is made under the {@code .lock} file
 * lock (between processes) and a {@link ReentrantLock} (between threads of this JVM, because a
 * JVM may hold a file lock only once).
 *
 * <p>A child records itself while it boots, so what it runs here is on the critical path of
 * every {@code start()}: that code uses no lambdas, whose first use costs a JVM milliseconds of
 * method-handle bootstrapping (the target's deserialization pays it once, later).
 */
public final class LocalTreeRegistry implements ProcessRegistry {
    /** Prefix of every tree directory; the rest of the name is ROOTPID-ROOTTICKS. */
    public static final String TREE_PREFIX = "mp4j-";
    private static final String RECORD_PREFIX = "proc-";
    private static final String FAILURE_PREFIX = "failure-";
    private static final String LOCK_FILE = ".lock";
    private static final String TEMP_PREFIX = ".tmp-";
    private static final String SEGMENT_PREFIX = "seg-";
    private static final java.util.concurrent.atomic.AtomicLong SEGMENT_COUNTER = new java.util.concurrent.atomic.AtomicLong();

    private static final Map<Path, ReentrantLock> JVM_LOCKS = new HashMap<>();

    private final Path directory;
    private final Supplier<ProcessRecord> self;
    private final ReentrantLock jvmLock;

    private LocalTreeRegistry(Path directory, Supplier<ProcessRecord> self) {
        this.directory = directory;
        this.self = self;
        synchronized (JVM_LOCKS) {
            ReentrantLock lock = JVM_LOCKS.get(directory);
            if (lock == null) {
                lock = new ReentrantLock();
                JVM_LOCKS.put(directory, lock);
            }
            this.jvmLock = lock;
        }
    }

    /**
     * @param treeId the id of an existing tree or of one to create (see {@link #treeIdFor})
     * @param self the record of the calling process, written whenever the directory is
     *     (re)created so that a tree never exists without its creator in it
     */
    public static LocalTreeRegistry open(String treeId, Supplier<ProcessRecord> self) {
        if (!treeId.startsWith(TREE_PREFIX) || treeId.contains("/")) {
            throw new IllegalArgumentException("not a tree id: " + treeId);
        }
        return new LocalTreeRegistry(Platform.sharedMemoryRoot().resolve(treeId), self);
    }

    /** @return the id of the tree whose root is the given process */
    public static String treeIdFor(long rootPid, long rootStartTicks) {
        return TREE_PREFIX + rootPid + "-" + rootStartTicks;
    }

    /** @return the directory of this tree (it may not exist at the moment) */
    public Path directory() {
        return directory;
    }

    @Override
    public String treeId() {
        return directory.getFileName().toString();
    }

    @Override
    public void ensureOpen() {
        if (!Files.isDirectory(directory)) {
            lockTree().close();
        }
    }

    @Override
    public void put(ProcessRecord record) {
        try (TreeLock held = lockTree()) {
            writeRecord(record);
        } catch (IOException e) {
            throw failed(e);
        }
    }

    @Override
    public Optional<ProcessRecord> find(long pid) {
        return readRecord(directory.resolve(RECORD_PREFIX + pid));
    }

    @Override
    public List<ProcessRecord> records() {
        List<ProcessRecord> result = new ArrayList<>();
        for (Path file : list(RECORD_PREFIX)) {
            Optional<ProcessRecord> record = readRecord(file);
            if (record.isPresent()) {
                result.add(record.get());
            }
        }
        return result;
    }

    @Override
    public void remove(long pid) {
        deleteQuietly(directory.resolve(RECORD_PREFIX + pid));
        deleteQuietly(directory.resolve(FAILURE_PREFIX + pid));
    }

    @Override
    public void putFailure(long pid, byte[] failure) {
        try (TreeLock held = lockTree()) {
            writeAtomically(directory.resolve(FAILURE_PREFIX + pid), failure);
        } catch (IOException e) {
            throw failed(e);
        }
    }

    @Override
    public Optional<byte[]> findFailure(long pid) {
        try {
            return Optional.of(Files.readAllBytes(directory.resolve(FAILURE_PREFIX + pid)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public boolean releaseIfIdle() {
        if (!Files.isDirectory(directory)) {
            return true;
        }
        try (TreeLock held = lockTree()) {
            long me = Platform.currentPid();
            Map<Long, ProcessRecord> byPid = new HashMap<>();
            for (ProcessRecord r : records()) {
                byPid.put(r.pid(), r);
            }
            boolean idle = true;
            for (ProcessRecord r : byPid.values()) {
                if (r.pid() == me) {
                    continue;
                }
                if (isAlive(r)) {
                    idle = false;
                } else if (awaitsReaping(r, byPid)) {
                    idle = false;
                } else {
                    remove(r.pid());
                }
            }
            if (!idle || !onlyTableFilesLeft()) {
                return false;
            }
            deleteTree(directory);
            return true;
        }
    }

    @Override
    public boolean releaseAtExit() {
        if (!Files.isDirectory(directory)) {
            return true;
        }
        try (TreeLock held = lockTree()) {
            long me = Platform.currentPid();
            for (ProcessRecord r : records()) {
                if (r.pid() != me && isAlive(r)) {
                    return false;
                }
            }
            deleteTree(directory);
            return true;
        }
    }

    @Override
    public String newSegmentName(String kind) {
        return kind + "-" + Platform.currentPid() + "-" + SEGMENT_COUNTER.incrementAndGet();
    }

    @Override
    public void createNamedSegment(String name, long size) {
        try (TreeLock held = lockTree()) {
            Path file = directory.resolve(SEGMENT_PREFIX + name);
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                setOwnerOnly(file);
                if (size > 0) {
                    channel.write(java.nio.ByteBuffer.wrap(new byte[1]), size - 1); // sparse, zero-filled
                }
            }
        } catch (IOException e) {
            throw failed(e);
        }
    }

    @Override
    public Path segmentFile(String name) {
        Path file = directory.resolve(SEGMENT_PREFIX + name);
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException("shared segment " + name + " of tree " + treeId()
                    + " does not exist: it was closed, or every process of its tree has ended");
        }
        return file;
    }

    @Override
    public void deleteSegment(String name) {
        deleteQuietly(directory.resolve(SEGMENT_PREFIX + name));
    }

    /**
     * Removes the directories of trees in which no process is alive any more: trees whose
     * processes were all SIGKILLed and so could not clean up.
     *
     * @return how many directories were removed
     */
    public static int removeDeadTrees() {
        int removed = 0;
        for (LocalTreeRegistry tree : allTrees()) {
            if (tree.rootAlive() || tree.records().stream().anyMatch(LocalTreeRegistry::isAlive)) {
                continue;
            }
            deleteTree(tree.directory);
            removed++;
        }
        return removed;
    }

    /** @return every tree directory on this machine readable by this user */
    public static List<LocalTreeRegistry> allTrees() {
        List<LocalTreeRegistry> trees = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(Platform.sharedMemoryRoot(), TREE_PREFIX + "*")) {
            for (Path dir : dirs) {
                if (Files.isDirectory(dir) && Files.isReadable(dir) && parseRoot(dir) != null) {
                    trees.add(new LocalTreeRegistry(dir, null));
                }
            }
        } catch (IOException e) {
            // no shared-memory directory, nothing to list
        }
        return trees;
    }

    /** @return whether the process a record describes is alive (not a zombie) */
    public static boolean isAlive(ProcessRecord r) {
        return Platform.isAlive(r.pid(), r.startTicks());
    }

    /** @return the pid of the process that created the tree (its name says), or 0 when unknown */
    public long rootPid() {
        long[] root = parseRoot(directory);
        return root == null ? 0 : root[0];
    }

    private boolean rootAlive() {
        long[] root = parseRoot(directory);
        return root != null && Platform.isAlive(root[0], root[1]);
    }

    private static long[] parseRoot(Path dir) {
        String[] parts = dir.getFileName().toString().substring(TREE_PREFIX.length()).split("-");
        try {
            return parts.length == 2 ? new long[] {Long.parseLong(parts[0]), Long.parseLong(parts[1])} : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** A dead process whose parent is alive: the parent will read its record and remove it. */
    private static boolean awaitsReaping(ProcessRecord dead, Map<Long, ProcessRecord> byPid) {
        ProcessRecord parent = byPid.get(dead.parentPid());
        return parent != null && isAlive(parent);
    }

    private boolean onlyTableFilesLeft() {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory)) {
            for (Path f : files) {
                String n = f.getFileName().toString();
                if (!n.equals(LOCK_FILE) && !n.startsWith(RECORD_PREFIX) && !n.startsWith(FAILURE_PREFIX)
                        && !n.startsWith(TEMP_PREFIX)) {
                    return false;
                }
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The tree lock, held: a {@link ReentrantLock} between the threads of this JVM (a JVM may hold
     * a file lock only once) and a file lock on {@code .lock} between processes.
     */
    private final class TreeLock implements AutoCloseable {
        private final FileChannel channel;

        TreeLock(FileChannel channel) {
            this.channel = channel;
        }

        @Override
        public void close() {
            try {
                channel.close(); // releases the file lock
            } catch (IOException e) {
                // the lock goes with the channel in any case
            } finally {
                jvmLock.unlock();
            }
        }
    }

    /**
     * Takes the tree lock, creating the directory first (with the calling process's record in
     * it) when it does not exist.
     *
     * @throws UncheckedIOException when the directory cannot be created or locked
     */
    private TreeLock lockTree() {
        jvmLock.lock();
        try {
            for (int attempt = 0; ; attempt++) {
                boolean created = createDirectoryIfAbsent();
                FileChannel channel;
                try {
                    channel = FileChannel.open(directory.resolve(LOCK_FILE), StandardOpenOption.CREATE,
                            StandardOpenOption.WRITE);
                } catch (NoSuchFileException e) {
                    if (attempt > 3) {
                        throw e;
                    }
                    continue; // released by another process between mkdir and open: create it again
                }
                TreeLock held = new TreeLock(channel);
                try {
                    channel.lock();
                    if (!Files.isDirectory(directory)) {
                        channel.close();
                        continue; // released by another process while we waited: create it again
                    }
                    if (created && self != null) {
                        writeRecord(self.get());
                    }
                    return held;
                } catch (IOException | RuntimeException e) {
                    channel.close();
                    throw e;
                }
            }
        } catch (IOException | RuntimeException e) {
            jvmLock.unlock();
            throw e instanceof IOException ? failed((IOException) e) : (RuntimeException) e;
        }
    }

    private UncheckedIOException failed(IOException e) {
        return new UncheckedIOException("process table " + directory + ": " + e.getMessage(), e);
    }

    private boolean createDirectoryIfAbsent() throws IOException {
        try {
            Files.createDirectory(directory,
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        } catch (UnsupportedOperationException e) {
            Files.createDirectories(directory); // not a POSIX file system
            return true;
        }
    }

    private void writeRecord(ProcessRecord record) throws IOException {
        writeAtomically(directory.resolve(RECORD_PREFIX + record.pid()), record.format().getBytes(StandardCharsets.UTF_8));
    }

    private void writeAtomically(Path target, byte[] content) throws IOException {
        Path temp = directory.resolve(TEMP_PREFIX + target.getFileName() + "-" + Thread.currentThread().getId());
        Files.deleteIfExists(temp); // left by a writer that died half-way
        try (OutputStream out = Files.newOutputStream(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            setOwnerOnly(temp);
            out.write(content);
        }
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static void setOwnerOnly(Path file) {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException | UnsupportedOperationException e) {
            // not a POSIX file system: the directory's own protection is what we have
        }
    }

    private static Optional<ProcessRecord> readRecord(Path file) {
        try {
            return Optional.of(ProcessRecord.parse(Files.readString(file, StandardCharsets.UTF_8)));
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // gone meanwhile
        }
    }

    private List<Path> list(String prefix) {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(directory, prefix + "*")) {
            for (Path file : stream) {
                files.add(file);
            }
        } catch (IOException e) {
            // no directory: no files
        }
        return files;
    }

    private static void deleteTree(Path dir) {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                if (!f.getFileName().toString().equals(LOCK_FILE)) {
                    deleteQuietly(f);
                }
            }
        } catch (IOException e) {
            // already gone
        }
        deleteQuietly(dir.resolve(LOCK_FILE));
        deleteQuietly(dir);
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // a directory that is not empty yet, or a file gone meanwhile: the next cleanup retries
        }
    }
}
