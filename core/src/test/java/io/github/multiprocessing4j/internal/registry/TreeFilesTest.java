package io.github.multiprocessing4j.internal.registry;

import io.github.multiprocessing4j.ChildProcess;
import io.github.multiprocessing4j.internal.os.Platform;
import io.github.multiprocessing4j.testing.TestFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

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

    @Test
    void aWaiterWhoseLockFileWasRemovedLocksTheNewOneInstead() throws Exception {
        // A process waits for the tree lock; the holder releases the tree (removing .lock) and a
        // third process makes the directory and its .lock again and holds that. The waiter's lock
        // on the removed file must not count: it waits for the new one.
        Path tree = dir.resolve("tree");
        String waiting = dir.resolve("waiting").toString();
        String got = dir.resolve("got").toString();
        String treePath = tree.toString();
        ChildProcess child;
        try (TreeFiles.TreeLock held = new TreeFiles(tree, null).lockTree()) {
            child = new ChildProcess(() -> {
                TestFiles.write(waiting, "");
                try (TreeFiles.TreeLock lock = new TreeFiles(Path.of(treePath), null).lockTree()) {
                    TestFiles.write(got, "");
                }
            });
            child.start();
            TestFiles.await(Path.of(waiting), WAIT);
            Thread.sleep(300); // the child polls the old .lock by now
            TreeFiles.deleteTree(tree); // the tree released
            Files.createDirectory(tree); // and made again by a third process, which holds its lock
        }
        try (FileChannel newLock = FileChannel.open(tree.resolve(TreeFiles.LOCK_FILE), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE); FileLock thirdHolds = newLock.lock()) {
            Thread.sleep(700);
            assertThat(Path.of(got)).as("the child's lock while the third process holds the new .lock").doesNotExist();
        } finally {
            TestFiles.await(Path.of(got), WAIT);
            assertThat(child.join(WAIT)).isTrue();
            assertThat(child.exitCode()).hasValue(0);
        }
    }

    @Test
    void aProcessWhoseRecordIsInTheTreeMakesItsFilesWithoutWaitingForTheTreeLock() throws Exception {
        Path tree = dir.resolve("tree");
        TreeFiles files = withOwnRecord(tree);
        String treePath = tree.toString();
        String holding = dir.resolve("holding").toString();
        String letGo = dir.resolve("let-go").toString();
        ChildProcess holder = new ChildProcess(() -> {
            try (TreeFiles.TreeLock held = new TreeFiles(Path.of(treePath), null).lockTree()) {
                TestFiles.write(holding, "");
                TestFiles.await(Path.of(letGo), WAIT);
            }
        });
        holder.start();
        try {
            TestFiles.await(Path.of(holding), WAIT);
            // No release can happen while this process is in the table: it need not wait
            CompletableFuture.runAsync(() -> create(files, tree.resolve("seg-a"))).get(10, TimeUnit.SECONDS);
            assertThat(tree.resolve("seg-a")).exists();

            // Without its record in the table, a release may be under way: it waits for the lock
            files.removeRecord(Platform.currentPid());
            CompletableFuture<Void> waiting = CompletableFuture.runAsync(() -> create(files, tree.resolve("seg-b")));
            Thread.sleep(500);
            assertThat(waiting).as("a file made without this process's record in the table, while another holds the"
                    + " tree lock").isNotDone();
            TestFiles.write(letGo, "");
            waiting.get(30, TimeUnit.SECONDS);
            assertThat(tree.resolve("seg-b")).exists();
            assertThat(holder.join(WAIT)).isTrue();
            assertThat(holder.exitCode()).hasValue(0);
        } finally {
            TestFiles.write(letGo, "");
            holder.kill();
            holder.join(WAIT);
        }
    }

    @Test
    void aTreeRemovedFromOutsideIsMadeAgainWithTheRecordByTheNextFile() throws Exception {
        Path tree = dir.resolve("tree");
        TreeFiles files = withOwnRecord(tree);
        TreeFiles.deleteTree(tree); // as an "rm -r" would: this JVM still believes its record is there

        create(files, tree.resolve("seg-a"));
        assertThat(tree.resolve("seg-a")).exists();
        assertThat(tree.resolve(TreeFiles.RECORD_PREFIX + Platform.currentPid())).as("the record, written with the directory").exists();

        files.deleteDirectory(); // a release by this JVM: the record goes with it
        create(files, tree.resolve("seg-b"));
        assertThat(tree.resolve(TreeFiles.RECORD_PREFIX + Platform.currentPid())).exists();
    }

    /** @return the files of a new tree directory at {@code tree}, made with this process's record in it */
    private static TreeFiles withOwnRecord(Path tree) {
        ProcessRecord me = new ProcessRecord(Platform.currentPid(), 0, Platform.ownStartTicks(), "test", false,
                ProcessRecord.State.RUNNING, 0);
        TreeFiles files = new TreeFiles(tree, () -> me);
        files.lockTree().close();
        return files;
    }

    private static void create(TreeFiles files, Path file) {
        try {
            files.createFile(file).close();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
