package io.github.multiprocessing4j;

/**
 * A re-entrant lock shared by the processes of a tree: Python's {@code multiprocessing.RLock}.
 * The thread that holds it may acquire it again, and must release it as many times. Everything
 * else is as for {@link ProcessLock}, the takeover from a dead holder included.
 */
public final class ProcessRLock extends SharedMutexLock {
    private static final long serialVersionUID = 1L;

    /** Creates a re-entrant lock, free, in the calling process's tree. */
    public ProcessRLock() {
        super("rlock", true);
    }

    /** @return how many times the calling thread holds the lock (0 when it does not) */
    public int holdCount() {
        return mutex().holdCount();
    }
}
