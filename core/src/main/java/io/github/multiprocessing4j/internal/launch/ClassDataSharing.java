package io.github.multiprocessing4j.internal.launch;

import io.github.multiprocessing4j.internal.os.OwnerOnly;
import io.github.multiprocessing4j.internal.util.Log;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.StringTokenizer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * Application class-data sharing for child JVMs: the classes a child loads to boot (this
 * library's, the JDK's serialization and lambda machinery, the application's) are archived once
 * and mapped by every later child, which shortens its start.
 *
 * <p>Implementation notes. The first child started with a given class path, JVM and options
 * dumps a dynamic archive at its exit ({@code -XX:ArchiveClassesAtExit}) into a temporary file;
 * when it has exited the parent moves the file into place, and children started from then on
 * map it ({@code -XX:SharedArchiveFile}). The dumping child uses a queue, a lock and a joinable
 * queue before it exits ({@link ArchiveTraining}), so that the archive serves the children that
 * use them, not only children like the first one. Only one child dumps at a time: the others start
 * without the archive meanwhile. A JVM dumps at most once per key, so a child that never exits
 * cleanly cannot make every start pay for a dump. The dumping JVM also lists the classes it
 * loaded ({@link ArchiveContents}, kept beside the archive): a later child whose target's class
 * the archive lacks (the first child was a pool's worker, or a spare that was never used) dumps it
 * again, having loaded the listed classes first, a few times at most per key.
 *
 * <p>The JVM shares only classes from jar files: a class path with a non-empty directory (as in a
 * build's {@code target/classes}) makes dumping fail. Such a class path maps an archive of its
 * jars before its directories and this library's when its children are given those first
 * ({@link JarsFirstClassPath}, which checks that no lookup then finds something else: in the
 * background the first time, its verdict kept in the archive directory), and that archive is
 * dumped by a program of its own ({@link ArchiveDumpRoot}), started on those jars alone, by one
 * program of the machine at a time ({@link #claimDump}). Until both are done, children start
 * without an archive, with the class path as given; a class path with a jar whose manifest names
 * a directory gets none. The archive's name is a hash of everything that
 * makes it valid (JVM, the JDK's own archives it is layered on, class path, each jar's size and
 * time, options), so a rebuilt jar or a regenerated JDK archive gets a new archive; the directory
 * keeps the newest sixteen. Archives are code the JVM maps: they live in a directory only this
 * user can write ({@code $XDG_CACHE_HOME/multiprocessing4j/cds}, mode 0700), and CDS log output is
 * switched off so that nothing is added to the child's stdout. Setting the system property {@code
 * mp4j.cds=false} switches the mechanism off.
 */
public final class ClassDataSharing {
    /**
     * Beginnings of options with which the JVM refuses to dump a dynamic archive: it exits at
     * boot with 1 ("CDS dumping does not support native JVMTI agent", "Cannot use the following
     * option when dumping the shared archive"), so a first child given them and the dump would
     * never run its target. Measured on JDK 17 and 25: agents (a debugger's {@code jdwp}, a
     * profiler, a Java agent such as a coverage tool's or an APM's), module patching and
     * limiting, a custom system class loader, class pointers that are not compressed (JDK 17),
     * and the option that prepares an archive's dump on request. Children given them get no
     * archive. One not listed here is found by its first child's boot failure ({@link
     * ArchivePlan#childExited(boolean)}).
     */
    private static final List<String> REFUSE_TO_DUMP = List.of("-agentlib:", "-agentpath:", "-javaagent:", "-Xrun",
            "--patch-module", "--limit-modules", "--upgrade-module-path", "-Djava.system.class.loader=",
            "-XX:-UseCompressedClassPointers", "-XX:+RecordDynamicDumpInfo", "-Xbootclasspath/a:");
    /** Environment variables whose JVM options a JVM or the {@code java} launcher ({@code JDK_JAVA_OPTIONS}) reads. */
    private static final List<String> OPTION_VARIABLES = List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS");
    /** Ends the name of the file beside an archive's that says its dumping child failed to boot (the JVM refused the dump). */
    static final String REFUSED_SUFFIX = ".refused";
    /** Set for the child that dumps: it trains the archive before it exits ({@link ArchiveTraining}). */
    static final String TRAINING_PROPERTY = "mp4j.cds.training";
    static final int ARCHIVES_KEPT = 16;
    private static final long STALE_DUMP_MILLIS = 3_600_000;
    private static final Map<String, Boolean> ONLY_JARS = new ConcurrentHashMap<>();
    /**
     * Class paths with directories, and their form with this library's jar first where it maps an
     * archive ({@link JarsFirstClassPath}).
     */
    private static final Map<String, Optional<JarsFirstClassPath>> JARS_FIRST = new ConcurrentHashMap<>();
    /** A class path's verdict file ({@link JarsFirstClassPath#fingerprint} names it) and the verdict that maps an archive. */
    static final String VERDICT_SUFFIX = ".order";
    private static final String JARS_FIRST_FINDS_THE_SAME = "jars first";
    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    static final int VERDICTS_KEPT = 64;
    /** This library's jar, or null when its classes are in a directory (a build's, as in its own tests). */
    private static final String LIBRARY_JAR = libraryJar();
    static final String DUMP_CLAIM_SUFFIX = ".dumping";
    static final long DUMP_CLAIM_MILLIS = 120_000;
    /** Plans that map an existing archive, by class path and options: most starts are repeats. */
    private static final Map<String, ArchivePlan> READY = new ConcurrentHashMap<>();
    /** This JVM's base archives ({@link #baseArchivesOf}), looked at once: the key of every archive includes them. */
    private static final String BASE_ARCHIVES = baseArchivesOf(Path.of(System.getProperty("java.home")));

    private ClassDataSharing() {
    }

    /**
     * Keeps the archive directory small: every rebuilt jar or new set of options makes a new
     * archive, and every class added to a directory of a class path a new verdict, so only the
     * newest {@link #ARCHIVES_KEPT} archives (with their class lists) and {@link #VERDICTS_KEPT}
     * verdicts (refused dumps among them) are kept, and temporary files left by parents that
     * died, and claims of dumps, are removed once they are an hour old.
     */
    static void prune(Path dir) {
        List<Path> archives = new ArrayList<>();
        List<Path> verdicts = new ArrayList<>();
        long staleBefore = System.currentTimeMillis() - STALE_DUMP_MILLIS;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                if (name.endsWith(".jsa")) {
                    archives.add(f);
                } else if (name.endsWith(VERDICT_SUFFIX) || name.endsWith(REFUSED_SUFFIX)) {
                    verdicts.add(f);
                } else if ((name.contains(".tmp-") || name.endsWith(DUMP_CLAIM_SUFFIX))
                        && Files.getLastModifiedTime(f).toMillis() < staleBefore) {
                    Files.deleteIfExists(f);
                }
            }
            for (Path old : older(archives, ARCHIVES_KEPT)) {
                Files.deleteIfExists(old);
                Files.deleteIfExists(ArchiveContents.listOf(old));
                Files.deleteIfExists(ArchiveContents.targetsOf(old));
            }
            for (Path old : older(verdicts, VERDICTS_KEPT)) {
                Files.deleteIfExists(old);
            }
        } catch (IOException e) {
            // pruning is housekeeping: the next dump tries again
        }
    }

    /** @return the files of {@code files} older than its newest {@code kept} */
    private static List<Path> older(List<Path> files, int kept) {
        if (files.size() <= kept) {
            return List.of();
        }
        files.sort(Comparator.comparingLong(ClassDataSharing::lastModified).reversed());
        return files.subList(kept, files.size());
    }

    /**
     * Writes {@code file} whole through a temporary file of this process and a rename, so that a
     * program reading it at the same time finds the old content or the new one, never a part.
     */
    static void writeReplacing(Path file, String content) throws IOException {
        Path written = Files.writeString(file.resolveSibling(file.getFileName() + ".tmp-"
                + ProcessHandle.current().pid()), content);
        Files.move(written, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static long lastModified(Path file) {
        return file.toFile().lastModified();
    }

    /**
     * @param classPath the child's class path
     * @param options the child's JVM options (the defaults and the caller's)
     * @param callerOptions the caller's options alone, without the program's ({@code mp4j.childJvmArgs}, which
     *     an archive's own dump gets as every child of this JVM does): what that dump is started with
     * @param targetClass the first class of the child's target ({@code Serialization.firstClassOf}),
     *     or null when not known (a spare with no hint): a child whose target's class the archive
     *     lacks may dump it again ({@link ArchiveContents})
     * @return the plan for a child with that class path and options
     */
    static ArchivePlan plan(String classPath, List<String> options, List<String> callerOptions, String targetClass) {
        if ("false".equals(System.getProperty("mp4j.cds")) || classPath.isEmpty() || choosesSharingItself(options)
                || refusesToDump(options)) {
            return ArchivePlan.NONE;
        }
        String setting = classPath + '\n' + String.join("\n", options);
        ArchivePlan ready = READY.get(setting);
        if (ready != null) {
            return ready.forTarget(targetClass);
        }
        boolean jarsOnly = ONLY_JARS.computeIfAbsent(classPath, ClassDataSharing::onlyJars);
        Optional<JarsFirstClassPath> known = jarsOnly ? null : JARS_FIRST.get(classPath);
        if (known != null && known.isEmpty()) {
            return ArchivePlan.NONE; // keeps its order, or is being checked: no look at the archive directory at each start
        }
        Path dir = archiveDirectory();
        if (dir == null) {
            return ArchivePlan.NONE;
        }
        JarsFirstClassPath jarsFirst = jarsOnly ? null
                : known != null ? known.get() : jarsFirst(classPath, dir, options, callerOptions);
        if (!jarsOnly && jarsFirst == null) {
            return ArchivePlan.NONE;
        }
        String key = key(jarsOnly ? classPath : jarsFirst.jars(), options);
        Path archive = dir.resolve(key + ".jsa");
        if (Files.isRegularFile(archive)) {
            // A class path with directories keeps its archive: its program of its own dumped it from the jars alone.
            ready = ArchivePlan.mapping(archive, jarsOnly ? classPath : jarsFirst.reordered(), jarsOnly);
            READY.put(setting, ready);
            return ready.forTarget(targetClass);
        }
        if (!ArchivePlan.firstInThisJvm(archive, 0) || Files.exists(ArchivePlan.refusalOf(archive))) {
            return ArchivePlan.NONE;
        }
        if (!jarsOnly) {
            if (claimDump(dir, key)) {
                inBackground(() -> ArchiveDumpRoot.start(jarsFirst.jars(), callerOptions));
            }
            return ArchivePlan.NONE;
        }
        String dumpedFor = targetClass == null ? ArchiveContents.UNKNOWN_TARGET : targetClass;
        return ArchivePlan.dumping(archive, classPath, List.of(dumpedFor), null);
    }

    /**
     * The form of a class path with directories whose library jar comes first
     * ({@link JarsFirstClassPath}) at its first plan, when it is known to find what the class path
     * finds: from the verdict kept under its
     * fingerprint when its directories are listed quickly, else from a thread in the background
     * (null until that has answered; then, when the archive is missing, its dump is started).
     */
    private static JarsFirstClassPath jarsFirst(String classPath, Path dir, List<String> options,
                                                List<String> callerOptions) {
        return JARS_FIRST.computeIfAbsent(classPath, c -> {
            JarsFirstClassPath quick = JarsFirstClassPath.of(c, LIBRARY_JAR, JarsFirstClassPath.FILES_LISTED_AT_A_START);
            if (quick == JarsFirstClassPath.TOO_MANY_FILES) {
                inBackground(() -> settle(c, JarsFirstClassPath.of(c, LIBRARY_JAR, JarsFirstClassPath.MAX_DIRECTORY_FILES),
                        dir, options, callerOptions));
                return Optional.empty();
            }
            String said = quick == null ? null : readVerdict(verdictOf(quick, dir));
            if (quick != null && said == null) {
                inBackground(() -> settle(c, quick, dir, options, callerOptions));
            }
            return JARS_FIRST_FINDS_THE_SAME.equals(said) ? Optional.of(quick) : Optional.empty();
        }).orElse(null);
    }

    /**
     * Decides whether a class path's children get this library's jar first (the verdict kept, else
     * a look through the jars, kept), and when they do, starts giving it to them.
     */
    private static void settle(String classPath, JarsFirstClassPath candidate, Path dir, List<String> options,
                               List<String> callerOptions) {
        if (candidate == null || candidate == JarsFirstClassPath.TOO_MANY_FILES) {
            return;
        }
        Path verdict = verdictOf(candidate, dir);
        String said = readVerdict(verdict);
        if (said == null) {
            said = candidate.movesNoName() ? JARS_FIRST_FINDS_THE_SAME : "as given";
            try {
                writeReplacing(verdict, said);
            } catch (IOException e) {
                Log.of(ClassDataSharing.class).log(System.Logger.Level.DEBUG, "the class path's verdict not kept: " + e);
            }
        }
        if (JARS_FIRST_FINDS_THE_SAME.equals(said)) {
            JARS_FIRST.put(classPath, Optional.of(candidate));
            plan(classPath, options, callerOptions, null); // starts the archive's dump when it is missing
        }
    }

    private static Path verdictOf(JarsFirstClassPath candidate, Path dir) {
        return dir.resolve(candidate.fingerprint() + VERDICT_SUFFIX);
    }

    /**
     * Claims the dump of an archive for this JVM, among the programs on this machine: true once
     * in {@value #DUMP_CLAIM_MILLIS} ms for a key (a dump takes seconds; an older claim was one
     * that failed, and the dump may be tried again).
     */
    static boolean claimDump(Path dir, String key) {
        Path claim = dir.resolve(key + DUMP_CLAIM_SUFFIX);
        try {
            Files.createFile(claim);
            return true;
        } catch (FileAlreadyExistsException e) {
            try {
                if (System.currentTimeMillis() - Files.getLastModifiedTime(claim).toMillis() < DUMP_CLAIM_MILLIS) {
                    return false;
                }
                Files.setLastModifiedTime(claim, FileTime.fromMillis(System.currentTimeMillis()));
                return true;
            } catch (IOException | RuntimeException again) {
                return false;
            }
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static String libraryJar() {
        try {
            Path location = Path.of(ClassDataSharing.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return Files.isRegularFile(location) ? location.toString() : null;
        } catch (URISyntaxException | RuntimeException e) {
            return null;
        }
    }

    private static String readVerdict(Path verdict) {
        try {
            return Files.readString(verdict);
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Runs {@code work} on a thread of its own, which the JVM waits for at its end (a program that
     * ends first would otherwise never keep its verdict nor start its archive's dump): it looks
     * through jars and starts a program, under a second even for a large application.
     */
    private static void inBackground(Runnable work) {
        new Thread(work, "mp4j-class-data-sharing").start();
    }

    private static boolean choosesSharingItself(List<String> options) {
        for (String o : options) {
            if (o.startsWith("-Xshare") || o.contains("SharedArchiveFile") || o.contains("ArchiveClassesAtExit")
                    || o.contains("AutoCreateSharedArchive")) {
                return true;
            }
        }
        return false;
    }

    /**
     * @return whether {@code options} hold one with which the JVM refuses to dump an archive: a
     *     JVM started with it and {@code -XX:ArchiveClassesAtExit} exits at boot, before any code
     *     of the child runs (see {@link #REFUSE_TO_DUMP})
     */
    static boolean refusesToDump(List<String> options) {
        for (String o : options) {
            for (String refusing : REFUSE_TO_DUMP) {
                if (o.startsWith(refusing)) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * @param environment the variables set for the child on top of this process's environment
     * @return the JVM options the child's JVM and its launcher read from its environment
     *     ({@link #OPTION_VARIABLES}), split at white space
     */
    public static List<String> optionsFromEnvironment(Map<String, String> environment) {
        List<String> options = new ArrayList<>();
        for (String variable : OPTION_VARIABLES) {
            String value = environment.containsKey(variable) ? environment.get(variable) : System.getenv(variable);
            if (value != null) {
                // white space without a regular expression (a JVM's first costs it milliseconds)
                for (StringTokenizer words = new StringTokenizer(value); words.hasMoreTokens(); ) {
                    options.add(words.nextToken());
                }
            }
        }
        return options;
    }

    /** Every entry a jar file, and so is every entry of their manifests' {@code Class-Path}. */
    private static boolean onlyJars(String classPath) {
        for (String entry : classPath.split(File.pathSeparator)) {
            if (entry.isEmpty()) {
                continue;
            }
            Path path = Path.of(entry);
            if (Files.isDirectory(path)) {
                return false;
            }
            if (Files.isRegularFile(path) && !manifestClassPathHasOnlyJars(path)) {
                return false;
            }
        }
        return true;
    }

    static boolean manifestClassPathHasOnlyJars(Path jar) {
        try (JarFile file = new JarFile(jar.toFile())) {
            Manifest manifest = file.getManifest();
            String extra = manifest == null ? null : manifest.getMainAttributes().getValue(Attributes.Name.CLASS_PATH);
            if (extra == null) {
                return true;
            }
            // split on white space without a regular expression (a JVM's first costs it milliseconds)
            for (StringTokenizer urls = new StringTokenizer(extra); urls.hasMoreTokens(); ) {
                String url = urls.nextToken();
                Path entry = url.startsWith("file:") ? Path.of(URI.create(url)) : jar.resolveSibling(url);
                if (Files.isDirectory(entry)) {
                    return false;
                }
            }
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static String key(String classPath, List<String> options) {
        StringBuilder identity = new StringBuilder();
        identity.append(System.getProperty("java.home")).append('|').append(System.getProperty("java.vm.version"))
                .append('|').append(BASE_ARCHIVES).append('|').append(String.join(" ", options)).append('|')
                .append(classPath);
        for (String entry : classPath.split(File.pathSeparator)) {
            File f = new File(entry);
            identity.append('|').append(f.length()).append('@').append(f.lastModified());
        }
        return Long.toHexString(fnv1a64(identity.toString()));
    }

    /**
     * Names the JDK's own (static) archives, on which a dynamic archive is layered, by name, size
     * and time: the JVM refuses a dynamic archive whose base has changed (regenerated with
     * {@code java -Xshare:dump}, or replaced by a package update that kept the version), and it
     * does so silently, so a key without them would keep every later child off class-data sharing.
     *
     * @param javaHome the JDK's home
     * @return the fingerprint, empty when the JDK has no archive there
     */
    static String baseArchivesOf(Path javaHome) {
        List<String> found = new ArrayList<>();
        try (DirectoryStream<Path> vms = Files.newDirectoryStream(javaHome.resolve("lib"), Files::isDirectory)) {
            for (Path vm : vms) { // server, client: the JVM variants
                try (DirectoryStream<Path> archives = Files.newDirectoryStream(vm)) {
                    for (Path archive : archives) {
                        if (!archive.getFileName().toString().endsWith(".jsa")) {
                            continue; // not a glob "*.jsa": it would compile a regular expression
                        }
                        found.add(vm.getFileName() + "/" + archive.getFileName() + ':' + Files.size(archive) + '@'
                                + Files.getLastModifiedTime(archive).toMillis());
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // no archive to name: the JVM version alone keys it
        }
        found.sort(null);
        return String.join(",", found);
    }

    /** @return the FNV-1a hash of {@code s} */
    static long fnv1a64(String s) {
        return fnv1a64(FNV_OFFSET, s);
    }

    /** @return {@code hash} (a hash so far, or {@link #FNV_OFFSET} to begin) continued over {@code s} */
    static long fnv1a64(long hash, String s) {
        for (int i = 0; i < s.length(); i++) {
            hash ^= s.charAt(i);
            hash *= 0x100000001b3L;
        }
        return hash;
    }

    /** @return the private archive directory, or null when it cannot be made private */
    private static Path archiveDirectory() {
        String cacheHome = System.getenv("XDG_CACHE_HOME");
        Path base = cacheHome != null && !cacheHome.isEmpty() ? Path.of(cacheHome)
                : Path.of(System.getProperty("user.home"), ".cache");
        Path dir = base.resolve("multiprocessing4j").resolve("cds");
        try {
            Files.createDirectories(dir.getParent());
            try {
                Files.createDirectory(dir, OwnerOnly.DIRECTORY);
            } catch (FileAlreadyExistsException e) {
                // made earlier: checked below
            }
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(dir);
            boolean privateToUs = Files.getOwner(dir).getName().equals(System.getProperty("user.name"))
                    && perms.equals(OwnerOnly.DIRECTORY_MODE);
            return privateToUs ? dir : null;
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return null;
        }
    }
}
