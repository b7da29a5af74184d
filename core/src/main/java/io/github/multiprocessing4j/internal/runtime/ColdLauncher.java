package io.github.multiprocessing4j.internal.runtime;

import io.github.multiprocessing4j.internal.launch.ChildCommand;

import java.io.IOException;

/** The cold start method: a fresh JVM for every child (Python's {@code spawn}). */
final class ColdLauncher implements Launcher {

    @Override
    public StartedChild launch(LaunchRequest request, ChildRun run) throws IOException {
        ChildCommand command = ChildCommand.build(request.configuration().classPath(),
                request.configuration().jvmOptions(), request.configuration().environment(), request.name(),
                request.targetClass(), request.targetCapturesSharedObjects());
        ProcessBuilder builder = request.configuration().processBuilder(command.line());
        // Before the spawn: once the child JVM boots, it competes with this thread for the CPU,
        // and creating a thread then takes milliseconds.
        run.startReaper();
        StartedChild child;
        try {
            long spawnedAt = System.nanoTime();
            child = new StartedChild(ChildOutput.start(builder), command, builder, false, spawnedAt, -1);
        } catch (IOException e) {
            run.spawnFailed(); // no process: the reaper ends
            throw e;
        }
        run.spawned(child);
        run.sendBootstrap(request.message());
        return child;
    }
}
