package io.github.multiprocessing4j.cli.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
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
 */
public final class ScratchDir implements AutoCloseable {
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

    @Override
    public void close() throws IOException {
        try (Stream<Path> paths = Files.walk(directory)) {
            for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }
}
