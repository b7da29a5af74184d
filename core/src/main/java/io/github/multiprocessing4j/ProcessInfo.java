package io.github.multiprocessing4j;

/**
 * What a process knows about itself or about its parent: the answer of
 * {@link Multiprocessing#currentProcess()} and {@link Multiprocessing#parentProcess()}.
 * Instances are immutable snapshots.
 */
public interface ProcessInfo {
    /** {@return the operating-system process id} */
    long pid();

    /**
     * Returns the process name: the {@link ChildProcess} name for a process started by this
     * library, {@code "MainProcess"} for a JVM that was not.
     *
     * @return the process name
     */
    String name();

    /** {@return whether the process is a daemon (ended together with its parent)} */
    boolean isDaemon();

    /**
     * Tells whether the process still runs, as Python's {@code parent_process().is_alive()}: an
     * orphan finds out this way that its parent has died. Reads {@code /proc}; does not block.
     *
     * @return true while the process exists (a reused pid is not mistaken for it)
     */
    boolean isAlive();
}
