package io.github.multiprocessing4j.internal.shm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A segment's pages are allocated when it is made (a full file system answers then, not with a
 * SIGBUS later), and the message for a full one says what is full and what to do. Running out
 * of room for real is {@code SmallShmTest}'s, in a small tmpfs.
 */
class SegmentSpaceTest {
    @TempDir
    Path dir;

    @Test
    void theUnmapBudgetIsAnEighthOfSharedMemoryUpTo256MiB() {
        assertThat(UnmapBudget.budget(32L << 20)).as("a small container's").isEqualTo(4L << 20);
        assertThat(UnmapBudget.budget(24L << 30)).isEqualTo(UnmapBudget.MOST_BYTES).isEqualTo(256L << 20);
        assertThat(UnmapBudget.budget(0)).as("unknown").isEqualTo(UnmapBudget.MOST_BYTES);
    }

    @Test
    void reservingAllocatesEveryPageAndZeroesTheFile() throws Exception {
        Path file = dir.resolve("segment");
        long size = (3 << 20) + 4096 + 8;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            SegmentSpace.reserve(channel, size, dir, "a test segment");
        }
        assertThat(Files.size(file)).isEqualTo(size);
        assertThat(allocatedBytes(file)).isGreaterThanOrEqualTo(size);
        byte[] bytes = Files.readAllBytes(file);
        assertThat(bytes).containsOnly(0);
    }

    @Test
    void aTreeSegmentIsMadeWithAllItsPages() throws Exception {
        SharedSegment segment = SharedSegment.create("probe", 2 << 20);
        try {
            Path file = InstalledTrees.get().own().segmentFile(segment.name());
            assertThat(allocatedBytes(file)).isGreaterThanOrEqualTo(2 << 20);
            assertThat(segment.spilled()).isFalse();
        } finally {
            segment.unlink();
        }
    }

    @Test
    void theMessageForAFullDirectorySaysWhatIsFullHowMuchIsUsedAndWhatToDo() {
        String message = SegmentSpace.noSpaceMessage(dir, 3 << 20, "shared segment memory-1-2");

        assertThat(message).startsWith("no space left in " + dir + " for shared segment memory-1-2 (3.0 MiB): ")
                .containsPattern("[0-9.]+ MiB of [0-9.]+ MiB used, [0-9.]+ MiB free")
                .contains("--shm-size", "emptyDir", "medium: Memory", "-Dmp4j.shmDir=DIR");
    }

    @Test
    void aFullFileSystemIsToldFromOtherFailures() {
        assertThat(SegmentSpace.isNoSpace(new IOException("No space left on device"), dir, 1)).isTrue();
        assertThat(SegmentSpace.isNoSpace(new IOException("Disk quota exceeded"), dir, 1)).isTrue();
        assertThat(SegmentSpace.isNoSpace(new IOException("Input/output error"), dir, 1)).isFalse();
        assertThat(SegmentSpace.isNoSpace(new IOException("Erreur d'entrée/sortie"), dir, Long.MAX_VALUE))
                .as("a translated message, and less room than needed").isTrue();
    }

    @Test
    void chunksKeepTheirSizeWhereSharedMemoryIsRoomyAndShrinkWithItWhereItIsSmall() {
        int queue = 1 << 20;
        int channel = 4 << 20;
        long mib = 1 << 20;
        assertThat(SegmentSpace.fittedChunkSize(queue, 24 * 1024 * mib)).as("a host's /dev/shm").isEqualTo(queue);
        assertThat(SegmentSpace.fittedChunkSize(queue, SegmentSpace.ROOMY_MIB * mib)).isEqualTo(queue);
        assertThat(SegmentSpace.fittedChunkSize(queue, 0)).as("room unknown").isEqualTo(queue);
        assertThat(SegmentSpace.fittedChunkSize(queue, 64 * mib)).as("Docker's default").isEqualTo(256 << 10);
        assertThat(SegmentSpace.fittedChunkSize(channel, 64 * mib)).isEqualTo(1 << 20);
        assertThat(SegmentSpace.fittedChunkSize(queue, 4 * mib)).as("a sixteenth at least").isEqualTo(64 << 10);
        assertThat(SegmentSpace.fittedChunkSize(queue, 100 * mib) % 4096).as("whole pages").isZero();
        assertThat(SegmentSpace.fittedChunkSize(4096, 4 * mib)).as("a page at least").isEqualTo(4096);
    }

    @Test
    void aTreeSpillsUnderTheSpillRootInADirectoryNamedAfterIt() {
        assertThat(SegmentSpace.spillDirectory("mp4j-42-7")).isEqualTo(SegmentSpace.spillRoot().resolve("spill-mp4j-42-7"));
    }

    /** @return the bytes the file system allocated to {@code file} ({@code stat}: blocks x block size) */
    private static long allocatedBytes(Path file) throws Exception {
        Process stat = new ProcessBuilder("stat", "-c", "%b %B", file.toString()).redirectErrorStream(true).start();
        String[] out = new String(stat.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim().split(" ");
        assertThat(stat.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return Long.parseLong(out[0]) * Long.parseLong(out[1]);
    }
}
