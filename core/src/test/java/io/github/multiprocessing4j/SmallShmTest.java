package io.github.multiprocessing4j;

import io.github.multiprocessing4j.internal.runtime.ChildOutput;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A container's small {@code /dev/shm}, for real: a program ({@link SmallShmProgram}) runs in a
 * private mount namespace whose {@code /dev/shm} is a 32 MiB tmpfs, as Docker's default 64 MiB
 * and Kubernetes' smaller ones are. It makes and closes 300 queues, which leave /dev/shm
 * mostly free (their unlinked segments' mappings are collected in time), then puts 64 items of
 * 1 MiB into an unbounded queue: every
 * put is accepted (the chunks that do not fit spill to a disk directory), a child drains exactly
 * those, in order; a bounded queue and a 64 MiB shared memory block fail at their constructors
 * with a message that says what is full and what to do; children start and join while shared
 * memory is full; nothing is logged as lost, no SIGBUS ({@link InternalError}) and no "could
 * not settle". At the end nothing is left, neither in the namespace's {@code /dev/shm} nor in
 * the spill directory.
 *
 * <p>Needs root and {@code unshare} (CI runs as root); skipped otherwise, with the reason. The
 * property that moves the directory ({@code mp4j.shmDir}) needs neither.
 */
class SmallShmTest {
    private static final long TIMEOUT_SECONDS = 300;
    private static String skipReason;

    @TempDir
    Path dir;

    @BeforeAll
    static void probeMountNamespaces() throws Exception {
        if (!Files.isExecutable(Path.of("/usr/bin/unshare")) && !Files.isExecutable(Path.of("/bin/unshare"))) {
            skipReason = "no unshare command: a private mount namespace with a small /dev/shm cannot be made";
            return;
        }
        Process probe = new ProcessBuilder("unshare", "--mount", "--propagation", "private", "sh", "-c",
                "mount -t tmpfs -o size=1m tmpfs /dev/shm").redirectErrorStream(true).start();
        String said = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (!probe.waitFor(60, TimeUnit.SECONDS)) {
            probe.destroyForcibly().waitFor();
            skipReason = "unshare did not end within 60 s";
        } else if (probe.exitValue() != 0) {
            skipReason = "cannot mount a small tmpfs on /dev/shm in a private mount namespace (needs root, as CI runs): "
                    + said;
        }
    }

    @Test
    void anUnboundedQueueSpillsToDiskAndBoundedObjectsFailAtTheirConstructorsWhenDevShmIsSmall() throws Exception {
        assumeTrue(skipReason == null, () -> skipReason);
        Path spill = Files.createDirectory(dir.resolve("spill"));
        Path report = dir.resolve("report");
        Path log = dir.resolve("log");
        Path exitStatus = dir.resolve("status");
        Path leftInShm = dir.resolve("left-in-shm");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String program = String.join(" ", quote(java), "-Dmp4j.spillDir=" + quote(spill.toString()),
                "-cp", quote(System.getProperty("java.class.path")), SmallShmProgram.class.getName(),
                quote(report.toString()), "64");
        // The output goes to the log (to check) and through tee to this test's output (ChildOutput).
        String script = "mount -t tmpfs -o size=32m tmpfs /dev/shm || exit 1\n"
                + "{ " + program + "; echo $? > " + quote(exitStatus.toString()) + "; } 2>&1 | tee " + quote(log.toString()) + "\n"
                + "ls -A /dev/shm > " + quote(leftInShm.toString()) + "\n";
        Process shell = ChildOutput.start(new ProcessBuilder("unshare", "--mount", "--propagation", "private", "sh", "-c", script)
                .redirectOutput(ProcessBuilder.Redirect.PIPE).redirectError(ProcessBuilder.Redirect.PIPE));
        if (!shell.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            List<ProcessHandle> tree = shell.descendants().collect(Collectors.toList());
            tree.forEach(ProcessHandle::destroyForcibly);
            shell.destroyForcibly().waitFor();
            throw new AssertionError("the program did not end within " + TIMEOUT_SECONDS + " s; its output: " + read(log));
        }

        String output = read(log);
        assertThat(read(exitStatus).trim()).as("the program's exit status; its output: %s", output).isEqualTo("0");
        Map<String, String> seen = keyValues(read(report));
        assertThat(seen).as("output: %s", output).doesNotContainKey("putFailed")
                .containsEntry("accepted", "64")
                .containsEntry("childrenJoined", "3")
                .containsEntry("joinableDone", "4")
                .containsEntry("pipeRoundTrip", "through,EOF")
                .containsEntry("smallItemsAfterFull", String.valueOf(SmallShmProgram.SMALL_ITEMS))
                .containsEntry("drainerExit", "0")
                .containsEntry("drainedInOrder", "64")
                .containsEntry("leftAfterDrain", "0")
                .containsEntry("spilledFilesAfterClose", "0");
        assertThat(Long.parseLong(seen.get("shmUsedAfterClosedQueues")))
                .as("bytes of /dev/shm used after 300 queues were made and closed: their unlinked segments' mappings"
                        + " were collected (each took its first chunk, all of them more than the 32 MiB)")
                .isLessThan(16L << 20);
        assertThat(Long.parseLong(seen.get("spilledFiles"))).as("chunks spilled to disk").isPositive();
        assertThat(Long.parseLong(seen.get("shmFreeBytes"))).as("free in /dev/shm when the children started")
                .isZero();
        for (String object : List.of("boundedQueue", "sharedMemory")) {
            assertThat(seen.get(object)).as(object)
                    .startsWith("UncheckedIOException no space left in /dev/shm for shared segment")
                    .contains("of 32.0 MiB used", "--shm-size", "medium: Memory", "-Dmp4j.shmDir=");
        }
        assertThat(output).contains("queues keep their new items in " + spill)
                .doesNotContain("lost", "could not settle", "InternalError", "SIGBUS", "Exception in thread", "hs_err");
        assertThat(read(leftInShm).trim()).as("left in the namespace's /dev/shm").isEmpty();
        try (Stream<Path> left = Files.list(spill)) {
            assertThat(left.collect(Collectors.toList())).as("left in the spill directory").isEmpty();
        }
    }

    @Test
    void mp4jShmDirMovesTheTreeOfTheProgramAndOfItsChildren() throws Exception {
        Path shm = Files.createDirectory(dir.resolve("shm"));
        Path out = dir.resolve("root");
        Process root = ChildOutput.start(new ProcessBuilder(TreeRoot.command(out, "once", "-Dmp4j.shmDir=" + shm))
                .redirectOutput(ProcessBuilder.Redirect.PIPE).redirectError(ProcessBuilder.Redirect.PIPE));
        TreeRoot.awaitExit(root, Duration.ofSeconds(120));

        assertThat(root.exitValue()).isZero();
        assertThat(read(out)).isEqualTo("done");
        assertThat(read(Path.of(out + ".childargs"))).as("the child's command line").contains("-Dmp4j.shmDir=" + shm);
        try (Stream<Path> left = Files.list(shm)) {
            assertThat(left.collect(Collectors.toList())).as("left in the moved directory: the tree ended").isEmpty();
        }
    }

    private static Map<String, String> keyValues(String text) {
        Map<String, String> values = new HashMap<>();
        for (String line : text.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                values.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return values;
    }

    private static String read(Path file) throws IOException {
        return Files.exists(file) ? Files.readString(file) : "";
    }

    /** @return {@code s} quoted for sh */
    private static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
