package io.github.multiprocessing4j.internal.process;

import io.github.multiprocessing4j.internal.os.Platform;
import io.github.multiprocessing4j.internal.shm.SegmentSpace;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A spare JVM rehearses becoming a child, its tree's registry opened included, before it knows
 * which child it will be: the rehearsal must leave nothing behind, neither in this JVM (it is
 * not a process of that tree) nor on disk (a spare would leave a tree directory that no process
 * of any tree owns).
 */
class ProcessContextRehearsalTest {
    @Test
    void aRehearsalOpensTheRegistryWithoutTouchingTheDiskOrThisJvmsContext() {
        String treeId = "mp4j-rehearsal-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        ProcessContext before = ProcessContext.initialised();

        ProcessContext.rehearseInitChild(new ChildIdentity(treeId, "rehearsal", false, 1, 1, "parent", false));

        assertThat(ProcessContext.initialised()).isSameAs(before);
        assertThat(Platform.sharedMemoryRoot().resolve(treeId)).doesNotExist();
        assertThat(SegmentSpace.spillDirectory(treeId)).doesNotExist();
    }
}
