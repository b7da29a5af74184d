package io.github.multiprocessing4j.cli.support;

import org.junit.jupiter.api.Test;

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
}
