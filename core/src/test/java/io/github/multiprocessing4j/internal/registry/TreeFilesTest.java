package io.github.multiprocessing4j.internal.registry;

import io.github.multiprocessing4j.ChildProcess;
import io.github.multiprocessing4j.testing.TestFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The tree lock between processes, as it meets a program's own file locks. */
class TreeFilesTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void waitingForTheTreeLockMakesNoDeadlockOfAProgramsFileLocks() throws Exception {
        String tree = dir.resolve("tree").toString();
        String programLockFile = dir.resolve("program.lock").toString();
        String childHoldsTreeLock = dir.resolve("child-holds-tree-lock").toString();
        String parentWaits = dir.resolve("parent-waits").toString();
        String childGotProgramLock = dir.resolve("child-got-program-lock").toString();
        try (FileChannel programLock = FileChannel.open(Path.of(programLockFile),
                StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            FileLock heldByParent = programLock.lock();
            ChildProcess child = new ChildProcess(() -> {
                try (TreeFiles.TreeLock treeLock = new TreeFiles(Path.of(tree), null).lockTree();
                     FileChannel channel = FileChannel.open(Path.of(programLockFile), StandardOpenOption.WRITE)) {
                    TestFiles.write(childHoldsTreeLock, "");
                    TestFiles.await(Path.of(parentWaits), WAIT);
                    Thread.sleep(200); // the parent's thread is waiting for the tree lock by now
                    // A process waiting in the kernel for the tree lock, held here, while holding
                    // this lock made the kernel refuse it: "Resource deadlock avoided".
                    try (FileLock ignored = channel.lock()) {
                        TestFiles.write(childGotProgramLock, "");
                    }
                }
            });
            child.start();
            try {
                TestFiles.await(Path.of(childHoldsTreeLock), WAIT);
                Thread letGo = new Thread(() -> {
                    TestFiles.await(Path.of(parentWaits), WAIT);
                    try {
                        Thread.sleep(500); // the child asks for the program's lock meanwhile
                        heldByParent.release();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                letGo.start();
                TestFiles.write(parentWaits, "");
                new TreeFiles(Path.of(tree), null).lockTree().close(); // waits until the child lets go
                letGo.join();
                assertThat(child.join(WAIT)).isTrue();
                assertThat(child.exitCode()).as("the child's exit code").hasValue(0);
                assertThat(Path.of(childGotProgramLock)).exists();
            } finally {
                child.kill();
                child.join(WAIT);
            }
        }
    }
}
