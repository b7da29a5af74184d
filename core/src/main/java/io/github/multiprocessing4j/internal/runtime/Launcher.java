package io.github.multiprocessing4j.internal.runtime;

import java.io.IOException;

/**
 * A start method: how a child gets its JVM, as CPython's {@code popen_*} modules. The cold
 * launcher spawns a fresh JVM ({@link ColdLauncher}), the warm one hands over a spare
 * ({@link WarmLauncher}); a remote launcher would start the child on another machine.
 *
 * <p>A launcher does three things for a start, in the order that costs the start least: gets a
 * running JVM, hands it to {@code run} ({@link ChildRun#spawned}) and writes the bootstrap
 * message on its lifeline, and starts the child's reaper ({@link ChildRun#startReaper()}).
 */
public interface Launcher {

    /**
     * Starts the child {@code request} describes.
     *
     * @param request the child: its name, configuration and bootstrap message
     * @param run the child's run, which watches it once it is spawned
     * @return the started child
     * @throws IOException when the operating system cannot start the process; {@code run} has
     *     then been told ({@link ChildRun#spawnFailed()})
     */
    StartedChild launch(LaunchRequest request, ChildRun run) throws IOException;
}
