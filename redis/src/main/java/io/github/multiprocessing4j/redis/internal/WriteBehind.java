package io.github.multiprocessing4j.redis.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * One process's stream of writes over one connection that callers need not wait for (the puts
 * of unbounded queues, joinable queues' acknowledgements), sent in order and in batches: a write
 * that finds the stream idle is sent at once by a sender thread (a lone put is not held back), and
 * the writes made while a batch is in flight go together in the next one; consecutive writes to
 * one object in a batch are one script call. So one thread's consecutive puts travel many to a
 * round trip instead of one.
 *
 * <p>Order: the stream is one per connection, so a process's writes reach the server in the order
 * it made them, across objects; and every other call over the connection waits for the stream to
 * be empty first ({@link Server#beforeEachCall}), so a put followed by, say, an increment of a
 * shared long or a lock release is seen in that order by every other program.
 *
 * <p>What it costs: a write is on the server about one round trip after the call returned, not
 * when it returns. A process killed in that window loses it; a write the server refuses (a queue
 * closed meanwhile) or that cannot be sent (the server gone for the timeout) is logged and thrown,
 * naming the object and how many writes it concerns, by the next {@link #add} or {@link #flush}
 * of the stream. The stream is flushed when the connection closes and at the JVM's normal exit.
 *
 * <p>Implementation notes. Sender threads come from one cached pool of daemon threads (idle
 * ones end after 30 s). At most {@value #MAX_PENDING} writes (64 MiB of items) wait: a writer
 * beyond that waits for the sender (back-pressure). A batch is cut at {@value #MAX_BATCH} writes
 * or 4 MiB, so that one script call stays small for the server.
 */
final class WriteBehind {
    private static final System.Logger LOG = System.getLogger(WriteBehind.class.getName());
    static final int MAX_PENDING = 8_192;
    /** Bytes of payload waiting beyond which a writer waits for the sender. */
    static final long MAX_PENDING_BYTES = 64L << 20;
    static final int MAX_BATCH = 1_024;
    /** Bytes of payload beyond which a batch is cut (one large item still goes alone). */
    static final long MAX_BATCH_BYTES = 4L << 20;
    private static final Map<ClusterConnection, WriteBehind> STREAMS = new ConcurrentHashMap<>();
    private static final ExecutorService SENDERS = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS,
            new SynchronousQueue<>(), task -> {
                Thread t = new Thread(task, "mp4j-redis-writes");
                t.setDaemon(true);
                return t;
            });

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(WriteBehind::flushAllAtExit, "mp4j-redis-flush"));
    }

    /** Where writes of one kind to one object go: sends a batch of them in one call, in order. */
    interface Sink<T> {
        /** @throws RuntimeException when the batch was not (or not wholly) stored, saying so */
        void send(List<T> batch);
    }

    private record Write(Sink<Object> sink, Object payload, int bytes) {
    }

    private final long timeoutNanos;
    private List<Write> pending = new ArrayList<>();
    private boolean sending;
    private long sent;
    private long added;
    private long pendingBytes;
    private RuntimeException failure;

    private WriteBehind(long timeoutNanos) {
        this.timeoutNanos = timeoutNanos;
    }

    /** @return this process's stream of writes over {@code connection} */
    static WriteBehind of(ClusterConnection connection) {
        return STREAMS.computeIfAbsent(connection, c -> new WriteBehind(c.server().timeout().toNanos()));
    }

    /** Waits until the writes made so far over {@code connection} are answered; keeps their failure for the stream's next call. */
    static void awaitSent(ClusterConnection connection) {
        WriteBehind stream = STREAMS.get(connection);
        if (stream != null) {
            stream.awaitSent();
        }
    }

    /** Flushes the stream of {@code connection} (before it closes), then forgets it. */
    static void close(ClusterConnection connection) {
        WriteBehind stream = STREAMS.remove(connection);
        if (stream != null) {
            try {
                stream.flush();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "{0}", e.getMessage());
            }
        }
    }

    private static void flushAllAtExit() {
        for (WriteBehind stream : STREAMS.values()) {
            try {
                stream.flush();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "{0}", e.getMessage());
            }
        }
    }

    /**
     * Adds a write of {@code bytes} bytes for {@code sink}; returns at once unless
     * {@value #MAX_PENDING} writes (or {@link #MAX_PENDING_BYTES}) wait.
     *
     * @throws RuntimeException the failure of earlier writes, once (this write is then not added)
     */
    @SuppressWarnings("unchecked")
    synchronized <T> void add(Sink<T> sink, T payload, int bytes) {
        throwFailure();
        boolean interrupted = false;
        while ((pending.size() >= MAX_PENDING || pendingBytes >= MAX_PENDING_BYTES && !pending.isEmpty())
                && failure == null) {
            try {
                wait();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        throwFailure();
        pending.add(new Write((Sink<Object>) sink, payload, bytes));
        pendingBytes += bytes;
        added++;
        if (!sending) {
            sending = true;
            SENDERS.execute(this::sendAll);
        }
    }

    /**
     * Waits until every write added so far has been answered by the server.
     *
     * @throws RuntimeException the failure of earlier writes, once
     */
    synchronized void flush() {
        awaitSent();
        throwFailure();
    }

    /** @throws ClusterFailure when the writes added so far are still not answered after the timeout */
    private synchronized void awaitSent() {
        long target = added;
        if (sent >= target) {
            return;
        }
        long deadline = System.nanoTime() + timeoutNanos + 1_000_000_000L;
        boolean interrupted = false;
        while (sent < target) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new ClusterFailure((target - sent) + " writes still not answered by the server", null, true);
            }
            try {
                TimeUnit.NANOSECONDS.timedWait(this, left);
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void throwFailure() {
        RuntimeException f = failure;
        if (f != null) {
            failure = null;
            throw f;
        }
    }

    private void sendAll() {
        while (true) {
            List<Write> batch;
            synchronized (this) {
                if (pending.isEmpty()) {
                    sending = false;
                    return;
                }
                int count = 0;
                long bytes = 0;
                while (count < pending.size() && count < MAX_BATCH && (count == 0 || bytes < MAX_BATCH_BYTES)) {
                    bytes += pending.get(count++).bytes;
                }
                if (count == pending.size()) {
                    batch = pending;
                    pending = new ArrayList<>();
                } else {
                    batch = new ArrayList<>(pending.subList(0, count));
                    pending.subList(0, count).clear();
                }
                pendingBytes -= bytes;
                notifyAll(); // room for writers held back
            }
            RuntimeException failed = null;
            int from = 0;
            while (from < batch.size()) { // one call per run of writes to the same sink, in order
                Sink<Object> sink = batch.get(from).sink;
                int to = from;
                List<Object> run = new ArrayList<>();
                while (to < batch.size() && batch.get(to).sink == sink) {
                    run.add(batch.get(to++).payload);
                }
                try {
                    sink.send(run);
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "{0} writes not stored: {1}", run.size(), e.getMessage());
                    if (failed == null) {
                        failed = e;
                    }
                }
                from = to;
            }
            synchronized (this) {
                sent += batch.size();
                if (failed != null && failure == null) {
                    failure = failed;
                }
                notifyAll();
            }
        }
    }
}
