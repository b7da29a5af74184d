package io.github.multiprocessing4j.redis.internal.pool;

import io.github.multiprocessing4j.spi.PoolWorker;

import java.util.concurrent.CountDownLatch;

/**
 * A pool's worker placed on an agent, as the pool sees it: what the agent reported (pid, agent,
 * exit), or that its agent was lost. Thread-safe.
 */
final class RemoteWorker implements PoolWorker {
    private final RedisPool pool;
    private final int number;
    private final String name;
    private final byte[] placement;
    private final CountDownLatch ended = new CountDownLatch(1);
    private volatile long pid = -1;
    private volatile String agent;
    private volatile String host;
    private volatile int exitCode = Integer.MIN_VALUE;
    private volatile Throwable failure;
    private boolean killRequested;

    RemoteWorker(RedisPool pool, int number, String name, byte[] placement) {
        this.pool = pool;
        this.number = number;
        this.name = name;
        this.placement = placement;
    }

    int number() {
        return number;
    }

    /** @return its placement, as it travels in the placements list */
    byte[] placement() {
        return placement;
    }

    String agent() {
        return agent;
    }

    String host() {
        return host;
    }

    boolean hasEnded() {
        return ended.getCount() == 0;
    }

    void started(long pid, String agent, String host) {
        boolean kill;
        synchronized (this) {
            this.pid = pid;
            this.host = host;
            this.agent = agent;
            kill = killRequested;
        }
        if (kill) {
            pool.sendKill(agent, number);
        }
    }

    void ended(int exitCode, Throwable failure) {
        synchronized (this) {
            if (hasEnded()) {
                return;
            }
            this.exitCode = exitCode;
            this.failure = failure;
        }
        ended.countDown();
    }

    @Override
    public long pid() {
        return pid;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void kill() {
        String to;
        synchronized (this) {
            if (hasEnded()) {
                return;
            }
            to = agent;
            if (to == null) {
                killRequested = true;
            }
        }
        if (to != null) {
            pool.sendKill(to, number);
        } else if (pool.withdraw(placement)) {
            ended(-9, null); // no agent had taken it: it never ran
        }
    }

    @Override
    public void join() throws InterruptedException {
        ended.await();
    }

    @Override
    public int exitCode() {
        return exitCode;
    }

    @Override
    public Throwable failure() {
        return failure;
    }

    @Override
    public String toString() {
        return name + " (pid " + pid + (host != null ? " on " + host : "") + ")";
    }
}
