package io.github.multiprocessing4j;

import io.github.multiprocessing4j.internal.sync.Seating;
import io.github.multiprocessing4j.internal.sync.Wait;
import io.github.multiprocessing4j.internal.sync.WaiterBoard;
import io.github.multiprocessing4j.spi.QueueBackend;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Future;

/**
 * {@link Multiprocessing#waitAny}: waits until at least one of several objects is ready, and
 * names every one that is.
 *
 * <p>Implementation notes. No process can wake another's thread, and the objects have no wake-up
 * of their own to share (a queue's or a pipe's waiter polls its shared memory too), so the wait
 * polls them all with {@link Wait}'s backoff. Each object gets a {@link Probe} with two looks: a
 * quick one made every round, which reads shared memory or a field only (a message or an item is
 * there, the queue or pipe is closed, the JDK has seen the child exit), and a thorough one made
 * at the start and then every {@link Wait#LIVENESS_CHECK_NANOS}, which may read {@code /proc}
 * (whether every process that used a pipe's other end has died). An object of a type of ours
 * that is not known here (a {@link Connection} of another implementation) is looked at through
 * its public methods, which are both quick and thorough. Once the wait is long it sits on the
 * board of every queue and pipe end in shared memory ({@link Seating#onEach}), so that a put or
 * a send into any of them rings it, as it rings a {@code get()}; processes, futures and a
 * cluster's queues have no board, and are only looked at.
 */
final class Readiness {
    private Readiness() {
    }

    /** Two looks at one object: is it ready? */
    private interface Probe {
        /** @return whether it is ready, from what costs next to nothing to read */
        boolean quick();

        /** @return whether it is ready, looking further (dead processes) */
        default boolean thorough() {
            return quick();
        }

        /** @return where a long wait sits to be rung when it changes; null when nothing rings */
        default WaiterBoard board() {
            return null;
        }
    }

    /** See {@link Multiprocessing#waitAny(Duration, Collection)}. */
    static <T> List<T> waitAny(Duration timeout, Collection<? extends T> objects) throws InterruptedException {
        Objects.requireNonNull(objects, "objects");
        List<T> waited = new ArrayList<>(objects.size());
        List<Probe> probes = new ArrayList<>(objects.size());
        List<WaiterBoard> boards = new ArrayList<>();
        for (T object : objects) {
            Probe probe = probe(object, waited.size());
            probes.add(probe);
            waited.add(object);
            if (probe.board() != null) {
                boards.add(probe.board());
            }
        }
        if (waited.isEmpty()) {
            throw new IllegalArgumentException("nothing to wait for: give at least one connection, queue or process");
        }
        List<T> ready = look(waited, probes, true);
        long timeoutNanos = timeout == null ? -1 : ProcessQueue.nanos(timeout);
        if (ready != null || timeoutNanos == 0) {
            return ready != null ? ready : List.of();
        }
        ready = Wait.interruptiblyFor(timeoutNanos, () -> look(waited, probes, false), () -> look(waited, probes, true),
                boards.isEmpty() ? null : Seating.onEach(boards));
        return ready != null ? ready : List.of();
    }

    /** @return the ready objects in the order given, or null when none is */
    private static <T> List<T> look(List<T> waited, List<Probe> probes, boolean thorough) {
        List<T> ready = null;
        for (int i = 0; i < probes.size(); i++) {
            Probe probe = probes.get(i);
            if (thorough ? probe.thorough() : probe.quick()) {
                if (ready == null) {
                    ready = new ArrayList<>();
                }
                ready.add(waited.get(i));
            }
        }
        return ready;
    }

    /** A queue is ready with an item or closed; one in shared memory rings its long waiters. */
    private static Probe queueProbe(QueueBackend backend) {
        WaiterBoard board = backend instanceof LocalQueue local ? local.queue.takersBoard() : null;
        return new Probe() {
            @Override
            public boolean quick() {
                return backend.size() > 0 || backend.isClosed();
            }

            @Override
            public WaiterBoard board() {
                return board;
            }
        };
    }

    private static Probe probe(Object object, int index) {
        if (object == null) {
            throw new NullPointerException("the object to wait for at index " + index + " is null");
        }
        if (object instanceof PipeConnection<?> connection) {
            connection.checkCanBeWaitedOn();
            return new Probe() {
                @Override
                public boolean quick() {
                    return connection.hasMessageOrClose();
                }

                @Override
                public boolean thorough() {
                    return connection.hasMessageOrClose() || connection.isPeerGone();
                }

                @Override
                public WaiterBoard board() {
                    return connection.receiveBoard();
                }
            };
        }
        if (object instanceof Connection<?> connection) {
            return () -> connection.poll(Duration.ZERO);
        }
        if (object instanceof ProcessQueue<?> queue) {
            queue.use.checkOpen(); // closed in this process: get() would throw, so would this
            return queueProbe(queue.backend);
        }
        if (object instanceof ProcessSimpleQueue<?> queue) {
            queue.use.checkOpen();
            return queueProbe(queue.backend);
        }
        if (object instanceof ChildProcess child) {
            child.toHandle(); // IllegalStateException before start(), naming the process
            return child::hasEnded;
        }
        if (object instanceof ProcessHandle process) {
            return () -> !process.isAlive();
        }
        if (object instanceof Future<?> future) {
            return future::isDone;
        }
        throw new IllegalArgumentException("cannot wait for a " + object.getClass().getName() + " (at index " + index
                + "): waitAny waits for a Connection (a message to receive, or its other end gone), a ProcessQueue,"
                + " ProcessJoinableQueue or ProcessSimpleQueue (an item to get, or closed), a ChildProcess or"
                + " ProcessHandle (ended) and a Future (done)");
    }
}
