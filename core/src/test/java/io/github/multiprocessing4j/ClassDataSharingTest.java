package io.github.multiprocessing4j;

import io.github.multiprocessing4j.testing.EmptyAgent;
import io.github.multiprocessing4j.testing.TestFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A program run from jars gets a class-data archive for its children: dumped by the first child,
 * trained with the shared objects children use whatever that child did, mapped by the next ones,
 * dumped again by a child whose target's class it lacks, kept where only its user can write, and
 * silent. A program run from a directory and jars (as an
 * IDE runs it) gets the archive of the library's jar, dumped in the background by a program of
 * its own, and its children get that jar first, a dependency's still after the directory. A
 * child started with an agent, with which the JVM refuses
 * to dump, gets no archive and runs.
 */
class ClassDataSharingTest {
    @TempDir
    Path dir;

    @Test
    void theFirstChildDumpsAnArchiveTheNextOnesMapAndNothingIsPrinted() throws Exception {
        String classPath = jarsOfLibraryAndTests();
        Path cache = Files.createDirectory(dir.resolve("cache"));

        String firstArgs = runRootOnce(classPath, cache, dir.resolve("first"));
        assertThat(firstArgs).contains("-XX:ArchiveClassesAtExit=");
        Path archives = cache.resolve("multiprocessing4j").resolve("cds");
        List<Path> archive = archivesIn(archives);
        assertThat(archive).hasSize(1);
        assertThat(list(archives)).as("the archive, its class list and its target's class").containsExactlyInAnyOrder(
                archive.get(0), archive.get(0).resolveSibling(archive.get(0).getFileName() + ".classes"),
                archive.get(0).resolveSibling(archive.get(0).getFileName() + ".targets"));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(archives))).isEqualTo("rwx------");
        assertThat(archivedClasses(classPath, archive.get(0)))
                .as("the first child only wrote a file; what a queue, a lock and a joinable queue use is archived too,"
                        + " and what a spare loads before it waits, the handles it initialises among them")
                .contains("io.github.multiprocessing4j.ProcessBarrier ", "io.github.multiprocessing4j.ProcessCondition ",
                        "io.github.multiprocessing4j.internal.shm.WordArray ",
                        "io.github.multiprocessing4j.internal.queue.ByteQueue ",
                        "io.github.multiprocessing4j.internal.sync.RobustMutex ",
                        "io.github.multiprocessing4j.internal.queue.JoinableState ",
                        "io.github.multiprocessing4j.internal.serial.HandleCodec ",
                        "io.github.multiprocessing4j.internal.launch.ChildMain$Probe ",
                        "sun.nio.fs.UnixDirectoryStream ");

        String secondArgs = runRootOnce(classPath, cache, dir.resolve("second"));
        assertThat(secondArgs).contains("-XX:SharedArchiveFile=" + archive.get(0));
    }

    @Test
    void aChildWhoseTargetsClassTheArchiveLacksDumpsItAgainKeepingWhatItHeldAndTheNextChildrenMapIt() throws Exception {
        String classPath = jarsOfLibraryAndTests();
        Path cache = Files.createDirectory(dir.resolve("cache"));
        runRootOnce(classPath, cache, dir.resolve("first"));
        Path archive = archivesIn(cache.resolve("multiprocessing4j").resolve("cds")).get(0);
        String elsewhere = TreeRoot.Elsewhere.class.getName() + " ";
        assertThat(archivedClasses(classPath, archive)).contains(TreeRoot.class.getName() + " ").doesNotContain(elsewhere);

        String redumping = runRoot(classPath, cache, dir.resolve("elsewhere"), Map.of(), "once-elsewhere");
        assertThat(redumping).as("its target's class is not in the archive").contains("-XX:ArchiveClassesAtExit=")
                .contains("-Dmp4j.cds.replay=" + archive + ".classes");
        assertThat(archivedClasses(classPath, archive)).as("the old archive's classes and the new target's")
                .contains(TreeRoot.class.getName() + " ", elsewhere, "io.github.multiprocessing4j.internal.queue.ByteQueue ");

        for (String mode : List.of("once-elsewhere", "once")) {
            assertThat(runRoot(classPath, cache, dir.resolve("then-" + mode), Map.of(), mode)).as(mode)
                    .contains("-XX:SharedArchiveFile=" + archive).doesNotContain("ArchiveClassesAtExit");
        }
    }

    @Test
    void aSpareThatDumpsTheArchiveAndIsNeverUsedStillLeavesTheArchiveWhenItsProgramEnds() throws Exception {
        String classPath = jarsOfLibraryAndTests();
        Path cache = Files.createDirectory(dir.resolve("cache"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path out = dir.resolve("spare");
        ProcessBuilder builder = new ProcessBuilder(java, "-cp", classPath, TreeRoot.class.getName(), out.toString(),
                "spare-unused").redirectErrorStream(true);
        builder.environment().put("XDG_CACHE_HOME", cache.toString());
        Process root = builder.start();
        String printed = new String(root.getInputStream().readAllBytes());
        assertThat(root.waitFor()).as(printed).isZero();
        assertThat(out).hasContent("done");

        // the program's exit waited for its spare's dump and moved it into place
        Path directory = cache.resolve("multiprocessing4j").resolve("cds");
        List<Path> archives = archivesIn(directory);
        assertThat(archives).hasSize(1);
        assertThat(list(directory)).as("the archive with its two lists, and no temporary dump left").hasSize(3);
        assertThat(runRootOnce(classPath, cache, dir.resolve("next"))).as("the spare had no target: it lacks TreeRoot's")
                .contains("-Dmp4j.cds.replay=" + archives.get(0) + ".classes");
        assertThat(runRootOnce(classPath, cache, dir.resolve("then"))).contains("-XX:SharedArchiveFile=" + archives.get(0));
    }

    @Test
    void aClassPathWithADirectoryFirstGetsAnArchiveOfItsJarsInTheBackgroundAndTheNextChildrenMapIt() throws Exception {
        Path archive = directoryFirstGetsAnArchiveOfItsJars(List.of(), "");
        assertThat(archivedClasses(jarsFirstOf(), archive)).as("the JVM maps it with the jars first")
                .contains("io.github.multiprocessing4j.internal.queue.ByteQueue ", "archive is valid");
    }

    @Test
    void aClassPathWithADirectoryFirstAndOptionsForEveryChildGetsAnArchiveTheNextChildrenMap() throws Exception {
        // The program's options reach the program that dumps the archive twice, as its own
        // options for every child and as the caller's: its child once had them twice, and dumped
        // an archive under a key no child of the program asks for.
        directoryFirstGetsAnArchiveOfItsJars(List.of("-Dmp4j.childJvmArgs=-Xss900k"), "-Xss900k ");
    }

    /**
     * Runs {@code TreeRoot once} with the test classes' directory before the library's jar and a
     * dependency's, with {@code rootOptions}, twice: the first child gets no archive, the second
     * the one dumped in the background meanwhile, the library's jar moved before the directory
     * (the dependency's stays after it), and {@code childOption} among its options.
     *
     * @return the archive
     */
    private Path directoryFirstGetsAnArchiveOfItsJars(List<String> rootOptions, String childOption) throws Exception {
        Path coreJar = jarOf(coreClasses(), dir.resolve("core.jar"));
        Path dependencyFiles = Files.createDirectories(dir.resolve("dependency").resolve("dep"));
        Files.writeString(dependencyFiles.resolve("resource.txt"), "a dependency's");
        Path dependencyJar = jarOf(dependencyFiles.getParent(), dir.resolve("dependency.jar"));
        Path cache = Files.createDirectory(dir.resolve("cache"));
        String classPath = testClasses() + java.io.File.pathSeparator + coreJar + java.io.File.pathSeparator
                + dependencyJar; // as an IDE puts them

        String firstArgs = runRoot(rootOptions, classPath, cache, dir.resolve("first"), Map.of(), "once");
        assertThat(firstArgs).as("the JVM cannot dump with a directory on its class path")
                .doesNotContain("ArchiveClassesAtExit").doesNotContain("SharedArchiveFile");
        Path archives = cache.resolve("multiprocessing4j").resolve("cds");
        Path archive = awaitArchive(archives, Duration.ofSeconds(90));
        awaitNoProcessNaming(coreJar, Duration.ofSeconds(90)); // the program that dumped it, and its child
        assertThat(list(archives).stream().filter(p -> p.toString().endsWith(".order")).map(ClassDataSharingTest::read))
                .as("the verdict kept for the next program").containsExactly("jars first");

        String libraryFirst = coreJar + java.io.File.pathSeparator + testClasses() + java.io.File.pathSeparator
                + dependencyJar;
        String secondArgs = runRoot(rootOptions, classPath, cache, dir.resolve("second"), Map.of(), "once");
        assertThat(secondArgs).contains("-XX:SharedArchiveFile=" + archive).contains("-cp " + libraryFirst + " ")
                .contains(childOption);
        return archive;
    }

    private String jarsFirstOf() throws Exception {
        return dir.resolve("core.jar") + java.io.File.pathSeparator + testClasses();
    }

    private static Path coreClasses() throws Exception {
        return Path.of(ChildProcess.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    private static Path testClasses() throws Exception {
        return Path.of(TreeRoot.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    @Test
    void aFirstChildWithAnAgentRunsItsTargetAndNoChildIsAskedToDump() throws Exception {
        // A JVM told to dump an archive with an agent exits at boot ("CDS dumping does not support
        // native JVMTI agent"): the first child of a class path would never have run its target.
        String classPath = jarsOfLibraryAndTests();
        Path agentJar = agentJar(dir.resolve("agent.jar"));
        Path cache = Files.createDirectory(dir.resolve("cache"));
        // In the environment, as a container sets a monitoring agent: the child inherits it.
        Map<String, String> agent = Map.of("JAVA_TOOL_OPTIONS", "-javaagent:" + agentJar);

        for (String run : List.of("first", "second")) {
            String childArgs = runRootOnce(classPath, cache, dir.resolve(run), agent);
            assertThat(childArgs).doesNotContain("ArchiveClassesAtExit").doesNotContain("SharedArchiveFile");
        }
        Path archives = cache.resolve("multiprocessing4j").resolve("cds");
        assertThat(Files.exists(archives) ? list(archives) : List.of()).isEmpty();
    }

    @Test
    void aProgramRunningTheLibraryFromADirectoryGivesItsChildrenNoArchive() throws Exception {
        // This test JVM runs the library from target/classes: a program that dumps an archive of the
        // class path's jars would not find it among them.
        Path out = dir.resolve("dirs");
        String outFile = out.toString();
        ChildProcess child = new ChildProcess(() -> TestFiles.write(outFile,
                String.join(" ", ProcessHandle.current().info().arguments().orElse(new String[0]))));
        child.start();
        child.join();
        assertThat(Files.readString(out)).doesNotContain("SharedArchiveFile").doesNotContain("ArchiveClassesAtExit");
    }

    /** Runs {@code TreeRoot once} from jars; asserts that it and its child printed nothing. */
    private static String runRootOnce(String classPath, Path cache, Path out) throws Exception {
        return runRootOnce(classPath, cache, out, Map.of());
    }

    /** Runs {@code TreeRoot once} from jars with {@code environment} added (see {@link #runRoot}). */
    private static String runRootOnce(String classPath, Path cache, Path out, Map<String, String> environment)
            throws Exception {
        return runRoot(classPath, cache, out, environment, "once");
    }

    /**
     * Runs {@code TreeRoot} in a mode that starts one child ({@code once}, {@code once-elsewhere})
     * from jars with {@code environment} added; asserts that it and its child printed nothing but
     * the JVM's note of options it picked up from there.
     *
     * @return the child's command-line arguments
     */
    private static String runRoot(String classPath, Path cache, Path out, Map<String, String> environment, String mode)
            throws Exception {
        return runRoot(List.of(), classPath, cache, out, environment, mode);
    }

    /** {@link #runRoot(String, Path, Path, Map, String)} with {@code rootOptions} for the root's JVM. */
    private static String runRoot(List<String> rootOptions, String classPath, Path cache, Path out,
                                  Map<String, String> environment, String mode) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(rootOptions);
        command.addAll(List.of("-cp", classPath, TreeRoot.class.getName(), out.toString(), mode));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("XDG_CACHE_HOME", cache.toString());
        builder.environment().putAll(environment);
        Process root = builder.start();
        String printed = new String(root.getInputStream().readAllBytes());
        assertThat(root.waitFor()).as(printed).isZero();
        assertThat(printed.lines().filter(line -> !line.startsWith("Picked up JAVA_TOOL_OPTIONS")))
                .as("output of the root and its child").isEmpty();
        assertThat(out).hasContent("done");
        return TestFiles.await(Path.of(out + ".childargs"), Duration.ofSeconds(5));
    }

    /** @return what the JVM lists of the archive's classes, a line each ("n: name loader") */
    private static String archivedClasses(String classPath, Path archive) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process listing = new ProcessBuilder(java, "-XX:SharedArchiveFile=" + archive, "-XX:+PrintSharedArchiveAndExit",
                "-cp", classPath).redirectErrorStream(true).start();
        String printed = new String(listing.getInputStream().readAllBytes());
        assertThat(listing.waitFor()).as(printed).isZero();
        return printed;
    }

    private static List<Path> archivesIn(Path directory) throws IOException {
        return list(directory).stream().filter(p -> p.toString().endsWith(".jsa")).collect(Collectors.toList());
    }

    private static Path awaitArchive(Path archives, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.isDirectory(archives)) {
                List<Path> made = archivesIn(archives);
                if (!made.isEmpty()) {
                    assertThat(made).hasSize(1);
                    return made.get(0);
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no archive in " + archives + " after " + timeout.toSeconds() + " s");
    }

    /** Waits for the processes whose command line names {@code file} (ours alone: it is in a temporary directory) to end. */
    private static void awaitNoProcessNaming(Path file, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<ProcessHandle> naming;
        do {
            naming = ProcessHandle.allProcesses()
                    .filter(p -> p.info().commandLine().map(c -> c.contains(file.toString())).orElse(false))
                    .collect(Collectors.toList());
            if (naming.isEmpty()) {
                return;
            }
            Thread.sleep(100);
        } while (System.nanoTime() < deadline);
        naming.forEach(ProcessHandle::destroyForcibly);
        throw new AssertionError("still running after " + timeout.toSeconds() + " s (killed): " + naming);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Path jarOf(Path classesDirectory, Path jar) throws IOException {
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
             Stream<Path> files = Files.walk(classesDirectory)) {
            for (Path file : files.filter(Files::isRegularFile).collect(Collectors.toList())) {
                String name = classesDirectory.relativize(file).toString().replace('\\', '/');
                out.putNextEntry(new JarEntry(name));
                Files.copy(file, out);
                out.closeEntry();
            }
        }
        return jar;
    }

    /** @return a class path of two jars made in the test's directory: the library's classes, and the tests' */
    private String jarsOfLibraryAndTests() throws Exception {
        Path coreJar = jarOf(Path.of(ChildProcess.class.getProtectionDomain().getCodeSource().getLocation().toURI()),
                dir.resolve("core.jar"));
        Path testsJar = jarOf(Path.of(TreeRoot.class.getProtectionDomain().getCodeSource().getLocation().toURI()),
                dir.resolve("tests.jar"));
        return coreJar + java.io.File.pathSeparator + testsJar;
    }

    /** @return a jar holding {@link EmptyAgent}, named as its agent class by its manifest */
    private static Path agentJar(Path jar) throws Exception {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(new Attributes.Name("Premain-Class"), EmptyAgent.class.getName());
        String entry = EmptyAgent.class.getName().replace('.', '/') + ".class";
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest);
             java.io.InputStream agentClass = EmptyAgent.class.getClassLoader().getResourceAsStream(entry)) {
            out.putNextEntry(new JarEntry(entry));
            agentClass.transferTo(out);
            out.closeEntry();
        }
        return jar;
    }

    private static List<Path> list(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.collect(Collectors.toList());
        }
    }
}
