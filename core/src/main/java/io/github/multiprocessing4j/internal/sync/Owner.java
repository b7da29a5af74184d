package io.github.multiprocessing4j.internal.sync;

import io.github.multiprocessing4j.internal.os.Platform;

/**
 * Who holds a shared lock or permit: a 64-bit token naming a thread of a process, and the
 * liveness test that lets waiters recover what a dead process held.
 *
 * <p>Implementation notes. The token is {@code pid << 32 | (threadId & 0xffffffff)}: never 0
 * (pids are positive), unique among the live threads of the machine. It fits one
 * compare-and-set. The owner's start is written beside it right after the CAS, so a pid that was
 * reused by a new process is not mistaken for the owner: its start ticks, tagged with its pid
 * ({@link #start}). The tag is what makes the two words safe to read at different moments: a
 * reader that takes an owner's token, and then the start of the next owner of the same word or
 * slot (the first released, the second took it), sees a pid that is not the token's and counts
 * the owner as alive until it reads them together, instead of seeing a live process with a start
 * time not its own, which is the mark of a dead one (until 2026-12-05 the start was bare ticks,
 * and such a read could take a live owner's lock or permits). A token whose start is not written
 * yet (its owner is between the CAS and the write, or died there) counts as alive while its pid
 * exists at all. This process's pid and start ticks come from {@link Platform}, the same figures
 * the process context records: a lock can be used before (and without) the context.
 */
public final class Owner {
    /** The bits of a {@linkplain #start start} that hold the start ticks (1,394 years at 100 ticks a second). */
    private static final int TICKS_BITS = 42;
    private static final long TICKS_MASK = (1L << TICKS_BITS) - 1;
    /** Linux's largest pid, {@code pid_max}'s limit: 2^22. */
    private static final long MAX_PID = 1L << (Long.SIZE - TICKS_BITS);
    private static final long PID = Platform.currentPid();
    private static final long START = start(PID, Platform.ownStartTicks());

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

    /** @return this process's {@linkplain #start start}, to write beside its tokens */
    public static long currentStart() {
        return START;
    }

    /**
     * Returns a process's start as it is written beside its tokens: its start ticks (clock ticks
     * after boot, {@link Platform#startTicks}) in the low 42 bits, its pid above them.
     *
     * @return the start, or 0 (unknown: the owner then counts as alive while its pid exists) when
     *     the pid or the ticks do not fit, or the ticks are unknown (negative)
     */
    public static long start(long pid, long startTicks) {
        return pid > 0 && pid < MAX_PID && startTicks >= 0 && startTicks <= TICKS_MASK ? pid << TICKS_BITS | startTicks : 0;
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
     * @param start the owner's {@linkplain #start start} as written beside the token, or 0 when not
     *     yet written
     * @return whether the process that the token names has died; false as well when the start is
     *     another process's (read beside this token in passing: the next look settles it)
     */
    public static boolean isDead(long token, long start) {
        long pid = pidOf(token);
        if (pid == PID) {
            return false;
        }
        if (start == 0) {
            return Platform.startTicks(pid).isEmpty();
        }
        if (start >>> TICKS_BITS != pid) {
            return false;
        }
        return !Platform.isAlive(pid, start & TICKS_MASK);
    }
}
