package io.github.multiprocessing4j.internal.util;

/**
 * A flag that is claimed once per JVM: {@link #claim()} answers true to its first caller only.
 *
 * <p>Implementation notes. Not an {@code AtomicBoolean}: on JDK 17 that is a {@code VarHandle},
 * whose first use costs a JVM about 2 ms of CPU (measured on the 2-core development VM), and a
 * child's boot would be that first use. A claim is rare, so a lock costs nothing that matters.
 */
public final class Once {
    private boolean claimed;

    /** @return true the first time it is called, false ever after; never blocks for long */
    public synchronized boolean claim() {
        boolean first = !claimed;
        claimed = true;
        return first;
    }
}
