package io.github.multiprocessing4j.redis.internal.pool;

import io.github.multiprocessing4j.redis.internal.connection.ClusterConnection;
import io.github.multiprocessing4j.redis.internal.connection.Lease;
import io.github.multiprocessing4j.redis.internal.connection.Server;

import io.github.multiprocessing4j.spi.PoolBackend;
import io.github.multiprocessing4j.spi.PoolChannel;
import io.github.multiprocessing4j.spi.PoolWorker;
import redis.clients.jedis.params.SetParams;
import redis.clients.jedis.util.KeyValue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputFilter;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One process pool's side of the cluster: its channels are lists on the server, and its workers
 * are placed on worker agents ({@link io.github.multiprocessing4j.redis.WorkerAgent}).
 *
 * <p>Implementation notes. A worker is placed by pushing a {@link Placement} on the agents'
 * placements list: an agent with a free slot pops it, starts the worker as a child of its own,
 * and reports on this pool's events list ({@code S}: started, with pid and agent; {@code E}:
 * ended, with exit code and failure). One thread of this pool reads those reports and, every
 * {@value #CHECK_MILLIS} ms, checks the lease of every agent running a worker of this pool: an
 * agent whose lease is gone (killed, machine lost, cut off) has lost its workers, which then count
 * as ended with exit code -9, so the pool fails (or retries) the chunks they held within the lease
 * time plus {@value #CHECK_MILLIS} ms. This pool renews a lease of its own; agents kill the
 * workers of a pool whose lease is gone (the program that made it died).
 *
 * <p>Killing a worker no agent has taken yet removes its placement ({@code LREM}); when an agent
 * took it meanwhile, the kill is sent to that agent once it reports the start.
 *
 * <p>A placement an agent took and lost (the agent killed between its {@code BLPOP}'s answer and
 * the worker's start, or that answer lost with a broken connection) would leave its worker
 * neither started nor waiting, and the pool waiting for it for ever. So every
 * {@value #PLACEMENT_CHECK_MILLIS} ms the pool looks ({@code LPOS}) for the placements of its
 * workers not reported started: one missing from the list, with no start reported, for
 * {@code lostAfterNanos} (three leases, at least two seconds: an agent reports a start
 * milliseconds after it took the placement) counts as ended with exit code -9, as a worker of a
 * dead agent does.
 */
public final class RedisPool implements PoolBackend {
    private static final System.Logger LOG = System.getLogger(RedisPool.class.getName());
    static final long CHECK_MILLIS = 250;
    /** How often the pool looks for the placements of its workers that no agent reported started. */
    static final long PLACEMENT_CHECK_MILLIS = 1_000;

    private final ClusterConnection connection;
    private final AgentKeys keys;
    private final String id = UUID.randomUUID().toString().substring(0, 13);
    private final String lease;
    private final String events;
    private final AtomicInteger nextChannel = new AtomicInteger();
    private final AtomicInteger nextWorker = new AtomicInteger();
    private final Map<Integer, RemoteWorker> workers = new ConcurrentHashMap<>();
    private final List<String> channels = new ArrayList<>();
    private final Lease renewal;
    private final Thread reader;
    private volatile boolean closed;
    /** When each worker not reported started was first found neither started nor placed (the reader thread's). */
    private final Map<Integer, Long> missingSince = new HashMap<>();

    public RedisPool(ClusterConnection connection) {
        this.connection = connection;
        this.keys = new AgentKeys(connection);
        this.lease = keys.pool(id, "lease");
        this.events = keys.pool(id, "events");
        long leaseMillis = connection.lease().toMillis();
        connection.server().call("take the lease of pool " + id, j -> j.set(lease, "1", SetParams.setParams().px(leaseMillis)));
        // Renewed once per period, never retried (the thread is shared); set anew, so never lost.
        this.renewal = Lease.renewing(connection, "the lease of pool " + id, () -> "OK".equals(connection.server().callOnce(
                "renew the lease of pool " + id, j -> j.set(lease, "1", SetParams.setParams().px(leaseMillis)))));
        this.reader = new Thread(this::readReports, "mp4j-redis-pool-" + id);
        reader.setDaemon(true);
        reader.start();
    }

    @Override
    public PoolChannel newChannel() {
        String key = keys.pool(id, "ch-" + nextChannel.incrementAndGet());
        synchronized (channels) {
            channels.add(key);
        }
        return new RedisChannel(connection, key);
    }

    @Override
    public PoolWorker startWorker(String name, Runnable target, List<String> jvmArgs) {
        int no = nextWorker.incrementAndGet();
        byte[] placement = new Placement(id, no, name, jvmArgs, serialize(target)).encode();
        RemoteWorker worker = new RemoteWorker(this, no, name, placement);
        workers.put(no, worker);
        connection.server().callOnce("place worker " + name, j -> j.rpush(keys.placements().getBytes(StandardCharsets.UTF_8),
                placement));
        return worker;
    }

    private static byte[] serialize(Runnable target) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(1024);
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(target);
        } catch (IOException e) {
            throw new IllegalArgumentException("a pool worker's target is not serializable: " + e, e);
        }
        return bytes.toByteArray();
    }

    @Override
    public ObjectInputFilter filter() {
        return connection.filter();
    }

    /** @return whether the placement was still waiting, and is now withdrawn */
    boolean withdraw(byte[] placement) {
        Long removed = connection.server().call("withdraw a placement", j -> j.lrem(
                keys.placements().getBytes(StandardCharsets.UTF_8), 1, placement));
        return removed != null && removed > 0;
    }

    void sendKill(String agent, int worker) {
        connection.server().call("kill worker " + worker + " of pool " + id,
                j -> j.rpush(keys.control(agent), "K|" + id + "|" + worker));
    }

    String id() {
        return id;
    }

    /** Reads the agents' reports and checks their leases, until the pool is closed. */
    private void readReports() {
        long nextCheck = System.nanoTime();
        long nextPlacementCheck = nextCheck;
        while (!closed) {
            try {
                Server server = connection.server();
                KeyValue<String, String> report = server.call("read the reports of pool " + id,
                        server.waitingUpTo(CHECK_MILLIS, (j, seconds) -> j.blpop(seconds, events)));
                if (report != null) {
                    handle(report.getValue());
                }
                if (System.nanoTime() - nextCheck >= 0) {
                    nextCheck = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CHECK_MILLIS);
                    checkAgents();
                }
                if (System.nanoTime() - nextPlacementCheck >= 0) {
                    nextPlacementCheck = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(PLACEMENT_CHECK_MILLIS);
                    checkPlacements();
                }
            } catch (RuntimeException e) {
                if (closed) {
                    return;
                }
                LOG.log(System.Logger.Level.WARNING, "pool " + id + ": " + e.getMessage());
                pause();
            }
        }
    }

    private void handle(String report) {
        String[] f = report.split("\\|", 5);
        RemoteWorker worker = f.length >= 3 ? workers.get(Integer.parseInt(f[1])) : null;
        if (worker == null) {
            return;
        }
        if (f[0].equals("S") && f.length == 5) {
            worker.started(Long.parseLong(f[2]), f[3], f[4]);
        } else if (f[0].equals("E")) {
            worker.ended(Integer.parseInt(f[2]), f.length > 3 && !f[3].isEmpty() ? new IllegalStateException(f[3]) : null);
            workers.remove(worker.number());
        }
    }

    /** Ends the workers of every agent whose lease is gone. */
    private void checkAgents() {
        Map<String, List<RemoteWorker>> byAgent = new HashMap<>();
        for (RemoteWorker w : workers.values()) {
            if (w.agent() != null && !w.hasEnded()) {
                byAgent.computeIfAbsent(w.agent(), a -> new ArrayList<>()).add(w);
            }
        }
        for (Map.Entry<String, List<RemoteWorker>> e : byAgent.entrySet()) {
            String agent = e.getKey();
            boolean alive = connection.server().call("check agent " + agent, j -> j.exists(keys.lease(agent)));
            if (!alive) {
                for (RemoteWorker w : e.getValue()) {
                    w.ended(-9, new IllegalStateException("worker agent " + agent + " on " + w.host()
                            + " stopped renewing its lease: its process or its machine is gone"));
                    workers.remove(w.number());
                }
            }
        }
    }

    /** Ends the workers whose placement an agent took and lost (see the class comment). */
    private void checkPlacements() {
        byte[] placements = keys.placements().getBytes(StandardCharsets.UTF_8);
        long now = System.nanoTime();
        missingSince.keySet().removeIf(no -> !workers.containsKey(no));
        for (RemoteWorker w : workers.values()) {
            if (w.agent() != null || w.hasEnded()) {
                missingSince.remove(w.number());
                continue;
            }
            Long at = connection.server().call("look for the placement of " + w.name(), j -> j.lpos(placements, w.placement()));
            if (at != null) {
                missingSince.remove(w.number());
                continue;
            }
            long since = missingSince.computeIfAbsent(w.number(), no -> now);
            if (now - since - lostAfterNanos() >= 0) {
                w.ended(-9, new IllegalStateException("worker " + w.name() + " of pool " + id + " never started: a worker agent"
                        + " took its placement and stopped (killed, or its connection broke) before it could start it"));
                workers.remove(w.number());
                missingSince.remove(w.number());
            }
        }
    }

    /** @return how long a worker may be neither placed nor reported started before it counts as lost */
    private long lostAfterNanos() {
        return Math.max(TimeUnit.SECONDS.toNanos(2), 3 * connection.lease().toNanos());
    }

    private static void pause() {
        try {
            Thread.sleep(CHECK_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        closed = true;
        renewal.end();
        List<String> all;
        synchronized (channels) {
            all = new ArrayList<>(channels);
        }
        all.add(lease);
        all.add(events);
        try {
            connection.server().call("delete pool " + id, j -> j.del(all.toArray(new String[0])));
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "could not delete the keys of pool " + id + ": " + e.getMessage());
        }
        for (RemoteWorker w : workers.values()) {
            w.ended(-9, new IllegalStateException("the pool was closed"));
        }
    }

    @Override
    public String toString() {
        return "pool " + id + " on " + connection;
    }
}
