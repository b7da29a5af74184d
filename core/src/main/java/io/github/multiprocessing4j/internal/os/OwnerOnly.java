package io.github.multiprocessing4j.internal.os;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Files and directories only their owner may use (modes 0600 and 0700): the library's files in
 * shared memory (process tables, segments) and its private caches.
 *
 * <p>Implementation notes. The permission sets are {@code Set.of}, not
 * {@code PosixFilePermissions.fromString}: that builds an {@code EnumSet}, whose first use in a
 * JVM finds the enum's constants by reflection (about a millisecond, interpreted), and a child
 * writes its record while it boots. A file is given its mode when it is created, which is one
 * system call and leaves no moment in which it has the umask's mode.
 */
public final class OwnerOnly {
    /** rw------- */
    public static final Set<PosixFilePermission> FILE_MODE =
            Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    /** rwx------ */
    public static final Set<PosixFilePermission> DIRECTORY_MODE =
            Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE);
    /** Creates a file with {@link #FILE_MODE}. */
    public static final FileAttribute<Set<PosixFilePermission>> FILE = PosixFilePermissions.asFileAttribute(FILE_MODE);
    /** Creates a directory with {@link #DIRECTORY_MODE}. */
    public static final FileAttribute<Set<PosixFilePermission>> DIRECTORY =
            PosixFilePermissions.asFileAttribute(DIRECTORY_MODE);

    private OwnerOnly() {
    }

    /**
     * Opens {@code file} as {@link FileChannel#open(Path, OpenOption...)} does; a file it creates
     * gets {@link #FILE_MODE} (on a file system without POSIX permissions, the directory's
     * protection is all there is). Does not block beyond the file system's own calls.
     *
     * @throws IOException as {@code FileChannel.open} (an existing file with {@code CREATE_NEW}:
     *     {@link java.nio.file.FileAlreadyExistsException}; no directory:
     *     {@link java.nio.file.NoSuchFileException})
     */
    public static FileChannel open(Path file, OpenOption... options) throws IOException {
        Set<OpenOption> optionSet = Set.of(options);
        try {
            return FileChannel.open(file, optionSet, FILE);
        } catch (UnsupportedOperationException notPosix) {
            return FileChannel.open(file, optionSet);
        }
    }

    /**
     * Creates {@code directory} with {@link #DIRECTORY_MODE} (its parent must exist).
     *
     * @throws java.nio.file.FileAlreadyExistsException when it exists
     * @throws IOException when it cannot be created
     */
    public static void createDirectory(Path directory) throws IOException {
        try {
            Files.createDirectory(directory, DIRECTORY);
        } catch (UnsupportedOperationException notPosix) {
            Files.createDirectory(directory);
        }
    }
}
