package io.github.multiprocessing4j.cli.ps;

import io.github.multiprocessing4j.ProcessSnapshot;
import io.github.multiprocessing4j.redis.AgentStatus;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * {@code mp4j ps --json}: the process trees, or a cluster's agents, as one JSON object on one
 * line, for scripts. The schemas are documented in {@code docs/PS.md}; a field is added, never
 * renamed or removed, without changing the {@code schema} string.
 *
 * <pre>
 * {"schema":"mp4j-ps/1","time":"...","trees":[{"id":"mp4j-4242-1834567","processes":[
 *   {"pid":4242,"ppid":4100,"name":"MainProcess","state":"running","osState":"S","daemon":false,
 *    "startMethod":null,"startedAt":"...","rssBytes":52428800,"orphan":false,"children":[...]}]}]}
 *
 * {"schema":"mp4j-ps-cluster/1","time":"...","server":"redis://h:6379/0","prefix":"mp4j","agents":[
 *   {"id":"vm-a:16803","host":"vm-a","pid":16803,"state":"running","processes":2,"busy":1,"tasks":10,
 *    "startedAt":"...","heartbeatAt":"...","workers":[{"pid":16866,"name":"PoolWorker-1",
 *    "pool":"152e7ece","worker":1,"tasks":6,"startedAt":"..."}]}]}
 * </pre>
 *
 * <p>Implementation notes. Written by hand, a few dozen lines, rather than with a JSON library:
 * the command's jar stays free of another dependency. Times are ISO-8601 instants in UTC with
 * millisecond precision; a value the system does not tell is {@code null}, never left out.
 */
public final class PsJson {
    /** The schema of the local process trees. */
    public static final String LOCAL_SCHEMA = "mp4j-ps/1";
    /** The schema of a cluster's agents. */
    public static final String CLUSTER_SCHEMA = "mp4j-ps-cluster/1";

    private PsJson() {
    }

    /**
     * Writes the local process trees as JSON.
     *
     * @param trees the trees, from {@link ProcessForest#arrange}
     * @param now the moment of the snapshot
     * @return one JSON object, on one line
     */
    public static String local(List<ProcessForest.Tree> trees, Instant now) {
        StringBuilder json = new StringBuilder("{\"schema\":").append(string(LOCAL_SCHEMA))
                .append(",\"time\":").append(time(now)).append(",\"trees\":[");
        for (int i = 0; i < trees.size(); i++) {
            ProcessForest.Tree tree = trees.get(i);
            json.append(i == 0 ? "" : ",").append("{\"id\":").append(string(tree.id())).append(",\"processes\":");
            nodes(json, tree.tops());
            json.append('}');
        }
        return json.append("]}").toString();
    }

    private static void nodes(StringBuilder json, List<ProcessForest.Node> nodes) {
        json.append('[');
        for (int i = 0; i < nodes.size(); i++) {
            ProcessForest.Node node = nodes.get(i);
            ProcessSnapshot p = node.process();
            json.append(i == 0 ? "" : ",")
                    .append("{\"pid\":").append(p.pid())
                    .append(",\"ppid\":").append(node.parentPid() > 0 ? Long.toString(node.parentPid()) : "null")
                    .append(",\"name\":").append(string(p.name()))
                    .append(",\"state\":").append(string(p.state()))
                    .append(",\"osState\":").append(p.osState().map(PsJson::string).orElse("null"))
                    .append(",\"daemon\":").append(p.daemon())
                    .append(",\"startMethod\":").append(p.startMethod()
                            .map(m -> string(m.name().toLowerCase(Locale.ROOT))).orElse("null"))
                    .append(",\"startedAt\":").append(p.startTime().map(PsJson::time).orElse("null"))
                    .append(",\"rssBytes\":").append(number(p.residentBytes()))
                    .append(",\"orphan\":").append(node.orphan())
                    .append(",\"children\":");
            nodes(json, node.children());
            json.append('}');
        }
        json.append(']');
    }

    /**
     * Writes a cluster's agents as JSON.
     *
     * @param server the server, without its password ({@code Cluster#server()})
     * @param prefix the cluster's key prefix
     * @param agents the agents, from {@link AgentStatus#list}
     * @param forgotten with {@code --forget-lost}: the ids of the agents removed, else empty
     * @param now the moment of the snapshot
     * @return one JSON object, on one line
     */
    public static String cluster(String server, String prefix, List<AgentStatus> agents, Optional<List<String>> forgotten,
                                 Instant now) {
        StringBuilder json = new StringBuilder("{\"schema\":").append(string(CLUSTER_SCHEMA))
                .append(",\"time\":").append(time(now)).append(",\"server\":").append(string(server))
                .append(",\"prefix\":").append(string(prefix)).append(",\"agents\":[");
        for (int i = 0; i < agents.size(); i++) {
            AgentStatus a = agents.get(i);
            json.append(i == 0 ? "" : ",")
                    .append("{\"id\":").append(string(a.id()))
                    .append(",\"host\":").append(string(a.host()))
                    .append(",\"pid\":").append(a.pid())
                    .append(",\"state\":").append(string(a.state().toString()))
                    .append(",\"processes\":").append(a.processes())
                    .append(",\"busy\":").append(a.busy())
                    .append(",\"tasks\":").append(a.tasks())
                    .append(",\"startedAt\":").append(time(a.started()))
                    .append(",\"heartbeatAt\":").append(time(a.heartbeat()))
                    .append(",\"workers\":[");
            for (int w = 0; w < a.workers().size(); w++) {
                AgentStatus.Worker worker = a.workers().get(w);
                json.append(w == 0 ? "" : ",")
                        .append("{\"pid\":").append(worker.pid())
                        .append(",\"name\":").append(string(worker.name()))
                        .append(",\"pool\":").append(string(worker.pool()))
                        .append(",\"worker\":").append(worker.worker())
                        .append(",\"tasks\":").append(worker.tasks())
                        .append(",\"startedAt\":").append(time(worker.started()))
                        .append('}');
            }
            json.append("]}");
        }
        json.append(']');
        forgotten.ifPresent(ids -> {
            json.append(",\"forgotten\":[");
            for (int i = 0; i < ids.size(); i++) {
                json.append(i == 0 ? "" : ",").append(string(ids.get(i)));
            }
            json.append(']');
        });
        return json.append('}').toString();
    }

    private static String time(Instant instant) {
        return instant == null ? "null" : string(instant.truncatedTo(ChronoUnit.MILLIS).toString());
    }

    private static String number(OptionalLong value) {
        return value.isPresent() ? Long.toString(value.getAsLong()) : "null";
    }

    /** @return {@code text} as a JSON string: quoted, with quotes, backslashes and control characters escaped */
    static String string(String text) {
        StringBuilder quoted = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> quoted.append("\\\"");
                case '\\' -> quoted.append("\\\\");
                case '\n' -> quoted.append("\\n");
                case '\r' -> quoted.append("\\r");
                case '\t' -> quoted.append("\\t");
                default -> {
                    if (c < 0x20) {
                        quoted.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        quoted.append(c);
                    }
                }
            }
        }
        return quoted.append('"').toString();
    }
}
