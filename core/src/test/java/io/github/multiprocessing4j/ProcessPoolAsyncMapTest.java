package io.github.multiprocessing4j;

import io.github.multiprocessing4j.testing.SharedObjects;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.time.Duration;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * ProcessPool's starmap, starmapAsync and mapAsync with real worker processes: results in input
 * order, pairs that are not serializable entries, failures, cancellation (the chunks no worker took
 * are dropped), and the pool's shutdown and termination under a call. One pool of two workers
 * serves most tests; the ones about the pool's life make their own of one worker.
 */
class ProcessPoolAsyncMapTest {
    private static final long WAIT_SECONDS = 60;
    private static ProcessPool pool;

    @RegisterExtension
    final SharedObjects shared = new SharedObjects();

    @BeforeAll
    static void startPool() {
        pool = new ProcessPool(2);
    }

    @AfterAll
    static void closePool() {
        pool.close();
        assertThat(pool.isTerminated()).isTrue();
    }

    @Test
    void starmapAppliesTheFunctionToEachPairInOrder() {
        // Python: pool.starmap(pow, [(2, 3), (10, 2)]); Map.entry is not serializable, its values are
        List<Double> powers = pool.starmap(Math::pow, List.of(Map.entry(2.0, 3.0), Map.entry(10.0, 2.0)));
        assertThat(powers).containsExactly(8.0, 100.0);

        Map<String, Integer> ages = new LinkedHashMap<>();
        ages.put("ann", 31);
        ages.put("bob", 47);
        assertThat(pool.starmap((name, age) -> name + " is " + age, ages.entrySet()))
                .containsExactly("ann is 31", "bob is 47");

        List<Map.Entry<Integer, Integer>> pairs = IntStream.range(0, 1_000)
                .mapToObj(i -> new AbstractMap.SimpleEntry<>(i, 2 * i)).collect(Collectors.toList());
        Iterable<Map.Entry<Integer, Integer>> notACollection = pairs::iterator;
        List<Integer> sums = pool.starmap((a, b) -> a + b, notACollection, 7);
        assertThat(sums).hasSize(1_000).startsWith(0, 3, 6).endsWith(2_997);
        assertThat(pool.starmap((Integer a, Integer b) -> a * b, List.<Map.Entry<Integer, Integer>>of())).isEmpty();
    }

    @Test
    void starmapFailuresReachTheCaller() {
        assertThatThrownBy(() -> pool.starmap((Integer a, Integer b) -> a / b, List.of(Map.entry(1, 1), Map.entry(1, 0))))
                .isInstanceOf(CompletionException.class).hasCauseInstanceOf(ArithmeticException.class);
        List<Map.Entry<Integer, Integer>> withNull = Arrays.asList(Map.entry(1, 2), null);
        assertThatThrownBy(() -> pool.starmap((Integer a, Integer b) -> a + b, withNull))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("index 1");
        Object notSerializable = new Object();
        assertThatThrownBy(() -> pool.starmap((Object a, Object b) -> 1, List.of(Map.entry(notSerializable, 1))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("java.lang.Object");
    }

    @Test
    void mapAsyncCompletesWithTheResultsInInputOrder() throws Exception {
        List<Integer> input = IntStream.range(0, 5_000).boxed().collect(Collectors.toList());
        CompletableFuture<List<Integer>> squares = pool.mapAsync(x -> x * x, input);
        CompletableFuture<Integer> sizeSeenByCallback = squares.thenApply(List::size); // Python's callback
        assertThat(squares.get(WAIT_SECONDS, TimeUnit.SECONDS))
                .isEqualTo(input.stream().map(x -> x * x).collect(Collectors.toList()));
        assertThat(sizeSeenByCallback.get(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo(5_000);

        Iterable<Integer> notACollection = input::iterator;
        assertThat(pool.mapAsync(x -> -x, notACollection, 1).get(WAIT_SECONDS, TimeUnit.SECONDS))
                .hasSize(5_000).startsWith(0, -1).endsWith(-4_999);
        assertThat(pool.starmapAsync((String s, Integer n) -> s.repeat(n), List.of(Map.entry("ab", 2), Map.entry("c", 3)))
                .get(WAIT_SECONDS, TimeUnit.SECONDS)).containsExactly("abab", "ccc");
        CompletableFuture<List<Object>> empty = pool.mapAsync(x -> x, List.of());
        assertThat(empty).isCompletedWithValue(List.of());
    }

    @Test
    void mapAsyncFailsWithTheFirstFailureAndRefusesBadInputAtTheCall() {
        CompletableFuture<List<Integer>> failing = pool.mapAsync(x -> {
            if (x == 3) {
                throw new IOException("item " + x);
            }
            return x;
        }, List.of(0, 1, 2, 3, 4, 5), 1);
        assertThatThrownBy(() -> failing.get(WAIT_SECONDS, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).cause().isInstanceOf(IOException.class).hasMessage("item 3");
        assertThatThrownBy(failing::join).isInstanceOf(CompletionException.class).hasCauseInstanceOf(IOException.class);

        Object notSerializable = new Object();
        assertThatThrownBy(() -> pool.mapAsync(x -> x, List.of(notSerializable)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("java.lang.Object");
        Iterable<Integer> throwing = () -> IntStream.range(0, 10).map(i -> 10 / (5 - i)).iterator();
        assertThatThrownBy(() -> pool.mapAsync(x -> x, throwing, 2)).isInstanceOf(ArithmeticException.class);
        assertThatThrownBy(() -> pool.mapAsync(x -> x, List.of(1), 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void cancellingMapAsyncDropsTheChunksNotSentToAWorker() throws Exception {
        SharedLong started = shared.track(new SharedLong());
        int chunkSize = 300; // above Dispatcher.DEPTH_TASKS: a worker is sent two chunks at most
        int items = 20 * chunkSize;
        CompletableFuture<List<Integer>> slow = pool.mapAsync(x -> {
            started.incrementAndGet();
            Thread.sleep(1);
            return x;
        }, IntStream.range(0, items).boxed().collect(Collectors.toList()), chunkSize);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (started.get() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(slow.cancel(true)).isTrue();
        assertThat(slow).isCancelled();
        long atCancel = started.get();
        // The chunks the workers were sent run out (a map queued now comes after them); no other starts.
        assertThat(pool.map(x -> x + 1, List.of(1, 2, 3))).containsExactly(2, 3, 4);
        Thread.sleep(300);
        assertThat(started.get()).as("items started (%d at the cancel)", atCancel).isLessThanOrEqualTo(6L * chunkSize);
    }

    @Test
    void shutdownLetsMapAsyncFinishAndTerminateCancelsIt() throws Exception {
        List<Integer> input = IntStream.range(0, 20).boxed().collect(Collectors.toList());
        try (ProcessPool own = new ProcessPool(1)) {
            CompletableFuture<List<Integer>> doubled = own.mapAsync(x -> {
                Thread.sleep(5);
                return 2 * x;
            }, input, 2);
            own.shutdown();
            assertThat(doubled.get(WAIT_SECONDS, TimeUnit.SECONDS)).hasSize(20).endsWith(38);
            assertThat(own.awaitTermination(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
            assertThatThrownBy(() -> own.mapAsync(x -> x, input)).isInstanceOf(RejectedExecutionException.class);
        }
        ProcessEvent running = shared.track(new ProcessEvent());
        try (ProcessPool own = new ProcessPool(1)) {
            CompletableFuture<List<Integer>> never = own.mapAsync(x -> {
                running.set();
                Thread.sleep(60_000);
                return x;
            }, new ArrayList<>(input), 1);
            assertThat(running.await(Duration.ofSeconds(WAIT_SECONDS))).isTrue();
            own.terminate();
            assertThatThrownBy(() -> never.get(WAIT_SECONDS, TimeUnit.SECONDS)).isInstanceOf(CancellationException.class);
            assertThat(never).isCancelled();
        }
    }
}
