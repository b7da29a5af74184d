package io.github.multiprocessing4j.cli.support;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The scratch directory: files written whole, handed over and read back, all deleted on close. */
class ScratchDirTest {
    @Test
    void aFileWrittenWholeReplacesTheOldContentAndLeavesNoTemporaryFileBehind() throws IOException {
        try (ScratchDir dir = ScratchDir.create("test")) {
            Path data = Path.of(dir.file("data"));
            ScratchDir.writeWhole(data, "{\"ticket_num\": 1}");
            ScratchDir.writeWhole(data, "{\"ticket_num\": 0}");

            assertThat(data).hasContent("{\"ticket_num\": 0}");
            try (Stream<Path> files = Files.list(data.getParent())) {
                assertThat(files).containsExactly(data);
            }
        }
    }

    @Test
    void aHandedOverFactIsReadBackStripped() throws Exception {
        try (ScratchDir dir = ScratchDir.create("test")) {
            String report = dir.file("report");
            assertThat(ScratchDir.handedOver(report)).isFalse();

            ScratchDir.handOver(report, "1234 5678\n");

            assertThat(ScratchDir.handedOver(report)).isTrue();
            assertThat(ScratchDir.awaitHandOver(report, Duration.ofSeconds(1))).isEqualTo("1234 5678");
        }
    }

    @Test
    void waitingForAFactThatNeverComesNamesTheFile() throws IOException {
        try (ScratchDir dir = ScratchDir.create("test")) {
            String report = dir.file("never");

            assertThatThrownBy(() -> ScratchDir.awaitHandOver(report, Duration.ofMillis(30)))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining(report);
        }
    }

    @Test
    void closingDeletesTheDirectoryWithEverythingInIt() throws IOException {
        Path directory;
        try (ScratchDir dir = ScratchDir.create("test")) {
            directory = Path.of(dir.file("x")).getParent();
            ScratchDir.handOver(dir.file("x"), "x");
            Files.createDirectory(directory.resolve("sub"));
            ScratchDir.handOver(directory.resolve("sub").resolve("y").toString(), "y");
        }

        assertThat(directory).doesNotExist();
    }

    @Test
    void theDirectoryIsNamedAfterItsProcess() throws IOException {
        try (ScratchDir dir = ScratchDir.create("lesson-test")) {
            assertThat(dir.directory().getFileName().toString())
                    .matches("mp4j-lesson-test-pid" + ProcessHandle.current().pid() + "-\\d+");
        }
    }

    @Test
    void aDirectoryLeftByAProcessThatNoLongerExistsIsDeleted(@TempDir Path temp) throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Path leftBehind = Files.createDirectories(temp.resolve("mp4j-tour-zombie-pid" + gone.pid() + "-42").resolve("sub"));
        Files.writeString(leftBehind.resolve("report"), "1234");
        Path mine = Files.createDirectory(temp.resolve("mp4j-tour-zombie-pid" + ProcessHandle.current().pid() + "-43"));
        Path notOurs = Files.createDirectory(temp.resolve("mp4j-" + gone.pid() + "-77")); // a tree's name, not a scratch dir's
        Path other = Files.createDirectory(temp.resolve("someone-pid" + gone.pid() + "-44"));

        assertThat(ScratchDir.removeLeftBehind(temp)).isEqualTo(1);

        assertThat(leftBehind.getParent()).doesNotExist();
        assertThat(mine).exists();
        assertThat(notOurs).exists();
        assertThat(other).exists();
    }
}
