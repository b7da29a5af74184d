package io.github.multiprocessing4j.cli.ps;

import io.github.multiprocessing4j.redis.AgentStatus;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Lays out a cluster's worker agents for {@code mp4j ps --redis}: one line per agent, its
 * running workers indented under it. A lost agent's workers are shown as lost too: the server
 * still names them, but their pools count them as dead.
 */
public final class ClusterTable {
    private static final String[] HEADER = {"HOST", "PID", "NAME", "STATE", "BUSY", "TASKS", "HEARTBEAT", "AGE"};
    private static final boolean[] RIGHT_ALIGNED = {false, true, false, false, true, true, true, true};
    private static final String BRANCH = "\\_ ";

    private ClusterTable() {
    }

    /**
     * @param agents the agents, as {@link AgentStatus#list} reads them
     * @param now the moment ages are counted to
     * @return the lines to print: a header, then one line per agent and per worker
     */
    public static List<String> render(List<AgentStatus> agents, Instant now) {
        List<String[]> rows = new ArrayList<>();
        rows.add(HEADER);
        for (AgentStatus a : agents) {
            rows.add(new String[] {a.host(), Long.toString(a.pid()), "worker agent", a.state().toString(),
                a.busy() + "/" + a.processes(), Long.toString(a.tasks()), heartbeat(Duration.between(a.heartbeat(), now)),
                ProcessForest.age(Duration.between(a.started(), now))});
            String workerState = a.state() == AgentStatus.State.LOST ? "lost" : "running";
            for (AgentStatus.Worker w : a.workers()) {
                rows.add(new String[] {a.host(), Long.toString(w.pid()), BRANCH + w.name() + " (pool " + w.pool() + ")",
                    workerState, "", Long.toString(w.tasks()), "", ProcessForest.age(Duration.between(w.started(), now))});
            }
        }
        return ProcessForest.align(rows, RIGHT_ALIGNED);
    }

    /** @return "busy 3/16 in 2 agents (1 lost)": the line under the table */
    public static String summary(List<AgentStatus> agents) {
        int busy = 0;
        int processes = 0;
        long lost = 0;
        for (AgentStatus a : agents) {
            if (a.state() == AgentStatus.State.LOST) {
                lost++;
            } else {
                busy += a.busy();
                processes += a.processes();
            }
        }
        return agents.size() + (agents.size() == 1 ? " agent" : " agents") + (lost > 0 ? " (" + lost + " lost)" : "")
                + ", " + busy + " of " + processes + " processes busy";
    }

    /** @return a heartbeat's age in tenths of a second up to a minute ("0.4s ago"), then as an age */
    static String heartbeat(Duration age) {
        long millis = Math.max(0, age.toMillis());
        return millis < 60_000 ? String.format(Locale.ROOT, "%.1fs ago", millis / 1000.0)
                : ProcessForest.age(age) + " ago";
    }
}
