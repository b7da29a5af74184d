package io.github.multiprocessing4j.internal.process;

/**
 * Who a child is, as its parent told it at start (its bootstrap message).
 *
 * @param treeId the tree's registry id
 * @param name the child's name
 * @param daemon whether the child is a daemon
 * @param parentPid the parent's pid
 * @param parentStartTicks the parent's start ticks
 * @param parentName the parent's process name
 * @param parentDaemon whether the parent is a daemon
 */
public record ChildIdentity(String treeId, String name, boolean daemon, long parentPid, long parentStartTicks,
                            String parentName, boolean parentDaemon) {
}
