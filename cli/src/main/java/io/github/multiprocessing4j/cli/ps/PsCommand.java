package io.github.multiprocessing4j.cli.ps;

import io.github.multiprocessing4j.Multiprocessing;
import io.github.multiprocessing4j.ProcessSnapshot;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/**
 * {@code mp4j ps}: the live process trees started with multiprocessing4j on this machine, each
 * child indented under its parent.
 */
@Command(name = "ps",
        description = {"Lists the live process trees started with multiprocessing4j on this machine.",
                "Each child is indented under its parent; only processes you may see are listed. STATE is the "
                        + "library's view and the system's state letter (R running, S sleeping, Z zombie, ...); "
                        + "RSS is the resident memory."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:listed (maybe nothing)", "1:--tree named no running tree", "2:wrong usage"})
public final class PsCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Option(names = "--tree", paramLabel = "ID",
            description = "Show only this tree: its id (mp4j-PID-TICKS) or the pid of its root process.")
    private String tree;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        List<ProcessSnapshot> table = Multiprocessing.processTable();
        if (tree != null) {
            table = table.stream().filter(p -> isInTree(p, tree)).collect(Collectors.toList());
            if (table.isEmpty()) {
                out.println("(no multiprocessing4j tree '" + tree + "' running)");
                out.flush();
                return 1;
            }
        }
        if (table.isEmpty()) {
            out.println("(no multiprocessing4j processes running)");
        } else {
            ProcessForest.render(table, Instant.now()).forEach(out::println);
        }
        out.flush();
        return 0;
    }

    /** A tree id is "mp4j-ROOTPID-ROOTTICKS", so the root's pid names the tree too. */
    private static boolean isInTree(ProcessSnapshot p, String tree) {
        return p.treeId().equals(tree) || p.treeId().startsWith("mp4j-" + tree + "-");
    }
}
