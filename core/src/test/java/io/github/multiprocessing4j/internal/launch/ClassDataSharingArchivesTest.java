package io.github.multiprocessing4j.internal.launch;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class ClassDataSharingArchivesTest {
    @TempDir
    Path archives;

    @Test
    void pruningKeepsTheNewestArchivesAndDropsStaleTemporaryDumps() throws Exception {
        long now = System.currentTimeMillis();
        int made = ClassDataSharing.ARCHIVES_KEPT + 3;
        for (int i = 0; i < made; i++) {
            Path archive = Files.writeString(archives.resolve("a" + i + ".jsa"), "x");
            Files.setLastModifiedTime(archive, FileTime.fromMillis(now - i * 60_000L));
        }
        Path staleDump = Files.writeString(archives.resolve("b.jsa.tmp-123"), "x");
        Files.setLastModifiedTime(staleDump, FileTime.fromMillis(now - 7_200_000L));
        Path freshDump = Files.writeString(archives.resolve("c.jsa.tmp-456"), "x");

        ClassDataSharing.prune(archives);

        List<Path> left;
        try (Stream<Path> files = Files.list(archives)) {
            left = files.collect(Collectors.toList());
        }
        assertThat(left).contains(freshDump, archives.resolve("a0.jsa"))
                .doesNotContain(staleDump, archives.resolve("a" + (made - 1) + ".jsa"));
        assertThat(left.stream().filter(p -> p.toString().endsWith(".jsa")).count())
                .isEqualTo(ClassDataSharing.ARCHIVES_KEPT);
    }

    @Test
    void theJdksOwnArchivesNameTheArchiveSoThatARegeneratedBaseGetsANewOne(@TempDir Path javaHome) throws Exception {
        Path server = Files.createDirectories(javaHome.resolve("lib").resolve("server"));
        Path base = Files.writeString(server.resolve("classes.jsa"), "base");
        Files.setLastModifiedTime(base, FileTime.fromMillis(1_000_000L));
        String before = ClassDataSharing.baseArchivesOf(javaHome);

        Files.setLastModifiedTime(base, FileTime.fromMillis(2_000_000L)); // java -Xshare:dump wrote it again

        assertThat(before).contains("server/classes.jsa");
        assertThat(ClassDataSharing.baseArchivesOf(javaHome)).isNotEqualTo(before);
        assertThat(ClassDataSharing.baseArchivesOf(javaHome.resolve("missing"))).isEmpty();
    }
}
