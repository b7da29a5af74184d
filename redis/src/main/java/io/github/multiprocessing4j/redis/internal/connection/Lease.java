package io.github.multiprocessing4j.redis.internal.connection;

import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * One lease this process holds on the server (a lock's holding, a semaphore's permit), renewed
 * on its connection's {@linkplain ClusterConnection#renewals() renewal thread} every third of the
 * lease time until it is {@linkplain #end() ended} or found {@linkplain #lost() lost}.
 *
 * <p>Implementation notes. One periodic task per connection renews every active lease of that
 * connection, started with the first lease; taking and ending a lease only adds it to and removes
 * it from a concurrent set. (A scheduled task per lease, cancelled at release, costs a wake-up of
 * the renewal thread for every cancelled task when its time comes: thousands a second under an
 * acquire/release loop, measurable on a busy machine.) A renewal is one script call, never retried
 * (the thread is shared; a renewal that cannot reach the server is tried again at the next period,
 * and if the server stays away for the whole lease it is the server that decides: the lease
 * lapses there and the next renewal finds it lost). Losing a lease is logged as a WARNING once.
 * The table of a connection stays in {@link #ACTIVE} after the connection closes (its task ends
 * with the connection's renewal thread): one small entry per connection a JVM ever made.
 */
public final class Lease {
    private static final System.Logger LOG = System.getLogger(Lease.class.getName());
    /** Who this process is to the server: unique per JVM, so owners never collide across machines. */
    private static final String PROCESS = UUID.randomUUID().toString();
    private static final Map<ClusterConnection, Set<Lease>> ACTIVE = new ConcurrentHashMap<>();

    private final String what;
    private final BooleanSupplier renewOnce;
    private final Set<Lease> active;
    private volatile boolean lost;
    private volatile boolean ended;

    private Lease(String what, BooleanSupplier renewOnce, Set<Lease> active) {
        this.what = what;
        this.renewOnce = renewOnce;
        this.active = active;
    }

    /**
     * Starts renewing a lease just taken.
     *
     * @param what the lease in words, for the log ("lock 'ledger' (token 7)")
     * @param renewOnce renews it on the server: true when renewed, false when it was no longer
     *     this holder's
     */
    public static Lease renewing(ClusterConnection connection, String what, BooleanSupplier renewOnce) {
        Set<Lease> active = ACTIVE.computeIfAbsent(connection, Lease::startRenewing);
        Lease lease = new Lease(what, renewOnce, active);
        active.add(lease);
        return lease;
    }

    private static Set<Lease> startRenewing(ClusterConnection connection) {
        Set<Lease> active = ConcurrentHashMap.newKeySet();
        long period = Math.max(1, connection.lease().toMillis() / 3);
        connection.renewals().scheduleAtFixedRate(() -> {
            for (Lease lease : active) {
                lease.renew();
            }
        }, period, period, TimeUnit.MILLISECONDS);
        return active;
    }

    /** @return the calling thread as an owner on the server: this process's id and the thread's */
    public static String currentOwner() {
        return PROCESS + ":" + Thread.currentThread().getId();
    }

    private void renew() {
        if (lost || ended) {
            return;
        }
        boolean renewed;
        try {
            renewed = renewOnce.getAsBoolean();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "cannot renew {0} now, trying again: {1}", what, e.getMessage());
            return;
        }
        if (!renewed && !ended) { // a renewal racing with the release that ended it finds it gone: not a loss
            markLost("its lease lapsed before it could be renewed (this process paused, or could not reach the server, "
                    + "for longer than the lease); another holder may have it now");
        }
    }

    /** Records that the server no longer has this lease (found by a renewal or by a release); logs once. */
    public void markLost(String why) {
        if (!lost) {
            lost = true;
            active.remove(this);
            LOG.log(System.Logger.Level.WARNING, "lost {0}: {1}", what, why);
        }
    }

    /** @return whether the lease is known to have lapsed */
    public boolean lost() {
        return lost;
    }

    /** Stops renewing (the lease was given back). */
    public void end() {
        ended = true;
        active.remove(this);
    }

    @Override
    public String toString() {
        return what + (lost ? " (lost)" : "");
    }
}
