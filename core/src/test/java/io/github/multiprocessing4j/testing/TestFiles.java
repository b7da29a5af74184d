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
 * serializable), and waiting for a condition with a deadline instead of sleeping.
 */
public final class TestFiles {
    private TestFiles() {
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
