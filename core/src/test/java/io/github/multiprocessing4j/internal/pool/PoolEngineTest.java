package io.github.multiprocessing4j.internal.pool;

import io.github.multiprocessing4j.spi.PoolWorker;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The engine with fake workers from its {@link WorkerLauncher}: workers whose loop runs in a
 * thread of this JVM, or workers that never read their inbox and end when the test says. What a
 * real process adds (a kill, an exit code from the system) is {@code ProcessPoolRobustnessTest}'s.
 */
class PoolEngineTest {
    private static final long FAKE_PIDS = 4_000_000;

    private PoolEngine engine;

    @AfterEach
    void terminate() throws InterruptedException {
        if (engine != null) {
            engine.terminate();
            assertThat(engine.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    /** The failure of a task whose fake worker died. */
    static final class WorkerGone extends RuntimeException {
        final int exitCode;

        WorkerGone(String name, long pid, int exitCode) {
            super(name + " (pid " + pid + ") gone with " + exitCode);
            this.exitCode = exitCode;
        }
    }

    enum PlainInvoker implements TaskInvoker {
        INSTANCE;

        @Override
        @SuppressWarnings("unchecked")
        public Object apply(Object function, Object item) {
            return ((Function<Object, Object>) function).apply(item);
        }

        @Override
        public void run(Object runnable) {
            ((Runnable) runnable).run();
        }
    }

    /** A worker that is a thread running the loop, or nothing at all; it ends when its loop returns, or when told. */
    static final class FakeWorker implements PoolWorker {
        private final String name;
        private final long pid;
        private final CompletableFuture<Integer> exit = new CompletableFuture<>();

        FakeWorker(String name, long pid, WorkerLoop loop) {
            this.name = name;
            this.pid = pid;
            if (loop != null) {
                Thread thread = new Thread(() -> {
                    loop.run();
                    exit.complete(0);
                }, name);
                thread.setDaemon(true);
                thread.start();
            }
        }

        void end(int exitCode) {
            exit.complete(exitCode);
        }

        @Override
        public long pid() {
            return pid;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public void kill() {
            end(-9);
        }

        @Override
        public void join() throws InterruptedException {
            try {
                exit.get();
            } catch (ExecutionException e) {
                throw new AssertionError(e);
            }
        }

        @Override
        public int exitCode() {
            return exit.getNow(Integer.MIN_VALUE);
        }

        @Override
        public Throwable failure() {
            return null;
        }
    }

    static final class FakeLauncher implements WorkerLauncher {
        final List<FakeWorker> started = new CopyOnWriteArrayList<>();
        /** What the engine said of each start: whether it expects to replace its workers. */
        final List<Boolean> replacementsExpected = new CopyOnWriteArrayList<>();
        /** The worker counts {@link #poolEnded} was called with. */
        final List<Integer> poolEnded = new CopyOnWriteArrayList<>();
        private final boolean runLoops;

        /** @param runLoops whether the workers run their loop, or never read their inbox */
        FakeLauncher(boolean runLoops) {
            this.runLoops = runLoops;
        }

        @Override
        public PoolWorker start(String name, WorkerLoop target, List<String> jvmArgs, boolean replacementsExpected) {
            FakeWorker worker = new FakeWorker(name, FAKE_PIDS + started.size(), runLoops ? target : null);
            started.add(worker);
            this.replacementsExpected.add(replacementsExpected);
            return worker;
        }

        @Override
        public void poolEnded(int workers) {
            poolEnded.add(workers);
        }
    }

    private static PoolConfig config(int processes) {
        return new PoolConfig(processes, null, 0, List.of(), PlainInvoker.INSTANCE,
                (name, pid, exitCode, cause) -> new WorkerGone(name, pid, exitCode));
    }

    private static <T> Callable<T> callable(Callable<T> c) {
        return c;
    }

    @Test
    void mapAndSubmittedTasksRunInTheLaunchersWorkersAndShutdownEndsThem() throws Exception {
        FakeLauncher launcher = new FakeLauncher(true);
        engine = new PoolEngine(config(2), launcher);
        Function<Integer, Integer> square = (Function<Integer, Integer> & Serializable) x -> x * x;
        List<Integer> items = IntStream.range(0, 1000).boxed().collect(Collectors.toList());
        List<Object> squares = engine.<Object>stream(StreamCall.Order.MAP, square, items.iterator(), 7, items.size(), null)
                .collect();
        assertThat(squares).isEqualTo(items.stream().map(x -> x * x).collect(Collectors.toList()));

        CompletableFuture<Object> called = engine.submitTask(new PoolTask.Call(
                (Callable<String> & Serializable) () -> "called"));
        CompletableFuture<Object> run = engine.submitTask(new PoolTask.Run((Runnable & Serializable) () -> { }, "given"));
        assertThat(called.get(10, TimeUnit.SECONDS)).isEqualTo("called");
        assertThat(run.get(10, TimeUnit.SECONDS)).isEqualTo("given");
        assertThat(engine.workerPids()).containsExactly(FAKE_PIDS, FAKE_PIDS + 1);

        engine.shutdown();
        assertThat(engine.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        assertThat(engine.workerPids()).isEmpty();
        assertThat(launcher.started).hasSize(2);
        assertThat(engine.toString()).startsWith("state=terminated");
        assertThat(launcher.replacementsExpected).as("a pool's first workers: no replacement expected")
                .containsExactly(false, false);
        assertThat(launcher.poolEnded).as("told once, with the number of workers").containsExactly(2);
    }

    @Test
    void aWorkerThatDiesFailsTheChunksItHeldWithTheConfiguredExceptionAndIsReplaced() throws Exception {
        FakeLauncher launcher = new FakeLauncher(false);
        engine = new PoolEngine(config(1), launcher);
        CompletableFuture<Object> held = engine.submitTask(new PoolTask.Call(callable(
                (Callable<String> & Serializable) () -> "never run")));
        assertThat(engine.toString()).contains("1 chunks held");
        engine.shutdown(); // a held chunk keeps a shut-down pool from stopping
        assertThat(engine.toString()).startsWith("state=shutdown");

        launcher.started.get(0).end(-9);
        assertThatThrownBy(() -> held.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(WorkerGone.class).hasMessageContaining("PoolWorker-1 (pid " + FAKE_PIDS + ")");
        assertThat(engine.awaitTermination(10, TimeUnit.SECONDS)).as("nothing left to run: it stops").isTrue();
        assertThat(launcher.started).as("no replacement once shut down").hasSize(1);
    }

    @Test
    void aRunningPoolReplacesAWorkerThatDied() throws Exception {
        FakeLauncher launcher = new FakeLauncher(false);
        engine = new PoolEngine(config(1), launcher);
        launcher.started.get(0).end(-9);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (launcher.started.size() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(launcher.started).hasSize(2);
        assertThat(engine.isShutdown()).isFalse();
        assertThat(launcher.replacementsExpected).as("after a replacement, another is expected").containsExactly(false, true);
        assertThat(launcher.poolEnded).isEmpty();
    }

    @Test
    void aPoolThatReplacesItsWorkersRoutinelySaysSoAtEachStart() throws Exception {
        FakeLauncher launcher = new FakeLauncher(false);
        engine = new PoolEngine(new PoolConfig(2, null, 5, List.of(), PlainInvoker.INSTANCE,
                (name, pid, exitCode, cause) -> new WorkerGone(name, pid, exitCode)), launcher);
        assertThat(launcher.replacementsExpected).as("maxTasksPerChild 5").containsExactly(true, true);
    }

    @Test
    void aWorkerThatEndsBeforeItIsReadyBreaksThePool() throws Exception {
        FakeLauncher launcher = new FakeLauncher(false);
        engine = new PoolEngine(config(1), launcher);
        CompletableFuture<Object> held = engine.submitTask(new PoolTask.Call(
                (Callable<String> & Serializable) () -> "never run"));
        launcher.started.get(0).end(1);
        assertThatThrownBy(() -> held.get(10, TimeUnit.SECONDS)).cause().isInstanceOf(WorkerGone.class);
        assertThat(engine.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        assertThatThrownBy(() -> engine.submitTask(new PoolTask.Run((Runnable & Serializable) () -> { }, null)))
                .isInstanceOf(RejectedExecutionException.class)
                .hasMessageContaining("the pool is broken: pool worker PoolWorker-1 (pid " + FAKE_PIDS
                        + ") ended with exit code 1 before it was ready");
        assertThat(launcher.started).as("not restarted").hasSize(1);
    }

    @Test
    void aWorkerThatCannotBeStartedFailsTheConstructorWithTheLaunchersException() {
        UncheckedIOException failure = new UncheckedIOException(new java.io.IOException("no JVM here"));
        assertThatThrownBy(() -> new PoolEngine(config(2), (name, target, jvmArgs, replacementsExpected) -> {
            throw failure;
        })).isSameAs(failure);
    }
}
