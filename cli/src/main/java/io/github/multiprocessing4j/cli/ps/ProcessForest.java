package io.github.multiprocessing4j.cli.ps;

import io.github.multiprocessing4j.ProcessSnapshot;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Lays out a process table as an indented forest, the way {@code ps -ef --forest} does: each
 * child under its parent, one tree after the other.
 *
 * <p>Implementation notes. A process whose parent is not in the table (the root, whose parent
 * pid is 0, or an orphan whose parent has died) starts a tree of its own; an orphan is marked as
 * such, because its PPID column still names the parent that started it. Children keep the
 * table's order, which is by start time.
 */
public final class ProcessForest {
    private static final String[] HEADER = {"PID", "PPID", "NAME", "DAEMON", "STATE", "AGE", "RSS(MiB)"};
    private static final boolean[] RIGHT_ALIGNED = {true, true, false, false, false, true, true};
    private static final String BRANCH = "\\_ ";
    private static final String INDENT = "   ";

    private ProcessForest() {
    }

    /**
     * @param table the processes, as {@link io.github.multiprocessing4j.Multiprocessing#processTable()} lists them
     * @param now the moment ages are counted to
     * @return the lines to print: a header, then one line per process
     */
    public static List<String> render(List<ProcessSnapshot> table, Instant now) {
        List<String[]> rows = new ArrayList<>();
        rows.add(HEADER);
        Map<String, List<ProcessSnapshot>> trees = table.stream()
                .collect(Collectors.groupingBy(ProcessSnapshot::treeId, LinkedHashMap::new, Collectors.toList()));
        for (List<ProcessSnapshot> tree : trees.values()) {
            Set<Long> pids = tree.stream().map(ProcessSnapshot::pid).collect(Collectors.toSet());
            for (ProcessSnapshot p : tree) {
                if (!pids.contains(p.parentPid())) {
                    addSubtree(rows, tree, p, 0, now);
                }
            }
        }
        return align(rows, RIGHT_ALIGNED);
    }

    private static void addSubtree(List<String[]> rows, List<ProcessSnapshot> tree, ProcessSnapshot p, int depth,
                                   Instant now) {
        rows.add(row(p, depth, now));
        for (ProcessSnapshot child : tree) {
            if (child.parentPid() == p.pid() && child.pid() != p.pid()) {
                addSubtree(rows, tree, child, depth + 1, now);
            }
        }
    }

    private static String[] row(ProcessSnapshot p, int depth, Instant now) {
        String name = depth == 0 ? p.name() : INDENT.repeat(depth - 1) + BRANCH + p.name();
        if (depth == 0 && p.parentPid() != 0) {
            name += " (orphan)";
        }
        return new String[] {
            Long.toString(p.pid()),
            Long.toString(p.parentPid()),
            name,
            p.daemon() ? "yes" : "no",
            p.state() + "/" + p.osState().orElse("?"),
            p.startTime().map(start -> age(Duration.between(start, now))).orElse("?"),
            p.residentBytes().isPresent() ? String.format(Locale.ROOT, "%.1f", p.residentBytes().getAsLong() / 1048576.0) : "?",
        };
    }

    /** @return a short age: 42s, 3m07s, 2h05m, 3d04h */
    static String age(Duration age) {
        long s = Math.max(0, age.getSeconds());
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        }
        if (s < 86400) {
            return String.format(Locale.ROOT, "%dh%02dm", s / 3600, s % 3600 / 60);
        }
        return String.format(Locale.ROOT, "%dd%02dh", s / 86400, s % 86400 / 3600);
    }

    /** @return the rows as lines, columns padded to their widest cell and two spaces apart */
    static List<String> align(List<String[]> rows, boolean[] rightAligned) {
        int[] widths = new int[rightAligned.length];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                widths[i] = Math.max(widths[i], r[i].length());
            }
        }
        List<String> lines = new ArrayList<>();
        for (String[] r : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < r.length; i++) {
                String pad = " ".repeat(widths[i] - r[i].length());
                line.append(i == 0 ? "" : "  ").append(rightAligned[i] ? pad + r[i] : r[i] + pad);
            }
            lines.add(line.toString().stripTrailing());
        }
        return lines;
    }
}
