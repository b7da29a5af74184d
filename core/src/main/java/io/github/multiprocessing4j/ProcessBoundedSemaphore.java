package io.github.multiprocessing4j;

import io.github.multiprocessing4j.internal.statics.StaticShared;
import io.github.multiprocessing4j.spi.SemaphoreBackend;

import java.util.Objects;

/**
 * A semaphore that refuses to have more permits than it started with: Python's
 * {@code multiprocessing.BoundedSemaphore}. A {@link #release()} that would go above the initial
 * value throws {@link IllegalStateException} (Python raises {@code ValueError}): it catches a
 * release too many. Everything else is as for {@link ProcessSemaphore}, the return of permits
 * held by a dead process included (never above the bound).
 */
public final class ProcessBoundedSemaphore extends SharedSemaphore {
    private static final long serialVersionUID = 1L;

    /**
     * Creates a bounded semaphore with {@code value} permits, also its bound.
     *
     * <p>Made by a static initialiser, it is the tree's: see
     * <a href="package-summary.html#static-fields">static fields</a>.
     *
     * @param value the number of permits it starts with, also its bound; not negative
     * @throws IllegalArgumentException when {@code value} is negative
     */
    public ProcessBoundedSemaphore(int value) {
        super(StaticShared.resolve("ProcessBoundedSemaphore", () -> local("bsemaphore", value, true), SemaphoreBackend::close),
                ProcessUse.ofNew("ProcessBoundedSemaphore"));
    }

    private ProcessBoundedSemaphore(SemaphoreBackend backend) {
        super(backend, ProcessUse.ofBackend("ProcessBoundedSemaphore"));
    }

    /** A handle read from another process's message ({@link HandleWire}). */
    ProcessBoundedSemaphore(LocalSemaphore backend, ProcessUse use) {
        super(backend, use);
    }

    /**
     * Makes a semaphore whose permits live in {@code backend} (for implementers of backends; see
     * {@link io.github.multiprocessing4j.spi}). Its methods then block, fail and travel as the
     * backend documents.
     *
     * @param backend where the permits live; a bounded one
     * @return the semaphore
     * @throws IllegalArgumentException unless the backend is a bounded one
     */
    public static ProcessBoundedSemaphore over(SemaphoreBackend backend) {
        return new ProcessBoundedSemaphore(checked(Objects.requireNonNull(backend, "backend"), true));
    }

    /**
     * Creates a bounded semaphore with one permit (Python's default).
     *
     * <p>Made by a static initialiser, it is the tree's: see
     * <a href="package-summary.html#static-fields">static fields</a>.
     */
    public ProcessBoundedSemaphore() {
        this(1);
    }
}
