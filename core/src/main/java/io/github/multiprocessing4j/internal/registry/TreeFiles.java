package io.github.multiprocessing4j.internal.registry;

import io.github.multiprocessing4j.internal.os.OwnerOnly;
import io.github.multiprocessing4j.internal.os.Platform;
import io.github.multiprocessing4j.internal.shm.SegmentSpace;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * The files of one tree's directory: their names, the tree lock, and how a file is written so
 * that a reader never sees half of it. The layout is drawn in {@link LocalTreeRegistry}, which
 * gives the files their meaning (who is in the tree, when it is released).
 *
 * <p>Implementation notes. Every change that creates or deletes the directory is made under the
 * {@code .lock} file lock (between processes) and a {@link ReentrantLock} (between threads of this
 * JVM, because a JVM may hold a file lock only once); so is every new file of the directory made
 * by a process whose own record is not in it ({@link #createFile}). Taking the lock creates the
 * directory when it does not exist, with the record of the calling process in it, so that a tree
 * never exists without its creator. A lock counts only on the {@code .lock} that is at its path
 * once it is held (same device and inode as the one opened): a waiter that gets the lock of a file
 * the tree's release removed holds nothing, perhaps beside a process that has made the directory
 * and its {@code .lock} again, and locks again. Records and failures are replaced atomically:
 * written to a temporary file, then renamed over the old one. A child writes its record while it
 * boots, so this code is on the critical path of every {@code start()}: it uses no lambdas, whose
 * first use costs a JVM milliseconds of method-handle bootstrapping.
 *
 * <p>The table keeps working when shared memory is full: every write of it allocates a page (the
 * temporary file) before the rename frees the old one, and a full {@code /dev/shm} would refuse
 * that page, so a child could not record itself nor a process settle its record at exit. The
 * directory therefore holds {@code .reserve}, {@value #RESERVE_BYTES} bytes of allocated pages
 * made with the directory. A write that finds no room truncates the reserve by what it needs and
 * tries again; after it, the reserve is grown back page by page as far as there is room (the
 * rename freed the old file's page), and a process that found it short tries again after each
 * of its writes. The pages a truncation frees go to whoever asks first, in principle another
 * program filling {@code /dev/shm}; the library's own segments never take them unawares, since
 * each allocates all its pages at creation and fails whole. A tree keeps dozens of records'
 * worth in reserve, and a record that ends gives its page back.
 */
final class TreeFiles {
    static final String RECORD_PREFIX = "proc-";
    static final String FAILURE_PREFIX = "failure-";
    static final String LOCK_FILE = ".lock";
    /** Pages kept for the table's own writes when shared memory is full (see the class notes). */
    static final String RESERVE_FILE = ".reserve";
    static final int RESERVE_BYTES = 64 * 4096;
    private static final int PAGE = 4096;
    static final String TEMP_PREFIX = ".tmp-";
    static final String SEGMENT_PREFIX = "seg-";
    /** What a process published for the whole tree (ProcessRegistry.publishOnce). */
    static final String PUBLISHED_PREFIX = "pub-";

    /** What this JVM knows of each tree directory it uses, shared by every {@code TreeFiles} of it. */
    private static final Map<Path, ThisJvm> JVM_SIDES = new HashMap<>();

    private final Path directory;
    private final Supplier<ProcessRecord> self;
    private final ReentrantLock jvmLock;
    private final ThisJvm thisJvm;
    /** Whether the reserve may be short of {@link #RESERVE_BYTES}, as this process last saw it; under the tree lock. */
    private boolean reserveShort = true;

    /**
     * @param directory the tree's directory, which may not exist yet
     * @param self the record of the calling process, written whenever the directory is
     *     (re)created; null for a process that only reads or removes the tree
     */
    TreeFiles(Path directory, Supplier<ProcessRecord> self) {
        this.directory = directory;
        this.self = self;
        synchronized (JVM_SIDES) {
            ThisJvm side = JVM_SIDES.get(directory);
            if (side == null) {
                side = new ThisJvm();
                JVM_SIDES.put(directory, side);
            }
            this.thisJvm = side;
            this.jvmLock = side.lock;
        }
    }

    /** This JVM's side of one tree directory. */
    private static final class ThisJvm {
        /** Between the threads of this JVM, which may hold the directory's file lock only once. */
        final ReentrantLock lock = new ReentrantLock();
        /**
         * Whether this process's record is in the directory: written by this JVM, and neither
         * it nor the directory removed by this JVM since. Set under {@link #lock}; cleared
         * without it too, which only sends the next new file through the tree lock.
         */
        volatile boolean ownRecordIn;
    }

    /** @return the file called {@code name} in the tree's directory */
    Path file(String name) {
        return directory.resolve(name);
    }

    /**
     * @return whether only the table's own files are left: no shared segment. Publications count
     *     as the table's: they name shared segments, and are worth nothing once those are gone.
     */
    boolean onlyTableFilesLeft() {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory)) {
            for (Path f : files) {
                String n = f.getFileName().toString();
                if (!n.equals(LOCK_FILE) && !n.equals(RESERVE_FILE) && !n.startsWith(RECORD_PREFIX) && !n.startsWith(FAILURE_PREFIX)
                        && !n.startsWith(TEMP_PREFIX) && !n.startsWith(PUBLISHED_PREFIX)) {
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
    final class TreeLock implements AutoCloseable {
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
    TreeLock lockTree() {
        jvmLock.lock();
        try {
            for (int attempt = 0; ; attempt++) {
                boolean created = false;
                FileChannel channel;
                try {
                    channel = openLockFile();
                } catch (NoSuchFileException noDirectory) {
                    // Only now mkdir: one that fails on an existing directory costs an exception,
                    // and the directory exists at nearly every lock (a child's boot takes two)
                    created = createDirectoryIfAbsent();
                    try {
                        channel = openLockFile();
                    } catch (NoSuchFileException e) {
                        if (attempt > 3) {
                            throw e;
                        }
                        continue; // released by another process between mkdir and open: create it again
                    }
                }
                TreeLock held = new TreeLock(channel);
                try {
                    Object opened = lockFileKey();
                    lockWithoutWaitingInTheKernel(channel);
                    if (opened == null || !opened.equals(lockFileKey())) {
                        // The tree was released while we waited (its .lock removed, the one we
                        // hold a lock on is gone): holding that, we would hold nothing, beside a
                        // process that has made the directory and its .lock again. Lock again.
                        channel.close();
                        continue;
                    }
                    if (created) {
                        topUpReserve();
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

    /**
     * Takes the file lock by polling: a process waiting in the kernel for a POSIX record lock
     * counts in the kernel's deadlock detection, which looks at processes, not threads. While one
     * thread of a parent waited there for the tree lock held by a booting child, the child's
     * program asking for a file lock the parent's program held was refused at once with
     * "Resource deadlock avoided" (EDEADLK), though the child's record thread would have let go
     * a moment later: seen in the bench, whose parent holds a file lock its idle child waits on.
     * A poll adds no waiting edge, so the library never takes part in such a cycle.
     */
    private static void lockWithoutWaitingInTheKernel(FileChannel channel) throws IOException {
        long pauseNanos = 10_000;
        for (int look = 0; channel.tryLock() == null; look++) {
            if (look < 10) {
                Thread.yield(); // the tree lock is held for a record's write: often gone at once
            } else {
                LockSupport.parkNanos(pauseNanos);
                pauseNanos = Math.min(2 * pauseNanos, 1_000_000);
            }
        }
    }

    /** @return the identity (device and inode) of the file at {@code .lock}'s path now; null when there is none */
    private Object lockFileKey() {
        try {
            return Files.readAttributes(directory.resolve(LOCK_FILE), BasicFileAttributes.class).fileKey();
        } catch (IOException e) {
            return null;
        }
    }

    private FileChannel openLockFile() throws IOException {
        return OwnerOnly.open(directory.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    }

    UncheckedIOException failed(IOException e) {
        return new UncheckedIOException("process table " + directory + ": " + e.getMessage(), e);
    }

    private boolean createDirectoryIfAbsent() throws IOException {
        try {
            OwnerOnly.createDirectory(directory);
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        }
    }

    void writeRecord(ProcessRecord record) throws IOException {
        writeAtomically(directory.resolve(RECORD_PREFIX + record.pid()), record.format().getBytes(StandardCharsets.UTF_8));
        if (record.pid() == Platform.currentPid() && record.startTicks() == Platform.ownStartTicks()) {
            thisJvm.ownRecordIn = true;
        }
    }

    /** Removes the record of process {@code pid}, and the failure it left, if any. */
    void removeRecord(long pid) {
        if (pid == Platform.currentPid()) {
            thisJvm.ownRecordIn = false;
        }
        deleteQuietly(file(RECORD_PREFIX + pid));
        deleteQuietly(file(FAILURE_PREFIX + pid));
    }

    /**
     * Creates {@code file}, a new file of the tree's directory (mode 0600), open for reading and
     * writing: under the tree lock, so that no process releases the tree meanwhile, unless this
     * process's own record is in the directory. Then no other process releases the tree while
     * this one lives (a release needs every other process of the table dead, and
     * {@link LocalTreeRegistry#removeDeadTrees} every one), and this JVM's own releases are kept
     * out by its lock alone: the file lock costs a segment's creation six system calls (open,
     * two looks at {@code .lock}, lock, unlock, close), a third of a lock's creation and unlink
     * (measured on the 2-core development VM, a {@code ProcessLock} made, taken, released and
     * unlinked: 48 -> 36 µs once compiled, 195 -> 148 µs in a program's first 200).
     *
     * @throws FileAlreadyExistsException when it exists
     * @throws IOException when it cannot be made
     */
    FileChannel createFile(Path file) throws IOException {
        if (thisJvm.ownRecordIn) {
            jvmLock.lock();
            try {
                if (thisJvm.ownRecordIn) {
                    return openNew(file);
                }
            } catch (NoSuchFileException directoryGone) {
                thisJvm.ownRecordIn = false; // removed from outside the library: made again below, with the record
            } finally {
                jvmLock.unlock();
            }
        }
        try (TreeLock held = lockTree()) {
            return openNew(file);
        }
    }

    /**
     * @return the new file {@code file} (mode 0600), open for reading and writing
     * @throws FileAlreadyExistsException when it exists
     */
    static FileChannel openNew(Path file) throws IOException {
        return OwnerOnly.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE);
    }

    /** Removes the tree's directory, with everything in it: under the tree lock, or when every process of it is dead. */
    void deleteDirectory() {
        thisJvm.ownRecordIn = false;
        deleteTree(directory);
    }

    /**
     * Writes {@code target} whole (temporary file, rename), under the tree lock. When shared
     * memory is full, pages of the reserve are given up for it, and taken back afterwards as far
     * as there is room (see the class notes).
     */
    void writeAtomically(Path target, byte[] content) throws IOException {
        Path temp = directory.resolve(TEMP_PREFIX + target.getFileName() + "-" + Thread.currentThread().getId());
        while (true) {
            try {
                // Truncated, not deleted first: one left by a writer that died half-way, or by the
                // failed attempt, is this writer's to reuse (the directory is the owner's only)
                try (FileChannel out = OwnerOnly.open(temp, StandardOpenOption.CREATE,
                        StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
                    ByteBuffer bytes = ByteBuffer.wrap(content);
                    while (bytes.hasRemaining()) {
                        out.write(bytes);
                    }
                }
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                break;
            } catch (IOException e) {
                if (!SegmentSpace.isNoSpace(e, directory, content.length) || !giveUpReserve(content.length + PAGE)) {
                    deleteQuietly(temp);
                    throw e;
                }
            }
        }
        if (reserveShort) {
            topUpReserve();
        }
    }

    /**
     * Frees at least {@code bytes} of the reserve (whole pages), for a write that found shared
     * memory full.
     *
     * @return false when the reserve is empty: the write fails as it would without one
     */
    private boolean giveUpReserve(long bytes) {
        reserveShort = true;
        try (FileChannel reserve = FileChannel.open(file(RESERVE_FILE), StandardOpenOption.WRITE)) {
            long size = reserve.size();
            if (size == 0) {
                return false;
            }
            reserve.truncate(Math.max(0, size - (bytes + PAGE - 1) / PAGE * PAGE));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Grows the reserve back to {@link #RESERVE_BYTES}, page by page, as far as shared memory has
     * room; what is written is allocated, so the file's size is what it holds.
     */
    private void topUpReserve() {
        try (FileChannel reserve = OwnerOnly.open(file(RESERVE_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            long size = reserve.size() / PAGE * PAGE;
            try {
                // in one write where there is room: page by page, interpreted, took a new JVM's
                // first start a millisecond, and a start/join loop without spares makes the directory each round
                ByteBuffer zeros = SegmentSpace.zeros();
                while (size < RESERVE_BYTES) {
                    ByteBuffer block = zeros.duplicate();
                    block.limit((int) Math.min(block.capacity(), RESERVE_BYTES - size));
                    size += reserve.write(block, size);
                }
                reserveShort = false;
            } finally {
                reserve.truncate(size / PAGE * PAGE); // a page half-written when shared memory ran out is not kept
            }
        } catch (IOException e) {
            // full: the reserve stays as it is, and this process tries again after its next write
        }
    }

    static Optional<ProcessRecord> readRecord(Path file) {
        try {
            return Optional.of(ProcessRecord.parse(Files.readString(file, StandardCharsets.UTF_8)));
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // gone meanwhile
        }
    }

    List<Path> list(String prefix) {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(directory, startingWith(prefix))) {
            for (Path file : stream) {
                files.add(file);
            }
        } catch (IOException e) {
            // no directory: no files
        }
        return files;
    }

    /**
     * @return a filter of the entries whose name starts with {@code prefix}: a glob
     *     ({@code prefix + "*"}) would compile a regular expression at every listing, and a JVM's
     *     first one costs it milliseconds (a program's first shared object lists the trees of the
     *     machine); not a lambda, for the children's boot, which links none
     */
    static DirectoryStream.Filter<Path> startingWith(String prefix) {
        return new DirectoryStream.Filter<>() {
            @Override
            public boolean accept(Path entry) {
                return entry.getFileName().toString().startsWith(prefix);
            }
        };
    }

    static void deleteTree(Path dir) {
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

    static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // a directory that is not empty yet, or a file gone meanwhile: the next cleanup retries
        }
    }
}
