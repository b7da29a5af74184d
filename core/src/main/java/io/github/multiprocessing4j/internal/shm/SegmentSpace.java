package io.github.multiprocessing4j.internal.shm;

import io.github.multiprocessing4j.internal.os.Platform;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Where a segment's bytes come from: every page of a segment file is allocated when the file is
 * made, and the directories a segment may live in ({@code /dev/shm}, or a disk directory for a
 * queue's chunks when that is full).
 *
 * <p>Implementation notes. A mapped file whose pages the file system cannot back kills the JVM
 * at the first write to them: tmpfs answers a write into a hole of a sparse file with SIGBUS
 * when it is full, which the JVM reports as an {@link InternalError} ("a fault occurred in an
 * unsafe memory access") in whatever thread touched the page, long after the file was made.
 * Java 17 has no {@code fallocate}, so {@link #reserve} writes zeros through the file channel
 * in blocks of {@value #BLOCK} bytes: the file system allocates every page then, and a full one
 * answers {@code ENOSPC} to that write, an {@link IOException} at the call that asked for the
 * segment. The zeros come from one read-only direct buffer, so no write copies them first.
 * Measured on tmpfs (a 2-core VM under load): about 1 ms per MiB against 0.1 ms for the sparse
 * file it replaces, so a 1 MiB queue chunk costs 1 ms more and a 256 MiB {@code SharedMemory}
 * about 0.3 s more; the sparse file paid most of it later anyway, when the first touch of each
 * page through the mapping allocated it (touching 64 MiB took 0.9 s either way, and the
 * reservation added 0.1 s to that). Blocks of 256 KiB make the system calls few; larger ones
 * were no faster.
 *
 * <p>Which errors mean "full": {@code ENOSPC} and {@code EDQUOT} in the message, or, as the
 * message may be translated, less usable space left in the directory than the segment needs.
 */
public final class SegmentSpace {
    /** The system property that chooses where queue chunks spill when shared memory is full. */
    public static final String SPILL_DIR_PROPERTY = "mp4j.spillDir";
    /** Prefix of a tree's spill directory in the spill root; the rest is the tree's id. */
    public static final String SPILL_PREFIX = "spill-";
    private static final int BLOCK = 1 << 18;
    private static final long MIB = 1 << 20;
    private static final int PAGE = 4096;
    /** A shared-memory directory of at least this many MiB gives chunks their preferred size ({@link #fittedChunkSize}). */
    static final long ROOMY_MIB = 256;
    private static volatile ByteBuffer zeros;

    private SegmentSpace() {
    }

    /**
     * @return the directory under which trees spill queue chunks when shared memory is full: the
     *     one {@value #SPILL_DIR_PROPERTY} names, else the temp directory ({@code java.io.tmpdir})
     */
    public static Path spillRoot() {
        String chosen = System.getProperty(SPILL_DIR_PROPERTY);
        return Path.of(chosen != null && !chosen.isEmpty() ? chosen : System.getProperty("java.io.tmpdir")).toAbsolutePath();
    }

    /** @return the directory where tree {@code treeId} spills its queue chunks (it may not exist) */
    public static Path spillDirectory(String treeId) {
        return spillRoot().resolve(SPILL_PREFIX + treeId);
    }

    /**
     * Allocates every page of a file of {@code size} bytes by writing zeros over all of it: the
     * file's size is set first (so that a reader never sees it shorter), then every block is
     * written. A file of a page or less is written at once: a write within one page sets the
     * size once, at its end (a lock, a value: one system call of two).
     *
     * @param channel the file, open for writing, empty or of zeros
     * @param where the directory the user knows the file by ({@code /dev/shm}, the spill root),
     *     for the message
     * @param what what the segment is, for the message ("shared segment queue-12-3")
     * @throws SpaceExhaustedException when the file system is full
     * @throws IOException when writing fails otherwise
     */
    public static void reserve(FileChannel channel, long size, Path where, String what) throws IOException {
        reserve(channel, 0, size, where, what);
    }

    /**
     * Allocates the pages of bytes {@code from} to {@code to} of a file by writing zeros over them,
     * as {@link #reserve(FileChannel, long, Path, String)} does for a whole file (from 0, it sets
     * the file's size first): for a segment whose pages are allocated as its user comes to need
     * them (a queue's first chunk).
     *
     * @param channel the file, open for writing; bytes {@code from} to {@code to} hold nothing yet
     * @throws SpaceExhaustedException when the file system is full
     * @throws IOException when writing fails otherwise
     */
    public static void reserve(FileChannel channel, long from, long to, Path where, String what) throws IOException {
        if (to <= from) {
            return;
        }
        ByteBuffer source = zeros();
        long position = from;
        try {
            if (from == 0 && to > PAGE) {
                channel.write(source.duplicate().limit(1), to - 1);
            }
            while (position < to) {
                ByteBuffer block = source.duplicate();
                block.limit((int) Math.min(BLOCK, to - position));
                while (block.hasRemaining()) {
                    position += channel.write(block, position);
                }
            }
        } catch (IOException e) {
            if (isNoSpace(e, where, to - position)) {
                throw new SpaceExhaustedException(noSpaceMessage(where, to - from, what), e);
            }
            throw e;
        }
    }

    /**
     * @return whether {@code e}, thrown while {@code needed} more bytes were to be written in
     *     {@code directory}, says that its file system is full
     */
    public static boolean isNoSpace(IOException e, Path directory, long needed) {
        if (e instanceof SpaceExhaustedException) {
            return true;
        }
        String message = String.valueOf(e.getMessage());
        if (message.contains("No space left") || message.contains("Disk quota exceeded")) {
            return true;
        }
        try {
            return Files.getFileStore(directory).getUsableSpace() < needed;
        } catch (IOException | RuntimeException unknown) {
            return false;
        }
    }

    /**
     * @param directory the full directory
     * @param size the bytes that were asked for
     * @param what what they were for
     * @return what is full, how much is used, and what to do about it
     */
    public static String noSpaceMessage(Path directory, long size, String what) {
        StringBuilder m = new StringBuilder("no space left in ").append(directory).append(" for ").append(what)
                .append(" (").append(mib(size)).append(')');
        try {
            FileStore store = Files.getFileStore(directory);
            long total = store.getTotalSpace();
            long free = store.getUsableSpace();
            m.append(": ").append(mib(total - store.getUnallocatedSpace())).append(" of ").append(mib(total))
                    .append(" used, ").append(mib(free)).append(" free");
        } catch (IOException | RuntimeException unknown) {
            // the sizes are a courtesy: the advice below stands without them
        }
        m.append(". Shared memory is what the processes' shared objects are made of: give it more room"
                + " (Docker: docker run --shm-size=1g; Kubernetes: mount an emptyDir volume with medium: Memory"
                + " and a sizeLimit at /dev/shm), close the shared objects you no longer need, or move it to a"
                + " larger memory-backed directory with -D").append(Platform.SHM_DIR_PROPERTY).append("=DIR");
        return m.toString();
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / (double) MIB);
    }

    /**
     * Fits a queue's or channel's chunk size to the room of the shared-memory directory
     * ({@link Platform#sharedMemoryRoot}): the preferred size where that holds {@value #ROOMY_MIB}
     * MiB or more (a machine's {@code /dev/shm} is half its memory), else a size in proportion,
     * down to a sixteenth. Docker gives a container 64 MiB: a queue then takes 256 KiB chunks and
     * a pool's channel 1 MiB ones, so that a pool of 16 workers holds about 18 MiB instead of 69
     * (more than the whole directory: measured, its channels spilled to disk, with a warning from
     * every worker), and a queue that has carried items 256 KiB when idle instead of 1 MiB (a
     * new one holds its first chunk only, {@code ByteQueue.FIRST_CHUNK_BYTES}). Smaller chunks
     * cost a chunk switch more often, and an item larger than a chunk gets a segment of its own.
     *
     * @param preferred the size for a roomy directory, a multiple of the page size
     * @return the chunk size to use, a multiple of the page size
     */
    public static int fittedChunkSize(int preferred) {
        return fittedChunkSize(preferred, Room.TOTAL);
    }

    /** @return the size of the shared-memory directory's file system in bytes; 0 when unknown */
    static long roomBytes() {
        return Room.TOTAL;
    }

    /** {@link #fittedChunkSize(int)} for a directory of {@code room} bytes (0 or less: unknown). */
    static int fittedChunkSize(int preferred, long room) {
        long roomy = ROOMY_MIB * MIB;
        if (room <= 0 || room >= roomy) {
            return preferred;
        }
        long scaled = Math.max(preferred / 16, preferred * room / roomy);
        return (int) Math.max(PAGE, scaled / PAGE * PAGE);
    }

    /** The shared-memory directory's size, read once (one {@code statvfs}; no mount table read). */
    private static final class Room {
        static final long TOTAL = Platform.sharedMemoryRoot().toFile().getTotalSpace();
    }

    /**
     * @return a read-only direct buffer of zeros (256 KiB) to write from without a copy: take a
     *     {@code duplicate()}, whose position and limit are the caller's own
     */
    public static ByteBuffer zeros() {
        ByteBuffer z = zeros;
        if (z == null) {
            z = ByteBuffer.allocateDirect(BLOCK).asReadOnlyBuffer();
            zeros = z; // a race makes two: both are zeros
        }
        return z;
    }

    /** The file system that was to hold a segment is full; the message says which and what to do. */
    public static final class SpaceExhaustedException extends IOException {
        private static final long serialVersionUID = 1L;

        /** @param message what is full and what to do; @param cause the write that failed */
        public SpaceExhaustedException(String message, IOException cause) {
            super(message, cause);
        }
    }
}
