package io.github.multiprocessing4j.testing;

import io.github.multiprocessing4j.internal.os.Platform;
import io.github.multiprocessing4j.internal.registry.LocalTreeRegistry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * What tests need to watch child processes from outside: files as a one-way channel from a child
 * (a child's target captures the file's path as a String, since {@link Path} is not
 * serializable), and waiting for a condition with a deadline instead of sleeping; and the
 * temporary files and directories of tests and their fixtures, named after the test JVM so that
 * {@link LeakCheck} can tell the ones a test class left behind.
 */
public final class TestFiles {
    /** How this JVM's temporary files begin (in {@code java.io.tmpdir}): {@code mp4j-test-PID-}. */
    static final String TEMP_PREFIX = "mp4j-test-" + Platform.currentPid() + "-";

    private TestFiles() {
    }

    /**
     * Makes a temporary directory of this test JVM's, which the test deletes: one left after its
     * test class fails the class ({@link LeakCheck}).
     *
     * @param what what it holds, in its name ("redis" for {@code mp4j-test-PID-redis-123})
     */
    public static Path tempDirectory(String what) {
        try {
            return Files.createTempDirectory(TEMP_PREFIX + what + "-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** As {@link #tempDirectory}, a file: {@code mp4j-test-PID-WHAT-123SUFFIX}. */
    public static Path tempFile(String what, String suffix) {
        try {
            return Files.createTempFile(TEMP_PREFIX + what + "-", suffix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Deletes {@code path} and, when it is a directory, everything in it; quietly, as a fixture's end does. */
    public static void deleteRecursively(Path path) {
        try (java.util.stream.Stream<Path> walk = Files.walk(path)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // gone already, or unreadable: LeakCheck reports what is left
        }
    }

    /** Writes {@code text} to {@code path} atomically, so a reader never sees half of it. */
    public static void write(String path, String text) {
        try {
            Path target = Path.of(path);
            Path temp = target.resolveSibling(target.getFileName() + ".tmp");
            Files.writeString(temp, text);
            Files.move(temp, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until {@code path} exists, then returns its content. */
    public static String await(Path path, Duration timeout) {
        awaitCondition(() -> Files.exists(path), timeout, "file " + path);
        try {
            return Files.readString(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Polls {@code condition} until it holds.
     *
     * @throws AssertionError naming {@code what} when it does not hold within {@code timeout}
     */
    public static void awaitCondition(BooleanSupplier condition, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what);
            }
        }
    }

    /** Waits until the process {@code pid} no longer exists (or is a zombie). */
    public static void awaitGone(long pid, Duration timeout) {
        awaitCondition(() -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) == false
                || procState(pid).equals("Z"), timeout, "process " + pid + " to end");
    }

    /** @return the process-table directory of the tree whose root is the live process {@code rootPid} */
    public static Path treeDirectory(long rootPid) {
        return Platform.sharedMemoryRoot().resolve(
                LocalTreeRegistry.treeIdFor(rootPid, Platform.startTicks(rootPid).orElseThrow()));
    }

    /** @return the state letter of {@code /proc/PID/stat}, or "" when the process is gone */
    public static String procState(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).split(" ")[0];
        } catch (IOException e) {
            return "";
        }
    }
}
