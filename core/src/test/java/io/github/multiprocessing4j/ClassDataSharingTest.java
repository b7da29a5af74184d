package io.github.multiprocessing4j;

import io.github.multiprocessing4j.testing.TestFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A program run from jars gets a class-data archive for its children: dumped by the first child,
 * trained with the shared objects children use whatever that child did, mapped by the next ones,
 * kept where only its user can write, and silent.
 */
class ClassDataSharingTest {
    @TempDir
    Path dir;

    @Test
    void theFirstChildDumpsAnArchiveTheNextOnesMapAndNothingIsPrinted() throws Exception {
        Path coreJar = jarOf(Path.of(ChildProcess.class.getProtectionDomain().getCodeSource().getLocation().toURI()),
                dir.resolve("core.jar"));
        Path testsJar = jarOf(Path.of(TreeRoot.class.getProtectionDomain().getCodeSource().getLocation().toURI()),
                dir.resolve("tests.jar"));
        Path cache = Files.createDirectory(dir.resolve("cache"));
        String classPath = coreJar + java.io.File.pathSeparator + testsJar;

        String firstArgs = runRootOnce(classPath, cache, dir.resolve("first"));
        assertThat(firstArgs).contains("-XX:ArchiveClassesAtExit=");
        Path archives = cache.resolve("multiprocessing4j").resolve("cds");
        List<Path> archive = list(archives);
        assertThat(archive).hasSize(1);
        assertThat(archive.get(0).getFileName().toString()).endsWith(".jsa");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(archives))).isEqualTo("rwx------");
        assertThat(archivedClasses(classPath, archive.get(0)))
                .as("the first child only wrote a file; what a queue, a lock and a joinable queue use is archived too")
                .contains("io.github.multiprocessing4j.internal.queue.ByteQueue ",
                        "io.github.multiprocessing4j.internal.sync.RobustMutex ",
                        "io.github.multiprocessing4j.internal.queue.JoinableState ",
                        "io.github.multiprocessing4j.internal.serial.HandleCodec ");

        String secondArgs = runRootOnce(classPath, cache, dir.resolve("second"));
        assertThat(secondArgs).contains("-XX:SharedArchiveFile=" + archive.get(0));
    }

    @Test
    void aClassPathWithDirectoriesGetsNoArchive() throws Exception {
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
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(java, "-cp", classPath, TreeRoot.class.getName(), out.toString(), "once")
                .redirectErrorStream(true);
        builder.environment().put("XDG_CACHE_HOME", cache.toString());
        Process root = builder.start();
        String printed = new String(root.getInputStream().readAllBytes());
        assertThat(root.waitFor()).isZero();
        assertThat(printed).as("output of the root and its child").isEmpty();
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

    private static List<Path> list(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.collect(Collectors.toList());
        }
    }
}
