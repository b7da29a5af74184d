package io.github.multiprocessing4j.internal.sync;

import io.github.multiprocessing4j.internal.os.Platform;

/**
 * Who holds a shared lock or permit: a 64-bit token naming a thread of a process, and the
 * liveness test that lets waiters recover what a dead process held.
 *
 * <p>Implementation notes. The token is {@code pid << 32 | (threadId & 0xffffffff)}: never 0
 * (pids are positive), unique among the live threads of the machine. It fits one
 * compare-and-set. The owner's start ticks are written beside it right after the CAS, so a pid
 * that was reused by a new process is not mistaken for the owner. A token whose ticks are not
 * written yet (its owner is between the CAS and the write, or died there) counts as alive while
 * its pid exists at all. This process's pid and start ticks come from {@link Platform}, the same
 * figures the process context records: a lock can be used before (and without) the context.
 */
public final class Owner {
    private static final long PID = Platform.currentPid();
    private static final long TICKS = Platform.ownStartTicks();

    private Owner() {
    }

    /** @return the token of the calling thread */
    public static long currentToken() {
        return PID << 32 | (Thread.currentThread().getId() & 0xffffffffL);
    }

    /** @return a token naming the calling process as a whole (thread part 0), for what a process holds */
    public static long currentProcessToken() {
        return processToken(PID);
    }

    /** @return a token naming the process {@code pid} as a whole, as {@link #currentProcessToken()} there */
    public static long processToken(long pid) {
        return pid << 32;
    }

    /** @return this process's start ticks, to write beside a token */
    public static long currentTicks() {
        return TICKS;
    }

    /** @return the pid a token names */
    public static long pidOf(long token) {
        return token >>> 32;
    }

    /** @return whether a token names a thread of this process */
    public static boolean isThisProcess(long token) {
        return pidOf(token) == PID;
    }

    /**
     * @param token an owner token (not 0)
     * @param ticks the owner's start ticks as written beside the token, or 0 when not yet written
     * @return whether the process that the token names has died
     */
    public static boolean isDead(long token, long ticks) {
        long pid = pidOf(token);
        if (pid == PID) {
            return false;
        }
        if (ticks == 0) {
            return Platform.startTicks(pid).isEmpty();
        }
        return !Platform.isAlive(pid, ticks);
    }
}
