package io.github.multiprocessing4j.cli.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A temporary directory through which processes exchange small files, deleted with everything in
 * it on {@link #close()}: the facts a child hands back to the tour, the lesson's ticket file.
 *
 * <p>A fact is handed over in a file of its own: the child {@linkplain #handOver writes it} once,
 * the parent {@linkplain #awaitHandOver waits for it} and reads it.
 *
 * <p>Implementation notes. Children hand facts back through files rather than through stdout,
 * because their stdout is the terminal, which the parent cannot read. Every file is
 * {@linkplain #writeWhole written whole}: under a temporary name of the writing process's own,
 * then renamed over the target, so that a reader never sees half of it, even while several
 * processes write the same file. File names travel to children as Strings, since {@link Path} is
 * not serializable.
 *
 * <p>A directory does not outlive its process: a shutdown hook deletes it when the JVM ends
 * without {@link #close()} (SIGTERM, SIGINT, {@code System.exit}); one left by a process that
 * was killed outright (SIGKILL) carries that process's pid in its name, {@code
 * mp4j-PURPOSE-pidPID-RANDOM}, and the next {@link #create} on the machine deletes it once no
 * process has that pid. (A pid reused meanwhile only delays that.)
 */
public final class ScratchDir implements AutoCloseable {
    private static final Pattern NAME = Pattern.compile("mp4j-[a-z0-9-]+-pid(\\d+)-\\d+");

    private final Path directory;
    private final Thread deleteAtExit;

    private ScratchDir(Path directory) {
        this.directory = directory;
        this.deleteAtExit = new Thread(this::deleteQuietly, "mp4j-scratch-" + directory.getFileName());
    }

    /**
     * Creates a scratch directory in the system's temporary directory, after deleting those that
     * killed processes left there.
     *
     * @param purpose names the directory ("mp4j-PURPOSE-pidPID-..."), for whoever finds it: lower
     *     case letters, digits and dashes
     * @return the new directory, deleted on {@link #close()} or at the latest when this JVM ends
     * @throws IOException when the directory cannot be created
     */
    public static ScratchDir create(String purpose) throws IOException {
        Path temp = Path.of(System.getProperty("java.io.tmpdir"));
        removeLeftBehind(temp);
        ScratchDir dir = new ScratchDir(Files.createTempDirectory(temp,
                "mp4j-" + purpose + "-pid" + ProcessHandle.current().pid() + "-"));
        Runtime.getRuntime().addShutdownHook(dir.deleteAtExit);
        return dir;
    }

    /**
     * Deletes the scratch directories in {@code temp} whose process no longer exists.
     *
     * @return how many were deleted
     */
    static int removeLeftBehind(Path temp) {
        int removed = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(temp, "mp4j-*")) {
            for (Path entry : entries) {
                Matcher m = NAME.matcher(entry.getFileName().toString());
                if (m.matches() && ProcessHandle.of(Long.parseLong(m.group(1))).isEmpty() && Files.isDirectory(entry)) {
                    removed += deleteTree(entry) ? 1 : 0;
                }
            }
        } catch (IOException | RuntimeException e) {
            // an unreadable temporary directory: nothing to clean up that we may clean
        }
        return removed;
    }

    /** @return the directory itself */
    public Path directory() {
        return directory;
    }

    /** @return the path of a file in this directory, as a String a child's target can capture */
    public String file(String name) {
        return directory.resolve(name).toString();
    }

    /**
     * Replaces the content of {@code file} at once: a reader sees the old content or the new,
     * never a mixture, even while other processes write the same file.
     *
     * @throws UncheckedIOException when the file cannot be written
     */
    public static void writeWhole(Path file, String text) {
        Path temp = file.resolveSibling("." + file.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
        try {
            Files.writeString(temp, text);
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /**
     * Hands a fact over to the parent; called in children.
     *
     * @param file the file, from {@link #file}
     * @param text what to hand over
     * @throws UncheckedIOException when the file cannot be written
     */
    public static void handOver(String file, String text) {
        writeWhole(Path.of(file), text);
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
     * @throws UncheckedIOException when the file cannot be read
     */
    public static String awaitHandOver(String file, Duration timeout) throws InterruptedException {
        if (!Await.until(() -> handedOver(file), timeout)) {
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
     * Deletes the directory with everything in it.
     *
     * @throws IOException when something in it cannot be deleted
     */
    @Override
    public void close() throws IOException {
        try {
            Runtime.getRuntime().removeShutdownHook(deleteAtExit);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook deletes it too, and deleting twice is harmless
        }
        if (!deleteTree(directory)) {
            throw new IOException("could not delete all of " + directory);
        }
    }

    private void deleteQuietly() {
        deleteTree(directory);
    }

    /** @return whether {@code dir} is gone; another process deleting it at the same time does no harm */
    private static boolean deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        } catch (NoSuchFileException e) {
            // gone meanwhile, or part of it: deleted below or by whoever was faster
        } catch (IOException | UncheckedIOException e) {
            return !Files.exists(dir);
        }
        return !Files.exists(dir);
    }
}
