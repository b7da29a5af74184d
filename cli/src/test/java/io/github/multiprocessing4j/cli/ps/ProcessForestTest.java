package io.github.multiprocessing4j.cli.ps;

import io.github.multiprocessing4j.ProcessSnapshot;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.LongFunction;

import static org.assertj.core.api.Assertions.assertThat;

class ProcessForestTest {
    static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");

    /** @return a running process of {@code tree}, 50 MiB, started {@code ageSeconds} before {@link #NOW} */
    static ProcessSnapshot process(String tree, long pid, long parent, String name, boolean daemon, long ageSeconds) {
        return new ProcessSnapshot(tree, pid, parent, name, daemon, "running", Optional.of("S"),
                Optional.of(NOW.minusSeconds(ageSeconds)), OptionalLong.of(50L * 1024 * 1024));
    }

    @Test
    void indentsChildrenUnderTheirParentMarksOrphansAndShowsWhoLaunchedTheRoot() {
        List<ProcessSnapshot> table = List.of(
                process("mp4j-100-1", 100, 0, "MainProcess", false, 75),
                process("mp4j-100-1", 110, 100, "A", false, 70),
                process("mp4j-100-1", 120, 110, "A1", true, 65),
                process("mp4j-100-1", 130, 100, "B", false, 60),
                new ProcessSnapshot("mp4j-100-1", 135, 100, "C", false, "booting", Optional.of("S"),
                        Optional.of(NOW.minusSeconds(1)), OptionalLong.of(20L * 1024 * 1024)),
                process("mp4j-100-1", 140, 999, "orphan", false, 5),
                new ProcessSnapshot("mp4j-200-2", 200, 0, "MainProcess", false, "exiting", Optional.empty(),
                        Optional.empty(), OptionalLong.empty()));
        LongFunction<OptionalLong> launcherOf = pid -> pid == 100 ? OptionalLong.of(4100) : OptionalLong.empty();

        assertThat(ProcessForest.render(ProcessForest.arrange(table, launcherOf), NOW)).containsExactly(
                "PID  PPID  NAME             DAEMON  STATE        AGE  RSS(MiB)",
                "100  4100  MainProcess      no      running/S  1m15s      50.0",
                "110   100  \\_ A             no      running/S  1m10s      50.0",
                "120   110     \\_ A1         yes     running/S  1m05s      50.0",
                "130   100  \\_ B             no      running/S  1m00s      50.0",
                "135   100  \\_ C             no      booting/S     1s      20.0",
                "140   999  orphan (orphan)  no      running/S     5s      50.0",
                "200     ?  MainProcess      no      exiting/?      ?         ?");
    }

    @Test
    void agesAreShortAndReadable() {
        assertThat(ProcessForest.age(Duration.ofSeconds(42))).isEqualTo("42s");
        assertThat(ProcessForest.age(Duration.ofSeconds(187))).isEqualTo("3m07s");
        assertThat(ProcessForest.age(Duration.ofMinutes(125))).isEqualTo("2h05m");
        assertThat(ProcessForest.age(Duration.ofHours(76))).isEqualTo("3d04h");
        assertThat(ProcessForest.age(Duration.ofSeconds(-1))).isEqualTo("0s");
    }
}
