package io.github.multiprocessing4j;

import io.github.multiprocessing4j.internal.statics.StaticShared;
import io.github.multiprocessing4j.spi.LockBackend;

import java.util.Objects;

/**
 * A re-entrant lock shared by the processes of a tree: Python's {@code multiprocessing.RLock}.
 * The thread that holds it may acquire it again, and must release it as many times. Everything
 * else is as for {@link ProcessLock}: {@link #hold()} for a block (one acquisition, released by
 * the holding's close; not {@code try (lock)}, whose close only ends this process's use), the takeover from a
 * dead holder and the
 * {@linkplain #fencingToken() fencing token} (one per holding, not per re-entrant acquisition)
 * included.
 */
public final class ProcessRLock extends SharedMutexLock {
    private static final long serialVersionUID = 1L;

    /**
     * Creates a re-entrant lock, free, in the calling process's tree.
     *
     * <p>Made by a static initialiser, it is the tree's: see
     * <a href="package-summary.html#static-fields">static fields</a>.
     */
    public ProcessRLock() {
        super(StaticShared.resolve("ProcessRLock", () -> new LocalLock("rlock", true), LocalLock::close),
                ProcessUse.ofNew("ProcessRLock"));
    }

    private ProcessRLock(LockBackend backend) {
        super(backend, ProcessUse.ofBackend("ProcessRLock"));
    }

    /** A handle read from another process's message ({@link HandleWire}). */
    ProcessRLock(LocalLock backend, ProcessUse use) {
        super(backend, use);
    }

    /**
     * Makes a re-entrant lock whose state lives in {@code backend} (for implementers of backends;
     * see {@link io.github.multiprocessing4j.spi}). Its methods then block, fail and travel as the
     * backend documents.
     *
     * @param backend where the lock's state lives; re-entrant
     * @return the lock
     * @throws IllegalArgumentException when the backend is not re-entrant
     */
    public static ProcessRLock over(LockBackend backend) {
        return new ProcessRLock(checked(Objects.requireNonNull(backend, "backend"), true));
    }

    /** {@return how many times the calling thread holds the lock (0 when it does not)} */
    public int holdCount() {
        return backend().holdCount();
    }
}
