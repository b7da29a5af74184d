package io.github.multiprocessing4j;

import io.github.multiprocessing4j.internal.os.Platform;
import io.github.multiprocessing4j.testing.TestFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;

import static io.github.multiprocessing4j.testing.TestFiles.await;
import static org.assertj.core.api.Assertions.assertThat;

/** Every process of a tree records itself under /dev/shm; the table goes when the tree ends. */
class ProcessTableTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void reapingAChildRemovesWhatItLeftWhenKilledInTheMiddleOfWritingItsRecord() throws Exception {
        String ready = dir.resolve("ready").toString();
        ChildProcess child = new ChildProcess(() -> {
            TestFiles.write(ready, "up");
            Thread.sleep(60_000);
        });
        child.start();
        try {
            await(Path.of(ready), WAIT);
            Path tree = TestFiles.treeDirectory(Platform.currentPid());
            // as a child killed between its temporary file and the rename leaves them (thread 15)
            List<Path> halfWritten = List.of(tree.resolve(".tmp-proc-" + child.pid() + "-15"),
                    tree.resolve(".tmp-failure-" + child.pid() + "-15"));
            Path someoneElses = tree.resolve(".tmp-proc-" + child.pid() + "0-15");
            for (Path temp : halfWritten) {
                Files.writeString(temp, "pid=" + child.pid());
            }
            Files.writeString(someoneElses, "another process's");
            child.kill();
            assertThat(child.join(WAIT)).isTrue();
            assertThat(halfWritten).allSatisfy(temp -> assertThat(temp).doesNotExist());
            assertThat(someoneElses).exists();
            Files.delete(someoneElses);
        } finally {
            child.kill();
            child.join(WAIT);
        }
    }

    @Test
    void aRunningChildIsRecordedInAPrivateDirectoryThatGoesWhenTheTreeIsIdle() throws Exception {
        String ready = dir.resolve("ready").toString();
        String release = dir.resolve("release").toString();
        ChildProcess child = ChildProcess.builder(() -> {
            TestFiles.write(ready, "up");
            while (!Files.exists(Path.of(release))) {
                Thread.sleep(10);
            }
        }).name("recorded").daemon(true).build();
        child.start();
        try {
            await(Path.of(ready), WAIT);
            Path tree = TestFiles.treeDirectory(Platform.currentPid());
            Path record = tree.resolve("proc-" + child.pid());
            // the child writes its record on its boot thread, beside its target: wait for it
            TestFiles.awaitCondition(() -> {
                try {
                    return Files.readString(record).contains("state=RUNNING");
                } catch (java.io.IOException notYet) {
                    return false;
                }
            }, WAIT, "the child's record");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tree))).isEqualTo("rwx------");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(record))).isEqualTo("rw-------");
            for (String tableFile : new String[] {".lock", ".reserve"}) {
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tree.resolve(tableFile))))
                        .as(tableFile).isEqualTo("rw-------");
            }
            assertThat(Files.size(tree.resolve(".reserve"))).as("the table's reserve, whole").isEqualTo(64 * 4096);
            assertThat(Files.readString(record)).contains("name=recorded", "daemon=true", "state=RUNNING",
                    "parentPid=" + ProcessHandle.current().pid());

            List<ProcessSnapshot> table = Multiprocessing.processTable();
            assertThat(table).anySatisfy(s -> {
                assertThat(s.pid()).isEqualTo(child.pid());
                assertThat(s.name()).isEqualTo("recorded");
                assertThat(s.parentPid()).isEqualTo(ProcessHandle.current().pid());
                assertThat(s.daemon()).isTrue();
                assertThat(s.state()).isEqualTo("running");
                assertThat(s.residentBytes()).isPresent();
            });
            assertThat(table).anySatisfy(s -> {
                assertThat(s.pid()).isEqualTo(ProcessHandle.current().pid());
                assertThat(s.name()).isEqualTo("MainProcess");
            });

            TestFiles.write(release, "go");
            child.join();
            assertThat(tree).as("kept for the spare that the warm start booted: the next child").exists();
            Multiprocessing.discardSpares();
            assertThat(tree).doesNotExist();
        } finally {
            child.kill();
        }
    }

    @Test
    void withoutSparesTheTableGoesWithTheLastChild() throws Exception {
        Multiprocessing.discardSpares();
        ChildProcess child = ChildProcess.builder(() -> { }).startMethod(StartMethod.COLD).build();
        child.start();
        child.join();
        assertThat(child.exitCode()).hasValue(0);
        assertThat(TestFiles.treeDirectory(Platform.currentPid())).doesNotExist();
    }

    @Test
    void theTableOfATreeThatWasSigkilledIsRemovedByTheNextStart() throws Exception {
        Path out = dir.resolve("hung");
        Process root = TreeRoot.launch(out, "hang");
        String[] pids = await(out, WAIT).split(" ");
        long rootPid = Long.parseLong(pids[0]);
        long childPid = Long.parseLong(pids[1]);
        Path tree = TestFiles.treeDirectory(rootPid);
        assertThat(tree).isDirectory();

        TreeRoot.killTree(root, childPid, WAIT);
        assertThat(tree).as("nobody was left to clean up").isDirectory();

        Path next = dir.resolve("next");
        Process nextRoot = TreeRoot.launch(next, "once");
        assertThat(nextRoot.waitFor()).isZero();
        assertThat(next).hasContent("done");
        assertThat(tree).doesNotExist();
    }
}
