package io.github.multiprocessing4j.internal.launch;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A class path with directories gets the library's jar before them only when no lookup can find
 * something else: a name the library's jar holds after a directory or a jar that holds it too
 * keeps the order, and so does a service file; a jar before the directory, manifests, licences and
 * module descriptors do not. Every other entry keeps its order.
 */
class JarsFirstClassPathTest {
    private static final int MAX = JarsFirstClassPath.MAX_DIRECTORY_FILES;

    @TempDir
    Path dir;

    @Test
    void aDirectoryBeforeTheLibrarysJarHasItMovedFirst() throws IOException {
        Path classes = directory("classes", "app/Main.class", "app/config.properties");
        Path lib = jar("lib.jar", "lib/Util.class");
        Path library = jar("mp4j.jar", "io/github/multiprocessing4j/ChildProcess.class");

        JarsFirstClassPath order = JarsFirstClassPath.of(path(classes, lib, library), library.toString(), MAX);

        assertThat(order).isNotNull();
        assertThat(order.jars()).as("what the archive is dumped with").isEqualTo(path(library));
        assertThat(order.reordered()).isEqualTo(path(library, classes, lib));
        assertThat(order.movesNoName()).isTrue();
    }

    @Test
    void theLibrarysJarAloneMovesAndEveryOtherEntryKeepsItsOrder() throws IOException {
        Path first = jar("first.jar", "first/A.class");
        Path classes = directory("classes", "app/Main.class", "dep/Patched.class");
        Path tests = directory("test-classes", "app/MainTest.class");
        Path passed = jar("passed.jar", "passed/B.class");
        Path library = jar("mp4j.jar", "io/github/multiprocessing4j/ChildProcess.class");
        Path dependency = jar("dependency.jar", "dep/Patched.class"); // behind a directory that patches it: stays so

        JarsFirstClassPath order = JarsFirstClassPath.of(path(first, classes, passed, tests, library, dependency),
                library.toString(), MAX);

        assertThat(order.jars()).as("what the archive is dumped with").isEqualTo(path(first, library));
        assertThat(order.reordered()).isEqualTo(path(first, library, classes, passed, tests, dependency));
        assertThat(order.movesNoName()).isTrue();
    }

    @Test
    void aJarItPassesHoldingANameOfTheLibrarysKeepsTheOrder() throws IOException {
        Path classes = directory("classes", "app/Main.class");
        Path shaded = jar("shaded.jar", "io/github/multiprocessing4j/ChildProcess.class"); // an older copy, inside another
        Path library = jar("mp4j.jar", "io/github/multiprocessing4j/ChildProcess.class");

        assertThat(JarsFirstClassPath.of(path(classes, shaded, library), library.toString(), MAX).movesNoName()).isFalse();
    }

    @Test
    void aLibraryJarBeforeTheDirectoriesMovesNothing() throws IOException {
        Path library = jar("mp4j.jar", "io/github/multiprocessing4j/ChildProcess.class");
        Path classes = directory("classes", "app/Main.class", "dep/Patched.class");
        Path dependency = jar("dependency.jar", "dep/Patched.class");
        String classPath = path(library, classes, dependency);

        JarsFirstClassPath order = JarsFirstClassPath.of(classPath, library.toString(), MAX);

        assertThat(order.jars()).isEqualTo(path(library));
        assertThat(order.reordered()).isEqualTo(classPath);
        assertThat(order.movesNoName()).isTrue();
    }

    @Test
    void aClassPathWithoutTheLibrarysJarHasNoSuchForm() throws IOException {
        Path classes = directory("classes", "app/Main.class");
        Path lib = jar("lib.jar", "lib/Util.class");

        assertThat(JarsFirstClassPath.of(path(classes, lib), dir.resolve("elsewhere.jar").toString(), MAX)).isNull();
    }

    @Test
    void aClassInADirectoryAndInALaterJarKeepsTheOrder() throws IOException {
        Path classes = directory("classes", "app/Main.class", "lib/Util.class"); // a patched library class
        Path lib = jar("lib.jar", "lib/Util.class");

        assertThat(movingAll(path(classes, lib), MAX).movesNoName()).isFalse();
    }

    @Test
    void aJarBeforeTheDirectoryStaysBeforeItWhateverItHolds() throws IOException {
        Path first = jar("first.jar", "app/Main.class");
        Path classes = directory("classes", "app/Main.class");
        Path last = jar("last.jar", "lib/Util.class");

        JarsFirstClassPath order = movingAll(path(first, classes, last), MAX);

        assertThat(order.reordered()).isEqualTo(path(first, last, classes));
        assertThat(order.movesNoName()).isTrue();
    }

    @Test
    void serviceFilesCountButManifestsLicencesAndModuleDescriptorsDoNot() throws IOException {
        Path classes = directory("classes", "module-info.class", "META-INF/MANIFEST.MF", "META-INF/LICENSE.txt",
                "META-INF/maven/g/a/pom.properties");
        Path lib = jar("lib.jar", "module-info.class", "META-INF/LICENSE.txt", "META-INF/maven/g/a/pom.properties",
                "META-INF/versions/11/module-info.class");
        assertThat(movingAll(path(classes, lib), MAX).movesNoName()).isTrue();

        Path services = directory("services", "META-INF/services/java.sql.Driver");
        Path driver = jar("driver.jar", "META-INF/services/java.sql.Driver");
        assertThat(movingAll(path(services, driver), MAX).movesNoName())
                .as("the order of the providers would change").isFalse();
    }

    @Test
    void aMultiReleaseJarsVersionedClassCountsAsTheClassItStandsFor() throws IOException {
        Path classes = directory("classes", "lib/Util.class");
        Path lib = jar("lib.jar", "META-INF/versions/11/lib/Util.class");

        assertThat(movingAll(path(classes, lib), MAX).movesNoName()).isFalse();
    }

    @Test
    void aJarWithAManifestClassPathIsNotMovedAndOneBeforeTheDirectoriesMayNameJarsOnly() throws IOException {
        Path classes = directory("classes", "app/Main.class");
        Path naming = jarWithClassPath("naming.jar", "lib.jar");
        assertThat(movingAll(path(classes, naming), MAX).movesNoName()).isFalse();

        jar("lib.jar", "lib/Util.class");
        assertThat(movingAll(path(naming, classes), MAX)).as("names a jar: the archive may hold it").isNotNull();
        Path namingADirectory = jarWithClassPath("dirs.jar", "classes/");
        assertThat(movingAll(path(namingADirectory, classes), MAX)).as("the JVM cannot dump it").isNull();
    }

    @Test
    void theFingerprintChangesWithTheNamesInTheDirectoriesAndTheJars() throws IOException {
        Path classes = directory("classes", "app/Main.class");
        Path lib = jar("lib.jar", "lib/Util.class");
        String before = movingAll(path(classes, lib), MAX).fingerprint();

        assertThat(movingAll(path(classes, lib), MAX).fingerprint()).isEqualTo(before);
        Files.writeString(classes.resolve("app/Main.class"), "recompiled"); // a name, not a content, counts
        assertThat(movingAll(path(classes, lib), MAX).fingerprint()).isEqualTo(before);
        Files.writeString(classes.resolve("app/Added.class"), "x");
        String added = movingAll(path(classes, lib), MAX).fingerprint();
        assertThat(added).isNotEqualTo(before);
        Files.setLastModifiedTime(lib, java.nio.file.attribute.FileTime.fromMillis(1_000_000L));
        assertThat(movingAll(path(classes, lib), MAX).fingerprint()).isNotEqualTo(added);
    }

    @Test
    void directoriesOfMoreFilesThanAStartListsAreLeftToTheBackgroundAndBeyondTheMostKeepTheOrder() throws IOException {
        Path classes = directory("classes", "a/1.class", "a/2.class", "a/3.class");
        Path lib = jar("lib.jar", "lib/Util.class");

        assertThat(movingAll(path(classes, lib), 2)).isSameAs(JarsFirstClassPath.TOO_MANY_FILES);
        assertThat(movingAll(path(classes, lib), 3)).isNotNull().isNotSameAs(JarsFirstClassPath.TOO_MANY_FILES);
        assertThat(movingAll(path(classes, lib), MAX)).isNotSameAs(JarsFirstClassPath.TOO_MANY_FILES);
    }

    @Test
    void aClassPathWithoutADirectoryOrWithoutAJarHasNoJarsFirstForm() throws IOException {
        Path classes = directory("classes", "app/Main.class");
        Path lib = jar("lib.jar", "lib/Util.class");

        assertThat(movingAll(path(lib), MAX)).isNull();
        assertThat(movingAll(path(classes), MAX)).isNull();
        assertThat(movingAll(path(classes, dir.resolve("lib").resolve("*"), lib), MAX))
                .as("a wildcard's jars would move among the others").isNull();
        assertThat(movingAll(path(classes, dir.resolve("missing"), lib), MAX).reordered())
                .as("an entry that does not exist goes with the directories")
                .isEqualTo(path(lib, classes, dir.resolve("missing")));
    }

    /** {@link JarsFirstClassPath#of} with the class path's last jar as the library's: every jar moves past the directories. */
    private static JarsFirstClassPath movingAll(String classPath, int maxFiles) {
        String library = null;
        for (String entry : classPath.split(File.pathSeparator)) {
            if (entry.endsWith(".jar")) {
                library = entry;
            }
        }
        return JarsFirstClassPath.of(classPath, library, maxFiles);
    }

    private Path directory(String name, String... files) throws IOException {
        Path root = Files.createDirectories(dir.resolve(name));
        for (String file : files) {
            Path f = root.resolve(file);
            Files.createDirectories(f.getParent());
            Files.writeString(f, "x");
        }
        return root;
    }

    private Path jar(String name, String... entries) throws IOException {
        return jar(name, null, entries);
    }

    private Path jarWithClassPath(String name, String classPath) throws IOException {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.CLASS_PATH, classPath);
        return jar(name, manifest);
    }

    private Path jar(String name, Manifest manifest, String... entries) throws IOException {
        Path jar = dir.resolve(name);
        try (JarOutputStream out = manifest == null ? new JarOutputStream(Files.newOutputStream(jar))
                : new JarOutputStream(Files.newOutputStream(jar), manifest)) {
            for (String entry : entries) {
                out.putNextEntry(new JarEntry(entry));
                out.write('x');
                out.closeEntry();
            }
        }
        return jar;
    }

    private static String path(Path... entries) {
        StringBuilder path = new StringBuilder();
        for (Path entry : entries) {
            path.append(path.length() == 0 ? "" : File.pathSeparator).append(entry);
        }
        return path.toString();
    }
}
