package io.github.multiprocessing4j.internal.sync;

/**
 * The shortest gap between two rings of one process, kept per process rung (a doorbell's
 * connection, a child's lifeline): {@link Doorbell#RING_GAP_NANOS}. Two threads that ring at the
 * same moment may both find a ring due: one ring too many, nothing worse.
 */
public final class RingGap {
    private volatile long rungAt;

    /** @param rungNow whether a ring was sent just now (the first ring of a new connection) */
    public RingGap(boolean rungNow) {
        rungAt = System.nanoTime() - (rungNow ? 0 : Doorbell.RING_GAP_NANOS);
    }

    /** @return whether a ring is due now, the last one older than the gap; it is counted as sent */
    public boolean due() {
        long now = System.nanoTime();
        if (now - rungAt < Doorbell.RING_GAP_NANOS) {
            return false; // its waits were woken a moment ago: they look every 2 ms at most now
        }
        rungAt = now;
        return true;
    }
}
