package io.github.multiprocessing4j.cli.ps;

import io.github.multiprocessing4j.Multiprocessing;
import io.github.multiprocessing4j.ProcessSnapshot;
import io.github.multiprocessing4j.cli.support.ProgressBar;
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
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * {@code mp4j ps}: the live process trees started with multiprocessing4j on this machine, each
 * child indented under its parent; with {@code --redis URL}, a cluster's worker agents and their
 * workers instead (never the URL's password: the server is shown as {@link Cluster#server()}).
 * {@code --watch} shows it again and again, {@code --json} as JSON for scripts ({@link PsJson}).
 */
@Command(name = "ps",
        description = {"Lists the live process trees started with multiprocessing4j on this machine.",
                "Each child is indented under its parent; only processes you may see are listed. PPID of a tree's"
                        + " root is the process that launched it (a shell, an IDE). STATE is the library's view"
                        + " (booting: started, its JVM not running the target yet; running; exiting) and the system's"
                        + " state letter (R running, S sleeping, Z zombie, ...); RSS is the resident memory.",
                "With --redis: the worker agents of a cluster (on any machine) and their workers.",
                "--json prints one JSON object instead (schema mp4j-ps/1, or mp4j-ps-cluster/1 with --redis; see"
                        + " docs/PS.md): per process pid, ppid, name, state, osState, daemon, startMethod (warm,"
                        + " cold, or null for a root), startedAt, rssBytes, orphan and its children. With --watch,"
                        + " one object per line (JSON Lines)."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:listed (maybe nothing); with --watch --tree: the tree has ended",
                "1:--tree named no running tree, or the server cannot be reached", "2:wrong usage"})
public final class PsCommand implements Callable<Integer> {
    private static final String CLEAR_SCREEN = "\033[H\033[2J"; // home, clear: the table stays in place

    @Spec
    private CommandSpec spec;

    @Option(names = "--tree", paramLabel = "ID",
            description = "Show only this tree: its id (mp4j-PID-TICKS) or the pid of its root process. With --watch:"
                    + " until the tree has ended.")
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
            description = "Follow live: show the table again every SECONDS (0.1..3600, default 2) until interrupted"
                    + " (Ctrl-C), redrawn in place on a terminal, else one after the other, a blank line between.")
    private Double watchSeconds;

    @Option(names = "--count", paramLabel = "N", description = "With --watch: stop after N tables.")
    private Integer count;

    @Option(names = "--json", description = "Print JSON instead of a table (see above).")
    private boolean json;

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
        if (count != null && (watchSeconds == null || count < 1)) {
            throw new ParameterException(spec.commandLine(), watchSeconds == null ? "--count needs --watch"
                    : "--count must be at least 1, not " + count);
        }
        if (redis == null) {
            return repeat(this::showLocal);
        }
        try (Cluster cluster = RedisUrl.clusterBuilder(spec.commandLine(), redis, prefix).connect()) {
            return repeat(out -> showCluster(cluster, out));
        }
    }

    /**
     * What one look showed.
     *
     * @param exitCode the exit code of a command that looks once
     * @param treeFound with --tree: whether the tree was there
     */
    private record Look(int exitCode, boolean treeFound) {
    }

    /**
     * Shows the table once, or with --watch again and again: until interrupted, --count tables
     * were shown, or the tree followed with --tree has ended.
     */
    private int repeat(Function<PrintWriter, Look> show) throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        if (watchSeconds == null) {
            int code = show.apply(out).exitCode();
            out.flush();
            return code;
        }
        boolean redraw = !json && ProgressBar.outputIsTerminal();
        boolean treeSeen = false;
        for (int shown = 1; ; shown++) {
            if (redraw) {
                out.print(CLEAR_SCREEN);
            }
            if (!json) {
                out.println(Instant.now().truncatedTo(ChronoUnit.SECONDS) + " (every " + watchSeconds + " s"
                        + (count != null ? ", " + shown + " of " + count + ")" : "; Ctrl-C ends)"));
            }
            Look look;
            try {
                look = show.apply(out);
            } catch (ClusterException e) { // a server restarting: watch on
                PrintWriter say = json ? spec.commandLine().getErr() : out; // JSON Lines stay JSON
                say.println("(" + e.getMessage() + "; trying again)");
                say.flush();
                look = new Look(1, false);
            }
            if (!json) {
                out.println();
            }
            out.flush();
            treeSeen |= tree != null && look.treeFound();
            if (treeSeen && !look.treeFound()) {
                return 0; // the tree followed has ended; its last look said so
            }
            if (count != null && shown >= count) {
                return look.exitCode();
            }
            Thread.sleep(Math.round(watchSeconds * 1000));
        }
    }

    private Look showCluster(Cluster cluster, PrintWriter out) {
        List<AgentStatus> agents = AgentStatus.list(cluster);
        Optional<List<String>> forgotten = forgetLost ? Optional.of(AgentStatus.forgetLost(cluster)) : Optional.empty();
        if (json) {
            out.println(PsJson.cluster(cluster.server(), cluster.prefix(), agents, forgotten, Instant.now()));
            return new Look(0, true);
        }
        out.println("cluster " + cluster.server() + ", prefix " + cluster.prefix() + ": " + ClusterTable.summary(agents));
        if (agents.isEmpty()) {
            out.println("(no worker agents registered: start one with 'mp4j worker --redis URL')");
        } else {
            ClusterTable.render(agents, Instant.now()).forEach(out::println);
        }
        forgotten.ifPresent(ids -> out.println(ids.isEmpty() ? "(no lost agents to forget)"
                : "forgot the lost agents " + String.join(", ", ids)));
        return new Look(0, true);
    }

    private Look showLocal(PrintWriter out) {
        List<ProcessSnapshot> table = Multiprocessing.processTable();
        if (tree != null) {
            table = table.stream().filter(p -> isInTree(p, tree)).collect(Collectors.toList());
        }
        Instant now = Instant.now();
        List<ProcessForest.Tree> trees = ProcessForest.arrange(table, PsCommand::launcherOf);
        boolean missing = tree != null && table.isEmpty();
        if (json) {
            out.println(PsJson.local(trees, now));
        } else if (missing) {
            out.println("(no multiprocessing4j tree '" + tree + "' running)");
        } else if (table.isEmpty()) {
            out.println("(no multiprocessing4j processes running)");
        } else {
            ProcessForest.render(trees, now).forEach(out::println);
        }
        return new Look(missing ? 1 : 0, !missing);
    }

    /** @return the pid of the process that launched a tree's root: its parent in the system */
    private static OptionalLong launcherOf(long rootPid) {
        Optional<ProcessHandle> parent = ProcessHandle.of(rootPid).flatMap(ProcessHandle::parent);
        return parent.isPresent() ? OptionalLong.of(parent.get().pid()) : OptionalLong.empty();
    }

    /** A tree id is "mp4j-ROOTPID-ROOTTICKS", so the root's pid names the tree too. */
    private static boolean isInTree(ProcessSnapshot p, String tree) {
        return p.treeId().equals(tree) || p.treeId().startsWith("mp4j-" + tree + "-");
    }
}
