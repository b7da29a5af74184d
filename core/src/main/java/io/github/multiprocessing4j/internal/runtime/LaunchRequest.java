package io.github.multiprocessing4j.internal.runtime;

import io.github.multiprocessing4j.internal.launch.BootstrapMessage;

/**
 * What a {@link Launcher} starts: one child, as its {@code start()} described it.
 *
 * @param name the child's name, shown on its command line
 * @param daemon whether the child ends with its parent
 * @param configuration its JVM options, environment and working directory
 * @param target the target (not serialized): the warm start names its first class to the next spare
 * @param message the bootstrap message, with the serialized target
 */
public record LaunchRequest(String name, boolean daemon, LaunchConfiguration configuration, Object target,
                            BootstrapMessage message) {
}
