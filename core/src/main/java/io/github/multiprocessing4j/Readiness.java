package io.github.multiprocessing4j;

import io.github.multiprocessing4j.internal.sync.Wait;

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
 * its public methods, which are both quick and thorough.
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
    }

    /** See {@link Multiprocessing#waitAny(Duration, Collection)}. */
    static <T> List<T> waitAny(Duration timeout, Collection<? extends T> objects) throws InterruptedException {
        Objects.requireNonNull(objects, "objects");
        List<T> waited = new ArrayList<>(objects.size());
        List<Probe> probes = new ArrayList<>(objects.size());
        for (T object : objects) {
            probes.add(probe(object, waited.size()));
            waited.add(object);
        }
        if (waited.isEmpty()) {
            throw new IllegalArgumentException("nothing to wait for: give at least one connection, queue or process");
        }
        List<T> ready = look(waited, probes, true);
        long timeoutNanos = timeout == null ? -1 : ProcessQueue.nanos(timeout);
        if (ready != null || timeoutNanos == 0) {
            return ready != null ? ready : List.of();
        }
        ready = Wait.interruptiblyFor(timeoutNanos, () -> look(waited, probes, false), () -> look(waited, probes, true));
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
            };
        }
        if (object instanceof Connection<?> connection) {
            return () -> connection.poll(Duration.ZERO);
        }
        if (object instanceof ProcessQueue<?> queue) {
            queue.use.checkOpen(); // closed in this process: get() would throw, so would this
            return () -> queue.backend.size() > 0 || queue.backend.isClosed();
        }
        if (object instanceof ProcessSimpleQueue<?> queue) {
            queue.use.checkOpen();
            return () -> queue.backend.size() > 0 || queue.backend.isClosed();
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
