package io.github.multiprocessing4j;

import io.github.multiprocessing4j.testing.TestFiles;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.net.URLConnection;
import java.net.URLStreamHandler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.security.ProtectionDomain;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A child's class path: derived from where the target's and the library's classes were loaded
 * (a class loader of the program's own, a relative class path and another working directory),
 * given by the builder or the system property, and a target whose class a child could not load
 * refused at {@code start()} with one line, before any JVM is launched.
 */
class ClassPathTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    /** A target class compiled while the tests run, on no class path: only the tests' loaders find it. */
    private static final String TASK_SOURCE = """
            package dyn;

            import io.github.multiprocessing4j.SerializableRunnable;
            import java.nio.file.Files;
            import java.nio.file.Path;

            public class Task implements SerializableRunnable {
                private final String out;

                public Task(String out) {
                    this.out = out;
                }

                @Override
                public void runWithException() throws Exception {
                    Files.writeString(Path.of(out), "task ran");
                }

                public static SerializableRunnable lambda(String out) {
                    return () -> Files.writeString(Path.of(out), "lambda ran");
                }
            }
            """;

    @TempDir
    static Path compiled;
    @TempDir
    Path dir;

    @BeforeAll
    static void compileTheTask() throws IOException {
        Path source = Files.createDirectories(compiled.resolve("src/dyn")).resolve("Task.java");
        Files.writeString(source, TASK_SOURCE);
        java.util.spi.ToolProvider javac = java.util.spi.ToolProvider.findFirst("javac").orElseThrow();
        int status = javac.run(System.out, System.err, "-d", compiled.resolve("classes").toString(),
                "-cp", codeSource(ChildProcess.class).toString(), source.toString());
        assertThat(status).as("javac's exit status").isZero();
    }

    @BeforeEach
    void noSpares() {
        Multiprocessing.discardSpares(); // a spare booting now would pass for a JVM that start() launched
    }

    @Test
    void aTargetFromAClassLoaderOfTheProgramsOwnRunsWithTheDerivedClassPath() throws Exception {
        try (URLClassLoader loader = new URLClassLoader(new URL[] {compiled.resolve("classes").toUri().toURL()},
                ClassPathTest.class.getClassLoader())) {
            Class<?> task = loader.loadClass("dyn.Task");
            Path taskOut = dir.resolve("task");
            Path lambdaOut = dir.resolve("lambda");
            runToEnd(ChildProcess.builder((SerializableRunnable) task.getConstructor(String.class)
                    .newInstance(taskOut.toString())));
            runToEnd(ChildProcess.builder((SerializableRunnable) task.getMethod("lambda", String.class)
                    .invoke(null, lambdaOut.toString())));
            assertThat(taskOut).hasContent("task ran");
            assertThat(lambdaOut).hasContent("lambda ran");
        }
    }

    @Test
    void aClassDefinedAtRuntimeFailsAtStartWithOneLineNamingItBeforeAnyJvmIsLaunched() throws Exception {
        ClassLoader loader = new InMemoryLoader(null);
        Class<?> task = loader.loadClass("dyn.Task");
        SerializableRunnable instance = (SerializableRunnable) task.getConstructor(String.class).newInstance("unused");
        SerializableRunnable lambda = (SerializableRunnable) task.getMethod("lambda", String.class).invoke(null, "unused");
        for (SerializableRunnable target : List.of(instance, lambda)) {
            assertRefusedAtStart(ChildProcess.builder(target), "class dyn.Task has no class file: it was defined at runtime by "
                    + InMemoryLoader.class.getName());
        }
    }

    /** jshell's classes exist only in its memory: a target written in jshell is refused, in jshell's words. */
    @Test
    void aTargetWrittenInJshellFailsAtStartWithOneLineNamingItsClass() throws Exception {
        Path jshell = Path.of(System.getProperty("java.home"), "bin", "jshell");
        assumeTrue(Files.isExecutable(jshell), "no jshell in " + System.getProperty("java.home") + " (a JRE)");
        Path script = dir.resolve("start.jsh");
        Files.writeString(script, "new io.github.multiprocessing4j.ChildProcess(() -> {}).start();\n/exit\n");
        String preferences = "-Djava.util.prefs.userRoot=" + dir.resolve("prefs"); // not the user's
        Process process = new ProcessBuilder(jshell.toString(), "-J" + preferences, "-R" + preferences,
                "--class-path", codeSource(ChildProcess.class).toString(), script.toString())
                .directory(dir.toFile()).redirectErrorStream(true).start();
        String printed;
        try {
            printed = new String(process.getInputStream().readAllBytes());
            assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        } finally {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
        assertThat(printed).containsPattern("Exception java\\.lang\\.IllegalStateException: cannot start process"
                + " ChildProcess-\\d+: class REPL\\.\\$JShell\\$\\d+ has no class file: it was defined at runtime by"
                + " jdk\\.jshell\\.\\S+ \\(jshell keeps its classes in memory\\); a child JVM can only run a target whose"
                + " class was compiled to a class file on its class path\n");
    }

    /**
     * A Spring Boot executable jar loads classes from jars inside the jar (BOOT-INF), which no
     * child's class path can name: refused with what to do, unless the class path is given.
     */
    @ParameterizedTest
    @ValueSource(strings = {"jar:nested:%s/app.jar/!BOOT-INF/classes/!/", "jar:file:%s/app.jar!/BOOT-INF/classes!/"})
    void aClassFromAJarInsideAJarFailsAtStartUnlessTheClassPathIsGiven(String rootUrl) throws Exception {
        ClassLoader loader = new InMemoryLoader(rootUrl.formatted(dir.toUri().getPath().replaceAll("/$", "")));
        Class<?> task = loader.loadClass("dyn.Task");
        Path out = dir.resolve("out");
        SerializableRunnable target = (SerializableRunnable) task.getConstructor(String.class).newInstance(out.toString());
        assertRefusedAtStart(ChildProcess.builder(target), "class dyn.Task was loaded from " + rootUrl.formatted(
                dir.toUri().getPath().replaceAll("/$", "")) + "dyn/Task.class, a jar inside a jar (as in a Spring Boot"
                + " executable jar), which a child JVM cannot put on its class path: run the application unpacked, or give"
                + " the child's class path explicitly (the builder's classPath(...) or -Dmp4j.classPath=...)");

        runToEnd(ChildProcess.builder(target).classPath(compiled.resolve("classes") + File.pathSeparator
                + System.getProperty("java.class.path")));
        assertThat(out).hasContent("task ran");
    }

    /**
     * The builder's class path wins over {@code mp4j.classPath}, which wins over the derived one
     * (here this JVM's class path: the test's classes are the application class loader's); every
     * entry becomes absolute, an empty one the working directory (as the JVM reads it).
     */
    @Test
    void theBuildersClassPathWinsOverThePropertyWhichWinsOverTheDerivedOne() throws Exception {
        String base = absolute(System.getProperty("java.class.path"));
        Path out = dir.resolve("classpath");
        String outFile = out.toString();
        SerializableRunnable writeClassPath = () -> TestFiles.write(outFile, System.getProperty("java.class.path"));

        runToEnd(ChildProcess.builder(writeClassPath));
        assertThat(out).hasContent(base);

        System.setProperty("mp4j.classPath", base + File.pathSeparator + "from-property");
        try {
            runToEnd(ChildProcess.builder(writeClassPath));
            assertThat(out).hasContent(base + File.pathSeparator + Path.of("from-property").toAbsolutePath());

            runToEnd(ChildProcess.builder(writeClassPath).classPath(base + File.pathSeparator + "from-builder"));
            assertThat(out).hasContent(base + File.pathSeparator + Path.of("from-builder").toAbsolutePath());
        } finally {
            System.clearProperty("mp4j.classPath");
        }
    }

    /**
     * {@code java -cp ../classes:. Main} (relative entries, one of them the working directory)
     * starts a child in another working directory: the child finds the classes.
     */
    @Test
    void aRelativeClassPathWorksForAChildWithAnotherWorkingDirectory() throws Exception {
        Path testClasses = codeSource(ClassPathTest.class);
        String relative = testClasses.relativize(codeSource(ChildProcess.class)) + File.pathSeparator + ".";
        assertThat(relative).doesNotStartWith("/");
        Path other = Files.createDirectory(dir.resolve("elsewhere"));
        Path out = dir.resolve("child-dir");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process root = new ProcessBuilder(java, "-cp", relative, RelativeRoot.class.getName(), out.toString(), other.toString())
                .directory(testClasses.toFile()).redirectErrorStream(true).start();
        String printed = new String(root.getInputStream().readAllBytes());
        assertThat(root.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(root.exitValue()).as("the root's exit code, the child's; printed: " + printed).isZero();
        assertThat(out).hasContent(other.toString());
    }

    /** Started with a relative class path: starts a child in another working directory, exits with its exit code. */
    public static final class RelativeRoot {
        public static void main(String[] args) throws Exception {
            String out = args[0];
            ChildProcess child = ChildProcess.builder(() -> Files.writeString(Path.of(out), System.getProperty("user.dir")))
                    .workingDirectory(Path.of(args[1])).startMethod(StartMethod.COLD).build();
            child.start();
            child.join();
            child.failure().ifPresent(Throwable::printStackTrace);
            System.exit(child.exitCode().orElseThrow());
        }
    }

    private static void runToEnd(ChildProcess.Builder builder) throws InterruptedException {
        ChildProcess child = builder.build();
        child.start();
        assertThat(child.join(WAIT)).isTrue();
        assertThat(child.exitCode()).as("exit code; failure: " + child.failure().map(Throwable::toString).orElse("none"))
                .hasValue(0);
    }

    private static void assertRefusedAtStart(ChildProcess.Builder builder, String cause) {
        Set<Long> before = descendants();
        ChildProcess child = builder.startMethod(StartMethod.COLD).build();
        assertThatThrownBy(child::start).isInstanceOf(IllegalStateException.class)
                .hasMessage("cannot start process " + child.name() + ": " + cause
                        + (cause.contains("no class file") ? "; a child JVM can only run a target whose class was compiled to a"
                        + " class file on its class path" : ""));
        assertThat(descendants()).as("processes after the refused start").isSubsetOf(before);
        assertThatThrownBy(child::pid).as("the child never started").isInstanceOf(IllegalStateException.class);
    }

    /** @return {@code classPath} with every entry absolute, each once */
    private static String absolute(String classPath) {
        return java.util.Arrays.stream(classPath.split(File.pathSeparator, -1))
                .map(entry -> Path.of(entry).toAbsolutePath().normalize().toString()).distinct()
                .collect(Collectors.joining(File.pathSeparator));
    }

    private static Set<Long> descendants() {
        return ProcessHandle.current().descendants().map(ProcessHandle::pid).collect(Collectors.toSet());
    }

    private static Path codeSource(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Defines {@code dyn.Task} from the bytes compiled for the test: as jshell does (no code
     * source, no resource) when {@code rootUrl} is null, else as a Spring Boot executable jar's
     * loader does (code source and resource in a jar inside a jar, {@code rootUrl}).
     */
    private static final class InMemoryLoader extends ClassLoader {
        /** Parses URLs of the protocols a JDK knows nothing of, such as Spring Boot's {@code jar:nested:}. */
        private static final URLStreamHandler UNOPENED = new URLStreamHandler() {
            @Override
            protected URLConnection openConnection(URL u) throws IOException {
                throw new IOException("not opened in this test: " + u);
            }
        };
        private final String rootUrl;

        InMemoryLoader(String rootUrl) {
            super(ClassPathTest.class.getClassLoader());
            this.rootUrl = rootUrl;
        }

        @Override
        protected Class<?> findClass(String name) throws ClassNotFoundException {
            if (!name.startsWith("dyn.")) {
                throw new ClassNotFoundException(name);
            }
            byte[] bytes;
            try {
                bytes = Files.readAllBytes(compiled.resolve("classes").resolve(name.replace('.', '/') + ".class"));
            } catch (IOException e) {
                throw new ClassNotFoundException(name, e);
            }
            if (rootUrl == null) {
                return defineClass(name, bytes, 0, bytes.length);
            }
            CodeSource source = new CodeSource(url(rootUrl), (java.security.cert.Certificate[]) null);
            return defineClass(name, bytes, 0, bytes.length, new ProtectionDomain(source, null, this, null));
        }

        @Override
        protected URL findResource(String name) {
            return rootUrl != null && name.startsWith("dyn/") ? url(rootUrl + name) : null;
        }

        private static URL url(String spec) {
            try {
                return new URL(null, spec, UNOPENED);
            } catch (java.net.MalformedURLException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
