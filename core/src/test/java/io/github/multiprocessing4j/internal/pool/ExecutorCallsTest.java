package io.github.multiprocessing4j.internal.pool;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** invokeAll and invokeAny over futures the test completes itself: deadlines, the first success, cancellation. */
class ExecutorCallsTest {
    /** Submits nothing anywhere: each task gets a future that only the test completes. */
    private final List<CompletableFuture<String>> futures = new CopyOnWriteArrayList<>();
    private final Function<Callable<String>, Future<String>> submit = task -> {
        CompletableFuture<String> f = new CompletableFuture<>();
        futures.add(f);
        return f;
    };

    private static List<Callable<String>> tasks(int n) {
        List<Callable<String>> tasks = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            tasks.add(() -> "unused");
        }
        return tasks;
    }

    @Test
    void aTimedInvokeAllCancelsWhatIsNotDoneByTheDeadline() throws Exception {
        CompletableFuture<String> done = CompletableFuture.completedFuture("done");
        Function<Callable<String>, Future<String>> firstDone = task -> futures.isEmpty() ? add(done) : submit.apply(task);
        List<Future<String>> result = ExecutorCalls.invokeAll(tasks(3), firstDone, 50, TimeUnit.MILLISECONDS);
        assertThat(result).hasSize(3);
        assertThat(result.get(0).get()).isEqualTo("done");
        assertThat(result.get(1).isCancelled()).isTrue();
        assertThat(result.get(2).isCancelled()).isTrue();
    }

    private Future<String> add(CompletableFuture<String> f) {
        futures.add(f);
        return f;
    }

    @Test
    void invokeAnyReturnsTheFirstSuccessAndCancelsTheOthers() throws Exception {
        Thread completer = new Thread(() -> {
            while (futures.size() < 3) {
                Thread.onSpinWait();
            }
            futures.get(0).completeExceptionally(new IllegalStateException("first fails"));
            futures.get(2).complete("third");
        });
        completer.start();
        assertThat(ExecutorCalls.invokeAny(tasks(3), submit)).isEqualTo("third");
        completer.join();
        assertThat(futures.get(1).isCancelled()).isTrue();
    }

    @Test
    void invokeAnyFailsWithTheLastFailureWhenEveryTaskFailed() {
        int[] submitted = {0};
        Function<Callable<String>, Future<String>> failing = task ->
                CompletableFuture.failedFuture(new IllegalStateException("failure " + ++submitted[0]));
        assertThatThrownBy(() -> ExecutorCalls.invokeAny(tasks(2), failing)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(IllegalStateException.class).hasMessage("failure 2");
    }

    @Test
    void aTimedInvokeAnyThatGetsNoSuccessTimesOutAndCancelsEveryTask() {
        assertThatThrownBy(() -> ExecutorCalls.invokeAny(tasks(2), submit, 20, TimeUnit.MILLISECONDS))
                .isInstanceOf(TimeoutException.class);
        assertThat(futures).hasSize(2).allMatch(Future::isCancelled);
        assertThatThrownBy(() -> ExecutorCalls.invokeAny(List.<Callable<String>>of(), submit))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
