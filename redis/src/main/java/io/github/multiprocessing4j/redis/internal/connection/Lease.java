package io.github.multiprocessing4j.redis.internal.connection;

import java.util.Set;
import java.util.UUID;
import java.util.function.BooleanSupplier;

/**
 * One lease this process holds on the server (a lock's holding, a semaphore's permit, a joinable
 * consumer's taken items, a pool's life), renewed on its connection's
 * {@linkplain ClusterConnection#renewals() renewal thread} every third of the lease time until it
 * is {@linkplain #end() ended} or found {@linkplain #lost() lost}. The one way the module renews
 * anything and says "my lease lapsed" ({@link #lost()}, logged once).
 *
 * <p>Implementation notes. One periodic task per connection renews every active lease of that
 * connection ({@link ClusterConnection#leases()}), started with the first lease; taking and ending
 * a lease only adds it to and removes it from a concurrent set. (A scheduled task per lease, cancelled at release, costs a wake-up of
 * the renewal thread for every cancelled task when its time comes: thousands a second under an
 * acquire/release loop, measurable on a busy machine.) A renewal is one script call, never retried
 * (the thread is shared; a renewal that cannot reach the server is tried again at the next period,
 * and if the server stays away for the whole lease it is the server that decides: the lease
 * lapses there and the next renewal finds it lost). Losing a lease is logged as a WARNING once.
 */
public final class Lease {
    private static final System.Logger LOG = System.getLogger(Lease.class.getName());
    /** Who this process is to the server: unique per JVM, so owners never collide across machines. */
    private static final String PROCESS = UUID.randomUUID().toString();

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
     * @param renewOnce renews it on the server, once, without retrying (the renewal thread is
     *     shared): true when renewed, false when it was no longer this holder's
     */
    public static Lease renewing(ClusterConnection connection, String what, BooleanSupplier renewOnce) {
        Set<Lease> active = connection.leases();
        Lease lease = new Lease(what, renewOnce, active);
        active.add(lease);
        return lease;
    }

    /** @return the calling thread as an owner on the server: this process's id and the thread's */
    public static String currentOwner() {
        return PROCESS + ":" + Thread.currentThread().getId();
    }

    void renew() {
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
