package io.github.multiprocessing4j;

import io.github.multiprocessing4j.internal.pool.TaskInvoker;
import io.github.multiprocessing4j.internal.pool.WorkerLauncher;
import io.github.multiprocessing4j.internal.pool.WorkerLoop;
import io.github.multiprocessing4j.spi.PoolBackend;
import io.github.multiprocessing4j.spi.PoolWorker;

import java.io.Serializable;
import java.util.Arrays;
import java.util.List;

/**
 * What {@link ProcessPool} gives its engine, which does not know the API's types: workers started
 * as daemonic {@link ChildProcess}es, and the callers' functions and runnables run through their
 * own interfaces.
 */
final class PoolWorkers {
    private PoolWorkers() {
    }

    /**
     * Starts each worker as a {@link ChildProcess} with the pool's start method. A worker is
     * long-lived: a warm start takes a spare if there is one, and asks for a replacement only
     * when the pool expects to replace its workers; spares booted beside a pool's first workers
     * would compete with them for the processors in the pool's first calls. The spares for a
     * next pool boot when the pool has ended.
     */
    static final class Launcher implements WorkerLauncher {
        private final StartMethod startMethod;
        private final String classPath;
        /** The worker started last, whose configuration the next pool's spares have. */
        private volatile ChildProcess lastStarted;

        /**
         * @param startMethod how the workers are started; null for the program's default
         * @param classPath the workers' class path; null to derive it ({@link ChildProcess.Builder#classPath})
         */
        Launcher(StartMethod startMethod, String classPath) {
            this.startMethod = startMethod;
            this.classPath = classPath;
        }

        @Override
        public PoolWorker start(String name, WorkerLoop target, List<String> jvmArgs, boolean replacementsExpected) {
            // No JVM option of the pool's own: workers are plain children, which can start as warm spares.
            ChildProcess process = ChildProcess.builder(target(target))
                    .name(name)
                    .daemon(true)
                    .jvmArgs(jvmArgs.toArray(new String[0]))
                    .startMethod(startMethod)
                    .classPath(classPath)
                    .asksForSpares(replacementsExpected)
                    .build();
            process.start();
            lastStarted = process;
            return new Worker(process);
        }

        /**
         * Workers of the same start method (the program's default, when the pool names none, as it
         * is now) and class path: the JVM options and the rest are the pool's to compare.
         */
        @Override
        public Object reuseKey() {
            return Arrays.asList(Launcher.class, startMethod != null ? startMethod : Multiprocessing.startMethod(),
                    classPath);
        }

        @Override
        public void poolEnded(int workers) {
            ChildProcess last = lastStarted;
            if (last != null) {
                last.askSparesAfter(workers);
            }
        }
    }

    /** Places each worker through a pool backend (on another machine), as a {@link RemoteTarget}. */
    static final class RemoteLauncher implements WorkerLauncher {
        private final PoolBackend backend;

        RemoteLauncher(PoolBackend backend) {
            this.backend = backend;
        }

        @Override
        public PoolWorker start(String name, WorkerLoop target, List<String> jvmArgs, boolean replacementsExpected) {
            return backend.startWorker(name, new RemoteTarget(target), jvmArgs);
        }
    }

    /** A remote worker's target: the engine's loop as a serializable {@link Runnable}, what a backend runs. */
    private static final class RemoteTarget implements Runnable, Serializable {
        private static final long serialVersionUID = 1L;
        private final WorkerLoop loop;

        RemoteTarget(WorkerLoop loop) {
            this.loop = loop;
        }

        @Override
        public void run() {
            loop.run();
        }
    }

    /**
     * A worker's target: a lambda that carries the loop as {@link WorkerLoop#localSpec} bytes and
     * the pool's initializer, so that neither the pool's process nor the worker's JVM creates a
     * JDK object stream for it (the first one costs a new JVM tens of milliseconds); the
     * initializer goes as the value it is (JDK-serialized only when it has no direct encoding).
     * The invoker is this package's own ({@link Invoker}).
     */
    private static SerializableRunnable target(WorkerLoop loop) {
        if (loop.invoker() != Invoker.INSTANCE) {
            throw new IllegalArgumentException("a worker of this package runs its callers' code through Invoker");
        }
        byte[] spec = loop.localSpec();
        Serializable initializer = loop.initializer();
        return () -> loop(spec, initializer).run();
    }

    /**
     * The worker's side of {@link #target}. Its return type names the loop's class, so that a warm
     * spare, which loads the classes named by the methods of the last target's class (this one,
     * the lambda's), has it loaded too.
     */
    private static WorkerLoop loop(byte[] spec, Serializable initializer) {
        return WorkerLoop.fromLocalSpec(spec, initializer, Invoker.INSTANCE);
    }

    private static final class Worker implements PoolWorker {
        private final ChildProcess process;
        private final long pid;

        Worker(ChildProcess process) {
            this.process = process;
            this.pid = process.pid();
        }

        @Override
        public long pid() {
            return pid;
        }

        @Override
        public String name() {
            return process.name();
        }

        @Override
        public void kill() {
            process.kill();
        }

        @Override
        public void wake() {
            process.wake();
        }

        @Override
        public void join() throws InterruptedException {
            process.join();
        }

        @Override
        public int exitCode() {
            return process.exitCode().orElse(Integer.MIN_VALUE);
        }

        @Override
        public Throwable failure() {
            return process.failure().orElse(null);
        }
    }

    /**
     * Runs each worker's loop on a daemon thread of this process: the pool of a warm-up
     * ({@link PoolWarmUp}), whose workers are this JVM's own code. Ending such a worker is
     * interrupting its thread: its loop ends when its inbox closes.
     */
    static final class ThreadLauncher implements WorkerLauncher {
        @Override
        public PoolWorker start(String name, WorkerLoop target, List<String> jvmArgs, boolean replacementsExpected) {
            return new ThreadWorker(name, target);
        }

        @Override
        public boolean startsProcesses() {
            return false;
        }
    }

    private static final class ThreadWorker implements PoolWorker {
        private final Thread thread;

        ThreadWorker(String name, WorkerLoop loop) {
            thread = new Thread(loop, "mp4j-pool-warm-up-" + name);
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public long pid() {
            return ProcessHandle.current().pid();
        }

        @Override
        public String name() {
            return thread.getName();
        }

        @Override
        public void kill() {
            thread.interrupt();
        }

        @Override
        public void join() throws InterruptedException {
            thread.join();
        }

        @Override
        public int exitCode() {
            return thread.isAlive() ? Integer.MIN_VALUE : 0;
        }

        @Override
        public Throwable failure() {
            return null;
        }
    }

    /** Runs {@link SerializableFunction}s, {@link SerializableRunnable}s and plain runnables in the workers. */
    enum Invoker implements TaskInvoker {
        INSTANCE;

        @Override
        public boolean warmUp() {
            return PoolWarmUp.start();
        }

        @Override
        @SuppressWarnings("unchecked")
        public Object apply(Object function, Object item) throws Exception {
            return ((SerializableFunction<Object, Object>) function).apply(item);
        }

        @Override
        public void run(Object runnable) throws Exception {
            if (runnable instanceof SerializableRunnable task) {
                task.runWithException(); // what it throws, not run()'s wrapping
            } else {
                ((Runnable) runnable).run();
            }
        }
    }
}
