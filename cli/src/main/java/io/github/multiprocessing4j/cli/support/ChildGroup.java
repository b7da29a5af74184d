package io.github.multiprocessing4j.cli.support;

import io.github.multiprocessing4j.ChildProcess;
import io.github.multiprocessing4j.Unlinkable;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The child processes a lesson starts, so that none is left behind: {@link #close()} kills and
 * joins those still running (after a failure, or daemons the lesson leaves waiting), and then
 * unlinks what the children shared (queues, shared numbers: every process that used them is done,
 * so they are freed now rather than when the program ends), as a try-with-resources around the
 * lesson. For a single child, {@link #stop} does the same in a {@code finally}; for a process
 * that is not a child of this JVM (a grandchild), {@link #destroy}.
 */
public final class ChildGroup implements AutoCloseable {
    private final List<ChildProcess> started = new ArrayList<>();
    private final List<AutoCloseable> shared = new ArrayList<>();

    /**
     * Starts a child and remembers it.
     *
     * @return {@code child}, started
     */
    public ChildProcess start(ChildProcess child) {
        child.start();
        started.add(child);
        return child;
    }

    /**
     * Has {@link #close()} unlink {@code resource} (close it, when it is no shared object) once
     * every child has ended: a queue must stay while a child may still wait in its {@code get()},
     * or that child fails.
     *
     * @return {@code resource}
     */
    public <T extends AutoCloseable> T closeAfter(T resource) {
        shared.add(resource);
        return resource;
    }

    /**
     * Joins the given children, in order.
     *
     * @return how many did not end with exit code 0 (a bug, or a killed process)
     * @throws InterruptedException when interrupted while joining
     */
    public static int joinAll(List<ChildProcess> children) throws InterruptedException {
        int crashed = 0;
        for (ChildProcess child : children) {
            child.join();
            crashed += child.exitCode().orElse(-1) == 0 ? 0 : 1;
        }
        return crashed;
    }

    /**
     * Makes sure a started child is not left running: kills it if it is still alive and joins
     * it. For the {@code finally} that follows a successful {@code start()}.
     *
     * @throws InterruptedException when interrupted while joining
     */
    public static void stop(ChildProcess child) throws InterruptedException {
        child.kill(); // does nothing when it has already exited
        child.join(Await.BOOT_TIMEOUT);
    }

    /**
     * Kills a process that is not a {@link ChildProcess} of this JVM, if it still runs. The
     * handle remembers the process's start time, so a recycled pid is never hit.
     */
    public static void destroy(Optional<ProcessHandle> process) {
        process.filter(ProcessHandle::isAlive).ifPresent(ProcessHandle::destroyForcibly);
    }

    /** @return every child started so far, in order */
    public List<ChildProcess> started() {
        return List.copyOf(started);
    }

    /**
     * Kills and joins every child that still runs (does nothing to those that have ended), then
     * unlinks the shared resources, the last registered first.
     */
    @Override
    public void close() throws InterruptedException {
        for (ChildProcess child : started) {
            stop(child);
        }
        for (int i = shared.size() - 1; i >= 0; i--) {
            try {
                AutoCloseable resource = shared.get(i);
                if (resource instanceof Unlinkable object) {
                    object.unlink();
                } else {
                    resource.close();
                }
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) { // queues and shared numbers throw none; anything else is a bug here
                throw new IllegalStateException("could not close " + shared.get(i), e);
            }
        }
    }
}
