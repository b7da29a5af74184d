package io.github.multiprocessing4j.cli.ps;

import io.github.multiprocessing4j.ProcessSnapshot;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.LongFunction;
import java.util.stream.Collectors;

/**
 * Arranges a process table as a forest, the way {@code ps -ef --forest} does: each child under
 * its parent, one tree after the other; and lays it out as indented lines.
 *
 * <p>Implementation notes. A process whose parent is not in the table (the root, whose recorded
 * parent pid is 0, or an orphan whose parent has died) starts a tree of its own; an orphan is
 * marked as such, because its PPID still names the parent that started it. The root's PPID is
 * the process that launched it (a shell, an IDE), which the table does not record: it is asked
 * of the system when the forest is built. Children keep the table's order, which is by start
 * time.
 */
public final class ProcessForest {
    private static final String[] HEADER = {"PID", "PPID", "NAME", "DAEMON", "STATE", "AGE", "RSS(MiB)"};
    private static final boolean[] RIGHT_ALIGNED = {true, true, false, false, false, true, true};
    private static final String BRANCH = "\\_ ";
    private static final String INDENT = "   ";

    /**
     * One tree of the forest.
     *
     * @param id the tree's id ({@code mp4j-ROOTPID-ROOTTICKS})
     * @param tops its processes that have no parent in it: the root, and orphans
     */
    public record Tree(String id, List<Node> tops) {
    }

    /**
     * One process, with its children.
     *
     * @param process the process as the table lists it
     * @param parentPid its parent's pid: the recorded one, or for the root the system's (0 when unknown)
     * @param orphan whether its parent has died
     * @param children the processes it started that still run, by start time
     */
    public record Node(ProcessSnapshot process, long parentPid, boolean orphan, List<Node> children) {
    }

    private ProcessForest() {
    }

    /**
     * Arranges a process table as trees.
     *
     * @param table the processes, as {@link io.github.multiprocessing4j.Multiprocessing#processTable()} lists them
     * @param launcherOf gives the pid of the process that launched a root (its parent in the system), if known
     * @return the trees, in the table's order
     */
    public static List<Tree> arrange(List<ProcessSnapshot> table, LongFunction<OptionalLong> launcherOf) {
        Map<String, List<ProcessSnapshot>> byTree = table.stream()
                .collect(Collectors.groupingBy(ProcessSnapshot::treeId, LinkedHashMap::new, Collectors.toList()));
        List<Tree> trees = new ArrayList<>();
        byTree.forEach((id, members) -> {
            Set<Long> pids = members.stream().map(ProcessSnapshot::pid).collect(Collectors.toSet());
            List<Node> tops = new ArrayList<>();
            for (ProcessSnapshot p : members) {
                if (!pids.contains(p.parentPid())) {
                    boolean root = p.parentPid() == 0;
                    long parent = root ? launcherOf.apply(p.pid()).orElse(0) : p.parentPid();
                    tops.add(new Node(p, parent, !root, childrenOf(p, members)));
                }
            }
            trees.add(new Tree(id, tops));
        });
        return trees;
    }

    private static List<Node> childrenOf(ProcessSnapshot parent, List<ProcessSnapshot> members) {
        List<Node> children = new ArrayList<>();
        for (ProcessSnapshot child : members) {
            if (child.parentPid() == parent.pid() && child.pid() != parent.pid()) {
                children.add(new Node(child, child.parentPid(), false, childrenOf(child, members)));
            }
        }
        return children;
    }

    /**
     * Lays out trees as a table.
     *
     * @param trees the trees, from {@link #arrange}
     * @param now the moment ages are counted to
     * @return the lines to print: a header, then one line per process
     */
    public static List<String> render(List<Tree> trees, Instant now) {
        List<String[]> rows = new ArrayList<>();
        rows.add(HEADER);
        for (Tree tree : trees) {
            for (Node top : tree.tops()) {
                addSubtree(rows, top, 0, now);
            }
        }
        return align(rows, RIGHT_ALIGNED);
    }

    private static void addSubtree(List<String[]> rows, Node node, int depth, Instant now) {
        rows.add(row(node, depth, now));
        for (Node child : node.children()) {
            addSubtree(rows, child, depth + 1, now);
        }
    }

    private static String[] row(Node node, int depth, Instant now) {
        ProcessSnapshot p = node.process();
        String name = depth == 0 ? p.name() : INDENT.repeat(depth - 1) + BRANCH + p.name();
        if (node.orphan()) {
            name += " (orphan)";
        }
        return new String[] {
            Long.toString(p.pid()),
            node.parentPid() > 0 ? Long.toString(node.parentPid()) : "?",
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
