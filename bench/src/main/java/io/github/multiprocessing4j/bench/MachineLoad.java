package io.github.multiprocessing4j.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How busy the rest of the machine is: the CPU time used by every process except this one and
 * its reaped children, from {@code /proc/stat} and {@code /proc/self/stat}. On two cores another
 * process's work shows up in every figure, so a section waits for a quiet machine first and
 * records how much foreign CPU ran during it; the logic is {@code bench_mp.py}'s, so the
 * numbers of both sides mean the same.
 */
final class MachineLoad {
    /** USER_HZ, the unit of both files; 100 on every Linux architecture a JVM runs on. */
    static final double TICKS_PER_SECOND = 100.0;
    /** Index of utime among the fields after "(comm)" in /proc/PID/stat; stime, cutime, cstime follow. */
    private static final int STAT_UTIME = 11;

    private MachineLoad() {
    }

    /**
     * A reading of the clocks.
     *
     * @param wallSeconds monotonic wall clock
     * @param busyCpuSeconds CPU time of the whole machine, idle and iowait excluded
     * @param ownCpuSeconds CPU time of this JVM and of its children that have been reaped
     */
    record Snapshot(double wallSeconds, double busyCpuSeconds, double ownCpuSeconds) {
    }

    static Snapshot snapshot() {
        try {
            String[] cpu = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long busy = 0;
            for (int i = 1; i <= 8 && i < cpu.length; i++) {
                if (i != 4 && i != 5) { // idle, iowait
                    busy += Long.parseLong(cpu[i]);
                }
            }
            long own = cpuTicks("self", true);
            return new Snapshot(System.nanoTime() / 1e9, busy / TICKS_PER_SECOND, own / TICKS_PER_SECOND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc", e);
        }
    }

    /**
     * The CPU time of one process, from {@code /proc/PID/stat}.
     *
     * @param pid a pid, or "self"
     * @param withReapedChildren also count the children it has reaped (cutime, cstime)
     * @return user + system time in ticks (USER_HZ)
     * @throws IOException when the process is gone
     */
    static long cpuTicks(String pid, boolean withReapedChildren) throws IOException {
        String stat = Files.readString(Path.of("/proc", pid, "stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        long ticks = 0;
        for (int i = STAT_UTIME; i < STAT_UTIME + (withReapedChildren ? 4 : 2); i++) {
            ticks += Long.parseLong(fields[i]);
        }
        return ticks;
    }

    /** @return the average number of CPUs used by other processes between two snapshots */
    static double foreignCpus(Snapshot a, Snapshot b) {
        double wall = b.wallSeconds() - a.wallSeconds();
        if (wall <= 0) {
            return 0;
        }
        return Math.max(0, ((b.busyCpuSeconds() - a.busyCpuSeconds()) - (b.ownCpuSeconds() - a.ownCpuSeconds())) / wall);
    }

    /**
     * Waits, at most {@code maxSeconds}, until other processes use less than a quarter of a CPU
     * over one second.
     *
     * @return {waited seconds, last foreign load}
     */
    static double[] waitQuiet(int maxSeconds) throws InterruptedException {
        long start = System.nanoTime();
        while (true) {
            Snapshot a = snapshot();
            Thread.sleep(1000);
            double load = foreignCpus(a, snapshot());
            double waited = (System.nanoTime() - start) / 1e9;
            if (load < 0.25 || waited >= maxSeconds) {
                return new double[] {waited, load};
            }
        }
    }
}
