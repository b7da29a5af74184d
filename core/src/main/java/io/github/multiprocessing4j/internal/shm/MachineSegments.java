package io.github.multiprocessing4j.internal.shm;

import io.github.multiprocessing4j.internal.os.OwnerOnly;
import io.github.multiprocessing4j.internal.os.Platform;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Segments named by the user and shared by every program of this user on the machine, not by one
 * tree: {@code /dev/shm/mp4j-named-NAME} for a block of raw memory, {@code mp4j-named-lock+NAME}
 * for a named lock (or in the temp directory where there is no writable {@code /dev/shm}, as for
 * trees). Nothing removes such a file but {@link #delete}: it outlives the program that made it,
 * as a POSIX shared memory object does. Every page is allocated when the segment is created
 * ({@link SegmentSpace#reserve}), so a full {@code /dev/shm} fails the creation, never a later
 * write.
 *
 * <p>Implementation notes. A segment is created under a private temporary name, given its size,
 * then published under its name with a hard link, which the file system makes atomically and
 * refuses when the name exists: two programs that create the same name at once get one winner
 * and one {@link FileAlreadyExistsException}, and a program that attaches never sees a file whose
 * size is not set yet (it would map fewer bytes than the creator). A program killed between the
 * two steps leaves its temporary file ({@code mp4j-partial-PID-N}, never attachable); that is
 * the price of the atomic publication.
 */
public final class MachineSegments {
    /** What a machine-wide segment's handle carries instead of a tree id: no tree id looks like it. */
    public static final String SCOPE = "machine";
    /** The longest name accepted: the file name, with its prefix, stays well under 255 bytes. */
    public static final int MAX_NAME_LENGTH = 200;
    private static final String PREFIX = "mp4j-named-";
    private static final String PARTIAL_PREFIX = "mp4j-partial-";
    private static final Pattern VALID_NAME = Pattern.compile("[A-Za-z0-9._-]+");
    /**
     * Joins a kind to a user's name in a segment's name ({@code lock+NAME}): no user's name has
     * it, so a named lock and a named block of the same name are different files, and
     * {@code SharedMemory.attachNamed} never finds a lock.
     */
    private static final char KIND_SEPARATOR = '+';
    /** The kind of a named lock's segment ({@link #kindName}). */
    public static final String LOCK_KIND = "lock";
    private static final AtomicLong PARTIAL_COUNTER = new AtomicLong();
    /** Names this JVM created and has not deleted: what a test must have cleaned up. */
    private static final Set<String> CREATED_HERE = ConcurrentHashMap.newKeySet();

    private MachineSegments() {
    }

    /**
     * Checks a user's name for a machine-wide segment.
     *
     * @param name the name
     * @return the name
     * @throws IllegalArgumentException when it is empty, longer than {@link #MAX_NAME_LENGTH}, or
     *     has a character other than ASCII letters, digits, '.', '_' and '-' (a '/' in particular)
     */
    public static String checkName(String name) {
        if (name == null || name.isEmpty() || name.length() > MAX_NAME_LENGTH || !VALID_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("a machine-wide name (of a shared memory block or a lock) must be 1 to " + MAX_NAME_LENGTH
                    + " characters among ASCII letters, digits, '.', '_' and '-' (no '/'), not "
                    + (name == null ? "null" : "\"" + name + "\""));
        }
        return name;
    }

    /**
     * Names the segment of a user's machine-wide object of another kind than a block of raw
     * memory (whose segment has the user's name as it is).
     *
     * @param kind the object's kind, such as {@link #LOCK_KIND}
     * @param name the user's name (checked: see {@link #checkName})
     * @return the segment's name, {@code KIND+NAME}
     */
    public static String kindName(String kind, String name) {
        return kind + KIND_SEPARATOR + checkName(name);
    }

    /**
     * Finds where the machine-wide segment {@code name} lives.
     *
     * @param name the segment's name: a user's name (checked: see {@link #checkName}), or one
     *     made by {@link #kindName}
     * @return its file, whether it exists or not
     */
    public static Path file(String name) {
        int separator = name == null ? -1 : name.indexOf(KIND_SEPARATOR);
        checkName(separator < 0 ? name : name.substring(separator + 1));
        return Platform.sharedMemoryRoot().resolve(PREFIX + name);
    }

    /**
     * Creates the zero-filled segment {@code name}, mode 0600.
     *
     * @throws IllegalStateException with a {@link FileAlreadyExistsException} as its cause when a
     *     segment of that name exists
     * @throws UncheckedIOException when the file cannot be created; its cause is a
     *     {@link SegmentSpace.SpaceExhaustedException} when the file system is full (every page is
     *     allocated here, see {@link SegmentSpace#reserve})
     */
    static void create(String name, long size) {
        Path target = file(name);
        Path partial = target.resolveSibling(PARTIAL_PREFIX + Platform.currentPid() + "-" + PARTIAL_COUNTER.incrementAndGet());
        try {
            try (FileChannel channel = OwnerOnly.open(partial, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                SegmentSpace.reserve(channel, size, partial.getParent(), "shared memory \"" + name + "\"");
            }
            Files.createLink(target, partial);
            CREATED_HERE.add(name);
        } catch (FileAlreadyExistsException e) {
            throw new IllegalStateException("shared memory \"" + name + "\" exists already (" + target
                    + "): attach to it, or unlink it first", e);
        } catch (SegmentSpace.SpaceExhaustedException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create shared memory \"" + name + "\" at " + target + ": " + e.getMessage(), e);
        } finally {
            deleteQuietly(partial);
        }
    }

    /**
     * @return the size in bytes of the existing segment {@code name}
     * @throws IllegalStateException with a {@link NoSuchFileException} as its cause when there is
     *     no segment of that name
     */
    static long size(String name) {
        Path file = file(name);
        try {
            return Files.size(file);
        } catch (NoSuchFileException e) {
            throw notFound(name, e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the size of " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * @return the identity of segment {@code name}'s file now (device and inode), which changes
     *     when the name is unlinked and made again; null when there is no such file or it cannot
     *     be read
     */
    static Object fileKey(String name) {
        try {
            return Files.readAttributes(file(name), BasicFileAttributes.class).fileKey();
        } catch (IOException e) {
            return null;
        }
    }

    /** @return the error for a segment that does not exist (never created, or unlinked) */
    static IllegalStateException notFound(String name, NoSuchFileException cause) {
        return new IllegalStateException("no shared memory named \"" + name + "\" on this machine (" + file(name)
                + "): it was never created, or was unlinked", cause);
    }

    /** Removes segment {@code name}; whoever mapped it keeps the mapping. Nothing when it is gone already. */
    static void delete(String name) {
        CREATED_HERE.remove(name);
        deleteQuietly(file(name));
    }

    /**
     * @return the names of the machine-wide segments this JVM created that still exist (nobody
     *     unlinked them), for tests that must leave none behind
     */
    public static List<String> createdHereAndPresent() {
        CREATED_HERE.removeIf(n -> !Files.exists(file(n)));
        return CREATED_HERE.stream().sorted().collect(Collectors.toList());
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // left for whoever unlinks it next: deleting is best effort, as an unlink of a gone file is
        }
    }
}
