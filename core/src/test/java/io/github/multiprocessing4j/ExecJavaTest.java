package io.github.multiprocessing4j;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A program run by {@code mvn exec:java}: Maven loads it through a class loader of its own while
 * the JVM's class path is Maven's launcher, then interrupts the threads the program left and
 * waits 15 s for each one that does not end. Its children and pool workers get its classes, its
 * results are right, and Maven does not wait. The project is made here: its class compiled
 * against the library's classes, which {@code exec:java} puts on the program's class path by
 * their path (nothing of ours needs to be installed in a Maven repository); the exec plugin
 * comes from the local repository or Maven Central.
 */
class ExecJavaTest {
    private static final String EXEC_PLUGIN_VERSION = "3.5.0";
    /** By its coordinates: the {@code exec:} prefix would need the plugin group's metadata. */
    private static final String EXEC_JAVA = "org.codehaus.mojo:exec-maven-plugin:" + EXEC_PLUGIN_VERSION + ":java";
    private static final long MAVEN_TIMEOUT_SECONDS = 300; // the first run may download the plugin
    private static final String MAIN = """
            package demo;

            import io.github.multiprocessing4j.ChildProcess;
            import io.github.multiprocessing4j.ProcessPool;
            import io.github.multiprocessing4j.SharedLong;
            import java.util.List;

            public class Main {
                public static void main(String[] args) throws Exception {
                    SharedLong total = new SharedLong();
                    ChildProcess child = new ChildProcess(() -> total.addAndGet(42));
                    child.start();
                    child.join();
                    int sum = 0;
                    try (ProcessPool pool = new ProcessPool(2)) {
                        for (int square : pool.map((Integer x) -> x * x, List.of(1, 2, 3, 4))) {
                            sum += square;
                        }
                    }
                    System.out.println("child exit " + child.exitCode().getAsInt() + ", total " + total.get()
                            + ", sum of squares " + sum);
                    System.out.println("main returned at " + System.currentTimeMillis());
                }
            }
            """;

    @TempDir
    Path project;

    @Test
    void aProgramRunByMvnExecJavaGetsRightResultsFromItsChildrenAndMavenDoesNotWaitForOurThreads() throws Exception {
        Path mvn = mavenExecutable();
        assumeTrue(mvn != null, "no mvn: neither the system property maven.home nor the environment variable MAVEN_HOME"
                + " names a Maven installation, and there is no mvn on the PATH");
        Path library = Path.of(ChildProcess.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        writeProject(library);

        Path log = project.resolve("mvn.log");
        ProcessBuilder builder = new ProcessBuilder(mvn.toString(), "-B", "--no-transfer-progress", EXEC_JAVA)
                .directory(project.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home")); // this JDK, 17 or 25
        Process maven = builder.start();
        boolean ended;
        try {
            ended = maven.waitFor(MAVEN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } finally {
            maven.descendants().forEach(ProcessHandle::destroyForcibly);
            maven.destroyForcibly();
        }
        long exited = System.currentTimeMillis();
        String printed = Files.readString(log);
        assertThat(ended).as("mvn ended within " + MAVEN_TIMEOUT_SECONDS + " s; it printed:\n" + printed).isTrue();
        assertThat(maven.exitValue()).as("mvn's exit code; it printed:\n" + printed).isZero();
        assertThat(printed).contains("child exit 0, total 42, sum of squares 30")
                .doesNotContain("Could not find or load main class")
                .doesNotContain("will linger despite being asked to die");
        long mainReturned = Long.parseLong(printed.replaceAll("(?s).*main returned at (\\d+).*", "$1"));
        assertThat(exited - mainReturned).as("milliseconds from main's return to Maven's exit (15,000 when a thread lingers)")
                .isLessThan(10_000);
    }

    /** Writes the project: a POM that runs {@code demo.Main} with the library on its class path, and the class, compiled. */
    private void writeProject(Path library) throws Exception {
        Files.writeString(project.resolve("pom.xml"), """
                <project xmlns="http://maven.apache.org/POM/4.0.0">
                  <modelVersion>4.0.0</modelVersion>
                  <groupId>demo</groupId>
                  <artifactId>demo</artifactId>
                  <version>1</version>
                  <build>
                    <plugins>
                      <plugin>
                        <groupId>org.codehaus.mojo</groupId>
                        <artifactId>exec-maven-plugin</artifactId>
                        <version>%s</version>
                        <configuration>
                          <mainClass>demo.Main</mainClass>
                          <additionalClasspathElements>
                            <additionalClasspathElement>%s</additionalClasspathElement>
                          </additionalClasspathElements>
                        </configuration>
                      </plugin>
                    </plugins>
                  </build>
                </project>
                """.formatted(EXEC_PLUGIN_VERSION, library));
        Path source = Files.createDirectories(project.resolve("src/main/java/demo")).resolve("Main.java");
        Files.writeString(source, MAIN);
        java.util.spi.ToolProvider javac = java.util.spi.ToolProvider.findFirst("javac").orElseThrow();
        int status = javac.run(System.out, System.err, "-d", project.resolve("target/classes").toString(),
                "-cp", library.toString(), source.toString());
        assertThat(status).as("javac's exit status").isZero();
    }

    /** @return Maven's {@code mvn}, from {@code maven.home}, {@code MAVEN_HOME} or the PATH; null when there is none */
    private static Path mavenExecutable() {
        for (String home : new String[] {System.getProperty("maven.home"), System.getenv("MAVEN_HOME")}) {
            if (home != null && Files.isExecutable(Path.of(home, "bin", "mvn"))) {
                return Path.of(home, "bin", "mvn");
            }
        }
        String path = System.getenv("PATH");
        for (String dir : path == null ? new String[0] : path.split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "mvn"))) {
                return Path.of(dir, "mvn");
            }
        }
        return null;
    }
}
