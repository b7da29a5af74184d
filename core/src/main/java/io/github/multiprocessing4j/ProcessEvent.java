package io.github.multiprocessing4j;

import io.github.multiprocessing4j.internal.statics.StaticShared;
import io.github.multiprocessing4j.spi.EventBackend;

import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;

/**
 * A flag shared by the processes of a tree that threads can wait for: Python's
 * {@code multiprocessing.Event}. It starts clear; {@link #set()} sets it and releases every
 * waiter, {@link #clear()} clears it, {@link #await()} waits until it is set.
 *
 * <pre>{@code
 * ProcessEvent go = new ProcessEvent();
 * ChildProcess runner = new ChildProcess(() -> { go.await(); run(); });
 * runner.start();
 * go.set();
 * }</pre>
 *
 * <p>It is a handle to shared memory: capture it in a child's target, or send it to another
 * process of the tree, and both use the same event. Nothing is held, so the death of a process
 * blocks no one (but an event that only a dead process would have set stays clear: wait with a
 * timeout when that matters).
 *
 * <p>{@link #await()} blocks; every other method returns at once. A waiter that was waiting when
 * the event was set returns true even if the event was cleared again before it looked, as in
 * Python.
 *
 * <p>The flag lives in shared memory ({@code LocalEvent}), or where the {@linkplain #over backend}
 * it was made over keeps it (on a Redis server, for a cluster's events).
 *
 * <p>Implementation notes. The flag is a word of shared memory beside a count of the times it
 * was set; waiters poll both (parking up to 2 ms between looks, 20 ms once they have waited half
 * a second). The algorithm is {@code internal.sync.RobustEvent}.
 */
public final class ProcessEvent implements Serializable, Unlinkable {
    private static final long serialVersionUID = 1L;

    /** Where the flag lives: shared memory, or the backend the event was made over. */
    private final EventBackend event;
    /** This handle's use in this process. */
    private final ProcessUse use;

    /**
     * Creates an event, clear, in the calling process's tree.
     *
     * <p>Made by a static initialiser, it is the tree's: see
     * <a href="package-summary.html#static-fields">static fields</a>.
     */
    public ProcessEvent() {
        event = StaticShared.resolve("ProcessEvent", LocalEvent::new, LocalEvent::close);
        use = ProcessUse.ofNew("ProcessEvent");
    }

    private ProcessEvent(EventBackend backend) {
        event = backend;
        use = ProcessUse.ofBackend("ProcessEvent");
    }

    /** A handle read from another process's message ({@link HandleWire}). */
    ProcessEvent(LocalEvent backend, ProcessUse use) {
        event = backend;
        this.use = use;
    }

    /**
     * Makes an event whose flag lives in {@code backend} (for implementers of backends; see
     * {@link io.github.multiprocessing4j.spi}). Its methods then block, fail and travel as the
     * backend documents.
     *
     * @param backend where the flag lives
     * @return the event
     */
    public static ProcessEvent over(EventBackend backend) {
        return new ProcessEvent(Objects.requireNonNull(backend, "backend"));
    }

    /** Sets the event, releasing every thread that waits for it. Never blocks. */
    public void set() {
        open().set();
    }

    /** Clears the event: threads that wait from now on wait until it is set again. Never blocks. */
    public void clear() {
        open().clear();
    }

    /** {@return whether the event is set} A snapshot; never blocks. Python's {@code is_set()}. */
    public boolean isSet() {
        return open().isSet();
    }

    /**
     * Waits until the event is set; returns at once when it is set already. Python's
     * {@code wait()}.
     *
     * @throws InterruptedException when the thread is interrupted before or while waiting
     */
    public void await() throws InterruptedException {
        open().await(-1);
    }

    /**
     * Waits until the event is set, at most {@code timeout}; Python's {@code wait(timeout)}.
     *
     * @param timeout how long to wait; zero or negative does not wait
     * @return true when the event was set (now, or while this thread waited), false on timeout
     * @throws InterruptedException when the thread is interrupted before or while waiting
     */
    public boolean await(Duration timeout) throws InterruptedException {
        return open().await(ProcessQueue.nanos(timeout));
    }

    /**
     * Ends this process's use of the event through this handle (Python's {@code close()}): its
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
            event.close();
        }
    }

    /**
     * Removes the event's name from the tree, for every process (as
     * {@link SharedMemory#unlink()}): handles that exist keep working until they are closed, and
     * the memory goes when the last of them is gone; handles received or deserialized afterwards
     * fail with {@link IllegalStateException}. Works on a closed handle; idempotent; never
     * blocks. (An object over another backend: as that backend documents for its
     * {@code close()}.)
     */
    @Override
    public void unlink() {
        event.close();
    }

    /**
     * Describes the event for logs and debuggers: where its flag lives, and whether it is set (a
     * snapshot).
     *
     * @return the description
     */
    @Override
    public String toString() {
        return "ProcessEvent(" + event + (use.isClosed() ? ", closed in this process)" : isSet() ? ", set)" : ", clear)");
    }

    /**
     * @return the state, for an operation through this handle
     * @throws IllegalStateException when this handle was closed in this process
     */
    private EventBackend open() {
        use.checkOpen();
        return event;
    }

    /** @return where the flag lives */
    EventBackend backend() {
        return event;
    }

    /** @return this handle's use in this process */
    ProcessUse use() {
        return use;
    }
}
