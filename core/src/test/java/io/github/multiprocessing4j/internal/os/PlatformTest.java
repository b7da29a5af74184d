package io.github.multiprocessing4j.internal.os;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** What {@code /proc/PID/stat} says about a process, read by {@link Platform}. */
class PlatformTest {
    @TempDir
    Path dir;

    @Test
    void aProcessWhoseCommandNameHasSpacesAndParenthesesIsReadRight() throws Exception {
        Path program = dir.resolve("x) (y z");
        Files.copy(Path.of("/bin/sleep"), program, StandardCopyOption.COPY_ATTRIBUTES);
        Process p = new ProcessBuilder(program.toString(), "30").start();
        try {
            long pid = p.pid();
            String[] fields = splitAfterCommandName(Files.readString(Path.of("/proc/" + pid + "/stat")));
            assertThat(Files.readString(Path.of("/proc/" + pid + "/comm")).trim()).isEqualTo("x) (y z");
            long ticks = Long.parseLong(fields[19]);

            assertThat(Platform.startTicks(pid)).hasValue(ticks);
            assertThat(Platform.parentPid(pid)).hasValue(ProcessHandle.current().pid());
            assertThat(Platform.stateLetter(pid)).hasValueSatisfying(s -> assertThat(s).isIn("R", "S"));
            assertThat(Platform.isAlive(pid, ticks)).isTrue();
            assertThat(Platform.isAlive(pid, ticks - 1)).as("another process with its pid").isFalse();
            assertThat(Platform.hasExited(pid)).isFalse();
            // a sleep that has just exec'd is still growing (its loader maps and touches pages):
            // the library's reading must match the test's once two of those agree
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (true) {
                long before = residentBytes(pid);
                java.util.OptionalLong read = Platform.residentBytes(pid);
                if (residentBytes(pid) == before) {
                    assertThat(read).as("an idle sleep's VmRSS, from /proc/PID/status").hasValue(before);
                    break;
                }
                assertThat(System.nanoTime()).as("the sleep's VmRSS settles").isLessThan(deadline);
                Thread.sleep(10);
            }
        } finally {
            p.destroyForcibly();
            p.waitFor();
        }
        assertThat(Platform.startTicks(p.pid())).as("reaped").isEmpty();
        assertThat(Platform.hasExited(p.pid())).isTrue();
        assertThat(Platform.stateLetter(p.pid())).isEmpty();
    }

    /** @return VmRSS of {@code /proc/PID/status} as this test reads it, in bytes */
    private static long residentBytes(long pid) throws IOException {
        return Long.parseLong(statusField(pid, "VmRSS").replace("kB", "").trim()) * 1024;
    }

    @Test
    void aZombieHasExitedAndIsNotAlive() throws Exception {
        // The shell's background sleep ends first; its parent is then 'sleep 30', which never reaps it.
        Process parent = new ProcessBuilder("sh", "-c", "sleep 0.1 & exec sleep 30").start();
        try {
            long zombie = awaitZombieChild(parent.pid());
            long ticks = Platform.startTicks(zombie).orElseThrow();
            assertThat(Platform.stateLetter(zombie)).hasValue("Z");
            assertThat(Platform.hasExited(zombie)).isTrue();
            assertThat(Platform.isAlive(zombie, ticks)).isFalse();
            assertThat(Platform.parentPid(zombie)).hasValue(parent.pid());
            assertThat(Platform.isAlive(parent.pid(), Platform.startTicks(parent.pid()).orElseThrow())).isTrue();
        } finally {
            parent.destroyForcibly(); // its zombie goes to init, which reaps it
            parent.waitFor();
        }
    }

    @Test
    void thisJvmsOwnStartTicksAreItsStatsField() throws Exception {
        String[] fields = splitAfterCommandName(Files.readString(Path.of("/proc/self/stat")));
        assertThat(Platform.ownStartTicks()).isEqualTo(Long.parseLong(fields[19]));
        assertThat(Platform.currentPid()).isEqualTo(ProcessHandle.current().pid());
    }

    @Test
    void theSignalsThisJvmIgnoresAreItsStatusMask() throws Exception {
        long ignored = Long.parseLong(statusField(ProcessHandle.current().pid(), "SigIgn"), 16);
        for (int signal : new int[] {Platform.SIGHUP, Platform.SIGINT, Platform.SIGTERM}) {
            assertThat(Platform.ignoresSignal(signal)).as("signal %d", signal).isEqualTo((ignored & 1L << (signal - 1)) != 0);
        }
    }

    /** @return the value of {@code field} in {@code /proc/PID/status}, read as a test reads it */
    private static String statusField(long pid, String field) throws IOException {
        return Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream().filter(l -> l.startsWith(field + ":"))
                .map(l -> l.substring(field.length() + 1).trim()).findFirst().orElseThrow();
    }

    /** The fields after "(comm) ", split as the kernel writes them: field 3 is at index 0. */
    private static String[] splitAfterCommandName(String stat) {
        return stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
    }

    private static long awaitZombieChild(long parentPid) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Duration.ofSeconds(10).toSeconds());
        while (System.nanoTime() < deadline) {
            List<Long> zombies = ProcessHandle.of(parentPid).map(h -> h.children().map(ProcessHandle::pid)
                    .filter(pid -> Optional.of("Z").equals(Platform.stateLetter(pid))).collect(Collectors.toList()))
                    .orElse(List.of());
            if (!zombies.isEmpty()) {
                return zombies.get(0);
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no zombie child of " + parentPid + " appeared");
    }
}
