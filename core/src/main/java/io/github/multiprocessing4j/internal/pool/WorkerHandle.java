package io.github.multiprocessing4j.internal.pool;

import io.github.multiprocessing4j.ChildProcess;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The parent's view of one worker: its process, its inbox and the chunks it holds (sent, not
 * answered). Guarded by the pool's lock.
 */
final class WorkerHandle {
    final int id;
    final ChildProcess process;
    final long pid;
    final Channel inbox;
    /** Chunks sent and not answered, in the order sent. */
    final Map<Long, Chunk> held = new LinkedHashMap<>();
    /** Functions the worker has cached: the same LRU operations in the same order as the worker's. */
    final Map<Long, Boolean> functions = WorkerLoop.lruCache(WorkerLoop.FUNCTION_CACHE);
    int heldTasks;
    /** Chunks sent in all, for {@code maxTasksPerChild}. */
    int assigned;
    /** Booted and initialised. */
    boolean ready;
    /** Has been sent its quota of chunks: it ends once they are done, and gets no more. */
    boolean retiring;
    /** Its inbox is closed: it ends once the inbox is empty. */
    boolean closed;

    WorkerHandle(int id, ChildProcess process, Channel inbox) {
        this.id = id;
        this.process = process;
        this.pid = process.pid();
        this.inbox = inbox;
    }

    /** Sends a chunk, defining its function first when this worker lacks it. */
    void send(Chunk chunk) {
        FunctionRef function = chunk.function;
        if (function != null && functions.get(function.id) == null) {
            inbox.put(function.defineMessage);
            functions.put(function.id, Boolean.TRUE);
        }
        inbox.put(chunk.message);
        held.put(chunk.id, chunk);
        heldTasks += chunk.count;
        assigned++;
    }

    void close() {
        if (!closed) {
            closed = true;
            inbox.close();
        }
    }

    String name() {
        return process.name();
    }
}
