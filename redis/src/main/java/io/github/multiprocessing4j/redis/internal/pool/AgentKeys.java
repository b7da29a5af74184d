package io.github.multiprocessing4j.redis.internal.pool;

import io.github.multiprocessing4j.redis.internal.connection.ClusterConnection;

/**
 * The keys through which pools and worker agents meet, all in the hash slot of {@code {agents}}
 * under the cluster's prefix (with the default prefix {@code mp4j}):
 * <pre>
 *   mp4j:agent:{agents}:ids                 SET    the ids of the registered agents ("host:pid")
 *   mp4j:agent:{agents}:info:ID             HASH   host, pid, processes, busy, state (running | stopping),
 *                                                  started, heartbeat (epoch ms), tasks (chunks its workers answered)
 *   mp4j:agent:{agents}:lease:ID            STRING the agent's lease, PX the cluster's lease time, renewed
 *                                                  every third of it; gone = the agent is lost
 *   mp4j:agent:{agents}:placements          LIST   placement requests of every pool; an agent with a free slot pops
 *   mp4j:agent:{agents}:control:ID          LIST   requests to one agent: "K|pool|worker" (kill that worker)
 *   mp4j:agent:{agents}:workers:ID          SET    status keys of the agent's workers
 *   mp4j:agent:{agents}:worker:ID:POOL:N    HASH   pool, worker, name, pid, state (running | exited), exit,
 *                                                  tasks, started, ended (epoch ms); kept 60 s after the exit
 * </pre>
 * A pool's own keys are in its slot: {@code mp4j:pool:{POOL}:lease} (its lease: agents kill the
 * workers of a pool whose lease is gone), {@code :events} (the agents' reports: "S|worker|pid|agent|host"
 * started, "E|worker|exit code|failure" ended), {@code :ch-N} (its channels: the results and each inbox).
 */
public final class AgentKeys {
    private static final String KIND = "agent";
    private static final String NAME = "agents";
    private final ClusterConnection connection;

    public AgentKeys(ClusterConnection connection) {
        this.connection = connection;
    }

    public String ids() {
        return connection.key(KIND, NAME, "ids");
    }

    public String info(String agent) {
        return connection.key(KIND, NAME, "info:" + agent);
    }

    public String lease(String agent) {
        return connection.key(KIND, NAME, "lease:" + agent);
    }

    public String placements() {
        return connection.key(KIND, NAME, "placements");
    }

    public String control(String agent) {
        return connection.key(KIND, NAME, "control:" + agent);
    }

    public String workers(String agent) {
        return connection.key(KIND, NAME, "workers:" + agent);
    }

    public String worker(String agent, String pool, int worker) {
        return connection.key(KIND, NAME, "worker:" + agent + ":" + pool + ":" + worker);
    }

    /** @return the key of a pool's part: {@code lease}, {@code events}, {@code ch-N} */
    public String pool(String pool, String part) {
        return connection.key("pool", pool, part);
    }
}
