package io.github.multiprocessing4j.internal.registry;

import io.github.multiprocessing4j.internal.os.Platform;
import io.github.multiprocessing4j.internal.shm.SegmentSpace;
import io.github.multiprocessing4j.internal.shm.SharedSegment;
import io.github.multiprocessing4j.testing.TestFiles;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** A tree's table of processes, as a long-lived tree meets pids again; what the janitor removes of dead trees. */
class LocalTreeRegistryTest {
    /** No process has this pid (above Linux's largest, 2^22): the records below are a test's alone. */
    private static final long PID = 5_000_000_000L;

    @Test
    void aBootingChildReplacesTheRecordAndTheFailureADeadNamesakeLeftButNotItsOwn() {
        SharedSegment made = SharedSegment.create("registry-test", 8); // this JVM's tree exists
        LocalTreeRegistry table = LocalTreeRegistry.open(
                LocalTreeRegistry.treeIdFor(Platform.currentPid(), Platform.ownStartTicks()), null);
        try {
            // An orphan that failed, whose parent died before it could remove what it left
            table.put(new ProcessRecord(PID, 1, 100, "orphan", false, ProcessRecord.State.EXITED, 0));
            table.putFailure(PID, new byte[] {1, 2, 3});

            // The pid comes round again: a new child, started at tick 200
            ProcessRecord booting = new ProcessRecord(PID, Platform.currentPid(), 200, "child", false,
                    ProcessRecord.State.BOOTING, 0, "warm");
            table.putBooting(booting);
            assertThat(table.find(PID)).hasValue(booting);
            assertThat(table.findFailure(PID)).as("the namesake's failure").isEmpty();

            // The child records itself and fails; its parent's late look keeps both
            table.put(new ProcessRecord(PID, Platform.currentPid(), 200, "child", false, ProcessRecord.State.RUNNING, 0));
            table.putFailure(PID, new byte[] {4});
            table.putBooting(booting);
            assertThat(table.find(PID)).hasValueSatisfying(r -> {
                assertThat(r.state()).isEqualTo(ProcessRecord.State.RUNNING);
                assertThat(r.startMethod()).isEqualTo("warm");
            });
            assertThat(table.findFailure(PID)).hasValueSatisfying(f -> assertThat(f).containsExactly(4));
        } finally {
            table.remove(PID);
            made.unlink();
        }
    }

    @Test
    void theJanitorRemovesASpillDirectoryLeftByADeadRootWithoutItsTreeAndNothingElseInTheSpillRoot() throws Exception {
        Path spillRoot = TestFiles.tempDirectory("spill-root");
        String before = System.getProperty(SegmentSpace.SPILL_DIR_PROPERTY);
        System.setProperty(SegmentSpace.SPILL_DIR_PROPERTY, spillRoot.toString());
        try {
            Path dead = Files.createDirectory(spillRoot.resolve(SegmentSpace.SPILL_PREFIX + "mp4j-" + PID + "-7"));
            Files.writeString(dead.resolve("chunk"), "spilled");
            Path live = Files.createDirectory(spillRoot.resolve(SegmentSpace.SPILL_PREFIX
                    + LocalTreeRegistry.treeIdFor(Platform.currentPid(), Platform.ownStartTicks())));
            Path other = Files.createDirectory(spillRoot.resolve("spill-of-another-program"));

            LocalTreeRegistry.removeDeadTrees();

            assertThat(dead).doesNotExist();
            assertThat(live).as("this JVM's tree's").isDirectory();
            assertThat(other).isDirectory();
        } finally {
            if (before == null) {
                System.clearProperty(SegmentSpace.SPILL_DIR_PROPERTY);
            } else {
                System.setProperty(SegmentSpace.SPILL_DIR_PROPERTY, before);
            }
            TestFiles.deleteRecursively(spillRoot);
        }
    }
}
