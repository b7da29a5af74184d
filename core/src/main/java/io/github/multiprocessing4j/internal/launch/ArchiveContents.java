package io.github.multiprocessing4j.internal.launch;

import io.github.multiprocessing4j.internal.util.Log;

import java.io.FileInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * What a class-data archive holds, kept in two files beside it: the classes its dumping JVM
 * loaded, as the JVM listed them ({@code -XX:DumpLoadedClassList}, {@code KEY.jsa.classes}), and
 * the targets' classes its dumps were made for ({@code KEY.jsa.targets}, a line a dump). They
 * tell a parent that a child's target class is missing from the archive, and the child that dumps
 * the archive again what to load first, so that the new archive holds what the old one did.
 *
 * <p>Implementation notes. An archive holds the classes its dumping child loaded, and that child
 * is whichever was started first with a class path and options: a pool's worker, a spare that was
 * never used, a child whose target is in another class. Every later child whose target's class is
 * not archived loads it from its jar, which opens the jar's zip machinery (its central directory:
 * for a large application jar, milliseconds of CPU at every start). Measured on the 2-core
 * development VM with the benchmark's 2.8 MB jar, 200 children started and joined: 7.22-7.58 s
 * with an archive a pool worker had dumped, 6.45-6.64 s with one a plain child had dumped, about
 * 7.5 ms of CPU a child (5 rounds alternated; {@code strace}: 406 opens of the jar against 1). So
 * the first child whose target's class the archive lacks dumps it again ({@link
 * ClassDataSharing}), having loaded every class of the list first ({@link #replay}): the archive
 * only grows, and a program that starts pool workers and plain children, or children of several
 * classes, ends with one archive for all of them. A key is dumped at most {@value #MOST_DUMPS}
 * times: a dump makes its child's start and join about 150 ms longer (a child that starts without
 * the archive, then writes one; measured here), which a program whose targets are in many classes
 * would otherwise pay again and again. An archive without these files (dumped before they were
 * kept) is dumped again by the next child with a target.
 *
 * <p>A parent looks at the targets first, on the path of a program's first start: a few lines,
 * read in a tenth of a millisecond. The list (a class a line in the JVM's internal form,
 * {@code a/b/C}, some followed by {@code " id: n"} on JDK 25, and lines starting with {@code @}
 * that describe other archived things) is tens of kilobytes, and reading and searching it took a
 * new JVM 3-6 ms (measured here: 124 kB), so it is read only for a target class the dumps were
 * not made for (archived or not: a class loaded by a target of another class), and then once per
 * JVM.
 */
final class ArchiveContents {
    /** Ends the name of the class list beside its archive's: {@code KEY.jsa.classes}. */
    static final String LIST_SUFFIX = ".classes";
    /** Ends the name of the targets' classes beside the archive's: {@code KEY.jsa.targets}. */
    static final String TARGETS_SUFFIX = ".targets";
    /** How many times a key's archive is dumped at most (see the class notes). */
    static final int MOST_DUMPS = 4;
    /** Stands for a dump whose child's target was not known when it started (a spare's). */
    static final String UNKNOWN_TARGET = "?";

    private final Path archive;
    /** The targets' classes, read at the first look: empty when there is no such file. */
    private volatile List<String> targets;
    /**
     * The class list's text after a line break (every class is then between two), read when
     * needed; "" when there is none.
     */
    private volatile String listed;

    private ArchiveContents(Path archive) {
        this.archive = archive;
    }

    /** @return what {@code archive} holds, as its files say (read when first looked at) */
    static ArchiveContents of(Path archive) {
        return new ArchiveContents(archive);
    }

    /** @return where the class list of {@code archive} is kept (or, for a dump's temporary file, written) */
    static Path listOf(Path archive) {
        return archive.resolveSibling(archive.getFileName() + LIST_SUFFIX);
    }

    /** @return where the targets' classes of {@code archive} are kept */
    static Path targetsOf(Path archive) {
        return archive.resolveSibling(archive.getFileName() + TARGETS_SUFFIX);
    }

    /**
     * @param className a class's binary name ({@code a.b.C$D})
     * @return whether the archive holds it: a dump was made for it, or the class list names it
     */
    boolean holds(String className) {
        if (targets().contains(className)) {
            return true;
        }
        String list = listed;
        if (list == null) {
            try {
                list = '\n' + Files.readString(listOf(archive));
            } catch (IOException e) {
                list = "";
            }
            listed = list;
        }
        String internal = className.replace('.', '/');
        // a line of its own, or followed by its id
        return list.contains('\n' + internal + '\n') || list.contains('\n' + internal + ' ');
    }

    /**
     * @return the classes of the targets the archive's dumps were made for, a dump each
     *     ({@link #UNKNOWN_TARGET} for a spare's)
     */
    List<String> targets() {
        List<String> read = targets;
        if (read == null) {
            read = new ArrayList<>();
            // java.io: Files.readAllBytes would load the NIO channels (2 ms of a new JVM's start, measured here)
            try (FileInputStream in = new FileInputStream(targetsOf(archive).toFile())) {
                for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                    if (!line.isEmpty()) {
                        read.add(line);
                    }
                }
            } catch (IOException e) {
                // no targets kept: dumped before they were, or never
            }
            targets = read;
        }
        return read;
    }

    /** Forgets what was read: the next look reads the files again (a dump may have replaced them). */
    void forget() {
        targets = null;
        listed = null;
    }

    /**
     * Keeps what a dumping JVM wrote beside its archive, before the archive is moved into place
     * (a parent that reads the new files early finds their classes in the archive a moment later).
     *
     * @param writtenList the class list as the JVM wrote it; kept when it is there
     * @param archive the archive
     * @param targets the classes of the targets its dumps were made for, this one's last
     */
    static void keep(Path writtenList, Path archive, List<String> targets) throws IOException {
        ClassDataSharing.writeReplacing(targetsOf(archive), String.join("\n", targets) + '\n');
        if (Files.isRegularFile(writtenList)) {
            Files.move(writtenList, listOf(archive), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /**
     * Loads, without initialising them, the classes of a list through {@code loader}: what the
     * child that dumps an archive again does first, so that the new archive keeps the old one's
     * classes. A class not found (a list of another class path) is skipped.
     *
     * @param list the old archive's class list
     * @param loader the loader the child's classes come from
     * @return how many classes were loaded (or were already)
     */
    static int replay(Path list, ClassLoader loader) {
        String text;
        try {
            text = Files.readString(list);
        } catch (IOException e) {
            Log.of(ArchiveContents.class).log(System.Logger.Level.DEBUG, "no class list to replay: " + e);
            return 0;
        }
        int loaded = 0;
        int lineStart = 0;
        while (lineStart < text.length()) {
            int lineEnd = text.indexOf('\n', lineStart);
            if (lineEnd < 0) {
                lineEnd = text.length();
            }
            int nameEnd = text.indexOf(' ', lineStart);
            if (nameEnd < 0 || nameEnd > lineEnd) {
                nameEnd = lineEnd;
            }
            if (lineStart < lineEnd && text.charAt(lineStart) != '@') {
                try {
                    Class.forName(text.substring(lineStart, nameEnd).replace('/', '.'), false, loader);
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
