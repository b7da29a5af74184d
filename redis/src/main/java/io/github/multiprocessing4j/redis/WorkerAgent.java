package io.github.multiprocessing4j.redis;

import io.github.multiprocessing4j.redis.internal.pool.AgentKeys;
import io.github.multiprocessing4j.redis.internal.connection.ClusterConnection;
import io.github.multiprocessing4j.redis.internal.connection.ServerAddress;
import io.github.multiprocessing4j.redis.internal.pool.WorkerAgentCore;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A worker agent: stands for one machine in a cluster and runs the workers of the cluster's
 * process pools ({@code ProcessPool.builder().cluster(cluster)}) on it, as its own child
 * processes, up to a number of slots. Run one on every machine that should work, with the
 * application's classes on its class path: {@code mp4j worker --redis URL --processes 8
 * --class-path app.jar}, or {@link #main}, or {@link #builder}{@code (url)...start()} from a program.
 *
 * <p>What it does: registers itself on the server and renews a lease (every third of the
 * cluster's lease time); takes placement requests of any pool while it has a free slot; starts
 * each worker as a daemonic child process (so its workers die with it, however it dies) and
 * reports the worker's pid and, later, its exit to the pool; kills a worker when its pool
 * asks, or when its pool's own lease is gone (the program that made the pool died). A pool counts
 * the workers of an agent whose lease ran out as dead (their tasks fail, or are retried
 * elsewhere). Workers deserialize everything they read through the agent's allow-list
 * ({@link Builder#allowClasses}) beside the library's own types, and run only the classes of the
 * agent's class path (they are started with the agent JVM's class path).
 *
 * <p>The server keys it writes (for {@code mp4j ps}) are described in {@code AgentKeys}: the set
 * {@code PREFIX:agent:{agents}:ids}, and per agent the hash {@code ...:info:ID} (host, pid,
 * processes, busy, state, started, heartbeat, tasks), the lease {@code ...:lease:ID}, the set
 * {@code ...:workers:ID} of its workers' status hashes {@code ...:worker:ID:POOL:N} (pool,
 * worker, name, pid, state, exit, tasks, started, ended).
 *
 * <p>Thread-safe. {@link #close()} kills its workers (their pools see them die) and unregisters.
 */
public final class WorkerAgent implements AutoCloseable {
    private final Cluster cluster;
    private final WorkerAgentCore core;

    private WorkerAgent(Cluster cluster, WorkerAgentCore core) {
        this.cluster = cluster;
        this.core = core;
    }

    /**
     * Starts the options of an agent on the server at {@code url}; {@link Builder#start()} starts
     * it. The URL, password included, is also given to the workers, in their environment, so that
     * they connect.
     *
     * @param url the server: {@code redis[s]://[[user]:password@]host[:port][/db]}
     * @return a builder with the default options
     * @throws IllegalArgumentException when the URL is not a {@code redis://} or {@code rediss://} URL
     */
    public static Builder builder(String url) {
        return new Builder(url);
    }

    /** {@return the agent's id on the server: {@code host:pid}} */
    public String id() {
        return core.id();
    }

    /** {@return how many workers it runs at most} */
    public int processes() {
        return core.processes();
    }

    /** {@return how many of its slots run a worker now} */
    public int busy() {
        return core.busy();
    }

    /**
     * Kills the agent's workers, waits for their ends (up to a few seconds), unregisters the
     * agent and closes its connection. Idempotent.
     */
    @Override
    public void close() {
        core.close();
        cluster.close();
    }

    /**
     * Blocks until {@link #close()} has been called.
     *
     * @throws InterruptedException when interrupted while waiting; the agent keeps running
     */
    public void awaitClose() throws InterruptedException {
        core.awaitClose();
    }

    @Override
    public String toString() {
        return "WorkerAgent[" + id() + ", " + processes() + " processes, " + cluster.server() + "]";
    }

    /**
     * Runs an agent until the JVM is told to end (SIGTERM, SIGINT: the agent closes first).
     * Arguments: {@code --redis URL} (else the environment variable {@code MP4J_REDIS_URL}),
     * {@code --processes N} (default: the machine's processors), {@code --allow PATTERN}
     * (repeatable, or comma-separated), {@code --prefix P}, {@code --lease-ms N}. Exits with 2
     * on bad arguments, 1 when the server cannot be reached.
     *
     * @param args the arguments, as above
     * @throws InterruptedException when the main thread is interrupted while the agent runs
     */
    public static void main(String[] args) throws InterruptedException {
        String url = System.getenv(ClusterConnection.URL_VARIABLE);
        int processes = Runtime.getRuntime().availableProcessors();
        List<String> allow = new ArrayList<>();
        String prefix = null;
        Duration lease = null;
        try {
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                String value = i + 1 < args.length ? args[i + 1] : null;
                switch (a) {
                    case "--redis" -> url = Objects.requireNonNull(value, "--redis needs a URL");
                    case "--processes" -> processes = Integer.parseInt(Objects.requireNonNull(value, "--processes needs a number"));
                    case "--allow" -> allow.addAll(Arrays.asList(Objects.requireNonNull(value, "--allow needs a pattern").split(",")));
                    case "--prefix" -> prefix = Objects.requireNonNull(value, "--prefix needs a prefix");
                    case "--lease-ms" -> lease = Duration.ofMillis(Long.parseLong(Objects.requireNonNull(value, "--lease-ms needs a number")));
                    default -> throw new IllegalArgumentException("unknown argument " + a);
                }
                i++;
            }
            if (url == null) {
                throw new IllegalArgumentException("no server: give --redis URL or set " + ClusterConnection.URL_VARIABLE);
            }
        } catch (RuntimeException e) {
            System.err.println("mp4j worker: " + (e.getMessage() == null ? e.toString() : ServerAddress.mask(e.getMessage())));
            System.exit(2);
            return;
        }
        Builder builder = builder(url).processes(processes).allowClasses(allow.toArray(new String[0]));
        if (prefix != null) {
            builder.prefix(prefix);
        }
        if (lease != null) {
            builder.leaseTime(lease);
        }
        WorkerAgent agent;
        try {
            agent = builder.start();
        } catch (ClusterException e) {
            System.err.println("mp4j worker: " + e.getMessage());
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(agent::close, "mp4j-agent-shutdown"));
        System.out.println("mp4j worker agent " + agent.id() + " on " + agent.cluster.server() + ": " + agent.processes()
                + " processes");
        agent.awaitClose();
    }

    /** Options of an agent; {@link #start()} starts it. */
    public static final class Builder {
        private final String url;
        private final Cluster.Builder cluster;
        private final List<String> allowed = new ArrayList<>();
        private int processes = Runtime.getRuntime().availableProcessors();

        private Builder(String url) {
            this.url = url;
            this.cluster = Cluster.builder(url);
        }

        /**
         * Sets how many workers it runs at most at once; default the machine's processors.
         *
         * @param processes the number of slots, at least 1
         * @return this builder
         * @throws IllegalArgumentException when below 1
         */
        public Builder processes(int processes) {
            if (processes < 1) {
                throw new IllegalArgumentException("an agent needs at least one process, not " + processes);
            }
            this.processes = processes;
            return this;
        }

        /**
         * Sets the key prefix: the application's (see {@link Cluster.Builder#prefix}).
         *
         * @param prefix 1 to 64 letters, digits, {@code _ . -}
         * @return this builder
         * @throws IllegalArgumentException for any other prefix
         */
        public Builder prefix(String prefix) {
            cluster.prefix(prefix);
            return this;
        }

        /**
         * Sets its lease time (see {@link Cluster.Builder#leaseTime}): pools see its workers dead
         * this long after it died.
         *
         * @param lease the lease time, at least 300 ms
         * @return this builder
         * @throws IllegalArgumentException when under 300 ms
         */
        public Builder leaseTime(Duration lease) {
            cluster.leaseTime(lease);
            return this;
        }

        /**
         * Sets the server's timeout (see {@link Cluster.Builder#timeout}).
         *
         * @param timeout the timeout, positive
         * @return this builder
         * @throws IllegalArgumentException when not positive
         */
        public Builder timeout(Duration timeout) {
            cluster.timeout(timeout);
            return this;
        }

        /**
         * Allows classes that the workers may deserialize beyond the library's and the JDK's
         * value types: the application's task, argument and result types, and the classes whose
         * lambdas are sent (see {@link Cluster.Builder#allowClasses}).
         *
         * @param patterns the class-name patterns to allow, added to those given before
         * @return this builder
         * @throws IllegalArgumentException for an empty pattern or one that rejects ({@code !})
         */
        public Builder allowClasses(String... patterns) {
            cluster.allowClasses(patterns);
            allowed.addAll(Arrays.asList(patterns));
            return this;
        }

        /**
         * Connects, registers the agent and starts taking placements. Blocks for up to the
         * timeout while connecting.
         *
         * @return the running agent, to be closed
         * @throws ClusterException when the server cannot be reached or refuses the credentials
         */
        public WorkerAgent start() {
            Cluster c = cluster.connect();
            try {
                return new WorkerAgent(c, WorkerAgentCore.start(c.connection(), new AgentKeys(c.connection()), url, processes,
                        allowed));
            } catch (RuntimeException e) {
                c.close();
                throw e;
            }
        }
    }
}
