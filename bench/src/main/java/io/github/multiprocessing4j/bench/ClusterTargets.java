package io.github.multiprocessing4j.bench;

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
}
