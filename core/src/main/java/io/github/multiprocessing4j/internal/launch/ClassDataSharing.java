package io.github.multiprocessing4j.internal.launch;

import io.github.multiprocessing4j.internal.util.Log;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
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
 * cleanly cannot make every start pay for a dump.
 *
 * <p>The JVM shares only classes from jar files: a class path with a non-empty directory (as in
 * a build's {@code target/classes}, or the jars of Maven Surefire's manifest-only jar) makes
 * dumping fail, so such class paths get no archive. The archive's name is a hash of everything
 * that makes it valid (JVM, the JDK's own archives it is layered on, class path, each jar's size
 * and time, options), so a rebuilt jar or a regenerated JDK archive gets a new archive; the directory keeps the newest sixteen. Archives are code the JVM maps: they live in a directory only this user can
 * write ({@code $XDG_CACHE_HOME/multiprocessing4j/cds}, mode 0700), and CDS log output is
 * switched off so that nothing is added to the child's stdout. Setting the system property
 * {@code mp4j.cds=false} switches the mechanism off.
 */
public final class ClassDataSharing {
    private static final List<String> QUIET = List.of("-Xlog:cds=off", "-Xlog:cds+dynamic=off");
    /** Set for the child that dumps: it trains the archive before it exits ({@link ArchiveTraining}). */
    static final String TRAINING_PROPERTY = "mp4j.cds.training";
    private static final Set<String> DUMPED_OR_DUMPING = ConcurrentHashMap.newKeySet();
    static final int ARCHIVES_KEPT = 16;
    private static final long STALE_DUMP_MILLIS = 3_600_000;
    private static final Map<String, Boolean> ELIGIBLE_CLASS_PATHS = new ConcurrentHashMap<>();
    /** Plans that map an existing archive, by class path and options: most starts are repeats. */
    private static final Map<String, Plan> READY = new ConcurrentHashMap<>();
    /** This JVM's base archives ({@link #baseArchivesOf}), looked at once: the key of every archive includes them. */
    private static final String BASE_ARCHIVES = baseArchivesOf(Path.of(System.getProperty("java.home")));

    /** What a child gets: JVM options, and what to do once it has exited. */
    public static final class Plan {
        private static final Plan NONE = new Plan(List.of(), null, null);
        private final List<String> options;
        private final Path dumpFile;
        private final Path archive;

        private Plan(List<String> options, Path dumpFile, Path archive) {
            this.options = options;
            this.dumpFile = dumpFile;
            this.archive = archive;
        }

        /** @return the JVM options to add to the child's command line */
        public List<String> options() {
            return options;
        }

        /** Moves a freshly dumped archive into place; call after the child has exited. */
        public void childExited() {
            if (dumpFile == null) {
                return;
            }
            try {
                if (Files.size(dumpFile) > 0) {
                    Files.move(dumpFile, archive, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                    prune(archive.getParent());
                }
            } catch (IOException e) {
                Log.of(ClassDataSharing.class).log(System.Logger.Level.DEBUG, "no class-data archive: " + e);
            } finally {
                try {
                    Files.deleteIfExists(dumpFile);
                } catch (IOException e) {
                    // a leftover temp file is overwritten by the next dump
                }
            }
        }
    }

    private ClassDataSharing() {
    }

    /**
     * Keeps the archive directory small: every rebuilt jar or new set of options makes a new
     * archive, so only the newest {@link #ARCHIVES_KEPT} are kept, and temporary dumps left by
     * parents that died are removed once they are an hour old.
     */
    static void prune(Path dir) {
        List<Path> archives = new ArrayList<>();
        long staleBefore = System.currentTimeMillis() - STALE_DUMP_MILLIS;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                if (name.endsWith(".jsa")) {
                    archives.add(f);
                } else if (name.contains(".jsa.tmp-") && Files.getLastModifiedTime(f).toMillis() < staleBefore) {
                    Files.deleteIfExists(f);
                }
            }
            if (archives.size() > ARCHIVES_KEPT) {
                archives.sort(Comparator.comparingLong(ClassDataSharing::lastModified).reversed());
                for (Path old : archives.subList(ARCHIVES_KEPT, archives.size())) {
                    Files.deleteIfExists(old);
                }
            }
        } catch (IOException e) {
            // pruning is housekeeping: the next dump tries again
        }
    }

    private static long lastModified(Path file) {
        return file.toFile().lastModified();
    }

    /**
     * @param classPath the child's class path
     * @param options the child's JVM options (the defaults and the caller's)
     * @return the plan for a child with that class path and options
     */
    public static Plan plan(String classPath, List<String> options) {
        if ("false".equals(System.getProperty("mp4j.cds")) || classPath.isEmpty() || choosesSharingItself(options)
                || !ELIGIBLE_CLASS_PATHS.computeIfAbsent(classPath, ClassDataSharing::onlyJars)) {
            return Plan.NONE;
        }
        String setting = classPath + '\n' + String.join("\n", options);
        Plan ready = READY.get(setting);
        if (ready != null) {
            return ready;
        }
        Path dir = archiveDirectory();
        if (dir == null) {
            return Plan.NONE;
        }
        String key = key(classPath, options);
        Path archive = dir.resolve(key + ".jsa");
        if (Files.isRegularFile(archive)) {
            ready = new Plan(withQuiet("-XX:SharedArchiveFile=" + archive), null, null);
            READY.put(setting, ready);
            return ready;
        }
        if (!DUMPED_OR_DUMPING.add(key)) {
            return Plan.NONE;
        }
        Path dumpFile = dir.resolve(key + ".jsa.tmp-" + ProcessHandle.current().pid());
        List<String> dumping = withQuiet("-XX:ArchiveClassesAtExit=" + dumpFile);
        dumping.add("-D" + TRAINING_PROPERTY + "=true");
        return new Plan(dumping, dumpFile, archive);
    }

    private static List<String> withQuiet(String option) {
        List<String> all = new ArrayList<>(QUIET);
        all.add(option);
        return all;
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

    private static boolean manifestClassPathHasOnlyJars(Path jar) {
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

    private static long fnv1a64(String s) {
        long hash = 0xcbf29ce484222325L;
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
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (FileAlreadyExistsException e) {
                // made earlier: checked below
            }
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(dir);
            boolean privateToUs = Files.getOwner(dir).getName().equals(System.getProperty("user.name"))
                    && perms.equals(PosixFilePermissions.fromString("rwx------"));
            return privateToUs ? dir : null;
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return null;
        }
    }
}
