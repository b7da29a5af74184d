package io.github.multiprocessing4j;

import io.github.multiprocessing4j.internal.shm.SharedSegment;
import io.github.multiprocessing4j.internal.sync.EventDescriptor;
import io.github.multiprocessing4j.internal.sync.Wait;

import java.io.Serializable;
import java.time.Duration;

import static io.github.multiprocessing4j.internal.sync.EventDescriptor.FLAG;
import static io.github.multiprocessing4j.internal.sync.EventDescriptor.SETS;

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
 * <p>Implementation notes. The flag is one word; beside it a counter of the times {@code set()}
 * changed it from clear to set. A waiter notes the counter, then polls both with a
 * backoff (parking up to 2 ms between looks,
 * 20 ms once it has waited half a second): it returns when the flag is set or the counter has
 * moved, so that, as in Python, a waiter that was waiting when the event was set
 * returns true even if the event was cleared again before it looked.
 */
public final class ProcessEvent implements Serializable, AutoCloseable {
    private static final long serialVersionUID = 1L;

    private final SharedSegment segment;

    /** Creates an event, clear, in the calling process's tree. */
    public ProcessEvent() {
        segment = SharedSegment.create("event", EventDescriptor.SIZE);
    }

    /** Sets the event, releasing every thread that waits for it. Never blocks. */
    public void set() {
        if (segment.compareAndSetLong(FLAG, 0, 1)) {
            segment.getAndAddLong(SETS, 1);
        }
    }

    /** Clears the event: threads that wait from now on wait until it is set again. Never blocks. */
    public void clear() {
        segment.setLongVolatile(FLAG, 0);
    }

    /** @return whether the event is set (a snapshot; never blocks) */
    public boolean isSet() {
        return segment.getLongVolatile(FLAG) != 0;
    }

    /**
     * Waits until the event is set; returns at once when it is set already. Python's
     * {@code wait()}.
     *
     * @throws InterruptedException when the thread is interrupted before or while waiting
     */
    public void await() throws InterruptedException {
        await(-1);
    }

    /**
     * Waits until the event is set, at most {@code timeout}; Python's {@code wait(timeout)}.
     *
     * @param timeout how long to wait; zero or negative does not wait
     * @return true when the event was set (now, or while this thread waited), false on timeout
     * @throws InterruptedException when the thread is interrupted before or while waiting
     */
    public boolean await(Duration timeout) throws InterruptedException {
        return await(Math.max(0, timeout.toNanos()));
    }

    /** Removes the event's name from the tree (see {@link ProcessLock#close()}). */
    @Override
    public void close() {
        segment.unlink();
    }

    @Override
    public String toString() {
        return "ProcessEvent(" + segment.name() + (isSet() ? ", set)" : ", clear)");
    }

    private boolean await(long timeoutNanos) throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        long sets = segment.getLongVolatile(SETS);
        if (isSet()) {
            return true;
        }
        Wait wait = new Wait(timeoutNanos);
        while (true) {
            if (isSet() || segment.getLongVolatile(SETS) != sets) {
                return true;
            }
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            if (wait.expired()) {
                return false;
            }
            wait.pause();
        }
    }
}
