package io.github.multiprocessing4j.cli.ps;

import io.github.multiprocessing4j.Multiprocessing;
import io.github.multiprocessing4j.ProcessSnapshot;
import io.github.multiprocessing4j.cli.support.RedisUrl;
import io.github.multiprocessing4j.redis.AgentStatus;
import io.github.multiprocessing4j.redis.Cluster;
import io.github.multiprocessing4j.redis.ClusterException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/**
 * {@code mp4j ps}: the live process trees started with multiprocessing4j on this machine, each
 * child indented under its parent; with {@code --redis URL}, a cluster's worker agents and their
 * workers instead (never the URL's password: the server is shown as {@link Cluster#server()}).
 */
@Command(name = "ps",
        description = {"Lists the live process trees started with multiprocessing4j on this machine.",
                "Each child is indented under its parent; only processes you may see are listed. STATE is the "
                        + "library's view and the system's state letter (R running, S sleeping, Z zombie, ...); "
                        + "RSS is the resident memory.",
                "With --redis: the worker agents of a cluster (on any machine) and their workers."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:listed (maybe nothing)", "1:--tree named no running tree, or the server cannot be reached",
                "2:wrong usage"})
public final class PsCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Option(names = "--tree", paramLabel = "ID",
            description = "Show only this tree: its id (mp4j-PID-TICKS) or the pid of its root process.")
    private String tree;

    @Option(names = "--redis", paramLabel = "URL", arity = "0..1", fallbackValue = RedisUrl.FROM_ENVIRONMENT,
            description = {"Show a cluster's worker agents and their workers instead: host, pid, state (running, "
                    + "stopping, or lost when its lease ran out), busy/processes, tasks done, last heartbeat.",
                    "--redis without a URL: the URL in the environment variable " + RedisUrl.VARIABLE + "."})
    private String redis;

    @Option(names = "--prefix", paramLabel = "P", description = "With --redis: the cluster's key prefix (default: mp4j).")
    private String prefix;

    @Option(names = "--forget-lost", description = "With --redis: remove the lost agents from the server (after "
            + "listing them).")
    private boolean forgetLost;

    @Option(names = "--watch", paramLabel = "SECONDS", arity = "0..1", fallbackValue = "2",
            description = "Show the table again every SECONDS (default 2) until interrupted (Ctrl-C).")
    private Double watchSeconds;

    @Override
    public Integer call() throws InterruptedException {
        if (redis == null && (prefix != null || forgetLost)) {
            throw new ParameterException(spec.commandLine(), (prefix != null ? "--prefix" : "--forget-lost")
                    + " needs --redis");
        }
        if (redis != null && tree != null) {
            throw new ParameterException(spec.commandLine(), "--tree is for this machine's trees, not with --redis");
        }
        if (watchSeconds != null && !(watchSeconds >= 0.1 && watchSeconds <= 3600)) {
            throw new ParameterException(spec.commandLine(), "--watch must be 0.1 to 3600 seconds, not " + watchSeconds);
        }
        if (redis == null) {
            return repeat(this::showLocal);
        }
        try (Cluster cluster = RedisUrl.clusterBuilder(spec.commandLine(), redis, prefix).connect()) {
            return repeat(out -> showCluster(cluster, out));
        }
    }

    /** Shows the table once, or with --watch again and again until interrupted. */
    private int repeat(java.util.function.ToIntFunction<PrintWriter> show) throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        if (watchSeconds == null) {
            int code = show.applyAsInt(out);
            out.flush();
            return code;
        }
        boolean terminal = System.console() != null;
        while (true) {
            if (terminal) {
                out.print("\033[H\033[2J"); // home, clear screen: the table stays in place
            }
            out.println(Instant.now().truncatedTo(ChronoUnit.SECONDS) + " (every " + watchSeconds + " s; Ctrl-C ends)");
            try {
                show.applyAsInt(out);
            } catch (ClusterException e) {
                out.println("(" + e.getMessage() + "; trying again)"); // a server restarting: watch on
            }
            out.println();
            out.flush();
            Thread.sleep(Math.round(watchSeconds * 1000));
        }
    }

    private int showCluster(Cluster cluster, PrintWriter out) {
        List<AgentStatus> agents = AgentStatus.list(cluster);
        out.println("cluster " + cluster.server() + ", prefix " + cluster.prefix() + ": " + ClusterTable.summary(agents));
        if (agents.isEmpty()) {
            out.println("(no worker agents registered: start one with 'mp4j worker --redis URL')");
        } else {
            ClusterTable.render(agents, Instant.now()).forEach(out::println);
        }
        if (forgetLost) {
            List<String> forgotten = AgentStatus.forgetLost(cluster);
            out.println(forgotten.isEmpty() ? "(no lost agents to forget)" : "forgot the lost agents " + String.join(", ", forgotten));
        }
        return 0;
    }

    private int showLocal(PrintWriter out) {
        List<ProcessSnapshot> table = Multiprocessing.processTable();
        if (tree != null) {
            table = table.stream().filter(p -> isInTree(p, tree)).collect(Collectors.toList());
            if (table.isEmpty()) {
                out.println("(no multiprocessing4j tree '" + tree + "' running)");
                return 1;
            }
        }
        if (table.isEmpty()) {
            out.println("(no multiprocessing4j processes running)");
        } else {
            ProcessForest.render(table, Instant.now()).forEach(out::println);
        }
        return 0;
    }

    /** A tree id is "mp4j-ROOTPID-ROOTTICKS", so the root's pid names the tree too. */
    private static boolean isInTree(ProcessSnapshot p, String tree) {
        return p.treeId().equals(tree) || p.treeId().startsWith("mp4j-" + tree + "-");
    }
}
