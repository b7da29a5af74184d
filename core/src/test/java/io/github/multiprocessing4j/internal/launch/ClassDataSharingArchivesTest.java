package io.github.multiprocessing4j.internal.launch;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
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

    @Test
    void optionsWithWhichTheJvmRefusesToDumpGetNoPlanFromTheCommandLineOrTheEnvironment() throws Exception {
        String jar = emptyJar(archives.resolve("app.jar"));
        String unique = "-Dtest.run=" + System.nanoTime(); // a key of its own: no archive, no dump yet
        for (String refusing : List.of("-agentlib:jdwp=transport=dt_socket,server=y", "-agentpath:/opt/profiler.so",
                "-javaagent:coverage.jar", "--patch-module=java.base=patch", "-Xbootclasspath/a:classes")) {
            assertThat(ClassDataSharing.plan(jar, List.of(unique, refusing), List.of(unique, refusing)).options())
                    .as(refusing).isEmpty();
        }
        assertThat(ClassDataSharing.plan(jar, List.of(unique), List.of(unique)).dumps()).as("without them").isTrue();

        assertThat(ClassDataSharing.optionsFromEnvironment(Map.of("JAVA_TOOL_OPTIONS", " -javaagent:apm.jar  -Xmx1g",
                "JDK_JAVA_OPTIONS", "-Dx=1"))).contains("-javaagent:apm.jar", "-Xmx1g", "-Dx=1");
        assertThat(ClassDataSharing.optionsFromEnvironment(Map.of("JAVA_TOOL_OPTIONS", "", "JDK_JAVA_OPTIONS", "",
                "_JAVA_OPTIONS", ""))).as("set empty for the child, whatever this JVM's are").isEmpty();
    }

    @Test
    void aDumpingChildThatFailedToBootMarksItsKeySoThatNoChildIsAskedToDumpItAgain() throws Exception {
        String jar = emptyJar(archives.resolve("app.jar"));
        List<String> options = List.of("-Dtest.run=" + System.nanoTime());
        ClassDataSharing.Plan plan = ClassDataSharing.plan(jar, options, options);
        assertThat(plan.dumps()).as("the first child of a new class path and options").isTrue();
        Path archiveDirectory = Path.of(plan.options().stream().filter(o -> o.startsWith("-XX:ArchiveClassesAtExit="))
                .findFirst().orElseThrow().substring("-XX:ArchiveClassesAtExit=".length())).getParent();
        List<Path> refusedBefore = refusedIn(archiveDirectory);

        plan.childExited(true); // as a JVM refused the dump with an option not known to refuse it

        List<Path> refused = refusedIn(archiveDirectory);
        refused.removeAll(refusedBefore);
        assertThat(refused).hasSize(1);
        try {
            assertThat(ClassDataSharing.plan(jar, options, options).options()).isEmpty();
        } finally {
            Files.delete(refused.get(0));
        }
    }

    private static String emptyJar(Path jar) throws Exception {
        new java.util.jar.JarOutputStream(Files.newOutputStream(jar)).close();
        return jar.toString();
    }

    private static List<Path> refusedIn(Path directory) throws Exception {
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(f -> f.toString().endsWith(ClassDataSharing.REFUSED_SUFFIX))
                    .collect(Collectors.toCollection(java.util.ArrayList::new));
        }
    }
}
