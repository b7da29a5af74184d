package io.github.multiprocessing4j.internal.os;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.StringTokenizer;

/**
 * The machine's cumulative processor times, from the first line of {@code /proc/stat}: what lets
 * a background job (a spare JVM's boot) wait for a processor nobody is using.
 *
 * <p>Implementation notes. The kernel counts in clock ticks (usually 100 a second), so a share
 * of idle time means something only over a window of a few ticks: {@link #idleProcessorsSince}
 * is meant for windows of 20 ms and more. Idle time includes I/O wait (a processor waiting for a
 * disk runs nothing). In a container, {@code /proc/stat} is usually the host's: the figure is
 * then the host's idle capacity, not the container's quota, and a gate based on it lets a job
 * through where it would without the gate. Where {@code /proc/stat} cannot be read, {@link #now}
 * is empty and callers go ahead without the gate.
 *
 * @param idleTicks ticks every processor spent idle or waiting for I/O, summed
 * @param totalTicks ticks every processor spent in any state, summed
 */
public record ProcessorTimes(long idleTicks, long totalTicks) {
    private static final Path STAT = Path.of("/proc/stat");

    /** @return the times now, or empty where {@code /proc/stat} cannot be read or parsed */
    public static Optional<ProcessorTimes> now() {
        try {
            String all = Files.readString(STAT, StandardCharsets.US_ASCII);
            int end = all.indexOf('\n');
            // no split("\\s+"): the spares' thread reads this in the program's first seconds, and a
            // JVM's first regular expression costs it milliseconds
            StringTokenizer tokens = new StringTokenizer(end < 0 ? all : all.substring(0, end));
            String[] fields = new String[tokens.countTokens()];
            for (int i = 0; i < fields.length; i++) {
                fields[i] = tokens.nextToken();
            }
            if (fields.length < 6 || !fields[0].equals("cpu")) {
                return Optional.empty();
            }
            long total = 0;
            // user nice system idle iowait irq softirq steal (guest times are inside user and nice)
            for (int i = 1; i < Math.min(fields.length, 9); i++) {
                total += Long.parseLong(fields[i]);
            }
            return Optional.of(new ProcessorTimes(Long.parseLong(fields[4]) + Long.parseLong(fields[5]), total));
        } catch (IOException | RuntimeException unreadable) {
            return Optional.empty();
        }
    }

    /**
     * @param earlier times read before these
     * @param processors how many processors the machine has
     * @return how many processors were idle on average between {@code earlier} and these
     *     (fractional), or -1 when no tick passed in between
     */
    public double idleProcessorsSince(ProcessorTimes earlier, int processors) {
        long total = totalTicks - earlier.totalTicks;
        if (total <= 0) {
            return -1;
        }
        return processors * (double) (idleTicks - earlier.idleTicks) / total;
    }
}
