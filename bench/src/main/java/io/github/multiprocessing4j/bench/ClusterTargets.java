package io.github.multiprocessing4j.bench;

import io.github.multiprocessing4j.ProcessJoinableQueue;
import io.github.multiprocessing4j.ProcessLock;
import io.github.multiprocessing4j.ProcessQueue;
import io.github.multiprocessing4j.SerializableCallable;
import io.github.multiprocessing4j.SerializableRunnable;
import io.github.multiprocessing4j.SharedLong;
import io.github.multiprocessing4j.SharedLongArray;

/**
 * The targets of the section "cluster"'s children, in a light class of their own for the reason
 * {@link ChildTargets} gives. The objects on the cluster reach the child as handles that
 * connect to the server named by the child's {@code MP4J_REDIS_URL}; the start line and the
 * timestamps are local shared memory, as the children are on the parent's machine.
 */
final class ClusterTargets {
    private ClusterTargets() {
    }

    /**
     * Waits until every worker is ready (a local countdown), increments {@code counter} on the
     * cluster {@code n} times, and leaves its start and end {@link System#nanoTime()} in
     * {@code times[2 * index]} and {@code times[2 * index + 1]}. The first increment, before
     * the countdown, connects to the server, so that the clock does not count it.
     */
    static SerializableRunnable incrementer(SharedLong counter, SharedLong countdown, SharedLongArray times,
            int index, int n) {
        return () -> {
            counter.incrementAndGet();
            ChildTargets.startTogether(countdown);
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                counter.incrementAndGet();
            }
            long t1 = System.nanoTime();
            times.set(2 * index, t0);
            times.set(2 * index + 1, t1);
        };
    }

    /**
     * The lock's first holder: takes {@code lock}, leaves its fencing token in {@code token} (local
     * shared memory) and holds the lock until it is killed.
     */
    static SerializableRunnable holdUntilKilled(ProcessLock lock, SharedLong token) {
        return () -> {
            lock.acquire();
            token.set(lock.fencingToken());
            Thread.sleep(600_000);
        };
    }

    /**
     * The lock's next holder: connects (one look at the lock), says it is about to wait
     * ({@code waiting} = 1), waits in {@code acquire()}, and leaves the {@link System#nanoTime()}
     * at which it returned in {@code acquiredAt} and its fencing token in {@code token}.
     */
    static SerializableRunnable takeOver(ProcessLock lock, SharedLong waiting, SharedLong acquiredAt, SharedLong token) {
        return () -> {
            lock.isLocked();
            waiting.set(1);
            lock.acquire();
            acquiredAt.set(System.nanoTime());
            token.set(lock.fencingToken());
            lock.release();
        };
    }

    /**
     * A pool task that tells where it runs and, on its first run only, holds its worker (sleeps)
     * until the worker is killed: on the first run it leaves its worker's pid in {@code where}; a
     * re-run (the pool's retry, on another worker) returns its worker's pid at once.
     * {@code runs} and {@code where} are on the cluster, as a task on another machine would see them.
     */
    static SerializableCallable<Long> heldOnFirstRun(SharedLong runs, SharedLong where) {
        return () -> {
            long pid = ProcessHandle.current().pid();
            if (runs.incrementAndGet() == 1) {
                where.set(pid);
                Thread.sleep(600_000);
            }
            return pid;
        };
    }

    /**
     * Connects (one look at the queue), waits at the start line, leaves its start time in
     * {@code times[0]}, puts the ints 0 .. n - 1 into {@code queue}, then the end marker -1. Its
     * puts go behind; the JVM's exit sends what is left.
     */
    static SerializableRunnable queueProducer(ProcessQueue<Integer> queue, SharedLong countdown, SharedLongArray times,
            int n) {
        return () -> {
            queue.qsize();
            ChildTargets.startTogether(countdown);
            times.set(0, System.nanoTime());
            for (int i = 0; i < n; i++) {
                queue.put(i);
            }
            queue.put(-1);
        };
    }

    /**
     * Connects, waits at the start line, gets from {@code queue} until the end marker, checking
     * that the ints come in order and all {@code n} of them came, and leaves the time it got the
     * end marker in {@code times[1]}.
     */
    static SerializableRunnable queueConsumer(ProcessQueue<Integer> queue, SharedLong countdown, SharedLongArray times,
            int n) {
        return () -> {
            queue.qsize();
            ChildTargets.startTogether(countdown);
            int expected = 0;
            for (int x = queue.get(); x >= 0; x = queue.get()) {
                if (x != expected) {
                    throw new IllegalStateException("got " + x + " where " + expected + " was next");
                }
                expected++;
            }
            times.set(1, System.nanoTime());
            if (expected != n) {
                throw new IllegalStateException("got " + expected + " items of " + n);
            }
        };
    }

    /**
     * Connects, waits at the start line, leaves its start time in {@code times[index]}, puts the
     * ints {@code from} .. {@code from + n - 1}, then makes sure they are on the server (any
     * other call waits for the puts that went behind) and counts {@code producersDone} up.
     */
    static SerializableRunnable joinableProducer(ProcessJoinableQueue<Integer> queue, SharedLong countdown,
            SharedLongArray times, int index, int from, int n, SharedLong producersDone) {
        return () -> {
            queue.unfinishedTasks();
            ChildTargets.startTogether(countdown);
            times.set(index, System.nanoTime());
            for (int i = from; i < from + n; i++) {
                queue.put(i);
            }
            queue.unfinishedTasks();
            producersDone.incrementAndGet();
        };
    }

    /** Connects, waits at the start line, then gets and finishes ({@code taskDone()}) items until an end marker. */
    static SerializableRunnable joinableConsumer(ProcessJoinableQueue<Integer> queue, SharedLong countdown) {
        return () -> {
            queue.unfinishedTasks();
            ChildTargets.startTogether(countdown);
            for (int x = queue.get(); x >= 0; x = queue.get()) {
                queue.taskDone();
            }
            queue.taskDone();
        };
    }
}
