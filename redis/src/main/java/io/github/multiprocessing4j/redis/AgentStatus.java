package io.github.multiprocessing4j.redis;

import io.github.multiprocessing4j.redis.internal.connection.ClusterConnection;
import io.github.multiprocessing4j.redis.internal.pool.AgentKeys;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * One worker agent of a cluster as the server knows it: what {@code mp4j ps --redis URL} shows.
 * A snapshot, read by {@link #list(Cluster)}; it never holds credentials.
 *
 * @param id the agent's id, {@code host:pid}
 * @param host the machine's host name, as the agent saw it
 * @param pid the agent's process id on its machine
 * @param state {@link State#RUNNING}, {@link State#STOPPING} (closing: its workers are being
 *     killed), or {@link State#LOST}: its lease ran out (killed, machine gone, cut off) while it
 *     was still registered
 * @param processes how many workers it runs at most
 * @param busy how many of its slots ran a worker at its last heartbeat
 * @param tasks the task chunks its workers answered, ended and running workers together
 * @param started when it registered
 * @param heartbeat its last heartbeat (it beats every third of the cluster's lease time)
 * @param workers its running workers (for a lost agent: those it ran when it was lost)
 */
public record AgentStatus(String id, String host, long pid, State state, int processes, int busy, long tasks,
                          Instant started, Instant heartbeat, List<Worker> workers) {

    /** An agent's state. */
    public enum State {
        /** Registered, its lease renewed. */
        RUNNING,
        /** Closing: killing its workers before it unregisters. */
        STOPPING,
        /** Registered, but its lease ran out: its workers count as dead to their pools. */
        LOST;

        /** {@return the state in lower case, as {@code mp4j ps} shows it} */
        @Override
        public String toString() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * A worker process that an agent runs for a pool.
     *
     * @param pool the pool's id on the server
     * @param worker the worker's number in its pool
     * @param name the worker's process name
     * @param pid its process id on the agent's machine
     * @param tasks the task chunks it answered
     * @param started when it started
     */
    public record Worker(String pool, int worker, String name, long pid, long tasks, Instant started) {
    }

    /**
     * Makes a status from what the server holds; {@link #list} is what calls it.
     *
     * @param id the agent's id, {@code host:pid}
     * @param host the machine's host name
     * @param pid the agent's process id
     * @param state the agent's state
     * @param processes how many workers it runs at most
     * @param busy how many of its slots ran a worker at its last heartbeat
     * @param tasks the task chunks its workers answered
     * @param started when it registered
     * @param heartbeat its last heartbeat
     * @param workers its running workers (copied)
     * @throws NullPointerException when {@code id}, {@code state} or {@code workers} is null
     */
    public AgentStatus {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(state, "state");
        workers = List.copyOf(workers);
    }

    /**
     * Reads the agents registered on the cluster (under its prefix), with their workers, sorted by
     * host and pid. Agents that unregistered (closed) are not there; agents that died without
     * closing stay, as {@link State#LOST}, until {@link #forgetLost} removes them. Blocks for a
     * few round trips to the server.
     *
     * @param cluster the cluster whose agents to read (its prefix names them)
     * @return the agents, sorted by host and pid; empty when none is registered
     * @throws ClusterException when the server cannot be reached within the cluster's timeout
     */
    public static List<AgentStatus> list(Cluster cluster) {
        ClusterConnection connection = cluster.connection();
        AgentKeys keys = new AgentKeys(connection);
        return connection.server().call("list the worker agents", j -> {
            Set<String> ids = new TreeSet<>(j.smembers(keys.ids()));
            Pipeline p = j.pipelined();
            Map<String, Response<Map<String, String>>> infos = new LinkedHashMap<>();
            Map<String, Response<Boolean>> leases = new LinkedHashMap<>();
            Map<String, Response<Set<String>>> workerKeys = new LinkedHashMap<>();
            for (String id : ids) {
                infos.put(id, p.hgetAll(keys.info(id)));
                leases.put(id, p.exists(keys.lease(id)));
                workerKeys.put(id, p.smembers(keys.workers(id)));
            }
            p.sync();
            Pipeline q = j.pipelined();
            Map<String, List<Response<Map<String, String>>>> workerInfos = new LinkedHashMap<>();
            for (String id : ids) {
                List<Response<Map<String, String>>> each = new ArrayList<>();
                for (String key : new TreeSet<>(workerKeys.get(id).get())) {
                    each.add(q.hgetAll(key));
                }
                workerInfos.put(id, each);
            }
            q.sync();
            List<AgentStatus> agents = new ArrayList<>();
            for (String id : ids) {
                Map<String, String> info = infos.get(id).get();
                if (info.isEmpty()) {
                    continue; // unregistering right now
                }
                List<Worker> workers = new ArrayList<>();
                long tasks = number(info.get("tasks"));
                for (Response<Map<String, String>> w : workerInfos.get(id)) {
                    Map<String, String> wi = w.get();
                    if (wi.isEmpty() || !"running".equals(wi.get("state"))) {
                        continue; // ended meanwhile: its tasks are in the agent's count
                    }
                    long workerTasks = number(wi.get("tasks"));
                    tasks += workerTasks;
                    workers.add(new Worker(wi.getOrDefault("pool", "?"), (int) number(wi.get("worker")),
                            wi.getOrDefault("name", ""), number(wi.get("pid")), workerTasks, instant(wi.get("started"))));
                }
                workers.sort(Comparator.comparing(Worker::pool).thenComparing(Worker::worker));
                State state = !leases.get(id).get() ? State.LOST
                        : "stopping".equals(info.get("state")) ? State.STOPPING : State.RUNNING;
                agents.add(new AgentStatus(id, info.getOrDefault("host", "?"), number(info.get("pid")), state,
                        (int) number(info.get("processes")), (int) number(info.get("busy")), tasks,
                        instant(info.get("started")), instant(info.get("heartbeat")), workers));
            }
            agents.sort(Comparator.comparing(AgentStatus::host).thenComparing(AgentStatus::pid));
            return agents;
        });
    }

    /**
     * Removes the registrations of the agents whose lease ran out (lost: killed or cut off),
     * with their workers' status; an agent that renews its lease meanwhile is left alone, and
     * one that comes back after being forgotten registers again at its next heartbeat. Blocks
     * for a few round trips.
     *
     * @param cluster the cluster whose lost agents to forget (its prefix names them)
     * @return the ids of the agents forgotten
     * @throws ClusterException when the server cannot be reached within the cluster's timeout
     */
    public static List<String> forgetLost(Cluster cluster) {
        ClusterConnection connection = cluster.connection();
        AgentKeys keys = new AgentKeys(connection);
        List<String> forgotten = new ArrayList<>();
        for (AgentStatus agent : list(cluster)) {
            if (agent.state() != State.LOST) {
                continue;
            }
            Object removed = connection.server().call("forget the lost worker agent " + agent.id(), j -> j.eval(
                    FORGET_IF_LOST, List.of(keys.lease(agent.id()), keys.ids(), keys.info(agent.id()),
                            keys.workers(agent.id()), keys.control(agent.id())), List.of(agent.id())));
            if (Long.valueOf(1).equals(removed)) {
                forgotten.add(agent.id());
            }
        }
        return forgotten;
    }

    /**
     * KEYS: lease, ids, info, workers, control; ARGV: the agent's id. Removes the agent only when
     * its lease is still gone, atomically with that check. Its workers' status keys are named in
     * its workers set (same hash slot, {@code {agents}}).
     */
    private static final String FORGET_IF_LOST = """
            if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
            local workers = redis.call('SMEMBERS', KEYS[4])
            for _, key in ipairs(workers) do redis.call('DEL', key) end
            redis.call('SREM', KEYS[2], ARGV[1])
            redis.call('DEL', KEYS[3], KEYS[4], KEYS[5])
            return 1
            """;

    private static long number(String s) {
        if (s == null) {
            return 0;
        }
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static Instant instant(String epochMillis) {
        return Instant.ofEpochMilli(number(epochMillis));
    }
}
