package io.github.multiprocessing4j.bench;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A class-data archive of a bare JVM's own classes, so that the floor a bare JVM gives the
 * library's children ({@link BareJvm}, {@link JvmBoot}) boots as they do: each child maps an
 * archive of the classes its class path's first child loaded, and without one a bare JVM with
 * the bench's class path also opens the bench's jar (some 2,000 entries) to load its main class.
 * Measured on the 2-core development VM (2026-12-07): boots of a JVM returning at once, 30 in a
 * row, 56 ms of CPU each without an archive, 51-52 with one, as a JVM of a one-class jar; start
 * to first line, medians of 20 in three interleaved pairs, 49.1-51.7 ms without, 44.4-51.3 with.
 *
 * <p>Implementation notes: the archive is dumped as the library dumps a child's
 * ({@code -XX:ArchiveClassesAtExit}, a dynamic archive over the JDK's default one), by one run of
 * the same command, into a scratch directory removed on {@link #close()}. A JDK that cannot dump
 * one (no default archive to build on, no class-data sharing at all) leaves no file or refuses the
 * option: the floor then runs without an archive, as the library's children would there too, and
 * the run's log says so.
 */
final class OwnArchive implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(OwnArchive.class.getName());
    private static final long DUMP_DEADLINE_SECONDS = 60;
    /** The library's children keep the archive's messages off their output too. */
    private static final List<String> QUIET = List.of("-Xlog:cds=off", "-Xlog:cds+dynamic=off");

    private final ScratchDirectory directory;
    private final List<String> options;

    private OwnArchive(ScratchDirectory directory, List<String> options) {
        this.directory = directory;
        this.options = options;
    }

    /**
     * Dumps the archive of {@code main} run with {@code options} and {@code args} (its standard
     * input closed at once), on this JVM's class path.
     *
     * @throws IOException when the dumping run cannot start or overruns its deadline
     */
    static OwnArchive of(List<String> options, Class<?> main, String... args)
            throws IOException, InterruptedException {
        ScratchDirectory directory = ScratchDirectory.create();
        try {
            Path archive = Path.of(directory.file(main.getSimpleName() + ".jsa"));
            List<String> dumping = new ArrayList<>(options);
            dumping.add("-XX:ArchiveClassesAtExit=" + archive);
            dumping.addAll(QUIET);
            Process p = new ProcessBuilder(BareJvm.command(dumping, main, args))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            p.getOutputStream().close();
            if (!p.waitFor(DUMP_DEADLINE_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
                throw new IOException("dumping the class-data archive of " + main.getName() + " overran "
                        + DUMP_DEADLINE_SECONDS + " s");
            }
            List<String> mapping = new ArrayList<>(options);
            if (p.exitValue() == 0 && Files.isRegularFile(archive)) {
                mapping.add("-XX:SharedArchiveFile=" + archive);
                mapping.addAll(QUIET);
            } else {
                LOG.log(Level.WARNING, "this JDK dumped no class-data archive for " + main.getName() + " (exit "
                        + p.exitValue() + "): its bare JVM runs without one");
            }
            return new OwnArchive(directory, List.copyOf(mapping));
        } catch (IOException | InterruptedException | RuntimeException e) {
            directory.close();
            throw e;
        }
    }

    /** @return the options the archive was dumped with, then those that map it */
    List<String> options() {
        return options;
    }

    /** Deletes the archive. */
    @Override
    public void close() throws IOException {
        directory.close();
    }
}
