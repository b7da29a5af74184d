package io.github.multiprocessing4j.internal.runtime;

import java.io.IOException;

/**
 * The warm start method: the child takes a spare JVM booted ahead ({@link Spares}), or starts
 * cold when its configuration has none; either way a spare is then booted for the next child.
 */
final class WarmLauncher implements Launcher {
    private final ColdLauncher cold;
    private final Spares spares;
    private final ChildTable children;

    WarmLauncher(ColdLauncher cold, Spares spares, ChildTable children) {
        this.cold = cold;
        this.spares = spares;
        this.children = children;
    }

    @Override
    public StartedChild launch(LaunchRequest request, ChildRun run) throws IOException {
        run.warmStartAsked();
        Spares.Spare spare = spares.take(request.configuration());
        StartedChild child;
        if (spare == null) {
            child = cold.launch(request, run);
        } else {
            child = new StartedChild(spare.process(), spare.command(), spare.builder(), true);
            run.spawned(child);
            child.sendBootstrap(request.message());
            run.startReaper(); // after the message, which the spare has been waiting for
        }
        spares.refillAfterBoot(request.configuration(), children.sparesWanted(request.configuration()),
                child.fromSpare(), run);
        return child;
    }
}
