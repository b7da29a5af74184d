package io.github.multiprocessing4j.internal.runtime;

import java.io.IOException;

/**
 * The warm start method: the child takes a spare JVM booted ahead ({@link Spares}), prepared or
 * still booting, or starts cold when its configuration has none (in place of a spare asked for
 * and not spawned yet); either way spares are then asked for the next children, unless the
 * request says none is near ({@link LaunchRequest#asksForSpares()}): then only what the program
 * fixed is kept.
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
        boolean prepared = false;
        if (spare == null) {
            spares.cancelOneAskedFor(request.configuration());
            child = cold.launch(request, run);
        } else {
            prepared = spare.prepared();
            child = new StartedChild(spare.process(), spare.command(), spare.builder(), true, spare.spawnedAt(),
                    spare.startTicks());
            run.spawned(child);
            run.sendBootstrap(request.message());
            run.startReaper(); // after the message, which the spare has been waiting for
        }
        if (request.asksForSpares()) {
            spares.refillAfterStart(request.configuration(), children.running(request.configuration()),
                    child.fromSpare(), prepared, run);
        } else {
            spares.refillAfterLongLivedStart(request.configuration(), run);
        }
        return child;
    }
}
