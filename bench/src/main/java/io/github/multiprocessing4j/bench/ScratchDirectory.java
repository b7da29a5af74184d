package io.github.multiprocessing4j.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A temporary directory for the files children leave for the parent (timestamps, readiness
 * marks), removed with everything in it when closed. It is the channel back from a child until
 * the library has queues and pipes.
 */
final class ScratchDirectory implements AutoCloseable {
    private final Path directory;

    private ScratchDirectory(Path directory) {
        this.directory = directory;
    }

    static ScratchDirectory create() throws IOException {
        return new ScratchDirectory(Files.createTempDirectory("mp4j-bench-"));
    }

    /** @return the path of a file in this directory, as a string a serializable lambda can capture */
    String file(String name) {
        return directory.resolve(name).toString();
    }

    /** Waits until a child has created {@code file}; polls, since the parent has nothing else to do. */
    static void awaitFile(String file, long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        Path path = Path.of(file);
        while (!Files.exists(path)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no " + file + " after " + timeoutMillis + " ms");
            }
            Thread.sleep(1);
        }
    }

    @Override
    public void close() throws IOException {
        try (Stream<Path> all = Files.walk(directory)) {
            for (Path p : (Iterable<Path>) all.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }
}
