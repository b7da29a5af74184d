package io.github.multiprocessing4j.internal.registry;

import io.github.multiprocessing4j.internal.os.OwnerOnly;
import io.github.multiprocessing4j.internal.os.Platform;

import io.github.multiprocessing4j.internal.shm.SegmentSpace;
import io.github.multiprocessing4j.internal.shm.SharedSegment;
import io.github.multiprocessing4j.internal.util.Log;
import io.github.multiprocessing4j.internal.util.Once;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
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
 *   pub-static-app.Main-0          published once for the tree ({@link #publishOnce}): the shared
 *                                    objects made by static initialisers
 *   .reserve                       allocated pages for the table's own writes when /dev/shm is
 *                                    full ({@link TreeFiles})
 * /tmp/spill-mp4j-4242-1834567/    the tree's spill directory ({@link SegmentSpace#spillDirectory}):
 *   seg-qchunk-4250-9                segments made while /dev/shm was full ({@link #createNamedSegmentOrSpill})
 * </pre>
 *
 * <p>Implementation notes. The directory lives exactly as long as the tree has something in it:
 * it is created when a process first needs it (the root when it starts its first child) and
 * removed by {@link #releaseIfIdle()} when the caller is the only live process left and nothing
 * else is stored. A record is removed by the parent that reaps the process, with the temporary
 * files of a write the process was killed in the middle of (they would stay until the tree
 * ends: nobody else knows them to be dead); a record whose
 * process died and whose parent died too would never be reaped, so {@code releaseIfIdle} drops
 * it. The records of dead children whose parent is alive are left for that parent, which reads
 * the exit state from them. Directories of trees whose every process was SIGKILLed are found by
 * {@link #removeDeadTrees()}, which the first tree a JVM creates runs once. A tree's spill
 * directory on disk counts as part of it: its segments keep the tree from being released, and
 * it is removed with the tree.
 *
 * <p>A child is in the table from its start: its parent's reaper records it as
 * {@code BOOTING} ({@link #putBooting}), with how it was started, unless the child was faster and
 * has recorded itself already; the child's own records replace that one and keep the start
 * method. Both happen under the tree lock, so the child's record is never overwritten by its
 * parent's.
 *
 * <p>The files themselves (names, the tree lock, atomic replacement) are {@link TreeFiles}'s;
 * this class says what they mean: who is in the tree, and when the tree is released. A child
 * records itself while it boots, so what it runs here is on the critical path of every
 * {@code start()}: that code uses no lambdas, whose first use costs a JVM milliseconds of
 * method-handle bootstrapping (the target's deserialization pays it once, later).
 */
public final class LocalTreeRegistry implements ProcessRegistry {
    /** Prefix of every tree directory; the rest of the name is ROOTPID-ROOTTICKS. */
    public static final String TREE_PREFIX = "mp4j-";
    private static final AtomicLong SEGMENT_COUNTER = new AtomicLong();

    /** Claimed when this JVM says that shared memory is full and queues spill (it says so once). */
    private static final Once SPILL_REPORT = new Once();

    private final Path directory;
    private final Path spillDirectory;
    private final TreeFiles files;

    private LocalTreeRegistry(Path directory, Supplier<ProcessRecord> self) {
        this.directory = directory;
        this.spillDirectory = SegmentSpace.spillDirectory(directory.getFileName().toString());
        this.files = new TreeFiles(directory, self);
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
            files.lockTree().close();
        }
    }

    @Override
    public void put(ProcessRecord record) {
        try (TreeFiles.TreeLock held = files.lockTree()) {
            ProcessRecord merged = record;
            if (record.startMethod().isEmpty()) { // a process writing its own record: keep what its parent added
                Optional<ProcessRecord> old = find(record.pid());
                if (old.isPresent() && old.get().startTicks() == record.startTicks()) {
                    merged = new ProcessRecord(record.pid(), record.parentPid(), record.startTicks(), record.name(),
                            record.daemon(), record.state(), record.signal(), old.get().startMethod());
                }
            }
            files.writeRecord(merged);
        } catch (IOException e) {
            throw files.failed(e);
        }
    }

    @Override
    public void putBooting(ProcessRecord booting) {
        try (TreeFiles.TreeLock held = files.lockTree()) {
            Optional<ProcessRecord> own = find(booting.pid());
            if (own.isPresent() && own.get().startTicks() != booting.startTicks()) {
                own = Optional.empty(); // a dead namesake's: pids recur in a long-lived tree
            }
            if (own.isEmpty()) {
                // The child has not recorded itself, so a failure under its pid is a namesake's
                // (an orphan's, whose parent died before it could remove it), not yet its own.
                TreeFiles.deleteQuietly(files.file(TreeFiles.FAILURE_PREFIX + booting.pid()));
                files.writeRecord(booting);
            } else if (own.get().startMethod().isEmpty()) {
                files.writeRecord(new ProcessRecord(own.get().pid(), own.get().parentPid(), own.get().startTicks(),
                        own.get().name(), own.get().daemon(), own.get().state(), own.get().signal(),
                        booting.startMethod()));
            }
        } catch (IOException e) {
            throw files.failed(e);
        }
    }

    @Override
    public Optional<ProcessRecord> find(long pid) {
        return TreeFiles.readRecord(files.file(TreeFiles.RECORD_PREFIX + pid));
    }

    @Override
    public List<ProcessRecord> records() {
        List<ProcessRecord> result = new ArrayList<>();
        for (Path file : files.list(TreeFiles.RECORD_PREFIX)) {
            Optional<ProcessRecord> record = TreeFiles.readRecord(file);
            if (record.isPresent()) {
                result.add(record.get());
            }
        }
        return result;
    }

    @Override
    public void remove(long pid) {
        String record = TreeFiles.RECORD_PREFIX + pid;
        String failure = TreeFiles.FAILURE_PREFIX + pid;
        files.removeRecord(pid);
        String scratchPrefix = TreeFiles.SEGMENT_PREFIX + SharedSegment.SCRATCH_KIND;
        for (Path file : files.list("")) { // one listing for both kinds of leftovers
            String name = file.getFileName().toString();
            if (name.startsWith(TreeFiles.TEMP_PREFIX)) {
                // the process was killed between writing a temporary file and its rename
                String written = name.substring(TreeFiles.TEMP_PREFIX.length());
                if (written.startsWith(record + "-") || written.startsWith(failure + "-")) {
                    TreeFiles.deleteQuietly(file);
                }
            } else if (name.startsWith(scratchPrefix)) {
                // a warm-up of the process made it and would have removed it, had it not been killed
                if (madeBy(name.substring(TreeFiles.SEGMENT_PREFIX.length()), pid)) {
                    TreeFiles.deleteQuietly(file);
                }
            }
        }
    }

    @Override
    public void putFailure(long pid, byte[] failure) {
        try (TreeFiles.TreeLock held = files.lockTree()) {
            files.writeAtomically(files.file(TreeFiles.FAILURE_PREFIX + pid), failure);
        } catch (IOException e) {
            throw files.failed(e);
        }
    }

    @Override
    public Optional<byte[]> findFailure(long pid) {
        return readIfPresent(TreeFiles.FAILURE_PREFIX + pid);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Under the tree lock: the first publisher finds no file and writes it atomically (temp file,
     * rename); the next ones find it. Readers need no lock, since the rename shows the whole file.
     */
    @Override
    public boolean publishOnce(String name, byte[] content) {
        try (TreeFiles.TreeLock held = files.lockTree()) {
            Path file = files.file(TreeFiles.PUBLISHED_PREFIX + name);
            if (Files.exists(file)) {
                return false;
            }
            files.writeAtomically(file, content);
            return true;
        } catch (IOException e) {
            throw files.failed(e);
        }
    }

    @Override
    public Optional<byte[]> findPublished(String name) {
        return readIfPresent(TreeFiles.PUBLISHED_PREFIX + name);
    }

    private Optional<byte[]> readIfPresent(String fileName) {
        try {
            return Optional.of(Files.readAllBytes(files.file(fileName)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw files.failed(e);
        }
    }

    @Override
    public boolean releaseIfIdle() {
        if (!Files.isDirectory(directory)) {
            return true;
        }
        try (TreeFiles.TreeLock held = files.lockTree()) {
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
            if (!idle || !files.onlyTableFilesLeft() || hasSpilledSegments()) {
                return false;
            }
            deleteTree();
            return true;
        }
    }

    @Override
    public boolean releaseAtExit() {
        if (!Files.isDirectory(directory)) {
            return true;
        }
        try (TreeFiles.TreeLock held = files.lockTree()) {
            long me = Platform.currentPid();
            for (ProcessRecord r : records()) {
                if (r.pid() != me && isAlive(r)) {
                    return false;
                }
            }
            deleteTree();
            return true;
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>{@code KIND-PID-STARTTICKS-COUNTER}, the start ticks in base 36: a pid alone does not
     * tell the processes of a long-lived tree apart. The kernel hands out a dead process's pid
     * again once the pids have wrapped ({@code /proc/sys/kernel/pid_max}, 32,768 on many machines,
     * this project's development VM among them; a JVM's threads take pids too, 20 or more
     * each), and the segments a dead child made may live on (a queue's chunks, its spares): a
     * child given its pid, counting from 1 again, then made names that were taken. Measured
     * before, with a child given the files a namesake would have left: its first new chunk
     * failed with {@code FileAlreadyExistsException} in its {@code put()}, and the name had been
     * written in the queue's tail slot, whose repair would have removed the namesake's chunk.
     */
    @Override
    public String newSegmentName(String kind) {
        return segmentName(kind, Platform.currentPid(), Platform.ownStartTicks(), SEGMENT_COUNTER.incrementAndGet());
    }

    /**
     * @return the name {@link #newSegmentName} gives the {@code counter}-th segment of kind
     *     {@code kind} made by process {@code pid} started at {@code startTicks}
     */
    public static String segmentName(String kind, long pid, long startTicks, long counter) {
        return kind + "-" + pid + "-" + Long.toString(startTicks, Character.MAX_RADIX) + "-" + counter;
    }

    /** @return whether {@code name} is one {@link #segmentName} gave a segment made by process {@code pid} */
    private static boolean madeBy(String name, long pid) {
        String[] parts = name.split("-"); // kind, pid, start ticks, counter
        return parts.length == 4 && parts[1].equals(Long.toString(pid));
    }

    /**
     * {@inheritDoc}
     *
     * <p>The file is made so that the tree is not released meanwhile ({@link TreeFiles#createFile}:
     * under the tree lock unless this process's record is in the table), its pages are allocated
     * after it (a large segment does not hold up the rest of the tree).
     */
    @Override
    public MappedByteBuffer createNamedSegment(String name, long size, int parts, long reserved) {
        return createSegmentFile(files.file(TreeFiles.SEGMENT_PREFIX + name), size, parts, reserved, false);
    }

    @Override
    public NewSegment createNamedSegmentOrSpill(String name, long size, int parts, long reserved) {
        try {
            return new NewSegment(createNamedSegment(name, size, parts, reserved), false);
        } catch (UncheckedIOException full) {
            if (!(full.getCause() instanceof SegmentSpace.SpaceExhaustedException)) {
                throw full;
            }
            MappedByteBuffer spilled;
            try {
                spilled = createSegmentFile(spillDirectory.resolve(TreeFiles.SEGMENT_PREFIX + name), size, parts, reserved, true);
            } catch (UncheckedIOException spillFailed) {
                spillFailed.addSuppressed(full);
                throw new UncheckedIOException(full.getMessage() + "; spilling to " + spillDirectory
                        + " failed too: " + spillFailed.getMessage(), spillFailed.getCause());
            }
            if (SPILL_REPORT.claim()) {
                Log.of(LocalTreeRegistry.class).log(System.Logger.Level.WARNING, full.getMessage()
                        + ". Until it has room again, queues keep their new items in " + spillDirectory
                        + " on disk (-D" + SegmentSpace.SPILL_DIR_PROPERTY + " chooses the directory): every item is kept,"
                        + " but they are slower there");
            }
            return new NewSegment(spilled, true);
        }
    }

    /**
     * Makes {@code file} (0600), allocates the first {@code reserved} bytes of each of its
     * {@code parts} equal parts and maps all {@code size} (which makes the file that long);
     * removes it again when one of those fails.
     */
    private MappedByteBuffer createSegmentFile(Path file, long size, int parts, long reserved, boolean spill) {
        FileChannel channel;
        try {
            if (spill) {
                try (TreeFiles.TreeLock held = files.lockTree()) {
                    createSpillDirectory();
                    channel = TreeFiles.openNew(file);
                }
            } else {
                channel = files.createFile(file);
            }
        } catch (IOException e) {
            throw files.failed(e);
        }
        try (channel) {
            long partSize = size / parts;
            Path root = file.getParent().getParent();
            String what = (spill ? "spilled shared segment " : "shared segment ") + name(file);
            for (int part = 0; part < parts; part++) {
                SegmentSpace.reserve(channel, part * partSize, part * partSize + Math.min(reserved, partSize), root, what);
            }
            return SharedSegment.mapWhole(channel, size);
        } catch (SegmentSpace.SpaceExhaustedException e) {
            TreeFiles.deleteQuietly(file);
            throw new UncheckedIOException(e.getMessage(), e);
        } catch (IOException e) {
            TreeFiles.deleteQuietly(file);
            throw files.failed(e);
        }
    }

    private static String name(Path segmentFile) {
        return segmentFile.getFileName().toString().substring(TreeFiles.SEGMENT_PREFIX.length());
    }

    private void createSpillDirectory() throws IOException {
        if (Files.isDirectory(spillDirectory)) {
            return;
        }
        Files.createDirectories(spillDirectory.getParent());
        try {
            OwnerOnly.createDirectory(spillDirectory);
        } catch (FileAlreadyExistsException e) {
            // made by another process of the tree meanwhile
        }
    }

    @Override
    public Path segmentFile(String name) {
        Path file = unspilledSegmentFile(name);
        if (Files.isRegularFile(file)) {
            return file;
        }
        Path spilled = spillDirectory.resolve(TreeFiles.SEGMENT_PREFIX + name);
        if (Files.isRegularFile(spilled)) {
            return spilled;
        }
        throw new IllegalStateException("shared segment " + name + " of tree " + treeId()
                + " does not exist: it was closed, or every process of its tree has ended");
    }

    @Override
    public Path unspilledSegmentFile(String name) {
        return files.file(TreeFiles.SEGMENT_PREFIX + name);
    }

    @Override
    public void deleteSegment(String name) {
        String file = TreeFiles.SEGMENT_PREFIX + name;
        // java.io.File's delete is one unlink; Files.deleteIfExists looks the file up before it
        if (!files.file(file).toFile().delete()) {
            spillDirectory.resolve(file).toFile().delete(); // not in shared memory: spilled, or gone already
        }
    }

    /** @return the tree's spill directory on disk ({@link SegmentSpace#spillDirectory}; it may not exist) */
    public Path spillDirectory() {
        return spillDirectory;
    }

    /** @return whether segments were spilled to disk and are still there */
    private boolean hasSpilledSegments() {
        try (DirectoryStream<Path> spilled = Files.newDirectoryStream(spillDirectory)) {
            return spilled.iterator().hasNext();
        } catch (IOException e) {
            return false; // no spill directory: nothing spilled
        }
    }

    /** Removes the tree's directory and its spill directory, with everything in them. */
    private void deleteTree() {
        files.deleteDirectory();
        TreeFiles.deleteTree(spillDirectory);
    }

    /**
     * Removes the directories of trees in which no process is alive any more: trees whose
     * processes were all SIGKILLed and so could not clean up. Their spill directories go with
     * them, and so do spill directories left without a tree by a root that is dead.
     *
     * @return how many directories were removed
     */
    public static int removeDeadTrees() {
        int removed = 0;
        for (LocalTreeRegistry tree : allTrees()) {
            if (tree.removeIfAllDead()) {
                removed++;
            }
        }
        Path shm = Platform.sharedMemoryRoot();
        Path spillRoot = SegmentSpace.spillRoot();
        // Names, not paths: the spill root is the temp directory by default, which may hold
        // thousands of entries, hardly any a spill directory, and this runs beside a new
        // program's first shared object. Measured in a new JVM on 2,800 entries: a directory
        // stream (a path made for each) 10-15 ms of CPU, File.list 2-3 ms.
        String[] names = spillRoot.toFile().list();
        String prefix = SegmentSpace.SPILL_PREFIX + TREE_PREFIX;
        for (String name : names == null ? new String[0] : names) { // null: no spill root, nothing spilled
            if (name.startsWith(prefix)) {
                Path tree = shm.resolve(name.substring(SegmentSpace.SPILL_PREFIX.length()));
                long[] root = parseRoot(tree);
                if (root != null && !Files.exists(tree) && !Platform.isAlive(root[0], root[1])) {
                    TreeFiles.deleteTree(spillRoot.resolve(name));
                    removed++;
                }
            }
        }
        return removed;
    }

    /**
     * Removes tree {@code treeId} as {@link #removeDeadTrees} would, when it exists and no process
     * of it is alive any more.
     *
     * @return whether it was removed
     */
    public static boolean removeIfDead(String treeId) {
        LocalTreeRegistry tree = open(treeId, null);
        return Files.isDirectory(tree.directory) && tree.removeIfAllDead();
    }

    private boolean removeIfAllDead() {
        if (rootAlive() || records().stream().anyMatch(LocalTreeRegistry::isAlive)) {
            return false;
        }
        deleteTree();
        return true;
    }

    /** @return every tree directory on this machine readable by this user */
    public static List<LocalTreeRegistry> allTrees() {
        List<LocalTreeRegistry> trees = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(Platform.sharedMemoryRoot(),
                TreeFiles.startingWith(TREE_PREFIX))) {
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

}
