package io.github.multiprocessing4j.internal.sync;

/**
 * Layout of a process-shared mutex ({@code ProcessLock}, {@code ProcessRLock}) in its segment.
 *
 * <pre>
 *  0               8               16              24              32
 *  +---------------+---------------+---------------+---------------+
 *  | owner         | owner start   | hold count    | takeovers     |
 *  +---------------+---------------+---------------+---------------+
 *
 *  owner        0 when free; else the owning thread's token (see {@link Owner}): pid in the high
 *               32 bits, thread id in the low 32 bits. Taken by compare-and-set.
 *  owner start  the owning process's start ({@link Owner#start}: its start ticks tagged with its
 *               pid), written right after the owner word: it tells a live owner from a dead one
 *               whose pid was reused. 0 while unknown.
 *  hold count   how many times the owner holds a re-entrant mutex (stale while the mutex is free:
 *               a new owner writes 1); a plain one, held once, leaves it alone
 *  takeovers    how many times a waiter took the lock from an owner that had died holding it
 * </pre>
 */
public final class MutexDescriptor {
    public static final int OWNER = 0;
    public static final int OWNER_START = 8;
    public static final int HOLD_COUNT = 16;
    public static final int TAKEOVERS = 24;
    /** Bytes a mutex takes. */
    public static final int SIZE = 32;

    private MutexDescriptor() {
    }
}
