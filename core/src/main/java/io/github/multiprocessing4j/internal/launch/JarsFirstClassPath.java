package io.github.multiprocessing4j.internal.launch;

import java.io.File;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * A class path with directories, this library's jar moved before them: the form in which it can
 * map a class-data archive ({@link ClassDataSharing}), and the check that the move cannot change
 * what a class or resource lookup finds.
 *
 * <p>Implementation notes. The JVM archives classes from jars only, and maps an archive only
 * when the class path it was dumped with begins the child's: a build's {@code target/classes}
 * first (as an IDE or {@code mvn exec:java} puts it) leaves no jar before it. The archive is of
 * the classes a child loads to boot, this library's and the JDK's, dumped by a program that runs
 * this library's jar ({@code ArchiveDumpProgram}); so the library's jar moves to just after the
 * jars that come before every directory, and the dump's class path is those jars. Everything
 * else keeps its order: the application's classes are in its directories, which the JVM does not
 * archive, and a child loading one looks through every entry before the one that holds it,
 * opening each jar there (its zip directory, its manifest), so the dependencies' jars stay after
 * the directories, as the application put them. Measured on the 2-core development VM,
 * 2026-12-07, a start/join loop whose target's class was in a directory before the library's jar
 * and 40 dependencies' (18,000 entries) cost each child 92-106 ms of CPU when every jar moved
 * (the form until then) against 68-74 with the library's jar alone. What changes for a lookup is
 * that the library's jar is looked in before the entries it moves past, which matters only for
 * a name both hold. So every file under the directories it passes is listed ({@link #of}, on the
 * caller's thread when they hold few: 5-15 ms for 266 files in a new JVM here), and the jar is
 * compared with them and with the zip directories of the jars it passes ({@link #movesNoName};
 * slow for many jars, so the caller runs it in the background and keeps the answer under the
 * {@link #fingerprint}). One name in both, and the class path stays as it was. Not counted: the
 * files every jar and many build directories have about themselves, which nothing looks up
 * through the class path for one answer (a manifest, signatures, licence texts,
 * {@code META-INF/maven/}, {@code module-info.class}). {@code META-INF/services/} files count:
 * the order of their providers would change. A multi-release jar's versioned entries count as
 * the names they stand for. A library jar whose manifest names more of the class path, a jar it
 * passes that does (its entries follow it, and the library's would come before them too),
 * directories of more than {@value #MAX_DIRECTORY_FILES} files, or a wildcard entry
 * ({@code lib/*}: the jars it stands for would move among the others) keep the class path as it
 * was. A class path entry that does not exist keeps its place (it holds nothing today).
 */
final class JarsFirstClassPath {
    /** Beyond this many files under the directories, a start does not wait for their listing (a few ms a thousand here). */
    static final int FILES_LISTED_AT_A_START = 2_000;
    /** Beyond this many files under the directories, the class path keeps its order (and gets no archive). */
    static final int MAX_DIRECTORY_FILES = 20_000;
    /** What {@link #of} returns when the directories hold more files than it was to list. */
    static final JarsFirstClassPath TOO_MANY_FILES = new JarsFirstClassPath("", "", List.of(), List.of(), null, 0);

    private final String jars;
    private final String reordered;
    /** The names of the files under each directory the library's jar moves past. */
    private final List<Set<String>> passedDirectories;
    /** The jars the library's jar moves past, in class path order. */
    private final List<Path> passedJars;
    /** The library's jar when it moves; null when it comes before every directory already. */
    private final Path movedLibrary;
    private final long fingerprint;

    private JarsFirstClassPath(String jars, String reordered, List<Set<String>> passedDirectories,
                               List<Path> passedJars, Path movedLibrary, long fingerprint) {
        this.jars = jars;
        this.reordered = reordered;
        this.passedDirectories = passedDirectories;
        this.passedJars = passedJars;
        this.movedLibrary = movedLibrary;
        this.fingerprint = fingerprint;
    }

    /**
     * Lists the directories that the library's jar moves past.
     *
     * @param classPath an absolute class path
     * @param libraryJar this library's jar, which an archive's dump runs; null when it was loaded from no jar
     * @param maxFiles how many files those directories may hold, at most {@link #MAX_DIRECTORY_FILES}
     * @return its form with the library's jar before the directories, whose move is not checked
     *     yet ({@link #movesNoName}); {@link #TOO_MANY_FILES} when the directories hold more than
     *     {@code maxFiles}; null when it has no directory, when {@code libraryJar} is not on it,
     *     when a directory cannot be read, when it has a wildcard entry, or when a jar before the
     *     directories names a directory in its manifest (no archive then)
     */
    static JarsFirstClassPath of(String classPath, String libraryJar, int maxFiles) {
        List<String> entries = new ArrayList<>();
        for (String entry : classPath.split(File.pathSeparator)) {
            if (entry.endsWith("*")) {
                return null; // the JVM expands "lib/*" into jars: moving it would move them among the others
            }
            if (!entry.isEmpty()) {
                entries.add(entry);
            }
        }
        int library = entries.indexOf(libraryJar);
        if (library < 0) {
            return null; // the program that dumps the archive runs the library from its jar
        }
        boolean[] jar = new boolean[entries.size()]; // each entry looked at once: a start may wait for this
        boolean anyOther = false;
        for (int i = 0; i < jar.length; i++) {
            jar[i] = Files.isRegularFile(Path.of(entries.get(i)));
            anyOther |= !jar[i];
        }
        if (!anyOther) {
            return null;
        }
        int leading = 0; // the jars before every directory: they stay first, and the archive holds them
        while (leading < library && jar[leading]) {
            leading++;
        }
        List<String> jars = new ArrayList<>(entries.subList(0, leading));
        jars.add(libraryJar);
        long fingerprint = ClassDataSharing.fnv1a64(classPath);
        for (String entry : jars) {
            if (!ClassDataSharing.manifestClassPathHasOnlyJars(Path.of(entry))) {
                return null; // the JVM cannot dump with it
            }
            fingerprint = withJar(fingerprint, entry);
        }
        List<Set<String>> passedDirectories = new ArrayList<>();
        List<Path> passedJars = new ArrayList<>();
        int[] budget = {maxFiles};
        for (int i = leading; i < library; i++) {
            Path path = Path.of(entries.get(i));
            if (jar[i]) {
                passedJars.add(path);
                fingerprint = withJar(fingerprint, entries.get(i));
            } else if (Files.isDirectory(path)) {
                Set<String> names = new HashSet<>();
                if (!listFiles(path, names, budget)) {
                    return null;
                }
                if (budget[0] < 0) {
                    return maxFiles < MAX_DIRECTORY_FILES ? TOO_MANY_FILES : null;
                }
                long sum = 0; // the names' own order is the file system's: a sum does not depend on it
                for (String name : names) {
                    sum += ClassDataSharing.fnv1a64(name);
                }
                fingerprint = ClassDataSharing.fnv1a64(fingerprint, names.size() + ":" + sum);
                passedDirectories.add(names);
            }
        }
        List<String> reordered = new ArrayList<>(jars);
        reordered.addAll(entries.subList(leading, library));
        reordered.addAll(entries.subList(library + 1, entries.size()));
        return new JarsFirstClassPath(String.join(File.pathSeparator, jars), String.join(File.pathSeparator, reordered),
                passedDirectories, passedJars, leading < library ? Path.of(libraryJar) : null, fingerprint);
    }

    /** @return {@code fingerprint} with {@code jar}'s size and time folded in: a rebuilt jar changes it */
    private static long withJar(long fingerprint, String jar) {
        File file = new File(jar);
        return ClassDataSharing.fnv1a64(fingerprint, file.length() + "@" + file.lastModified());
    }

    /**
     * @return the jars before every directory and the library's, in that order: the class path an
     *     archive for this one is dumped with
     */
    String jars() {
        return jars;
    }

    /** @return {@link #jars}, then the rest of the class path in its order */
    String reordered() {
        return reordered;
    }

    /**
     * @return what the answer of {@link #movesNoName} depends on: the class path, the size and
     *     time of each jar up to the library's, and the names in each directory before it
     */
    String fingerprint() {
        return Long.toHexString(fingerprint);
    }

    /**
     * Looks through the library's jar and the jars it moves past (their zip directories): slow for
     * many jars, see the class notes.
     *
     * @return whether the library's jar holds no name that an entry it moves past holds (nor
     *     names more of the class path in its manifest, nor does a jar it passes); false when a
     *     jar cannot be read
     */
    boolean movesNoName() {
        if (movedLibrary == null) {
            return true;
        }
        List<Set<String>> passed = new ArrayList<>(passedDirectories);
        for (Path jar : passedJars) {
            Set<String> names = new HashSet<>();
            if (!namesOf(jar, names)) {
                return false;
            }
            passed.add(names);
        }
        Set<String> library = new HashSet<>();
        if (!namesOf(movedLibrary, library)) {
            return false;
        }
        for (Set<String> names : passed) {
            for (String name : library) {
                if (names.contains(name)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Adds the names of the files under {@code directory} (stops when the budget runs out); false when it cannot be read. */
    private static boolean listFiles(Path directory, Set<String> names, int[] budget) {
        try {
            Files.walkFileTree(directory, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                    if (--budget[0] < 0) {
                        return FileVisitResult.TERMINATE;
                    }
                    String name = directory.relativize(file).toString().replace(File.separatorChar, '/');
                    if (!perArtifact(name)) {
                        names.add(name);
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Adds the names {@code jar} holds, as lookups see them.
     *
     * @return false when its manifest names more of the class path or it cannot be read: either
     *     way the library's jar cannot move past it (nor move itself, when it is the library's)
     */
    private static boolean namesOf(Path jar, Set<String> names) {
        try (JarFile file = new JarFile(jar.toFile(), false)) {
            Manifest manifest = file.getManifest();
            if (manifest != null && manifest.getMainAttributes().getValue(Attributes.Name.CLASS_PATH) != null) {
                return false;
            }
            for (Enumeration<JarEntry> entries = file.entries(); entries.hasMoreElements(); ) {
                JarEntry entry = entries.nextElement();
                String name = unversioned(entry.getName());
                if (!entry.isDirectory() && !perArtifact(name)) {
                    names.add(name);
                }
            }
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** {@code META-INF/versions/11/a/B.class} stands for {@code a/B.class} in a multi-release jar. */
    private static String unversioned(String name) {
        String versions = "META-INF/versions/";
        if (!name.startsWith(versions)) {
            return name;
        }
        int end = name.indexOf('/', versions.length());
        return end < 0 ? name : name.substring(end + 1);
    }

    /** Files a jar or a build directory has about itself, which nothing looks up for one answer. */
    static boolean perArtifact(String name) {
        if (name.equals("module-info.class") || name.startsWith("META-INF/maven/")) {
            return true;
        }
        if (!name.startsWith("META-INF/") || name.indexOf('/', "META-INF/".length()) >= 0) {
            return false; // META-INF/services/... and everything outside META-INF count
        }
        String file = name.substring("META-INF/".length()).toUpperCase(Locale.ROOT);
        return file.equals("MANIFEST.MF") || file.equals("INDEX.LIST") || file.endsWith(".SF") || file.endsWith(".RSA")
                || file.endsWith(".DSA") || file.endsWith(".EC") || file.startsWith("LICENSE") || file.startsWith("NOTICE")
                || file.startsWith("DEPENDENCIES");
    }
}
