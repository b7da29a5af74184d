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
    void aDumpCutShortIsNotPutInPlaceAndAWholeOneIs() throws Exception {
        Path archive = archives.resolve("k.jsa");
        ArchivePlan cutShort = ArchivePlan.dumping(archive, "cp", List.of(), null);
        Files.write(dumpFileOf(cutShort), new byte[100_000]); // header still zeros: the JVM writes it last
        cutShort.childExited(false);
        assertThat(archive).doesNotExist();
        assertThat(dumpFileOf(cutShort)).doesNotExist();

        ArchivePlan whole = ArchivePlan.dumping(archive, "cp", List.of(), null);
        byte[] bytes = new byte[100_000];
        bytes[0] = (byte) 0xa8; // a header: any non-zero start
        Files.write(dumpFileOf(whole), bytes);
        whole.childExited(false);
        assertThat(archive).hasBinaryContent(bytes);
    }

    private static Path dumpFileOf(ArchivePlan plan) {
        return optionValue(plan, "-XX:ArchiveClassesAtExit=");
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
            assertThat(ClassDataSharing.plan(jar, List.of(unique, refusing), List.of(unique, refusing), null).options())
                    .as(refusing).isEmpty();
        }
        assertThat(ClassDataSharing.plan(jar, List.of(unique), List.of(unique), null).dumps()).as("without them").isTrue();

        assertThat(ClassDataSharing.optionsFromEnvironment(Map.of("JAVA_TOOL_OPTIONS", " -javaagent:apm.jar  -Xmx1g",
                "JDK_JAVA_OPTIONS", "-Dx=1"))).contains("-javaagent:apm.jar", "-Xmx1g", "-Dx=1");
        assertThat(ClassDataSharing.optionsFromEnvironment(Map.of("JAVA_TOOL_OPTIONS", "", "JDK_JAVA_OPTIONS", "",
                "_JAVA_OPTIONS", ""))).as("set empty for the child, whatever this JVM's are").isEmpty();
    }

    @Test
    void aDumpingChildThatFailedToBootMarksItsKeySoThatNoChildIsAskedToDumpItAgain() throws Exception {
        String jar = emptyJar(archives.resolve("app.jar"));
        List<String> options = List.of("-Dtest.run=" + System.nanoTime());
        ArchivePlan plan = ClassDataSharing.plan(jar, options, options, null);
        assertThat(plan.dumps()).as("the first child of a new class path and options").isTrue();
        Path archiveDirectory = optionValue(plan, "-XX:ArchiveClassesAtExit=").getParent();
        List<Path> refusedBefore = refusedIn(archiveDirectory);

        plan.childExited(true); // as a JVM refused the dump with an option not known to refuse it

        List<Path> refused = refusedIn(archiveDirectory);
        refused.removeAll(refusedBefore);
        assertThat(refused).hasSize(1);
        try {
            assertThat(ClassDataSharing.plan(jar, options, options, null).options()).isEmpty();
        } finally {
            Files.delete(refused.get(0));
        }
    }

    @Test
    void aTargetClassTheArchiveLacksHasItDumpedAgainOnceAtATimeAndAtMostFourTimes() throws Exception {
        String jar = emptyJar(archives.resolve("app.jar"));
        List<String> options = List.of("-Dtest.run=" + System.nanoTime());
        ArchivePlan first = ClassDataSharing.plan(jar, options, options, "a.A");
        Path archive = archiveOf(first);
        try {
            dumped(first, "a/A\nx/X\n"); // as the JVM lists classes

            assertThat(Files.readString(ArchiveContents.targetsOf(archive))).isEqualTo("a.A\n");
            assertThat(ClassDataSharing.plan(jar, options, options, "a.A").options())
                    .contains("-XX:SharedArchiveFile=" + archive);
            assertThat(ClassDataSharing.plan(jar, options, options, "x.X").dumps()).as("listed: loaded by a.A's child")
                    .isFalse();
            ArchivePlan again = ClassDataSharing.plan(jar, options, options, "b.B");
            assertThat(again.dumps()).as("b.B is not in the archive").isTrue();
            assertThat(again.options()).contains("-D" + ArchiveTraining.REPLAY_PROPERTY + "=" + archive + ".classes");
            assertThat(ClassDataSharing.plan(jar, options, options, "b.B").dumps()).as("while one dumps it").isFalse();
            assertThat(ClassDataSharing.plan(jar, options, options, null).dumps()).as("no target known").isFalse();

            dumped(again, "a/A\nx/X\nb/B id: 7\n"); // as JDK 25 lists one

            assertThat(Files.readString(ArchiveContents.targetsOf(archive))).isEqualTo("a.A\nb.B\n");
            assertThat(ClassDataSharing.plan(jar, options, options, "b.B").dumps()).isFalse();
            assertThat(ClassDataSharing.plan(jar, options, options, "a.A").dumps()).isFalse();

            // as other programs left it: dumped four times, the last time for a spare
            Files.writeString(ArchiveContents.targetsOf(archive), "a.A\nb.B\nd.D\n?\n");
            assertThat(ClassDataSharing.plan(jar, options, options, "c.C").dumps()).as("dumped four times").isFalse();
            assertThat(ClassDataSharing.plan(jar, options, options, "c.C").dumps()).isFalse();
        } finally {
            Files.deleteIfExists(archive);
            Files.deleteIfExists(ArchiveContents.listOf(archive));
            Files.deleteIfExists(ArchiveContents.targetsOf(archive));
        }
    }

    @Test
    void theChildThatDumpsAgainLoadsTheClassesOfTheOldList() throws Exception {
        Path list = Files.writeString(archives.resolve("k.jsa.classes"), "java/lang/Object\n"
                + getClass().getName().replace('.', '/') + " id: 12\n@lambda-form-invoker [LF_RESOLVE] x\n"
                + "no/such/Class\n");

        assertThat(ArchiveContents.replay(list, getClass().getClassLoader())).isEqualTo(2);
        assertThat(ArchiveContents.replay(archives.resolve("missing"), getClass().getClassLoader())).isZero();
    }

    /** @return the archive {@code dumping} is to dump */
    private static Path archiveOf(ArchivePlan dumping) {
        String dumpFile = optionValue(dumping, "-XX:ArchiveClassesAtExit=").toString();
        return Path.of(dumpFile.substring(0, dumpFile.indexOf(".tmp-")));
    }

    /** Does what the JVM and the parent do when a child that was to dump exits: the files written, then moved. */
    private static void dumped(ArchivePlan dumping, String classList) throws Exception {
        Path dumpFile = Files.writeString(optionValue(dumping, "-XX:ArchiveClassesAtExit="), "an archive"); // its header whole
        Path listFile = Files.writeString(optionValue(dumping, "-XX:DumpLoadedClassList="), classList);
        dumping.childExited(false);
        assertThat(dumpFile).doesNotExist();
        assertThat(listFile).doesNotExist();
    }

    /** @return the file named by the option of {@code plan} that begins with {@code option} */
    private static Path optionValue(ArchivePlan plan, String option) {
        return Path.of(plan.options().stream().filter(o -> o.startsWith(option)).findFirst().orElseThrow()
                .substring(option.length()));
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
