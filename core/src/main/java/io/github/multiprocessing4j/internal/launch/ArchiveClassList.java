package io.github.multiprocessing4j.internal.launch;

import io.github.multiprocessing4j.internal.util.Log;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The classes a class-data archive holds, as the JVM that dumped it listed them
 * ({@code -XX:DumpLoadedClassList}), kept beside the archive: what tells a parent that a child's
 * target class is missing from the archive, and what the child that dumps the archive again loads
 * first, so that the new archive holds what the old one did.
 *
 * <p>Implementation notes. An archive holds the classes its dumping child loaded, and that child
 * is whichever was started first with a class path and options: a pool's worker, a spare that was
 * never used, a child whose target is in another class. Every later child whose target's class is
 * not archived loads it from its jar, which opens the jar's zip machinery (its central directory:
 * for a large application jar, milliseconds of CPU at every start). Measured on the 2-core
 * development VM with the benchmark's 2.8 MB jar, 200 children started and joined: 7.22-7.58 s
 * with an archive a pool worker had dumped, 6.45-6.64 s with one a plain child had dumped, about
 * 7.5 ms of CPU a child (5 rounds alternated; {@code strace}: 406 opens of the jar against 1). So
 * the first child whose target's class the list lacks dumps the archive again ({@link
 * ClassDataSharing}), having loaded every class of the list first ({@link #replay}): the archive
 * only grows, and a program that starts pool workers and plain children, or children of several
 * classes, ends with one archive for all of them. A key is dumped at most {@value #MOST_DUMPS}
 * times (the count is the list's last line): a dump makes its child's start and join about 150 ms
 * longer (a child that starts without the archive, then writes one; measured here), which a
 * program whose targets are in many classes would otherwise pay again and again. An archive
 * without a list (dumped before lists were kept) is dumped again by the next child with a target.
 *
 * <p>The list is a text file of one class a line, in the JVM's internal form ({@code a/b/C}),
 * some followed by {@code " id: n"} (JDK 25), and lines starting with {@code @} that describe
 * other archived things (not classes). Looking a class up reads it once per JVM (tens of
 * kilobytes), after which the parent's answer for a class is kept.
 */
final class ArchiveClassList {
    /** Ends the name of the list beside its archive's: {@code KEY.jsa.classes}. */
    static final String SUFFIX = ".classes";
    /** How many times a key's archive is dumped at most (see the class notes). */
    static final int MOST_DUMPS = 4;
    /** Begins the last line of a list kept beside its archive: how many dumps made it. */
    private static final String DUMPS_LINE = "#dumps ";

    private final Path file;
    /** The list's text after a line break (every class is then between two), read at the first look; null when there is no list. */
    private volatile String text;
    private volatile boolean read;

    private ArchiveClassList(Path file) {
        this.file = file;
    }

    /** @return the list kept beside {@code archive} (read when first looked at) */
    static ArchiveClassList of(Path archive) {
        return new ArchiveClassList(fileOf(archive));
    }

    /** @return where the list of {@code archive} is kept */
    static Path fileOf(Path archive) {
        return archive.resolveSibling(archive.getFileName() + SUFFIX);
    }

    /** @return the list's file */
    Path file() {
        return file;
    }

    /**
     * @param className a class's binary name ({@code a.b.C$D})
     * @return whether the archive holds it, as its list says (false when there is no list)
     */
    boolean lists(String className) {
        String listed = text();
        if (listed == null) {
            return false;
        }
        String internal = className.replace('.', '/');
        // a line of its own, or followed by its id
        return listed.contains('\n' + internal + '\n') || listed.contains('\n' + internal + ' ');
    }

    /** @return how many dumps made the archive: 1 when its list does not say (an archive older than its list) */
    int dumps() {
        String listed = text();
        int at = listed == null ? -1 : listed.lastIndexOf('\n' + DUMPS_LINE);
        if (at < 0) {
            return 1;
        }
        int start = at + 1 + DUMPS_LINE.length();
        int end = listed.indexOf('\n', start);
        try {
            return Integer.parseInt(listed.substring(start, end < 0 ? listed.length() : end));
        } catch (NumberFormatException e) {
            return MOST_DUMPS; // not ours: dump no more
        }
    }

    /** Forgets what was read: the next look reads the file again (a dump has replaced it). */
    void forget() {
        read = false;
    }

    private String text() {
        if (!read) {
            try {
                text = '\n' + Files.readString(file);
            } catch (IOException e) {
                text = null;
            }
            read = true;
        }
        return text;
    }

    /**
     * Keeps the list a dumping JVM wrote beside its archive, before the archive is moved into place
     * (a parent that reads the new list early finds its classes in the archive a moment later).
     *
     * @param written the list as the JVM wrote it
     * @param archive the archive it lists
     * @param dumps how many dumps made the archive, this one included
     */
    static void keep(Path written, Path archive, int dumps) throws IOException {
        Files.writeString(written, DUMPS_LINE + dumps + '\n', StandardOpenOption.APPEND);
        Files.move(written, fileOf(archive), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * Loads, without initialising them, the classes of a list through {@code loader}: what the
     * child that dumps an archive again does first, so that the new archive keeps the old one's
     * classes. A class not found (a list of another class path) is skipped.
     *
     * @param list the old archive's list
     * @param loader the loader the child's classes come from
     * @return how many classes were loaded (or were already)
     */
    static int replay(Path list, ClassLoader loader) {
        String listed;
        try {
            listed = Files.readString(list);
        } catch (IOException e) {
            Log.of(ArchiveClassList.class).log(System.Logger.Level.DEBUG, "no class list to replay: " + e);
            return 0;
        }
        int loaded = 0;
        int lineStart = 0;
        while (lineStart < listed.length()) {
            int lineEnd = listed.indexOf('\n', lineStart);
            if (lineEnd < 0) {
                lineEnd = listed.length();
            }
            int nameEnd = listed.indexOf(' ', lineStart);
            if (nameEnd < 0 || nameEnd > lineEnd) {
                nameEnd = lineEnd;
            }
            char first = lineStart < lineEnd ? listed.charAt(lineStart) : '@';
            if (first != '@' && first != '#') {
                try {
                    Class.forName(listed.substring(lineStart, nameEnd).replace('/', '.'), false, loader);
                    loaded++;
                } catch (ClassNotFoundException | LinkageError e) {
                    // not on this class path, or not loadable alone: the new archive does without it
                }
            }
            lineStart = lineEnd + 1;
        }
        return loaded;
    }
}
