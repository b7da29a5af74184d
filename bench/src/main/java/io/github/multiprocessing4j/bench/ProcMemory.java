package io.github.multiprocessing4j.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code /proc} says about the memory of a process, read the way {@code bench_mp.py} reads
 * it: VmRSS from {@code status}, Pss and Private_Clean/Private_Dirty from {@code smaps_rollup}.
 * RSS counts every resident page, also the ones shared with other processes (the JDK's mapped
 * modules and class data archive); PSS divides shared pages among their users; USS counts only
 * the pages no other process has, what ending the process would give back.
 *
 * @param vmRssKib resident set size, KiB
 * @param pssKib proportional set size, KiB
 * @param ussKib unique set size (Private_Clean + Private_Dirty), KiB
 */
record ProcMemory(long vmRssKib, long pssKib, long ussKib) {

    static ProcMemory of(long pid) throws IOException {
        Path proc = Path.of("/proc", Long.toString(pid));
        Map<String, Long> status = kibFields(Files.readAllLines(proc.resolve("status")));
        Map<String, Long> rollup = kibFields(Files.readAllLines(proc.resolve("smaps_rollup")));
        return new ProcMemory(require(status, "VmRSS", pid), require(rollup, "Pss", pid),
                require(rollup, "Private_Clean", pid) + require(rollup, "Private_Dirty", pid));
    }

    static double mib(long kib) {
        return kib / 1024.0;
    }

    /** Lines like {@code "VmRSS:     41236 kB"}; other lines are skipped. */
    private static Map<String, Long> kibFields(List<String> lines) {
        Map<String, Long> fields = new HashMap<>();
        for (String line : lines) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.endsWith(" kB")) {
                String number = line.substring(colon + 1, line.length() - " kB".length()).trim();
                fields.put(line.substring(0, colon), Long.parseLong(number));
            }
        }
        return fields;
    }

    private static long require(Map<String, Long> fields, String name, long pid) {
        Long v = fields.get(name);
        if (v == null) {
            throw new IllegalStateException("/proc/" + pid + " has no " + name + " field");
        }
        return v;
    }
}
