package io.github.multiprocessing4j;

import io.github.multiprocessing4j.internal.os.Platform;
import io.github.multiprocessing4j.internal.queue.FreedPipeFiles;
import io.github.multiprocessing4j.internal.shm.SharedSegment;
import io.github.multiprocessing4j.testing.TestFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static io.github.multiprocessing4j.testing.TestFiles.await;
import static org.assertj.core.api.Assertions.assertThat;

/** Where segments go: a closed object's file at once, its mapping with its last handle, a killed tree's at the next start. */
class SharedSegmentLifecycleTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int CYCLES = 10_000;

    @TempDir
    Path dir;

    @Test
    void tenThousandCreateCloseCyclesLeaveNoFileAndNoMapping() throws Exception {
        try (SharedLong warm = new SharedLong()) {
            warm.incrementAndGet(); // the tree directory exists from here on
        }
        Path tree = ownTree();
        System.gc();
        int mappingsBefore = mappingLines();
        long start = System.nanoTime();
        for (int i = 0; i < CYCLES; i++) {
            try (ProcessLock lock = new ProcessLock(); SharedLong value = new SharedLong(i)) {
                lock.lock();
                value.incrementAndGet();
                lock.unlock();
            }
            SharedMemory memory = SharedMemory.create(64);
            memory.buffer().put(0, (byte) 1);
            memory.close();
            memory.unlink();
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertThat(segmentFiles(tree)).as("segment files left in " + tree).isEmpty();
        int[] now = new int[1];
        TestFiles.awaitCondition(() -> {
            System.gc();
            now[0] = mappingLines();
            return now[0] <= mappingsBefore + 64 && SharedSegment.cachedMappings() <= 64;
        }, WAIT, "the mappings of closed objects to go");
        System.out.printf("%d create/close cycles of ProcessLock + SharedLong + SharedMemory in %d ms;"
                + " mappings before %d, after %d; segment mappings of this tree now %d%n",
                CYCLES, millis, mappingsBefore, now[0], segmentMappings(tree));
        assertThat(segmentMappings(tree)).isLessThanOrEqualTo(64);
    }

    @Test
    void queuesAndPipesLeaveNoSegmentOnceClosedAndDrained() throws Exception {
        Path tree = null;
        byte[] big = new byte[3 << 20]; // larger than a chunk: a chunk of its own, then a switch back
        for (int i = 0; i < 100; i++) {
            ProcessQueue<Object> queue = new ProcessQueue<>(10);
            ProcessJoinableQueue<Integer> joinable = new ProcessJoinableQueue<>();
            Pipe<Object> pipe = Pipe.open();
            queue.put(i);
            queue.put(big);
            queue.put("after");
            joinable.put(i);
            pipe.right().send(i);
            if (i == 0) {
                tree = ownTree();
                for (Path file : Files.newDirectoryStream(tree, "seg-*")) {
                    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                            .as("mode of " + file).isEqualTo("rw-------");
                }
            }
            assertThat(queue.get()).isEqualTo(i);
            assertThat((byte[]) queue.get()).hasSize(big.length);
            assertThat(queue.get()).isEqualTo("after");
            assertThat(joinable.get()).isEqualTo(i);
            joinable.taskDone();
            assertThat(pipe.left().recv()).isEqualTo(i);
            queue.close();
            joinable.close();
            pipe.left().close();
            pipe.right().close();
        }
        assertThat(segmentFiles(tree)).as("the one pipe file kept for the next pipe (FreedPipeFiles), each pipe's in turn")
                .hasSizeLessThanOrEqualTo(1);
        FreedPipeFiles.discardAll();
        assertThat(segmentFiles(tree)).as("segment files left in " + tree).isEmpty();
        Path ownTree = tree;
        TestFiles.awaitCondition(() -> {
            System.gc();
            return segmentMappingsQuietly(ownTree) <= 64;
        }, WAIT, "the mappings of the closed queues and pipes to go");
    }

    @Test
    void theSegmentsOfATreeThatWasSigkilledAreRemovedByTheNextStart() throws Exception {
        assertTheNextRootRemovesAKilledTree("once");
    }

    @Test
    void aProgramThatExitsRightAfterItsFirstQueueStillRemovesAKilledTree() throws Exception {
        // The janitor runs beside the program (its listing of java.io.tmpdir stays off the first
        // use's path); the program's exit waits for it.
        assertTheNextRootRemovesAKilledTree("first-use");
    }

    private void assertTheNextRootRemovesAKilledTree(String nextRootsMode) throws Exception {
        Path out = dir.resolve("hung");
        Process root = TreeRoot.launch(out, "hang-shared");
        String[] pids = await(out, WAIT).split(" ");
        long rootPid = Long.parseLong(pids[0]);
        long childPid = Long.parseLong(pids[1]);
        Path tree = TestFiles.treeDirectory(rootPid);
        assertThat(segmentFiles(tree)).as("a lock, a long and a memory block")
                .anyMatch(n -> n.startsWith("seg-lock-")).anyMatch(n -> n.startsWith("seg-long-"))
                .anyMatch(n -> n.startsWith("seg-memory-"));

        TreeRoot.killTree(root, childPid, WAIT);
        assertThat(segmentFiles(tree)).as("nobody was left to clean up").hasSize(3);

        Path next = dir.resolve("next");
        Process nextRoot = TreeRoot.launch(next, nextRootsMode);
        assertThat(nextRoot.waitFor()).isZero();
        assertThat(next).hasContent("done");
        assertThat(tree).doesNotExist();
    }

    private static Path ownTree() {
        return TestFiles.treeDirectory(Platform.currentPid());
    }

    private static List<String> segmentFiles(Path tree) throws IOException {
        if (!Files.isDirectory(tree)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(tree)) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.startsWith("seg-")).collect(Collectors.toList());
        }
    }

    private static int mappingLines() {
        try {
            return Files.readAllLines(Path.of("/proc/self/maps")).size();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static long segmentMappingsQuietly(Path tree) {
        try {
            return segmentMappings(tree);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static long segmentMappings(Path tree) throws IOException {
        String prefix = tree.resolve("seg-").toString();
        return Files.readAllLines(Path.of("/proc/self/maps")).stream().filter(l -> l.contains(prefix)).count();
    }
}
