package io.github.multiprocessing4j;

import io.github.multiprocessing4j.internal.statics.StaticShared;
import io.github.multiprocessing4j.spi.LongBackend;

import java.io.Serializable;
import java.util.Objects;

/**
 * A {@code long} in shared memory: Python's {@code multiprocessing.Value('q')}, with atomic
 * operations like {@link java.util.concurrent.atomic.AtomicLong}. Capture it in a child's target
 * and both processes see and change the same number. Every method is atomic across processes
 * and threads, never blocks, and has volatile memory semantics.
 *
 * <p>The value lives in shared memory ({@code LocalLong}: one 8-byte word), or where the
 * {@linkplain #over backend} it was made over keeps it (on a Redis server, for a cluster's values).
 */
public final class SharedLong implements Serializable, Unlinkable {
    private static final long serialVersionUID = 1L;

    /** Where the value lives: shared memory, or the backend the value was made over. */
    private final LongBackend backend;
    /** This handle's use in this process. */
    private final ProcessUse use;

    /**
     * Creates a shared long holding 0.
     *
     * <p>Made by a static initialiser, it is the tree's: see
     * <a href="package-summary.html#static-fields">static fields</a>.
     */
    public SharedLong() {
        this(0);
    }

    /**
     * Creates a shared long holding {@code initial}.
     *
     * <p>Made by a static initialiser, it is the tree's: see
     * <a href="package-summary.html#static-fields">static fields</a>.
     *
     * @param initial the value it starts with
     */
    public SharedLong(long initial) {
        this.backend = StaticShared.resolve("SharedLong", () -> new LocalLong(initial), LocalLong::close);
        this.use = ProcessUse.ofNew("SharedLong");
    }

    private SharedLong(LongBackend backend) {
        this.backend = backend;
        this.use = ProcessUse.ofBackend("SharedLong");
    }

    /** A handle read from another process's message ({@link HandleWire}). */
    SharedLong(LocalLong backend, ProcessUse use) {
        this.backend = backend;
        this.use = use;
    }

    /**
     * Makes a shared long whose value lives in {@code backend} (for implementers of backends; see
     * {@link io.github.multiprocessing4j.spi}). Its methods then block, fail and travel as the
     * backend documents.
     *
     * @param backend where the value lives
     * @return the shared long
     */
    public static SharedLong over(LongBackend backend) {
        return new SharedLong(Objects.requireNonNull(backend, "backend"));
    }

    /** {@return the value} */
    public long get() {
        return open().get();
    }

    /**
     * Sets the value.
     *
     * @param value the new value
     */
    public void set(long value) {
        open().set(value);
    }

    /**
     * Adds 1 to the value.
     *
     * @return the value after adding 1
     */
    public long incrementAndGet() {
        return open().getAndAdd(1) + 1;
    }

    /**
     * Adds {@code delta} to the value.
     *
     * @param delta what to add (negative to subtract)
     * @return the value after adding {@code delta}
     */
    public long addAndGet(long delta) {
        return open().getAndAdd(delta) + delta;
    }

    /**
     * Adds {@code delta} to the value.
     *
     * @param delta what to add (negative to subtract)
     * @return the value before adding {@code delta}
     */
    public long getAndAdd(long delta) {
        return open().getAndAdd(delta);
    }

    /**
     * Sets the value to {@code value} if it is {@code expected}.
     *
     * @param expected the value it must have now
     * @param value the new value
     * @return whether the value was {@code expected} and is now {@code value}
     */
    public boolean compareAndSet(long expected, long value) {
        return open().compareAndSet(expected, value);
    }

    /**
     * Ends this process's use of the value through this handle (Python's {@code close()}): its
     * further use here throws {@link IllegalStateException}; the other processes keep using
     * it. Its shared memory goes now when no other process can have it (this handle was
     * made here, outside a static initialiser, and never sent to another process), else with
     * {@link #unlink()} or when the last process of its tree ends: which processes hold a shared
     * object is not tracked. Idempotent; never blocks. (A handle made {@code over} another backend: its
     * {@code close()} is that backend's {@code close()}, as the backend documents.)
     */
    @Override
    public void close() {
        if (use.close()) {
            backend.close();
        }
    }

    /**
     * Removes the value's name from the tree, for every process (as
     * {@link SharedMemory#unlink()}): handles that exist keep working until they are closed, and
     * the memory goes when the last of them is gone; handles received or deserialized afterwards
     * fail with {@link IllegalStateException}. Works on a closed handle; idempotent; never
     * blocks. (An object over another backend: as that backend documents for its
     * {@code close()}.)
     */
    @Override
    public void unlink() {
        backend.close();
    }

    /**
     * Returns the value in decimal, as {@link Long#toString(long)} does.
     *
     * @return the value (a snapshot), in decimal
     */
    @Override
    public String toString() {
        return use.isClosed() ? "SharedLong(closed in this process)" : Long.toString(get());
    }

    /**
     * @return the state, for an operation through this handle
     * @throws IllegalStateException when this handle was closed in this process
     */
    private LongBackend open() {
        use.checkOpen();
        return backend;
    }

    /** @return where the value lives */
    LongBackend backend() {
        return backend;
    }

    /** @return this handle's use in this process */
    ProcessUse use() {
        return use;
    }
}
