package io.github.multiprocessing4j;

/**
 * A lock or a semaphore's permit held for a block, released by {@link #close()}: what
 * {@link ProcessLock#hold()}, {@link ProcessRLock#hold()}, {@link ProcessSemaphore#hold()} and
 * {@link ProcessBoundedSemaphore#hold()} return, for Python's {@code with lock:}.
 *
 * <pre>{@code
 * try (var held = lock.hold()) {
 *     buy();                     // under the lock; released however the block ends
 * }
 * }</pre>
 *
 * <p>Closing it releases what was acquired, once: a second {@code close()} does nothing. It is
 * meant for the thread that acquired, within one block; a lock's holding must be closed by the
 * thread that holds the lock. (The lock's or semaphore's own {@code close()} is no release: it
 * is about the object itself, see there.)
 */
public final class Holding implements AutoCloseable {
    private final Runnable release;
    private boolean released;

    Holding(Runnable release) {
        this.release = release;
    }

    /**
     * Releases the lock or the permit, unless this holding was closed already. Never blocks.
     *
     * @throws IllegalMonitorStateException for a lock, when the calling thread does not hold it
     *     (the holding then stays open, for the holding thread to close)
     * @throws IllegalStateException for a {@link ProcessBoundedSemaphore}, when it already has its
     *     initial number of permits (see {@link ProcessBoundedSemaphore#release()})
     */
    @Override
    public void close() {
        if (!released) {
            release.run();
            released = true;
        }
    }
}
