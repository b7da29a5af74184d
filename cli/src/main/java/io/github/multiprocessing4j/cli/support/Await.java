package io.github.multiprocessing4j.cli.support;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Waiting, with a deadline, for something another process does: a child booting and reporting,
 * a process ending, siblings arriving at a start line.
 *
 * <p>Implementation notes. What is awaited happens in another process and has no notification
 * this process could block on, so the condition is polled. The naps are {@code parkNanos} rather
 * than {@code Thread.sleep}, which on JDK 17 rounds any nap below a millisecond up to a whole
 * one; an interrupt ends the nap early and is then reported as {@link InterruptedException}.
 */
public final class Await {
    /** How long to wait for a child JVM to boot and report, generous for a loaded machine. */
    public static final Duration BOOT_TIMEOUT = Duration.ofSeconds(15);

    /** Short enough for a person not to notice, long enough to leave the CPU to the awaited process. */
    private static final Duration DEFAULT_POLL = Duration.ofMillis(10);

    private Await() {
    }

    /**
     * Polls {@code condition} every 10 ms until it holds or {@code timeout} passes.
     *
     * @return whether the condition held in time
     * @throws InterruptedException when interrupted while waiting
     */
    public static boolean until(BooleanSupplier condition, Duration timeout) throws InterruptedException {
        return until(condition, timeout, DEFAULT_POLL);
    }

    /**
     * Polls {@code condition} every {@code poll} until it holds or {@code timeout} passes.
     *
     * @return whether the condition held in time
     * @throws InterruptedException when interrupted while waiting
     */
    public static boolean until(BooleanSupplier condition, Duration timeout, Duration poll) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            LockSupport.parkNanos(poll.toNanos());
            if (Thread.interrupted()) {
                throw new InterruptedException("interrupted while waiting");
            }
        }
        return true;
    }
}
