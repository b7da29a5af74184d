package io.github.multiprocessing4j.internal.launch;

import io.github.multiprocessing4j.internal.util.Log;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What class-data sharing ({@link ClassDataSharing}) gives one child: the JVM options that map an
 * archive or dump one, the class path to start it with, and what to do once it has exited (move
 * a dump into place). A plan that maps an archive is kept and reused for every start of its class
 * path and options; asked for a target whose class the archive lacks, it answers with a plan
 * that dumps the archive again ({@link #forTarget}, see {@link ArchiveContents}).
 */
final class ArchivePlan {
    private static final List<String> QUIET = List.of("-Xlog:cds=off", "-Xlog:cds+dynamic=off");
    /** Archives, each with how many dumps had made it (0: none yet), this JVM has had a child dump, or has one dump. */
    private static final Set<String> DUMPED_OR_DUMPING = ConcurrentHashMap.newKeySet();
    /** Numbers this JVM's dumps' temporary files, which two children may write at once for one key. */
    private static final AtomicInteger DUMPS_STARTED = new AtomicInteger();
    static final ArchivePlan NONE = new ArchivePlan(List.of(), null, null, null, null, List.of(), null);
    private final List<String> options;
    private final Path dumpFile;
    private final Path archive;
    private final String classPath;
    /** What the archive holds, for a plan that maps the archive of a class path of jars; else null. */
    private final ArchiveContents contents;
    /** For a plan that dumps: the targets' classes the archive's dumps were made for, this one's last. */
    private final List<String> targets;
    /** For a plan that dumps the archive again: the plan that maps it, which reads the new lists once there. */
    private final ArchivePlan mapping;
    /** Target classes for which this plan is the answer (listed, or the archive dumped enough or being dumped). */
    private final Set<String> answered = ConcurrentHashMap.newKeySet();

    private ArchivePlan(List<String> options, Path dumpFile, Path archive, String classPath, ArchiveContents contents,
                List<String> targets, ArchivePlan mapping) {
        this.options = options;
        this.dumpFile = dumpFile;
        this.archive = archive;
        this.classPath = classPath;
        this.contents = contents;
        this.targets = targets;
        this.mapping = mapping;
    }

    /** @return the plan that maps {@code archive} */
    static ArchivePlan mapping(Path archive, String classPath, boolean redumpable) {
        return new ArchivePlan(withQuiet("-XX:SharedArchiveFile=" + archive), null, archive, classPath,
                redumpable ? ArchiveContents.of(archive) : null, List.of(), null);
    }

    /**
     * @return the plan of a child that dumps {@code archive} as it exits, the last of
     *     {@code targets} its target's class; the one of an archive already there
     *     ({@code mapping} maps it) loads the old archive's classes first
     */
    static ArchivePlan dumping(Path archive, String classPath, List<String> targets, ArchivePlan mapping) {
        Path dumpFile = archive.resolveSibling(archive.getFileName() + ".tmp-" + ProcessHandle.current().pid()
                + '-' + DUMPS_STARTED.incrementAndGet());
        List<String> options = withQuiet("-XX:ArchiveClassesAtExit=" + dumpFile);
        options.add("-XX:DumpLoadedClassList=" + ArchiveContents.listOf(dumpFile));
        options.add("-D" + ClassDataSharing.TRAINING_PROPERTY + "=true");
        if (mapping != null) {
            options.add("-D" + ArchiveTraining.REPLAY_PROPERTY + "=" + ArchiveContents.listOf(archive));
        }
        return new ArchivePlan(options, dumpFile, archive, classPath, null, targets, mapping);
    }

    /**
     * The plan for a child whose target's first class is {@code targetClass}: this one, or,
     * when the archive this plan maps lacks that class, one that dumps the archive again (see
     * {@link ArchiveContents}): once per JVM and dump, {@link ArchiveContents#MOST_DUMPS}
     * times at most.
     */
    ArchivePlan forTarget(String targetClass) {
        if (contents == null || targetClass == null || answered.contains(targetClass)) {
            return this;
        }
        synchronized (this) {
            boolean held = contents.holds(targetClass);
            if (!held) {
                contents.forget(); // another program may have dumped it again since they were read
                held = contents.holds(targetClass);
            }
            List<String> dumpedFor = contents.targets();
            if (held || dumpedFor.size() >= ArchiveContents.MOST_DUMPS || !firstInThisJvm(archive, dumpedFor.size())) {
                answered.add(targetClass);
                return this;
            }
            List<String> targets = new ArrayList<>(dumpedFor);
            targets.add(targetClass);
            return dumping(archive, classPath, targets, this);
        }
    }

    /** The archive has been dumped again: targets are looked up in its new files. */
    private synchronized void redumped() {
        contents.forget();
        answered.clear();
    }

    /** @return the JVM options to add to the child's command line */
    List<String> options() {
        return options;
    }

    /**
     * @param given the class path the plan was made for
     * @return the class path to give the child with {@link #options}: the given one, or its
     *     form with this library's jar first ({@link JarsFirstClassPath}) when that maps the archive
     */
    String classPath(String given) {
        return classPath != null ? classPath : given;
    }

    /** @return whether the child dumps an archive at its exit (the first child of its class path and options) */
    boolean dumps() {
        return dumpFile != null;
    }

    /**
     * Moves a freshly dumped archive into place, its lists first; call after the child has
     * exited. A child that was to dump and exited before it booted may have been refused the
     * dump by its JVM (an option {@link ClassDataSharing#refusesToDump} does not know): its key
     * is marked, and no child of this machine is given that dump again.
     *
     * @param bootFailed whether the child exited before it booted (before it could run its target)
     */
    void childExited(boolean bootFailed) {
        if (dumpFile == null) {
            return;
        }
        Path writtenList = ArchiveContents.listOf(dumpFile);
        try {
            if (bootFailed) {
                Files.createFile(refusalOf(archive));
            } else if (holdsAWholeDump(dumpFile)) {
                ArchiveContents.keep(writtenList, archive, targets);
                Files.move(dumpFile, archive, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                if (mapping != null) {
                    mapping.redumped();
                }
                ClassDataSharing.prune(archive.getParent());
            }
        } catch (IOException e) {
            Log.of(ClassDataSharing.class).log(System.Logger.Level.DEBUG, "no class-data archive: " + e);
        } finally {
            try {
                Files.deleteIfExists(dumpFile);
                Files.deleteIfExists(writtenList);
            } catch (IOException e) {
                // a leftover temporary file is removed by the pruning of a later dump
            }
        }
    }

    /**
     * @return whether {@code dump} holds an archive the JVM finished writing. The JVM writes an
     *     archive's header last, at its start, so a dump cut short (the child killed as it
     *     exited: a daemon child at its parent's exit, a {@code terminate()}) has zeros there.
     *     Tried on JDK 17 here: killed within its dump, a child left 98-115 KiB of a 288 KiB
     *     archive, zeros at its start; every JVM given it then booted without it, silently, and
     *     it would have stayed in place, every child of its class path slower from then on. (An
     *     archive whose header is whole and whose end is missing crashes the JVM that maps it with
     *     SIGBUS: the order of the JVM's writes keeps that from happening.)
     */
    static boolean holdsAWholeDump(Path dump) throws IOException {
        byte[] start = new byte[Long.BYTES];
        try (java.io.InputStream in = Files.newInputStream(dump)) {
            if (in.readNBytes(start, 0, start.length) < start.length) {
                return false;
            }
        }
        for (byte b : start) {
            if (b != 0) {
                return true;
            }
        }
        return false;
    }

    /**
     * @param archive an archive to dump
     * @param dumpsSoFar how many dumps have made it: 0 when it is yet to be dumped
     * @return whether this is the first time this JVM would have a child make that dump (a JVM
     *     dumps an archive once per dump count, so a child that never exits cleanly cannot make
     *     every start pay for a dump)
     */
    static boolean firstInThisJvm(Path archive, int dumpsSoFar) {
        return DUMPED_OR_DUMPING.add(archive + "#" + dumpsSoFar);
    }

    /** @return the file that marks {@code archive}'s dump as refused by the JVM (see {@link #childExited}) */
    static Path refusalOf(Path archive) {
        return archive.resolveSibling(archive.getFileName() + ClassDataSharing.REFUSED_SUFFIX);
    }

    private static List<String> withQuiet(String option) {
        List<String> all = new ArrayList<>(QUIET);
        all.add(option);
        return all;
    }
}
