package io.github.multiprocessing4j.internal.sync;

import io.github.multiprocessing4j.internal.os.OwnerOnly;

import java.io.IOException;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * A process's doorbell as other processes find it: a small file in the user's doorbell directory,
 * named by the pid ({@link Doorbell}), which says where the process's doorbell pipe is and whether a
 * ring of it is unheard.
 *
 * <pre>
 *  0               8       12      16              24
 *  +---------------+-------+-------+---------------+
 *  | pipe inode    | fd    | 0     | unheard since |
 *  +---------------+-------+-------+---------------+
 *
 *  pipe inode     the inode of the process's doorbell pipe: what {@code /proc/PID/fd/FD} links to
 *                 ({@code pipe:[INODE]}) while that process holds the pipe; set before the file
 *                 is published, never changed
 *  fd             the number of the pipe's read end in the process
 *  unheard since  {@link System#currentTimeMillis()} when a ringer wrote a byte that the
 *                 process has not read yet; 0 when every ring was heard. A ringer writes only
 *                 when it finds 0 (or a time over a second old) there, and sets its own time
 *                 first; the listening thread sets it to 0 after each read
 * </pre>
 *
 * <p>Implementation notes. The "unheard since" word keeps the pipe all but empty: a byte is
 * written only while none is waiting to be read, so a write never finds the pipe full (which
 * would block the ringer, inside a put) even when the listening process is stopped. Two ringers
 * that look at the same moment may both write (a byte too many, read with the other: no atomic
 * update, whose first use in a child's interpreter links method handles for half a millisecond,
 * and costs a few microseconds after); one over a second old is taken over, so a ringer killed
 * between its look and its write does not silence the doorbell for good (some bytes a second
 * reach a stopped process: the pipe's 64 KiB last hours). The file is written under a temporary
 * name and moved onto its own, so a ringer never maps a file shorter than the layout (which would
 * fault on the first access).
 */
final class DoorbellFile {
    private static final int INODE = 0;
    private static final int FD = 8;
    private static final int UNHEARD_SINCE = 16;
    static final int SIZE = 24;
    /** How old an unheard ring may be before a ringer writes another: see the class notes. */
    static final long STALE_RING_MILLIS = 1_000;
    /**
     * The suffix of a doorbell file being written: the pid before it still names it, for
     * {@link Doorbell#removeBellsOfDeadProcesses}.
     */
    static final String PARTIAL_SUFFIX = ".partial";

    private final MappedByteBuffer words;

    private DoorbellFile(MappedByteBuffer words) {
        this.words = words;
        words.order(ByteOrder.nativeOrder()); // as the file was written
    }

    /**
     * Writes and publishes this process's doorbell file at {@code file}, replacing any left by a
     * process of the same pid that was killed.
     */
    static DoorbellFile publish(Path file, long pipeInode, int fd) throws IOException {
        Path partial = file.resolveSibling(file.getFileName() + PARTIAL_SUFFIX);
        ByteBuffer content = ByteBuffer.allocate(SIZE).order(ByteOrder.nativeOrder());
        content.putLong(INODE, pipeInode).putInt(FD, fd);
        try (FileChannel channel = OwnerOnly.open(partial, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            while (content.hasRemaining()) {
                channel.write(content);
            }
            MappedByteBuffer words = channel.map(FileChannel.MapMode.READ_WRITE, 0, SIZE);
            Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return new DoorbellFile(words);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(partial);
            throw e;
        }
    }

    /** @return the doorbell file at {@code file}, mapped; null when there is none */
    static DoorbellFile open(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            if (channel.size() < SIZE) {
                return null; // not one of these: a published file always has its size
            }
            return new DoorbellFile(channel.map(FileChannel.MapMode.READ_WRITE, 0, SIZE));
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    long pipeInode() {
        return words.getLong(INODE);
    }

    int fd() {
        return words.getInt(FD);
    }

    /** @return whether the caller may write a ring into the pipe: none was unheard (or it is stale), and now one is */
    boolean claimRing() {
        long now = System.currentTimeMillis();
        long unheardSince = words.getLong(UNHEARD_SINCE);
        if (unheardSince != 0 && now - unheardSince < STALE_RING_MILLIS) {
            return false;
        }
        words.putLong(UNHEARD_SINCE, now);
        return true;
    }

    /** Says that the rings written so far were read: for the listening thread, after its read, before it wakes the waits. */
    void heard() {
        words.putLong(UNHEARD_SINCE, 0);
        VarHandle.fullFence();
    }
}
