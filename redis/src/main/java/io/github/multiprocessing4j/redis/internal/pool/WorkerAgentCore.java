package io.github.multiprocessing4j.redis.internal.pool;

import io.github.multiprocessing4j.redis.internal.connection.ClusterConnection;
import io.github.multiprocessing4j.redis.internal.connection.Server;

import io.github.multiprocessing4j.ChildProcess;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.params.SetParams;
import redis.clients.jedis.util.KeyValue;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The working part of a {@link io.github.multiprocessing4j.redis.WorkerAgent}; the key layout is
 * {@link AgentKeys}'s.
 *
 * <p>Implementation notes. Three kinds of threads: the placement thread blocks in one
 * {@code BLPOP} on the agent's control list and, while a slot is free, the shared placements list
 * (the control list first: a kill is never stuck behind placements); the renewal thread (the
 * connection's) renews the agent's lease and heartbeat every third of the lease time, and every
 * {@value #POOL_CHECK_MILLIS} ms checks the leases of the pools whose workers run here; one
 * watcher thread per worker waits for its exit and reports it. A worker is a daemonic child: when
 * the agent dies in any way, its lifeline ends the workers within a second; and the pool learns
 * it from the agent's lease running out. A placement the agent takes while it closes goes back to
 * the head of the list for another agent ({@link #giveBack}); one whose {@code BLPOP} answer a
 * broken connection lost (the agent killed in that moment) is gone, and its pool counts that
 * worker as lost once it has been neither placed nor started for three leases ({@code RedisPool}).
 */
public final class WorkerAgentCore {
    private static final System.Logger LOG = System.getLogger(WorkerAgentCore.class.getName());
    static final long POOL_CHECK_MILLIS = 250;
    private static final long EXITED_KEPT_MILLIS = 60_000;

    private final ClusterConnection connection;
    private final AgentKeys keys;
    private final String url;
    private final int processes;
    private final List<String> allowed;
    private final String host;
    private final String id;
    private final Map<String, Running> running = new ConcurrentHashMap<>();
    private final CountDownLatch closed = new CountDownLatch(1);
    private final Thread placer;
    private volatile boolean closing;
    private ScheduledExecutorService timers;

    /** A worker this agent started. */
    private record Running(String pool, int worker, String statusKey, ChildProcess process) {
    }

    private WorkerAgentCore(ClusterConnection connection, AgentKeys keys, String url, int processes, List<String> allowed) {
        this.connection = connection;
        this.keys = keys;
        this.url = url;
        this.processes = processes;
        this.allowed = List.copyOf(allowed);
        this.host = hostName();
        this.id = host + ":" + ProcessHandle.current().pid();
        this.placer = new Thread(this::takePlacements, "mp4j-agent-placements");
        placer.setDaemon(true);
    }

    public static WorkerAgentCore start(ClusterConnection connection, AgentKeys keys, String url, int processes,
                                        List<String> allowed) {
        WorkerAgentCore agent = new WorkerAgentCore(connection, keys, url, processes, allowed);
        agent.register();
        long third = Math.max(50, connection.lease().toMillis() / 3);
        agent.timers = connection.renewals();
        agent.timers.scheduleAtFixedRate(agent::heartbeat, third, third, TimeUnit.MILLISECONDS);
        agent.timers.scheduleAtFixedRate(agent::checkPools, POOL_CHECK_MILLIS, POOL_CHECK_MILLIS, TimeUnit.MILLISECONDS);
        agent.placer.start();
        return agent;
    }

    public String id() {
        return id;
    }

    public int processes() {
        return processes;
    }

    public int busy() {
        return running.size();
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException | RuntimeException e) {
            String h = System.getenv("HOSTNAME");
            return h != null ? h : "localhost";
        }
    }

    private void register() {
        long now = System.currentTimeMillis();
        Map<String, String> info = new HashMap<>();
        info.put("host", host);
        info.put("pid", Long.toString(ProcessHandle.current().pid()));
        info.put("processes", Integer.toString(processes));
        info.put("busy", Integer.toString(running.size()));
        info.put("state", closing ? "stopping" : "running");
        info.put("started", Long.toString(now));
        info.put("heartbeat", Long.toString(now));
        connection.server().call("register worker agent " + id, j -> {
            Pipeline p = j.pipelined();
            p.sadd(keys.ids(), id);
            p.hset(keys.info(id), info);
            p.hsetnx(keys.info(id), "tasks", "0");
            p.set(keys.lease(id), "1", SetParams.setParams().px(connection.lease().toMillis()));
            p.sync();
            return null;
        });
    }

    /** Renews the lease; registers again when the server lost the agent's keys (restarted without persistence). */
    private void heartbeat() {
        if (closing) {
            return;
        }
        try {
            String now = Long.toString(System.currentTimeMillis());
            String busy = Integer.toString(running.size());
            Object renewed = connection.server().call("renew the lease of worker agent " + id, j -> {
                Pipeline p = j.pipelined();
                p.set(keys.lease(id), "1", SetParams.setParams().px(connection.lease().toMillis()));
                redis.clients.jedis.Response<Long> known = p.hset(keys.info(id), Map.of("heartbeat", now, "busy", busy));
                p.sync();
                return known.get();
            });
            if (Long.valueOf(2).equals(renewed)) {
                register(); // both fields were new: the info hash was gone
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "worker agent " + id + ": " + e.getMessage());
        }
    }

    /** Kills the workers of pools whose lease is gone: the programs that made them died. */
    private void checkPools() {
        if (closing || running.isEmpty()) {
            return;
        }
        try {
            Set<String> pools = new HashSet<>();
            for (Running r : running.values()) {
                pools.add(r.pool);
            }
            for (String pool : pools) {
                boolean alive = connection.server().call("check pool " + pool, j -> j.exists(keys.pool(pool, "lease")));
                if (!alive) {
                    for (Running r : running.values()) {
                        if (r.pool.equals(pool)) {
                            LOG.log(System.Logger.Level.INFO, "worker agent {0}: pool {1} is gone, ending its worker {2}",
                                    id, pool, r.process.pid());
                            r.process.kill();
                        }
                    }
                }
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "worker agent " + id + ": " + e.getMessage());
        }
    }

    private void takePlacements() {
        byte[] control = keys.control(id).getBytes(StandardCharsets.UTF_8);
        byte[] placements = keys.placements().getBytes(StandardCharsets.UTF_8);
        while (!closing) {
            try {
                byte[][] lists = running.size() < processes ? new byte[][] {control, placements} : new byte[][] {control};
                Server server = connection.server();
                KeyValue<byte[], byte[]> got = server.call("wait for placements", server.waitingUpTo(500, (j, seconds) -> j.blpop(seconds, lists)));
                if (got == null) {
                    continue;
                }
                if (closing) {
                    if (!java.util.Arrays.equals(got.getKey(), control)) {
                        giveBack(placements, got.getValue());
                    }
                    continue;
                }
                if (java.util.Arrays.equals(got.getKey(), control)) {
                    control(new String(got.getValue(), StandardCharsets.UTF_8));
                } else {
                    place(got.getValue());
                }
            } catch (RuntimeException e) {
                if (closing) {
                    return;
                }
                LOG.log(System.Logger.Level.WARNING, "worker agent " + id + ": " + e.getMessage());
                sleep(250);
            }
        }
    }

    private void control(String message) {
        String[] f = message.split("\\|");
        if (f.length == 3 && f[0].equals("K")) {
            Running r = running.get(f[1] + ":" + f[2]);
            if (r != null) {
                r.process.kill();
            }
        }
    }

    private void place(byte[] bytes) {
        Placement placement;
        try {
            placement = Placement.decode(bytes);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "worker agent " + id + " dropped a placement it cannot read: " + e.getMessage());
            return;
        }
        String pool = placement.pool();
        int worker = placement.worker();
        String events = keys.pool(pool, "events");
        if (!connection.server().call("check pool " + pool, j -> j.exists(keys.pool(pool, "lease")))) {
            return; // the pool is gone
        }
        String statusKey = keys.worker(id, pool, worker);
        ChildProcess child;
        try {
            child = ChildProcess.builder(new WorkerBoot(placement.target(), allowed, statusKey, host))
                    .name(placement.name())
                    .daemon(true)
                    .jvmArgs(placement.jvmArgs().toArray(new String[0]))
                    .env(ClusterConnection.URL_VARIABLE, url)
                    .env(ClusterConnection.ALLOW_VARIABLE, String.join(",", allowed))
                    .build();
            child.start();
        } catch (RuntimeException e) {
            report(events, "E|" + worker + "|1|worker agent " + id + " could not start the worker: " + oneLine(e.toString()));
            return;
        }
        Running r = new Running(pool, worker, statusKey, child);
        running.put(pool + ":" + worker, r);
        long now = System.currentTimeMillis();
        Map<String, String> status = new HashMap<>();
        status.put("pool", pool);
        status.put("worker", Integer.toString(worker));
        status.put("name", placement.name());
        status.put("pid", Long.toString(child.pid()));
        status.put("state", "running");
        status.put("tasks", "0");
        status.put("started", Long.toString(now));
        try {
            connection.server().call("report the start of a worker", j -> {
                Pipeline p = j.pipelined();
                p.hset(statusKey, status);
                p.sadd(keys.workers(id), statusKey);
                p.hset(keys.info(id), "busy", Integer.toString(running.size()));
                p.rpush(events, "S|" + worker + "|" + child.pid() + "|" + id + "|" + host);
                p.sync();
                return null;
            });
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "worker agent " + id + ": " + e.getMessage());
        }
        Thread watcher = new Thread(() -> watch(r, events), "mp4j-agent-worker-" + child.pid());
        watcher.setDaemon(true);
        watcher.start();
    }

    private void watch(Running r, String events) {
        while (true) {
            try {
                r.process.join();
                break;
            } catch (InterruptedException e) {
                // only the worker's end ends this wait
            }
        }
        int exit = r.process.exitCode().orElse(-9);
        String failure = r.process.failure().map(f -> oneLine(f.toString())).orElse("");
        running.remove(r.pool + ":" + r.worker);
        try {
            connection.server().call("report the end of a worker", j -> {
                String tasks = j.hget(r.statusKey, "tasks");
                Pipeline p = j.pipelined();
                p.rpush(events, "E|" + r.worker + "|" + exit + "|" + failure);
                p.hset(r.statusKey, Map.of("state", "exited", "exit", Integer.toString(exit),
                        "ended", Long.toString(System.currentTimeMillis())));
                p.pexpire(r.statusKey, EXITED_KEPT_MILLIS);
                p.srem(keys.workers(id), r.statusKey);
                p.hset(keys.info(id), "busy", Integer.toString(running.size()));
                if (tasks != null) {
                    p.hincrBy(keys.info(id), "tasks", Long.parseLong(tasks));
                }
                p.sync();
                return null;
            });
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "worker agent " + id + " could not report the end of worker "
                    + r.process.pid() + ": " + e.getMessage());
        }
    }

    private void report(String events, String message) {
        try {
            connection.server().call("report to a pool", j -> j.rpush(events, message));
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "worker agent " + id + ": " + e.getMessage());
        }
    }

    private static String oneLine(String s) {
        return s.replace('\n', ' ').replace('\r', ' ');
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Puts a placement this agent took while it was closing back at the head of the list, for
     * another agent: dropped, its worker would never start and its pool never hear of it. Sent at
     * most once (pushed twice, it would start two workers).
     */
    private void giveBack(byte[] placementsKey, byte[] placement) {
        try {
            connection.server().callOnceReconnecting("give back a placement", j -> j.lpush(placementsKey, placement));
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "worker agent " + id + ": a placement taken while stopping could not be"
                    + " given back, its worker does not start: " + e.getMessage());
        }
    }

    /** Kills the workers, reports their ends, unregisters. Idempotent. */
    public void close() {
        synchronized (this) {
            if (closing) {
                return;
            }
            closing = true;
        }
        try {
            connection.server().call("stop worker agent " + id, j -> j.hset(keys.info(id), "state", "stopping"));
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "worker agent " + id + ": " + e.getMessage());
        }
        List<Running> all = new ArrayList<>(running.values());
        for (Running r : all) {
            r.process.kill();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!running.isEmpty() && System.nanoTime() < deadline) {
            sleep(20); // the watchers report the ends
        }
        try {
            placer.join(1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            connection.server().call("unregister worker agent " + id, j -> {
                Pipeline p = j.pipelined();
                p.srem(keys.ids(), id);
                p.del(keys.info(id), keys.lease(id), keys.control(id), keys.workers(id));
                p.sync();
                return null;
            });
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "worker agent " + id + " could not unregister: " + e.getMessage());
        }
        closed.countDown();
    }

    public void awaitClose() throws InterruptedException {
        closed.await();
    }
}
