package io.github.multiprocessing4j.testing;

import io.github.multiprocessing4j.ChildProcess;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** How much CPU child processes use, for tests that check that waiting costs next to nothing. */
public final class CpuUse {
    private CpuUse() {
    }

    /**
     * @return the run time of every thread of {@code children}, in nanoseconds, as the scheduler
     *     counts it (/proc/PID/task/TID/schedstat): exact, unlike utime + stime, which are
     *     sampled at clock ticks and over-charge threads that wake on timers
     */
    public static long runNanos(List<ChildProcess> children) throws IOException {
        long total = 0;
        for (ChildProcess c : children) {
            List<Path> tasks;
            try (Stream<Path> list = Files.list(Path.of("/proc/" + c.pid() + "/task"))) {
                tasks = list.collect(Collectors.toList());
            }
            for (Path task : tasks) {
                try {
                    total += Long.parseLong(Files.readString(task.resolve("schedstat")).split(" ")[0]);
                } catch (NoSuchFileException e) {
                    // a thread that ended meanwhile
                }
            }
        }
        return total;
    }
}
