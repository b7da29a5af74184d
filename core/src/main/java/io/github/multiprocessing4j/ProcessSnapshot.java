package io.github.multiprocessing4j;

import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One live process of a process tree started with this library, as {@code mp4j ps} shows it:
 * an immutable snapshot taken by {@link Multiprocessing#processTable()}.
 *
 * @param treeId the tree the process belongs to (named after the tree's root process)
 * @param pid the process id
 * @param parentPid the pid of the process that started it, or 0 for the root of the tree
 * @param name the process name ({@code MainProcess} for the root)
 * @param daemon whether it is a daemon
 * @param state the library's view: {@code booting} (started by its parent, its JVM not yet
 *     running the target), {@code running} or {@code exiting}
 * @param osState the operating system's one-letter state ({@code R}, {@code S}, {@code Z}, ...)
 *     where the system tells it
 * @param startTime when the process started, where the system tells it
 * @param residentBytes its resident set size, where the system tells it
 * @param startMethod how its parent started it; empty for the root of a tree
 */
public record ProcessSnapshot(String treeId, long pid, long parentPid, String name, boolean daemon, String state,
                              Optional<String> osState, Optional<Instant> startTime, OptionalLong residentBytes,
                              Optional<StartMethod> startMethod) {

    /**
     * Creates a snapshot whose start method is not known.
     *
     * @param treeId the tree the process belongs to
     * @param pid the process id
     * @param parentPid the pid of the process that started it, or 0 for the root of the tree
     * @param name the process name
     * @param daemon whether it is a daemon
     * @param state the library's view: {@code booting}, {@code running} or {@code exiting}
     * @param osState the operating system's one-letter state, where the system tells it
     * @param startTime when the process started, where the system tells it
     * @param residentBytes its resident set size, where the system tells it
     */
    public ProcessSnapshot(String treeId, long pid, long parentPid, String name, boolean daemon, String state,
                           Optional<String> osState, Optional<Instant> startTime, OptionalLong residentBytes) {
        this(treeId, pid, parentPid, name, daemon, state, osState, startTime, residentBytes, Optional.empty());
    }
}
