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
    void pruningKeepsTheNewestArchivesAndVerdictsAndDropsStaleTemporaryDumps() throws Exception {
        long now = System.currentTimeMillis();
        int made = ClassDataSharing.ARCHIVES_KEPT + 3;
        for (int i = 0; i < made; i++) {
            Path archive = Files.writeString(archives.resolve("a" + i + ".jsa"), "x");
            Files.setLastModifiedTime(archive, FileTime.fromMillis(now - i * 60_000L));
        }
        Path staleDump = Files.writeString(archives.resolve("b.jsa.tmp-123"), "x");
        Files.setLastModifiedTime(staleDump, FileTime.fromMillis(now - 7_200_000L));
        Path freshDump = Files.writeString(archives.resolve("c.jsa.tmp-456"), "x");
        for (int i = 0; i < ClassDataSharing.VERDICTS_KEPT + 2; i++) {
            Path verdict = Files.writeString(archives.resolve("v" + i + ClassDataSharing.VERDICT_SUFFIX), "jars first");
            Files.setLastModifiedTime(verdict, FileTime.fromMillis(now - i * 60_000L));
        }

        ClassDataSharing.prune(archives);

        List<Path> left;
        try (Stream<Path> files = Files.list(archives)) {
            left = files.collect(Collectors.toList());
        }
        assertThat(left).contains(freshDump, archives.resolve("a0.jsa"))
                .doesNotContain(staleDump, archives.resolve("a" + (made - 1) + ".jsa"));
        assertThat(left.stream().filter(p -> p.toString().endsWith(".jsa")).count())
                .isEqualTo(ClassDataSharing.ARCHIVES_KEPT);
        assertThat(left.stream().filter(p -> p.toString().endsWith(ClassDataSharing.VERDICT_SUFFIX)).count())
                .isEqualTo(ClassDataSharing.VERDICTS_KEPT);
        assertThat(left).contains(archives.resolve("v0" + ClassDataSharing.VERDICT_SUFFIX));
    }

    @Test
    void aDumpIsClaimedByOneProgramAtATimeAndAStaleClaimMayBeTakenAgain() throws Exception {
        assertThat(ClassDataSharing.claimDump(archives, "k")).isTrue();
        assertThat(ClassDataSharing.claimDump(archives, "k")).as("claimed a moment ago").isFalse();
        assertThat(ClassDataSharing.claimDump(archives, "other")).isTrue();

        Path claim = archives.resolve("k" + ClassDataSharing.DUMP_CLAIM_SUFFIX);
        long old = System.currentTimeMillis() - ClassDataSharing.DUMP_CLAIM_MILLIS - 1_000;
        Files.setLastModifiedTime(claim, FileTime.fromMillis(old)); // that dump failed
        assertThat(ClassDataSharing.claimDump(archives, "k")).isTrue();
        assertThat(ClassDataSharing.claimDump(archives, "k")).isFalse();

        Files.setLastModifiedTime(claim, FileTime.fromMillis(System.currentTimeMillis() - 7_200_000L));
        ClassDataSharing.prune(archives);
        assertThat(claim).doesNotExist();
        assertThat(archives.resolve("other" + ClassDataSharing.DUMP_CLAIM_SUFFIX)).exists();
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
