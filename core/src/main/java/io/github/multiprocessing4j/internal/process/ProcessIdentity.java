package io.github.multiprocessing4j.internal.process;

/**
 * A process of the tree as this JVM knows it: itself, or its parent as it was at this JVM's start.
 *
 * @param pid the process id
 * @param startTicks with the pid, identifies the process (see {@code Platform.startTicks})
 * @param name the process name
 * @param daemon whether it is a daemon
 */
public record ProcessIdentity(long pid, long startTicks, String name, boolean daemon) {
}
