package io.github.multiprocessing4j.redis.internal.connection;

import java.io.ObjectInputFilter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A cluster as its objects' backends see it: the server, the key prefix, the deserialization
 * filter. Backends carry only its {@link ClusterRef} when they travel, and find the connection
 * again with {@link #resolve} in the process that receives them.
 *
 * <p>Implementation notes. Connections open in a JVM are in one table by their reference; a
 * process that receives a handle but has no connection for it (a worker whose agent passed the URL
 * in its environment, a child of a program that connected) connects with the URL in
 * {@code MP4J_REDIS_URL} when that names the same server, and keeps that connection for its life.
 */
public final class ClusterConnection {
    /** The environment variable a process without an open cluster connects with. */
    public static final String URL_VARIABLE = "MP4J_REDIS_URL";
    /** Class-name patterns, comma-separated, that a connection made from the environment allows. */
    public static final String ALLOW_VARIABLE = "MP4J_REDIS_ALLOW";
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
    /** How long a lease (a lock held, an item taken) outlives its holder's last renewal. */
    public static final Duration DEFAULT_LEASE = Duration.ofMillis(1_500);
    private static final Map<ClusterRef, ClusterConnection> OPEN = new ConcurrentHashMap<>();

    private final Server server;
    private final ClusterRef ref;
    private final List<String> allowedClasses;
    private final ObjectInputFilter filter;
    private final Duration lease;
    private volatile ScheduledExecutorService renewals;
    private final Set<Lease> leases = ConcurrentHashMap.newKeySet();
    private boolean renewingLeases;

    public ClusterConnection(Server server, String prefix, List<String> allowedClasses, Duration lease) {
        this.server = server;
        this.ref = new ClusterRef(server.address(), prefix);
        this.allowedClasses = List.copyOf(allowedClasses);
        this.filter = ItemFilter.allowing(this.allowedClasses);
        this.lease = lease;
        server.beforeEachCall(() -> WriteBehind.awaitSent(this));
        OPEN.putIfAbsent(ref, this);
    }

    /**
     * @return how long a lease held through this connection (a lock, a taken item, a worker's
     *     heartbeat) lives after its last renewal; holders renew every third of it
     */
    public Duration lease() {
        return lease;
    }

    /**
     * The one daemon thread of this connection that renews its leases: {@link Lease}s are renewed
     * here by one task (see {@link #leases()}), and a worker agent's heartbeat runs here too.
     * What runs here must not block for long: it shares the thread.
     */
    public ScheduledExecutorService renewals() {
        ScheduledExecutorService r = renewals;
        if (r == null) {
            synchronized (this) {
                r = renewals;
                if (r == null) {
                    r = renewals = Executors.newSingleThreadScheduledExecutor(task -> {
                        Thread t = new Thread(task, "mp4j-redis-leases");
                        t.setDaemon(true);
                        return t;
                    });
                }
            }
        }
        return r;
    }

    /**
     * The leases held through this connection, renewed every {@code lease() / 3} by one task on
     * {@link #renewals()}, started with the first lease ({@link Lease#renewing}).
     */
    Set<Lease> leases() {
        synchronized (leases) {
            if (!renewingLeases) {
                renewingLeases = true;
                long period = Math.max(1, lease.toMillis() / 3);
                renewals().scheduleAtFixedRate(() -> {
                    for (Lease l : leases) {
                        l.renew();
                    }
                }, period, period, TimeUnit.MILLISECONDS);
            }
        }
        return leases;
    }

    /**
     * The connection a deserialized handle belongs to, in this process: one open here for the
     * same server and prefix, else one made now when {@code MP4J_REDIS_URL} names that server
     * (with the default timeout, the JDK's trust store, and the classes {@code MP4J_REDIS_ALLOW}
     * lists, comma-separated, allowed).
     *
     * @throws ClusterFailure when neither is there (the message says what to do), or connecting fails
     */
    public static ClusterConnection resolve(ClusterRef ref) {
        ClusterConnection open = OPEN.get(ref);
        if (open != null) {
            return open;
        }
        // The same server may be named another way here (localhost for 127.0.0.1, a name for its
        // address): look once, and remember what was found under the name the handle carries.
        for (ClusterConnection candidate : OPEN.values()) {
            if (candidate.prefix().equals(ref.prefix()) && candidate.ref.address().sameServer(ref.address())) {
                ClusterConnection found = OPEN.putIfAbsent(ref, candidate);
                return found != null ? found : candidate;
            }
        }
        String url = System.getenv(URL_VARIABLE);
        if (url != null) {
            ServerAddress.Parsed parsed = ServerAddress.parse(url);
            if (parsed.address().sameServer(ref.address())) {
                synchronized (OPEN) {
                    open = OPEN.get(ref);
                    if (open == null) {
                        String allow = System.getenv(ALLOW_VARIABLE);
                        open = new ClusterConnection(new Server(parsed.address(), parsed.password(), DEFAULT_TIMEOUT, null),
                                ref.prefix(), allow == null || allow.isBlank() ? List.of() : List.of(allow.split(",")),
                                DEFAULT_LEASE);
                        OPEN.putIfAbsent(ref, open);
                    }
                    return open;
                }
            }
        }
        throw new ClusterFailure("this process has no connection to " + ref + ": connect a Cluster to it in this "
                + "process before using its objects, or set " + URL_VARIABLE + " to its URL", null, false);
    }

    public Server server() {
        return server;
    }

    public ClusterRef ref() {
        return ref;
    }

    public String prefix() {
        return ref.prefix();
    }

    public List<String> allowedClasses() {
        return allowedClasses;
    }

    /** @return the allow-list for what is deserialized from this server */
    public ObjectInputFilter filter() {
        return filter;
    }

    /**
     * The key of one part of a named object: {@code prefix:kind:{name}:part}. The braces make
     * every part of one object hash to one slot of a Redis Cluster.
     */
    public String key(String kind, String name, String part) {
        return ref.prefix() + ":" + kind + ":{" + name + "}:" + part;
    }

    /** Closes the connections; handles resolved to it fail from now on in this process. */
    public void close() {
        WriteBehind.close(this); // puts and acknowledgements not yet on the server
        OPEN.remove(ref, this);
        ScheduledExecutorService r = renewals;
        if (r != null) {
            r.shutdownNow();
        }
        server.close();
    }

    @Override
    public String toString() {
        return ref.toString();
    }
}
