package io.github.multiprocessing4j;

import io.github.multiprocessing4j.internal.os.Platform;
import io.github.multiprocessing4j.internal.process.ProcessContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * SharedMemory under a name of the user's: made by one program and attached by an unrelated one
 * (a JVM started as a program of its own), surviving its creator, with Python's exists and
 * not-found errors.
 */
class SharedMemoryNamedTest {
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private final List<String> names = new ArrayList<>();

    @AfterEach
    void unlinkNamedBlocks() {
        for (String name : names) {
            try {
                SharedMemory.attachNamed(name).unlink();
            } catch (IllegalStateException gone) {
                // unlinked by the test already
            }
        }
    }

    private String newName() {
        String name = "test-" + ProcessHandle.current().pid() + "-" + COUNTER.incrementAndGet();
        names.add(name);
        return name;
    }

    @Test
    void anUnrelatedProgramAttachesByNameReadsAndWritesBack() throws Exception {
        String name = newName();
        try (SharedMemory shared = SharedMemory.createNamed(name, 4096)) {
            assertThat(shared.name()).isEqualTo(name);
            assertThat(shared.size()).isEqualTo(4096);
            assertThat(Platform.sharedMemoryRoot().resolve("mp4j-named-" + name)).isRegularFile();
            shared.buffer().putLong(0, 21);
            assertThat(NamedMemoryPeer.run("attach", name)).isZero();
            assertThat(shared.buffer().getLong(8)).as("written by the other program").isEqualTo(42);
            shared.unlink();
        }
        assertThat(Platform.sharedMemoryRoot().resolve("mp4j-named-" + name)).doesNotExist();
        assertThat(NamedMemoryPeer.run("attach", name)).as("an unlinked name is not found").isEqualTo(1);
    }

    @Test
    void aNamedBlockOutlivesTheProgramThatCreatedIt() throws Exception {
        String name = newName();
        assertThat(NamedMemoryPeer.run("create", name)).isZero();
        try (SharedMemory shared = SharedMemory.attachNamed(name)) {
            assertThat(shared.size()).isEqualTo(64);
            assertThat(shared.buffer().getLong(0)).isEqualTo(4242);
            shared.unlink();
        }
        assertThatThrownBy(() -> SharedMemory.attachNamed(name)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void attachingANameThatAnotherProgramMadeAgainGetsTheNewBlock() throws Exception {
        String name = newName();
        try (SharedMemory first = SharedMemory.createNamed(name, 16)) {
            first.buffer().putLong(0, 1);
            assertThat(NamedMemoryPeer.run("recreate", name)).isZero();
            // This JVM still maps the first block (through the handle above): attaching the name
            // must reach the file that has it now, as Python's SharedMemory(name=...) does.
            try (SharedMemory again = SharedMemory.attachNamed(name)) {
                assertThat(again.size()).isEqualTo(128);
                assertThat(again.buffer().capacity()).isEqualTo(128);
                assertThat(again.buffer().getLong(0)).as("written by the other program in its new block").isEqualTo(4343);
            }
            assertThat(first.buffer().getLong(0)).as("a handle had before keeps its block").isEqualTo(1);
        }
    }

    @Test
    void aChildOfTheTreeUsesACapturedNamedHandleAndAttachesByName() throws Exception {
        String name = newName();
        SharedMemory shared = SharedMemory.createNamed(name, 16);
        ChildProcess child = new ChildProcess(() -> {
            shared.buffer().putLong(0, 7);
            try (SharedMemory mine = SharedMemory.attachNamed(name)) {
                mine.buffer().putLong(8, 8);
            }
        });
        child.start();
        child.join();
        assertThat(child.exitCode()).hasValue(0);
        assertThat(shared.buffer().getLong(0)).isEqualTo(7);
        assertThat(shared.buffer().getLong(8)).isEqualTo(8);
        shared.unlink();
    }

    /** Made by a static initialiser: the tree's, as every shared object made there. */
    static final class NamedInStatic {
        static final String NAME = "static-" + ProcessContext.current().registry().treeId();
        static final SharedMemory MEMORY = SharedMemory.createNamed(NAME, 16);
    }

    @Test
    void aStaticInitialiserMakesTheNamedBlockOnceForTheTree() throws Exception {
        names.add(NamedInStatic.NAME);
        NamedInStatic.MEMORY.buffer().putLong(0, 5);
        ChildProcess child = new ChildProcess(() -> NamedInStatic.MEMORY.buffer()
                .putLong(8, NamedInStatic.MEMORY.buffer().getLong(0) + 1)); // initialises the class again in the child
        child.start();
        child.join();
        assertThat(child.exitCode()).as("the child's initialiser did not fail with \"exists\"").hasValue(0);
        assertThat(NamedInStatic.MEMORY.buffer().getLong(8)).isEqualTo(6);
        NamedInStatic.MEMORY.unlink();
    }

    @Test
    void creatingAnExistingNameFailsAndAMissingNameIsNotFound() {
        String name = newName();
        SharedMemory first = SharedMemory.createNamed(name, 8);
        assertThatThrownBy(() -> SharedMemory.createNamed(name, 8))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining(name).hasMessageContaining("exists")
                .hasCauseInstanceOf(FileAlreadyExistsException.class);
        assertThatThrownBy(() -> SharedMemory.attach(name)).as("tree names and machine names never meet")
                .isInstanceOf(IllegalStateException.class);
        first.unlink();
        assertThatThrownBy(() -> SharedMemory.attachNamed(name))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining(name).hasMessageContaining("no shared memory")
                .hasCauseInstanceOf(NoSuchFileException.class);
        try (SharedMemory again = SharedMemory.createNamed(name, 24)) {
            assertThat(again.size()).as("after unlink the name is free").isEqualTo(24);
            again.unlink();
        }
        assertThat(first.buffer().capacity()).as("a handle outlives unlink").isEqualTo(8);
    }

    @Test
    void invalidNamesAndSizesAreRejected() throws Exception {
        for (String bad : new String[] {"", "a/b", "/leading", "sp ace", "é", "x".repeat(201)}) {
            assertThatThrownBy(() -> SharedMemory.createNamed(bad, 8)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no '/'");
            assertThatThrownBy(() -> SharedMemory.attachNamed(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> SharedMemory.createNamed(null, 8)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SharedMemory.createNamed(newName(), -1)).isInstanceOf(IllegalArgumentException.class);
        String longest = "x".repeat(200);
        names.add(longest);
        try (SharedMemory m = SharedMemory.createNamed(longest, 0)) {
            assertThat(m.size()).isZero();
            m.unlink();
        }
        try (var files = Files.list(Platform.sharedMemoryRoot())) {
            assertThat(files.map(p -> p.getFileName().toString()).filter(f -> f.startsWith("mp4j-partial-")
                    && f.contains("-" + ProcessHandle.current().pid() + "-"))).as("no temporary file left").isEmpty();
        }
    }
}
