package io.github.multiprocessing4j;

import io.github.multiprocessing4j.internal.statics.StaticShared;
import io.github.multiprocessing4j.internal.util.Log;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.lang.ref.Cleaner;

/**
 * One handle's use of a shared object in this process, for Python's per-process {@code close()}:
 * whether the handle was closed here, and whether it ever left this process.
 *
 * <p>Implementation notes. Python's {@code close()} of a queue or a connection ends only the
 * calling process's use: the other processes keep the object. A handle is closed on its own
 * (a transient flag, so a copy sent elsewhere is open there), and every operation of the public
 * class checks it first (one volatile read). Which other processes use an object is not tracked
 * for queues and shared objects (it would cost a table per object, and a handle in a queue item
 * belongs to no process while it travels), so their {@code close()} can destroy the object only
 * when no other process can have it: the handle was made here by a constructor, outside a static
 * initialiser (whose objects are the tree's), and was never serialized (into a child's target, a
 * task, a queue item or a message). Otherwise the object goes with {@code unlink()} or with its
 * tree. Pipe ends do track their users ({@code internal.queue.PipeEnds}).
 *
 * <p>A handle that no other process can have is also destroyed when it becomes unreachable
 * without a {@code close()} ({@link #destroyWhenUnreachable}), as CPython frees a queue whose
 * last reference goes: a program that makes a queue per request and drops it kept about 1 MiB of
 * {@code /dev/shm} each until its tree ended (1,000 such queues, 1 GiB). The handle's methods keep
 * it reachable until their operation is over ({@link java.lang.ref.Reference#reachabilityFence}):
 * the JIT may otherwise drop a handle whose last use is a call still blocked in its backend.
 *
 * <p>A handle made over a backend (a cluster's named object) leaves both calls to the backend:
 * its {@code close()} is the backend's {@code close()}, as the backend documents (for a cluster,
 * a deletion for everyone), and it is never closed here.
 */
final class ProcessUse implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String kind;
    /** Whether the handle was made over a backend, which decides what close() means. */
    private final boolean overBackend;
    private transient volatile boolean closed;
    /** Whether another process may have the object: the handle came from or went to a stream, or is the tree's. */
    private transient volatile boolean shared;

    private ProcessUse(String kind, boolean shared, boolean overBackend) {
        this.kind = kind;
        this.shared = shared;
        this.overBackend = overBackend;
    }

    /** @return the use of a handle a constructor of {@code kind} ("ProcessQueue") makes now */
    static ProcessUse ofNew(String kind) {
        return new ProcessUse(kind, StaticShared.madeByStaticInitialiser(), false);
    }

    /** @return the use of a handle made over a backend, whose close() the backend decides */
    static ProcessUse ofBackend(String kind) {
        return new ProcessUse(kind, false, true);
    }

    /** @throws IllegalStateException when this handle was closed in this process */
    void checkOpen() {
        if (closed) {
            throw closedHere(kind);
        }
    }

    /** @return whether this handle was closed in this process */
    boolean isClosed() {
        return closed;
    }

    /**
     * Closes the handle in this process.
     *
     * @return whether the caller should destroy the object now: this call closed the handle, and
     *     no other process can have the object; always, over a backend (whose close() it is)
     */
    boolean close() {
        if (overBackend) {
            return true;
        }
        if (closed) {
            return false;
        }
        closed = true;
        return !shared;
    }

    /**
     * Destroys the object with {@code destroy} once {@code handle} is unreachable, unless by then
     * it was closed here or may be in another process (see the class comment). Registers nothing
     * for a handle that may be in another process already, or is over a backend.
     *
     * @param handle the public handle, which {@code destroy} must not reference
     * @param destroy what {@code close()} does when no other process can have the object
     */
    void destroyWhenUnreachable(Object handle, Runnable destroy) {
        if (shared || overBackend) {
            return;
        }
        Unreachable.CLEANER.register(handle, () -> {
            if (!closed && !shared) {
                closed = true;
                try {
                    destroy.run();
                } catch (RuntimeException e) {
                    Log.of(ProcessUse.class).log(System.Logger.Level.DEBUG, "a dropped " + kind + " could not be freed", e);
                }
            }
        });
    }

    /** The thread that frees what dropped handles held: made with the first such handle. */
    private static final class Unreachable {
        static final Cleaner CLEANER = Cleaner.create(action -> {
            Thread thread = new Thread(action, "mp4j-cleaner");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** @return whether another process may have the object (see the class comment) */
    boolean isShared() {
        return shared;
    }

    /** @return the error for a use of a handle of {@code kind} closed in this process */
    static IllegalStateException closedHere(String kind) {
        return new IllegalStateException("this " + kind + " was closed in this process: close() ends only this"
                + " process's use (the other processes keep it); unlink() ends it for every process");
    }

    /**
     * @return the use of a handle of {@code kind} that its maker unlinks itself (a spare's warm-up):
     *     its {@code close()} never destroys, and nothing waits for it to become unreachable
     */
    static ProcessUse ofScratch(String kind) {
        return new ProcessUse(kind, true, false);
    }

    /** @return the use of a handle of {@code kind} read from another process's message (see {@link HandleWire}) */
    static ProcessUse received(String kind) {
        return new ProcessUse(kind, true, false);
    }

    /** Marks the handle as on its way to another process (or back to this one). */
    void sent() {
        shared = true;
    }

    private void writeObject(ObjectOutputStream out) throws IOException {
        sent();
        out.defaultWriteObject();
    }

    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
        in.defaultReadObject();
        shared = true;
    }
}
