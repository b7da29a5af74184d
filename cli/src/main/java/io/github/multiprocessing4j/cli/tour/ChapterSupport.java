package io.github.multiprocessing4j.cli.tour;

import io.github.multiprocessing4j.ChildProcess;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * What the chapters need to watch processes from the outside: a scratch directory through which
 * children hand facts back, waiting for a condition with a deadline, and reading a process's
 * state and parent from {@code /proc}.
 *
 * <p>Implementation notes. Children hand facts back through small files rather than through
 * stdout, because their stdout is the tour's terminal, which the tour cannot read. A file is
 * written under a temporary name and renamed, so a reader never sees half of it. File names
 * travel to children as Strings, since {@link Path} is not serializable. In
 * {@code /proc/PID/stat} the command name (field 2) is in parentheses and may itself contain
 * spaces and parentheses, so the other fields are counted from the last ')'.
 */
public final class ChapterSupport {
    /** How long a chapter waits for a child JVM to boot and report, generous for a loaded machine. */
    public static final Duration BOOT_TIMEOUT = Duration.ofSeconds(15);

    private static final long POLL_MILLIS = 10;
    private static final Path PROC = Path.of("/proc");

    private ChapterSupport() {
    }

    /**
     * What {@code /proc/PID/stat} says about a process.
     *
     * @param state the one-letter state: R running, S sleeping, Z zombie, ...
     * @param parentPid the pid of its current parent
     */
    public record ProcStat(String state, long parentPid) {
        /** @return whether the process has exited and waits to be reaped by its parent */
        public boolean isZombie() {
            return "Z".equals(state);
        }
    }

    /** @return whether this system has a Linux-style {@code /proc} */
    public static boolean hasProcFs() {
        return Files.isDirectory(PROC.resolve("self"));
    }

    /** @return the process's state and parent, or empty when it has no {@code /proc} entry */
    public static Optional<ProcStat> procStat(long pid) {
        return procStat(PROC.resolve(Long.toString(pid)).resolve("stat"));
    }

    /** @return this process's current parent pid, as the kernel sees it now (not as it was at start) */
    public static long currentParentPid() {
        return procStat(PROC.resolve("self").resolve("stat")).map(ProcStat::parentPid)
                .orElseGet(() -> ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(0L));
    }

    private static Optional<ProcStat> procStat(Path statFile) {
        try {
            String stat = Files.readString(statFile);
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Optional.of(new ProcStat(fields[0], Long.parseLong(fields[1])));
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // gone (or no /proc): the caller treats both as "no entry"
        }
    }

    /** @return whether the process has a {@code /proc} entry, zombie or not */
    public static boolean hasEntry(long pid) {
        return Files.exists(PROC.resolve(Long.toString(pid)));
    }

    /** @return whether the process exists and has not exited: a zombie is not running */
    public static boolean isRunning(long pid) {
        return procStat(pid).map(s -> !s.isZombie() && !"X".equals(s.state())).orElse(false);
    }

    /** @return "pid N (command)", naming the process when {@code /proc} tells its command */
    public static String describe(long pid) {
        try {
            return "pid " + pid + " (" + Files.readString(PROC.resolve(Long.toString(pid)).resolve("comm")).strip() + ")";
        } catch (IOException e) {
            return "pid " + pid;
        }
    }

    /**
     * Polls {@code condition} every few milliseconds until it holds or {@code timeout} passes.
     *
     * @return whether the condition held in time
     * @throws InterruptedException when interrupted while waiting
     */
    public static boolean await(BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            Thread.sleep(POLL_MILLIS);
        }
        return true;
    }

    /**
     * Writes a fact for the tour to read; called in children.
     *
     * @param file the file, from {@link ScratchDir#file}
     * @param text what to hand over
     */
    public static void handOver(String file, String text) {
        try {
            Path target = Path.of(file);
            Path temp = target.resolveSibling("." + target.getFileName() + ".tmp");
            Files.writeString(temp, text);
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("could not hand over " + file, e);
        }
    }

    /** @return whether a child has handed over {@code file} */
    public static boolean handedOver(String file) {
        return Files.exists(Path.of(file));
    }

    /**
     * Waits until a child has handed over {@code file} and returns what it wrote.
     *
     * @throws IllegalStateException when nothing arrives within {@code timeout}
     * @throws InterruptedException when interrupted while waiting
     */
    public static String awaitHandOver(String file, Duration timeout) throws InterruptedException {
        if (!await(() -> handedOver(file), timeout)) {
            throw new IllegalStateException("no news from the child process within " + timeout.toSeconds()
                    + " s (expected in " + file + ")");
        }
        try {
            return Files.readString(Path.of(file)).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Makes sure a started child is not left running: kills it if it is still alive and joins
     * it. For the {@code finally} that follows a successful {@code start()}.
     *
     * @throws InterruptedException when interrupted while joining
     */
    public static void stop(ChildProcess child) throws InterruptedException {
        child.kill(); // does nothing when it has already exited
        child.join(BOOT_TIMEOUT);
    }

    /**
     * Kills a process that is not a {@link ChildProcess} of this JVM, if it still runs. The
     * handle remembers the process's start time, so a recycled pid is never hit.
     */
    public static void destroy(Optional<ProcessHandle> process) {
        process.filter(ProcessHandle::isAlive).ifPresent(ProcessHandle::destroyForcibly);
    }

    /**
     * A temporary directory for one chapter's hand-over files, deleted with everything in it on
     * {@link #close()}.
     */
    public static final class ScratchDir implements AutoCloseable {
        private final Path directory;

        private ScratchDir(Path directory) {
            this.directory = directory;
        }

        /** @param purpose names the directory ("mp4j-PURPOSE-..."), for whoever finds it */
        public static ScratchDir create(String purpose) throws IOException {
            return new ScratchDir(Files.createTempDirectory("mp4j-" + purpose + "-"));
        }

        /** @return the path of a file in this directory, as a String a child's target can capture */
        public String file(String name) {
            return directory.resolve(name).toString();
        }

        @Override
        public void close() throws IOException {
            try (Stream<Path> paths = Files.walk(directory)) {
                for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }
}
