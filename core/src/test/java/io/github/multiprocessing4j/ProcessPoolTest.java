package io.github.multiprocessing4j;

import io.github.multiprocessing4j.testing.SharedObjects;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * ProcessPool's contract: map (default and explicit chunks, any input), imap and imapUnordered
 * (ordered, unordered, lazy, over an input that throws), apply, the ExecutorService methods,
 * exceptions with their cause, serialization errors at submission, progress, shutdown, and the
 * daemon rule. One pool of two
 * workers serves most tests; tests about the pool's life make their own.
 */
class ProcessPoolTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static ProcessPool pool;
    /** Counts the runs in this process of the unsent function that {@code shutdownNow()} hands back. */
    private static final AtomicInteger RAN_HERE = new AtomicInteger();

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
        assertThat(pool.workerPids()).isEmpty();
    }

    /** A serializable value that is not one of the directly encoded types. */
    record Point(int x, int y) implements Serializable {
    }

    @Test
    void mapReturnsTheResultsInInputOrder() {
        List<Integer> input = IntStream.range(0, 10_000).boxed().collect(Collectors.toList());
        List<Integer> squares = pool.map(x -> x * x, input);
        assertThat(squares).isEqualTo(input.stream().map(x -> x * x).collect(Collectors.toList()));
        assertThat(pool.map(x -> x + 1, input, 1).get(9_999)).isEqualTo(10_000);
        assertThat(pool.map(x -> x - 1, input, 333)).hasSize(10_000).startsWith(-1, 0, 1).endsWith(9_998);
    }

    /**
     * Arguments and results larger than a batch ({@code PoolMessages.MOST_BATCHED_BYTES}) go one
     * message each, both ways, beside small ones; each comes back whole and in order. The large
     * ones are larger than a channel's chunk (4 MiB at most), so chunks of their own are made,
     * drained and reused.
     */
    @Test
    void largeArgumentsAndResultsEachGoAsAMessageOfTheirOwn() {
        int size = 5 << 20;
        List<byte[]> arrays = new java.util.ArrayList<>();
        for (int i = 0; i < 8; i++) {
            byte[] array = new byte[i % 3 == 0 ? 100 : size + i]; // large ones with small ones between
            java.util.Arrays.fill(array, (byte) i);
            arrays.add(array);
        }
        for (int round = 0; round < 3; round++) {
            List<byte[]> echoed = pool.map(array -> {
                byte[] copy = array.clone();
                copy[0] = (byte) (array[0] + 1);
                return copy;
            }, arrays, 1 + round % 2);
            for (int i = 0; i < arrays.size(); i++) {
                byte[] expected = arrays.get(i).clone();
                expected[0] = (byte) (i + 1);
                assertThat(echoed.get(i)).as("array %d of round %d", i, round).isEqualTo(expected);
            }
        }
    }

    @Test
    void anInputThatRefillsOneLargeArrayGivesEachTaskWhatTheArrayHeldWhenItWasRead() {
        // read as it goes: its items are copied as they are read, not spliced (held by reference)
        byte[] buffer = new byte[300 << 10];
        Iterable<byte[]> refilled = () -> new java.util.Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return next < 6;
            }

            @Override
            public byte[] next() {
                java.util.Arrays.fill(buffer, (byte) ++next);
                return buffer;
            }
        };
        List<Integer> seen = pool.imap(array -> array[0] + array[array.length - 1], refilled, 1).stream()
                .collect(Collectors.toList());
        assertThat(seen).containsExactly(2, 4, 6, 8, 10, 12);
        List<byte[]> held = java.util.stream.IntStream.range(0, 4) // a collection: spliced, the same bytes
                .mapToObj(i -> { byte[] a = new byte[300 << 10]; java.util.Arrays.fill(a, (byte) (i + 1)); return a; })
                .collect(Collectors.toList());
        assertThat(pool.map(array -> array[0] + array[array.length - 1], held, 2)).containsExactly(2, 4, 6, 8);
    }

    @Test
    void mapGivesAFixedSizeListThatCanBeSortedAndSentOn() throws Exception {
        List<Integer> input = IntStream.range(0, 1_000).boxed().collect(Collectors.toList());
        List<Integer> negated = pool.map(x -> -x, input, 64); // 16 chunks, the last one shorter
        assertThat(negated).hasSize(1_000).startsWith(0, -1).endsWith(-999);
        assertThat(negated.set(0, 42)).isEqualTo(0);
        negated.sort(null);
        assertThat(negated).startsWith(-999, -998).endsWith(-1, 42);
        assertThatThrownBy(() -> negated.add(7)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> negated.get(1_000)).isInstanceOf(IndexOutOfBoundsException.class);

        List<?> copy = (List<?>) io.github.multiprocessing4j.internal.serial.Serialization.deserialize(
                io.github.multiprocessing4j.internal.serial.Serialization.serialize(negated, "result"),
                ProcessPoolTest.class.getClassLoader());
        assertThat(copy).isInstanceOf(java.util.ArrayList.class).isEqualTo(negated);
    }

    @Test
    void mapTakesAnyIterableAndEmptyInput() {
        Iterable<Integer> lazy = () -> IntStream.range(0, 100).iterator(); // not a Collection
        assertThat(pool.map(x -> x * 2, lazy)).hasSize(100).endsWith(198);
        assertThat(pool.map(x -> x * 2, lazy, 7)).hasSize(100).startsWith(0, 2);
        assertThat(pool.map(x -> x, List.<Integer>of())).isEmpty();
        assertThat(pool.map(x -> x, List.<Integer>of(), 5)).isEmpty();
    }

    @Test
    void shortTasksBehindALongOneGoToTheWorkerThatIsFree() {
        // The pool's tasks ran x*x just before (other tests), which says nothing of these.
        List<Integer> millis = new ArrayList<>(List.of(1_500));
        millis.addAll(Collections.nCopies(15, 20));
        List<Long> pids = pool.map(ms -> {
            Thread.sleep(ms);
            return ProcessHandle.current().pid();
        }, millis, 1);
        long ranTheLongOne = pids.get(0);
        assertThat(pids.stream().filter(pid -> pid == ranTheLongOne).count())
                .as("tasks of the worker that ran the long one: it, and the short ones left when it ended (none unless the"
                        + " machine is slow)").isLessThanOrEqualTo(2);
    }

    /**
     * Tasks submitted one by one, the first of which runs until the test lets it end: the others
     * all finish meanwhile; none was sent ahead to wait behind it (a new pool: its workers know
     * nothing of how long its tasks take).
     */
    @Test
    void noTaskWaitsBehindOneThatMayRunLongWhileAnotherWorkerIsFree() throws Exception {
        try (ProcessPool own = new ProcessPool(2)) {
            assertQuickTasksEndWhileAHeldOneRuns(own, 0);
        }
    }

    /**
     * After many short submitted tasks, whose time says a worker may be fed deep, a task that
     * runs until the test lets it end: the tasks submitted once it has run a while all finish
     * meanwhile (none is sent to wait behind it), and so do those submitted at the same moment
     * (one may have been sent behind it, nothing saying yet that it is long: the worker gives it
     * back, unstarted, once the long one runs past its time, and the free worker runs it).
     */
    @Test
    void tasksSubmittedWhileOrWithOneThatRunsFarLongerThanThoseBeforeAllEndWhileItRuns() throws Exception {
        try (ProcessPool own = new ProcessPool(2)) {
            applyTinyTasks(own, 400, ProcessPoolTest::tiny);
            assertQuickTasksEndWhileAHeldOneRuns(own, 200); // far past its workers' task time
            applyTinyTasks(own, 400, ProcessPoolTest::tiny); // the held one's time is forgotten again
            assertQuickTasksEndWhileAHeldOneRuns(own, 0);
        }
    }

    /**
     * A task cancelled with {@code cancel(true)} before it started, then given back by its worker
     * to one that came free, is not run there: it stays cancelled. (Sent behind the task that ends
     * first, when the other worker's work is overdue, it is skipped there: its worker starts it
     * only once its control thread has handled the cancel, which CI once saw it lose the race to.)
     */
    @Test
    void aCancelledTaskThatItsWorkerGivesBackIsNotRunElsewhere() throws Exception {
        ProcessEvent first = shared.track(new ProcessEvent());
        ProcessEvent second = shared.track(new ProcessEvent());
        SharedLong ran = shared.track(new SharedLong());
        try (ProcessPool own = new ProcessPool(2)) {
            try {
                applyTinyTasks(own, 400, ProcessPoolTest::tiny);
                Future<Long> heldFirst = own.submit(waitingFor(first, 1));
                Future<Long> heldSecond = own.submit(waitingFor(second, 2));
                Future<Long> cancelled = own.submit(counting(ran)); // of the same kind: sent behind one of them
                assertThat(cancelled.cancel(true)).isTrue();
                second.set(); // its worker comes free: the other gives back what it holds behind its task
                assertThat(heldSecond.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(2L);
                Thread.sleep(300);
                first.set();
                assertThat(heldFirst.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(1L);
                assertThat(own.apply(() -> 7)).isEqualTo(7);
                assertThat(ran.get()).as("the cancelled task never ran").isZero();
            } finally {
                first.set();
                second.set();
            }
        }
    }

    /**
     * Rounds of tiny tasks (their time, that of the lambda of all the tasks here, says a worker may
     * be fed deep), then a task of 5-14 ms submitted with four of 0-1 ms: chunks sent behind the
     * longer one are given back while it runs (a trace saw 161 given back in its 100 rounds). Each
     * task runs exactly once and gives its own result (a worker that ran a chunk it gave back fails
     * this; the race of a give-back with the chunk's start is {@code RunningChunkTest}'s, too rare
     * here).
     */
    @Test
    void everyTaskRunsOnceWhenWorkersGiveChunksBack() throws Exception {
        int rounds = 100;
        int perRound = 5;
        SharedLongArray runs = shared.track(new SharedLongArray(rounds * perRound));
        java.util.Random random = new java.util.Random(11);
        try (ProcessPool own = new ProcessPool(2)) {
            for (int round = 0; round < rounds; round++) {
                applyTinyTasks(own, 100, i -> counted(null, i, 0));
                List<Future<Integer>> tasks = new ArrayList<>();
                for (int j = 0; j < perRound; j++) {
                    int millis = j == 0 ? 5 + random.nextInt(10) : random.nextInt(2);
                    tasks.add(own.submit(counted(runs, round * perRound + j, millis)));
                }
                for (int j = 0; j < perRound; j++) {
                    assertThat(tasks.get(j).get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(round * perRound + j);
                }
            }
        }
        assertThat(runs.toArray()).as("runs of each task").containsOnly(1L);
    }

    /**
     * Applies {@code count} tasks that take no time, and waits for them: the workers' task time for
     * their kind (their lambda's class) is theirs then.
     */
    private static <T> void applyTinyTasks(ProcessPool own, int count, IntFunction<SerializableCallable<T>> task)
            throws Exception {
        List<CompletableFuture<T>> tiny = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            tiny.add(own.applyAsync(task.apply(i)));
        }
        for (CompletableFuture<T> t : tiny) {
            t.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }
    }

    /** A task that returns {@code value} at once: of {@link #waitingFor(ProcessEvent, long, SharedLong)}'s lambda class. */
    private static SerializableCallable<Long> tiny(int value) {
        return waitingFor(null, value);
    }

    /** A task that counts its run in {@code runs} and returns the count: of {@link #waitingFor(ProcessEvent, long, SharedLong)}'s lambda class. */
    private static SerializableCallable<Long> counting(SharedLong runs) {
        return waitingFor(null, -1, runs);
    }

    /**
     * A task that waits for {@code event} (none when null) and returns {@code value}: one lambda
     * class for all, tiny and long, so that the pool keeps one task time for them, as for a
     * lambda's tasks of different lengths (tasks of another class would be another kind, whose
     * time is not known: nothing would be sent behind them).
     */
    private static SerializableCallable<Long> waitingFor(ProcessEvent event, long value) {
        return waitingFor(event, value, null);
    }

    /** {@link #waitingFor(ProcessEvent, long)} that, with {@code runs}, counts its run there and returns the count instead. */
    private static SerializableCallable<Long> waitingFor(ProcessEvent event, long value, SharedLong runs) {
        return () -> {
            if (event != null) {
                event.await();
            }
            return runs != null ? runs.incrementAndGet() : value;
        };
    }

    /** A task that counts its run in {@code runs} (when not null), sleeps and returns {@code index}: one lambda class for all. */
    private static SerializableCallable<Integer> counted(SharedLongArray runs, int index, int millis) {
        return () -> {
            if (runs != null) {
                runs.addAndGet(index, 1);
            }
            Thread.sleep(millis);
            return index;
        };
    }

    /**
     * Submits a task that runs until the test lets it end and, {@code pauseMillis} later, four
     * that end at once: each of those finishes while the first still runs (none was sent to wait
     * behind it); then lets the first end.
     */
    private void assertQuickTasksEndWhileAHeldOneRuns(ProcessPool own, long pauseMillis) throws Exception {
        ProcessEvent release = shared.track(new ProcessEvent());
        try {
            Future<Long> held = own.submit(waitingFor(release, 1));
            Thread.sleep(pauseMillis);
            List<Future<Long>> others = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                others.add(own.submit(tiny(i)));
            }
            for (Future<Long> other : others) {
                other.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            }
            assertThat(held).as("still waiting for the test").isNotDone();
            release.set();
            assertThat(held.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(1);
        } finally {
            release.set(); // a task sent behind the held one must not hold up the pool's close either
        }
    }

    @Test
    void theDefaultChunkSizeIsPythons() {
        assertThat(ProcessPool.defaultChunkSize(1_000_000, 2)).isEqualTo(125_000);
        assertThat(ProcessPool.defaultChunkSize(8, 2)).isEqualTo(1);
        assertThat(ProcessPool.defaultChunkSize(9, 2)).isEqualTo(2);
        assertThat(ProcessPool.defaultChunkSize(3, 4)).isEqualTo(1);
    }

    @Test
    void valuesOfEveryKindTravelBothWays() {
        byte[] bytes = {1, 2, 3};
        List<Object> input = Arrays.asList(7, 8L, 2.5, true, false, "naïve ✓", bytes, null, new Point(1, 2),
                List.of("a", "b"), new Point(3, 4));
        List<Object> output = pool.map(x -> x, input, 4);
        assertThat(output).hasSize(input.size());
        for (int i = 0; i < input.size(); i++) {
            if (input.get(i) instanceof byte[]) {
                assertThat((byte[]) output.get(i)).containsExactly(bytes);
            } else {
                assertThat(output.get(i)).isEqualTo(input.get(i));
            }
        }
        assertThat(pool.map(p -> new Point(p.y(), p.x()), List.of(new Point(1, 2)))).containsExactly(new Point(2, 1));
    }

    @Test
    void aFailedTaskReachesTheCallerWithItsCauseAndTheWorkerSurvives() throws Exception {
        List<Long> pidsBefore = pool.workerPids();
        assertThatThrownBy(() -> pool.map(ProcessPoolTest::failOnFive, IntStream.range(0, 10).boxed().collect(Collectors.toList())))
                .isInstanceOf(CompletionException.class)
                .cause().isInstanceOf(IllegalStateException.class).hasMessage("five")
                .satisfies(e -> assertThat(e.getStackTrace()).anyMatch(f -> f.getMethodName().equals("failOnFive")));
        Future<Object> f = pool.submit(() -> {
            throw new IOException("checked, from the worker");
        });
        assertThatThrownBy(f::get).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(IOException.class).hasMessage("checked, from the worker");
        assertThatThrownBy(() -> pool.apply(() -> Integer.parseInt("x")))
                .isInstanceOf(CompletionException.class).hasCauseInstanceOf(NumberFormatException.class);
        assertThatThrownBy(() -> pool.applyAsync(() -> 1 / zero()).join())
                .isInstanceOf(CompletionException.class).hasCauseInstanceOf(ArithmeticException.class);
        assertThat(pool.workerPids()).isEqualTo(pidsBefore);
        assertThat(pool.map(x -> x + 1, List.of(1, 2, 3))).containsExactly(2, 3, 4);
    }

    private static int failOnFive(int x) {
        if (x == 5) {
            throw new IllegalStateException("five");
        }
        return x;
    }

    private static int zero() {
        return 0;
    }

    @Test
    void aResultThatCannotBeSerializedFailsItsTask() {
        assertThatThrownBy(() -> pool.apply(Object::new))
                .isInstanceOf(CompletionException.class)
                .cause().isInstanceOf(IllegalArgumentException.class).hasMessageContaining("java.lang.Object");
        List<Object> mixed = new ArrayList<>();
        Iterator<Object> it = pool.imap(x -> x == 1 ? new Object() : x, List.of(0, 1, 2), 3);
        mixed.add(it.next());
        assertThatThrownBy(it::next).isInstanceOf(CompletionException.class).hasCauseInstanceOf(IllegalArgumentException.class);
        mixed.add(it.next());
        assertThat(mixed).containsExactly(0, 2);
    }

    /**
     * A worker holds its large {@code byte[]} results by reference until its chunk's answer is
     * written; a result that cannot be serialized makes the answer be written again, large
     * arrays and all, and fails only its own task.
     */
    @Test
    void largeResultsOfAChunkWithAFailedResultComeBackWhole() {
        int size = 3 << 20;
        Iterator<Object> it = pool.imap(i -> {
            if (i == 2) {
                return new Object();
            }
            byte[] array = new byte[i % 2 == 1 ? size + i : 10];
            java.util.Arrays.fill(array, i.byteValue());
            return array;
        }, List.of(0, 1, 2, 3, 4, 5), 6);
        for (int i = 0; i < 6; i++) {
            if (i == 2) {
                assertThatThrownBy(it::next).isInstanceOf(CompletionException.class)
                        .hasCauseInstanceOf(IllegalArgumentException.class);
                continue;
            }
            byte[] expected = new byte[i % 2 == 1 ? size + i : 10];
            java.util.Arrays.fill(expected, (byte) i);
            assertThat((byte[]) it.next()).as("result %d", i).isEqualTo(expected);
        }
    }

    @Test
    void aTaskThatIsNotSerializableFailsAtSubmissionNamingTheClass() {
        Callable<Integer> plain = () -> 1; // a lambda of a type that is not Serializable
        assertThatThrownBy(() -> pool.submit(plain)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not serializable").hasMessageContaining("ProcessPoolTest");
        Object notSerializable = new Object();
        assertThatThrownBy(() -> pool.apply(() -> notSerializable.hashCode())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("java.lang.Object");
        assertThatThrownBy(() -> pool.map(x -> 1, List.of(new Object()))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("java.lang.Object");
        assertThatThrownBy(() -> pool.map(x -> notSerializable, List.of(1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("java.lang.Object");
        assertThat(pool.apply(() -> 5)).isEqualTo(5);
    }

    @Test
    void imapHandsOutResultsInOrderAndImapUnorderedAll() {
        List<Integer> input = IntStream.range(0, 500).boxed().collect(Collectors.toList());
        List<Integer> ordered = new ArrayList<>();
        pool.imap(x -> x * 3, input).forEachRemaining(ordered::add);
        assertThat(ordered).isEqualTo(input.stream().map(x -> x * 3).collect(Collectors.toList()));
        List<Integer> chunked = new ArrayList<>();
        pool.imap(x -> x * 3, input, 16).forEachRemaining(chunked::add);
        assertThat(chunked).isEqualTo(ordered);
        Set<Integer> unordered = new HashSet<>();
        Iterator<Integer> it = pool.imapUnordered(x -> x * 3, input);
        it.forEachRemaining(unordered::add);
        assertThat(unordered).isEqualTo(new HashSet<>(ordered));
        assertThat(it.hasNext()).isFalse();
        assertThatThrownBy(it::next).isInstanceOf(java.util.NoSuchElementException.class);
    }

    @Test
    void imapReadsAnInfiniteInputLazily() {
        AtomicLong read = new AtomicLong();
        Iterable<Long> naturals = () -> new Iterator<>() {
            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public Long next() {
                return read.getAndIncrement();
            }
        };
        Iterator<Long> doubled = pool.imap(x -> 2 * x, naturals);
        for (long i = 0; i < 10; i++) {
            assertThat(doubled.next()).isEqualTo(2 * i);
        }
        // a bounded window ahead of the results taken: max(4 * processes + 1, 512 * processes / chunkSize) chunks
        assertThat(read.get()).isLessThanOrEqualTo(10 + 1024);
        Iterator<Long> chunked = pool.imapUnordered(x -> 2 * x, naturals, 100);
        assertThat(chunked.next() % 2).isZero();
        assertThat(read.get()).isLessThanOrEqualTo(10 + 1024 + 100 * 11);
    }

    @Test
    void imapResultsGoThroughAForEachLoopOrAStreamOnce() {
        List<Integer> input = IntStream.range(0, 200).boxed().collect(Collectors.toList());
        List<Integer> looped = new ArrayList<>();
        for (int tripled : pool.imap(x -> x * 3, input)) {
            looped.add(tripled);
        }
        assertThat(looped).isEqualTo(input.stream().map(x -> x * 3).collect(Collectors.toList()));
        assertThat(pool.imap(x -> x * 3, input, 7).stream().collect(Collectors.toList())).isEqualTo(looped);
        assertThat(pool.imapUnordered(x -> x * 3, input).stream().collect(Collectors.toSet()))
                .isEqualTo(new HashSet<>(looped));

        ResultIterator<Integer> results = pool.imap(x -> x + 1, input);
        assertThat(results.next()).isEqualTo(1); // for-each goes on from here
        List<Integer> rest = new ArrayList<>();
        for (int r : results) {
            rest.add(r);
        }
        assertThat(rest).hasSize(199).startsWith(2).endsWith(200);
        assertThatThrownBy(results::iterator).isInstanceOf(IllegalStateException.class).hasMessageContaining("once");
        assertThatThrownBy(results::stream).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aFailedTaskEndsAStreamOfResultsWithItsException() {
        assertThatThrownBy(() -> pool.imap(x -> failOnFive(x), List.of(4, 5, 6)).stream().collect(Collectors.toList()))
                .isInstanceOf(CompletionException.class).cause().isInstanceOf(IllegalStateException.class).hasMessage("five");
    }

    @Test
    void mapAndImapTakeArraysAndStreams() {
        Integer[] array = IntStream.range(0, 300).boxed().toArray(Integer[]::new);
        List<Integer> doubled = IntStream.range(0, 300).map(x -> 2 * x).boxed().collect(Collectors.toList());
        assertThat(pool.map(x -> 2 * x, array)).isEqualTo(doubled);
        assertThat(pool.map(x -> 2 * x, array, 7)).isEqualTo(doubled);
        assertThat(pool.map(x -> 2 * x, Arrays.stream(array))).isEqualTo(doubled);
        assertThat(pool.map(x -> 2 * x, Arrays.stream(array), 11)).isEqualTo(doubled);
        assertThat(pool.map(x -> 2 * x, IntStream.range(0, 300).boxed(), 64)).isEqualTo(doubled);
        assertThat(pool.imap(x -> 2 * x, array).stream().collect(Collectors.toList())).isEqualTo(doubled);
        assertThat(pool.imap(x -> 2 * x, array, 9).stream().collect(Collectors.toList())).isEqualTo(doubled);
        assertThat(pool.imap(x -> 2 * x, Arrays.stream(array)).stream().collect(Collectors.toList())).isEqualTo(doubled);
        assertThat(pool.imap(x -> 2 * x, Arrays.stream(array), 5).stream().collect(Collectors.toList())).isEqualTo(doubled);
        assertThat(pool.imapUnordered(x -> 2 * x, array).stream().collect(Collectors.toSet())).isEqualTo(new HashSet<>(doubled));
        assertThat(pool.imapUnordered(x -> 2 * x, array, 3).stream().collect(Collectors.toSet())).isEqualTo(new HashSet<>(doubled));
        assertThat(pool.imapUnordered(x -> 2 * x, Arrays.stream(array)).stream().collect(Collectors.toSet()))
                .isEqualTo(new HashSet<>(doubled));
        assertThat(pool.imapUnordered(x -> 2 * x, Arrays.stream(array), 13).stream().collect(Collectors.toSet()))
                .isEqualTo(new HashSet<>(doubled));
        assertThat(pool.map(x -> x, new Integer[0])).isEmpty();
        assertThat(pool.map(x -> x, java.util.stream.Stream.<Integer>empty(), 3)).isEmpty();
    }

    @Test
    void anInfiniteStreamIsReadLazilyByImapAndByMapWithAChunkSize() {
        AtomicLong read = new AtomicLong();
        java.util.stream.Stream<Long> naturals = java.util.stream.Stream.generate(read::getAndIncrement);
        List<Long> firstTen = pool.imap(x -> 2 * x, naturals).stream().limit(10).collect(Collectors.toList());
        assertThat(firstTen).containsExactly(0L, 2L, 4L, 6L, 8L, 10L, 12L, 14L, 16L, 18L);
        // a bounded window ahead of the results taken: max(4 * processes + 1, 512 * processes / chunkSize) chunks
        assertThat(read.get()).isLessThanOrEqualTo(10 + 1024);

        AtomicLong unorderedRead = new AtomicLong();
        ResultIterator<Long> unordered = pool.imapUnordered(x -> -x,
                java.util.stream.Stream.generate(unorderedRead::getAndIncrement), 100);
        assertThat(unordered.next()).isNotPositive();
        assertThat(unorderedRead.get()).isLessThanOrEqualTo(100 * 11);

        SharedLong done = shared.track(new SharedLong());
        AtomicLong mapRead = new AtomicLong();
        AtomicLong mostAhead = new AtomicLong();
        java.util.stream.Stream<Long> watched = java.util.stream.Stream.generate(() -> {
            long n = mapRead.getAndIncrement();
            mostAhead.accumulateAndGet(n - done.get(), Math::max);
            return n;
        }).limit(5_000);
        assertThat(pool.map(x -> {
            done.incrementAndGet();
            return x + 1;
        }, watched, 10)).hasSize(5_000).startsWith(1L).endsWith(5_000L);
        // read as the results came: at most the window of chunks ahead (103 chunks of 10 for 2 workers)
        assertThat(mostAhead.get()).isLessThanOrEqualTo(1_030 + 10);
    }

    @Test
    void imapReportsAFailedTaskAtItsPlaceAndGoesOn() {
        Iterator<Integer> it = pool.imap(x -> failOnFive(x), List.of(4, 5, 6));
        assertThat(it.next()).isEqualTo(4);
        assertThatThrownBy(it::next).isInstanceOf(CompletionException.class).hasCauseInstanceOf(IllegalStateException.class);
        assertThat(it.next()).isEqualTo(6);
        assertThat(it.hasNext()).isFalse();
    }

    // An input whose iterator throws at item FAIL_AT, as CPython's test suite checks it: imap and
    // imapUnordered hand out the results before it, then throw its own exception once.

    private static final int FAIL_AT = 7;

    /** The input's own exception, thrown by its iterator at item {@link #FAIL_AT}. */
    static final class BrokenInput extends RuntimeException {
        BrokenInput() {
            super("the input broke at item " + FAIL_AT);
        }
    }

    /** 0, 1, ... up to {@code failAt - 1}, then the iterator's {@code next()} throws. */
    private static Iterable<Integer> failingAt(int failAt) {
        return () -> new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public Integer next() {
                if (next == failAt) {
                    throw new BrokenInput();
                }
                return next++;
            }
        };
    }

    private static List<Integer> tenTimes(int count) {
        return IntStream.range(0, count).map(x -> 10 * x).boxed().collect(Collectors.toList());
    }

    @Test
    void imapHandsOutTheResultsBeforeTheFailureThenTheFailureForEveryChunkSize() {
        for (int chunkSize : new int[] {1, 3, 100}) {
            ResultIterator<Integer> results = pool.imap(x -> 10 * x, failingAt(FAIL_AT), chunkSize);
            List<Integer> got = new ArrayList<>();
            for (int i = 0; i < FAIL_AT; i++) {
                assertThat(results.hasNext()).as("chunk size %d, result %d", chunkSize, i).isTrue();
                got.add(results.next());
            }
            assertThat(got).as("chunk size %d", chunkSize).isEqualTo(tenTimes(FAIL_AT));
            assertThat(results.hasNext()).isTrue();
            assertThatThrownBy(results::next).as("chunk size %d", chunkSize).isInstanceOf(BrokenInput.class);
            assertThat(results.hasNext()).isFalse();
            assertThatThrownBy(results::next).isInstanceOf(NoSuchElementException.class);
        }
    }

    @Test
    void imapOverAnInputThatFailsAtOnceThrowsAtTheFirstResult() {
        ResultIterator<Integer> results = pool.imap(x -> 10 * x, failingAt(0));
        assertThatThrownBy(results::next).isInstanceOf(BrokenInput.class);
        assertThat(results.hasNext()).isFalse();
    }

    @Test
    void imapUnorderedHandsOutEveryResultBeforeTheFailure() {
        for (int chunkSize : new int[] {1, 3}) {
            ResultIterator<Integer> results = pool.imapUnordered(x -> 10 * x, failingAt(FAIL_AT), chunkSize);
            List<Integer> got = new ArrayList<>();
            for (int i = 0; i < FAIL_AT; i++) {
                got.add(results.next());
            }
            assertThat(new HashSet<>(got)).as("chunk size %d", chunkSize).isEqualTo(new HashSet<>(tenTimes(FAIL_AT)));
            assertThatThrownBy(results::next).as("chunk size %d", chunkSize).isInstanceOf(BrokenInput.class);
            assertThat(results.hasNext()).isFalse();
        }
    }

    @Test
    void aStreamOfResultsEndsWithTheInputsFailureAfterTheResultsBeforeIt() {
        List<Integer> seen = new ArrayList<>();
        assertThatThrownBy(() -> pool.imap(x -> 10 * x, failingAt(FAIL_AT), 3).stream().forEach(seen::add))
                .isInstanceOf(BrokenInput.class);
        assertThat(seen).isEqualTo(tenTimes(FAIL_AT));
    }

    @Test
    void mapThrowsTheInputsOwnExceptionForEveryChunkSize() {
        assertThatThrownBy(() -> pool.map(x -> 10 * x, failingAt(FAIL_AT))).isInstanceOf(BrokenInput.class);
        for (int chunkSize : new int[] {1, 3}) {
            assertThatThrownBy(() -> pool.map(x -> 10 * x, failingAt(FAIL_AT), chunkSize))
                    .as("chunk size %d", chunkSize).isInstanceOf(BrokenInput.class);
        }
        // a task that failed before the input broke is reported first, as imap would
        assertThatThrownBy(() -> pool.map(x -> {
            if (x == 2) {
                throw new IllegalStateException("two");
            }
            return x;
        }, failingAt(FAIL_AT), 1)).isInstanceOf(CompletionException.class).cause().hasMessage("two");
        // the pool goes on
        assertThat(pool.map(x -> x + 1, List.of(1, 2, 3), 1)).containsExactly(2, 3, 4);
    }

    @Test
    void applyAndSubmitRunTasksInWorkers() throws Exception {
        long pid = pool.apply(() -> Multiprocessing.currentProcess().pid());
        assertThat(pool.workerPids()).contains(pid);
        assertThat(pid).isNotEqualTo(ProcessHandle.current().pid());
        String name = pool.applyAsync(() -> Multiprocessing.currentProcess().name()).get();
        assertThat(name).startsWith("PoolWorker-");
        assertThat(pool.apply(() -> Multiprocessing.currentProcess().isDaemon())).isTrue();
        assertThat(pool.submit(() -> "callable").get()).isEqualTo("callable");
        assertThat(pool.submit((SerializableRunnable) () -> { }).get()).isNull();
        assertThat(pool.submit((SerializableRunnable) () -> { }, "given").get()).isEqualTo("given");
        Runnable serializableRunnable = (Runnable & Serializable) () -> { };
        assertThat(pool.submit(serializableRunnable).get()).isNull();
    }

    /**
     * A submitted task that captures nothing is defined once in each worker, as a map call's
     * function is, in a cache of a few functions: more such lambdas than it holds, each submitted
     * again and again among capturing tasks and map calls, all give their own results, and one
     * that throws fails each of its calls with its own exception.
     */
    @Test
    void tasksThatCaptureNothingGiveTheirOwnResultsWhenMoreOfThemThanAWorkerKeepsComeAndGo() throws Exception {
        List<SerializableCallable<Integer>> tasks = List.of(() -> 0, () -> 1, () -> 2, () -> 3, () -> 4, () -> 5,
                () -> 6, () -> 7, () -> 8, () -> 9, () -> 10, () -> 11);
        List<Future<Integer>> futures = new ArrayList<>();
        List<Integer> expected = new ArrayList<>();
        for (int round = 1; round <= 3; round++) {
            int captured = round * 100;
            for (int i = 0; i < tasks.size(); i++) {
                futures.add(pool.submit(tasks.get(i)));
                expected.add(i);
                futures.add(pool.submit(() -> captured));
                expected.add(captured);
            }
            assertThat(pool.map(x -> x * 2, List.of(1, 2, 3), 1)).containsExactly(2, 4, 6);
        }
        List<Integer> results = new ArrayList<>();
        for (Future<Integer> f : futures) {
            results.add(f.get(WAIT.toSeconds(), TimeUnit.SECONDS));
        }
        assertThat(results).isEqualTo(expected);
        SerializableCallable<Integer> refusing = () -> {
            throw new IllegalStateException("refused");
        };
        for (int i = 0; i < 4; i++) {
            assertThatThrownBy(() -> pool.apply(refusing)).isInstanceOf(CompletionException.class)
                    .cause().isInstanceOf(IllegalStateException.class).hasMessage("refused");
        }
        assertThat(pool.apply(tasks.get(11))).isEqualTo(11);
    }

    /**
     * Python's {@code apply(func, args)}: a function and its argument (any value, null too), the
     * function's exception as the cause, an argument that cannot be serialized refused at the call,
     * a time limit taken off the function.
     */
    @Test
    void applyOfAFunctionToAnArgumentRunsItInAWorker() throws Exception {
        int doubled = pool.apply(x -> x * 2, 21); // an implicitly typed lambda: R is the target's
        assertThat(doubled).isEqualTo(42);
        assertThat(pool.apply(String::length, "ticket")).isEqualTo(6);
        assertThat(pool.apply((Point p) -> p.x() + p.y(), new Point(40, 2))).isEqualTo(42);
        String none = pool.apply(x -> x == null ? "none" : "some", (Object) null);
        assertThat(none).isEqualTo("none");
        int base = 40;
        assertThat(pool.applyAsync(x -> x + base, 2).get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(42);
        long pid = pool.apply(x -> ProcessHandle.current().pid(), 0);
        assertThat(pool.workerPids()).contains(pid);
        for (int i = 0; i < 20; i++) {
            int square = pool.apply(x -> x * x, i);
            assertThat(square).isEqualTo(i * i);
        }
        assertThatThrownBy(() -> pool.apply(Integer::parseInt, "x")).isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(NumberFormatException.class);
        Object notSerializable = new Object();
        assertThatThrownBy(() -> pool.applyAsync(x -> x, notSerializable)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("argument").hasMessageContaining("java.lang.Object");
        SerializableFunction<Integer, Integer> plusOne = x -> x + 1;
        assertThat(pool.apply(ProcessPool.timed(Duration.ofSeconds(30), plusOne), 1)).isEqualTo(2);
        assertThat(pool.map(x -> x + 1, List.of(1, 2))).containsExactly(2, 3);
    }

    @Test
    void submitAndExecuteTakePlainLambdasAndMethodReferencesThatThrowCheckedExceptions() throws Exception {
        assertThat(pool.submit(() -> {
            Thread.sleep(1);
        }).get()).isNull();
        assertThat(pool.submit(() -> {
            Thread.sleep(1);
        }, "given").get()).isEqualTo("given");
        assertThat(pool.submit(ProcessPoolTest::pause).get()).isNull();
        assertThat(pool.submit(ProcessPoolTest::workerPid).get()).isIn(pool.workerPids());
        Future<?> failing = pool.submit(() -> {
            refuse("no ticket left");
        });
        assertThatThrownBy(failing::get).isInstanceOf(ExecutionException.class)
                .cause().isExactlyInstanceOf(IOException.class).hasMessage("no ticket left");

        SharedLong runs = shared.track(new SharedLong());
        pool.execute(() -> {
            Thread.sleep(1);
            runs.incrementAndGet();
        });
        pool.execute(runs::incrementAndGet);
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (runs.get() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(runs.get()).isEqualTo(2);
    }

    private static void pause() throws InterruptedException {
        Thread.sleep(1);
    }

    private static long workerPid() throws IOException {
        return Multiprocessing.currentProcess().pid();
    }

    private static void refuse(String why) throws IOException {
        throw new IOException(why);
    }

    @Test
    void aSerializableRunnableRunInThisProcessWrapsACheckedException() {
        SerializableRunnable task = () -> refuse("here");
        assertThatThrownBy(task::run).isExactlyInstanceOf(CompletionException.class)
                .cause().isExactlyInstanceOf(IOException.class).hasMessage("here");
        SerializableRunnable unchecked = () -> {
            throw new IllegalStateException("as it is");
        };
        assertThatThrownBy(unchecked::run).isExactlyInstanceOf(IllegalStateException.class);
    }

    @Test
    void invokeAllAndInvokeAnyTakeLambdasWrittenInTheCall() throws Exception {
        List<Future<Integer>> futures = pool.invokeAll(() -> 1, () -> {
            Thread.sleep(1);
            return 2;
        });
        assertThat(futures).hasSize(2).allMatch(Future::isDone);
        assertThat(futures.get(0).get() + futures.get(1).get()).isEqualTo(3);
        assertThat(pool.invokeAny(() -> {
            throw new IOException("no");
        }, () -> "yes")).isEqualTo("yes");
        assertThatThrownBy(() -> pool.invokeAny()).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aLambdaWrittenInAListForInvokeAllIsRefusedWithWhatToDo() {
        assertThatThrownBy(() -> pool.invokeAll(List.of(() -> 1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("a lambda of " + ProcessPoolTest.class.getName() + " whose type is not serializable")
                .hasMessageContaining("SerializableCallable")
                .hasMessageNotContaining("captures 'this'");
        java.util.concurrent.ExecutorService executor = pool; // as a pool is injected: submit(Callable) is chosen
        assertThatThrownBy(() -> executor.submit(() -> 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("typed ExecutorService (type it ProcessPool)");
    }

    @Test
    void invokeAllRunsEveryTask() throws Exception {
        List<SerializableCallable<Integer>> tasks = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            int n = i;
            tasks.add(() -> n * n);
        }
        List<Future<Integer>> futures = pool.invokeAll(tasks);
        assertThat(futures).allMatch(Future::isDone);
        List<Integer> values = new ArrayList<>();
        for (Future<Integer> f : futures) {
            values.add(f.get());
        }
        assertThat(values).containsExactly(0, 1, 4, 9, 16, 25);
        assertThat(pool.invokeAll(tasks, 30, TimeUnit.SECONDS)).hasSize(6).allMatch(Future::isDone);
    }

    @Test
    void invokeAnyReturnsASuccessOrTheFailure() throws Exception {
        List<SerializableCallable<String>> tasks = List.of(
                () -> {
                    throw new IllegalStateException("no");
                },
                () -> "yes");
        assertThat(pool.invokeAny(tasks)).isEqualTo("yes");
        assertThat(pool.invokeAny(tasks, 30, TimeUnit.SECONDS)).isEqualTo("yes");
        List<SerializableCallable<String>> failing = List.of(() -> {
            throw new IllegalStateException("no");
        });
        assertThatThrownBy(() -> pool.invokeAny(failing)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> pool.invokeAny(List.<SerializableCallable<String>>of()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void mapAndImapReportProgress() {
        List<long[]> reports = new ArrayList<>();
        List<Integer> input = IntStream.range(0, 100).boxed().collect(Collectors.toList());
        pool.map(x -> x, input, 10, (done, total) -> reports.add(new long[] {done, total}));
        assertThat(reports).isNotEmpty();
        assertThat(reports).allMatch(r -> r[1] == 100);
        assertThat(reports.get(reports.size() - 1)[0]).isEqualTo(100);
        for (int i = 1; i < reports.size(); i++) {
            assertThat(reports.get(i)[0]).isGreaterThan(reports.get(i - 1)[0]);
        }
        reports.clear();
        Iterable<Integer> lazy = () -> IntStream.range(0, 50).iterator();
        pool.imap(x -> x, lazy, 5, (done, total) -> reports.add(new long[] {done, total})).forEachRemaining(x -> { });
        assertThat(reports.get(reports.size() - 1)).containsExactly(50, 50);
    }

    @Test
    void shutdownFinishesSubmittedWorkThenTerminates() throws Exception {
        ProcessEvent go = shared.track(new ProcessEvent());
        ProcessPool own = new ProcessPool(1);
        try {
            Future<String> waiting = own.submit(() -> {
                go.await();
                return "done";
            });
            Future<Integer> queued = own.submit(() -> 2);
            own.shutdown();
            assertThat(own.isShutdown()).isTrue();
            assertThatThrownBy(() -> own.submit(() -> 3)).isInstanceOf(RejectedExecutionException.class);
            assertThatThrownBy(() -> own.map(x -> x, List.of(1))).isInstanceOf(RejectedExecutionException.class);
            assertThat(own.awaitTermination(0, TimeUnit.SECONDS)).isFalse();
            assertThat(own.isTerminated()).isFalse();
            go.set();
            assertThat(own.awaitTermination(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            assertThat(own.isTerminated()).isTrue();
            assertThat(waiting.get()).isEqualTo("done");
            assertThat(queued.get()).isEqualTo(2);
            assertThat(own.workerPids()).isEmpty();
        } finally {
            own.terminate();
        }
    }

    @Test
    void shutdownNowCancelsWhatIsNotFinished() throws Exception {
        ProcessEvent never = shared.track(new ProcessEvent());
        ProcessEvent started = shared.track(new ProcessEvent());
        ProcessPool own = new ProcessPool(1);
        Future<Integer> running = own.submit(() -> {
            started.set();
            never.await();
            return 1;
        });
        List<Future<Integer>> queued = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            queued.add(own.submit(() -> 2));
        }
        CompletableFuture<Integer> applied = own.applyAsync(x -> x + RAN_HERE.incrementAndGet(), 1);
        assertThat(started.await(WAIT)).isTrue();
        List<Runnable> unsent = own.shutdownNow();
        assertThat(own.isTerminated()).isTrue();
        assertThat(running.isCancelled()).isTrue();
        assertThat(queued).allMatch(Future::isCancelled);
        assertThat(applied.isCancelled()).isTrue();
        assertThat(unsent).hasSizeBetween(1001 - 256, 1001); // a worker holds at most 256 small tasks
        unsent.get(unsent.size() - 1).run(); // the applied function, last: here, with its argument
        assertThat(RAN_HERE.get()).isEqualTo(1);
        assertThatThrownBy(() -> own.apply(() -> 1)).isInstanceOf(RejectedExecutionException.class);
    }

    @Test
    void closeFinishesAMapUnderWayInAnotherThread() throws Exception {
        ProcessPool own = new ProcessPool(1);
        List<Integer> input = IntStream.range(0, 2_000).boxed().collect(Collectors.toList());
        List<List<Integer>> result = new ArrayList<>();
        ProcessEvent mapping = shared.track(new ProcessEvent());
        Thread mapper = new Thread(() -> result.add(own.map(x -> {
            mapping.set();
            return x + 1;
        }, input, 1)));
        mapper.start();
        assertThat(mapping.await(WAIT)).isTrue();
        own.close();
        mapper.join(WAIT.toMillis());
        assertThat(result).hasSize(1);
        assertThat(result.get(0)).hasSize(2_000).endsWith(2_000);
        assertThat(own.isTerminated()).isTrue();
    }

    @Test
    void closeRightAfterTheStartLetsEveryWorkerBootAndRunItsInitializer(@TempDir Path dir) throws Exception {
        String initialized = dir.resolve("initialized").toString();
        ProcessPool own = ProcessPool.builder().processes(2).initializer(() -> Files.writeString(Path.of(initialized),
                Multiprocessing.currentProcess().pid() + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND))
                .build();
        own.close(); // Python's close() and join(): the workers are still booting
        assertThat(own.isTerminated()).isTrue();
        assertThat(Files.readAllLines(Path.of(initialized))).as("one line per worker").hasSize(2).doesNotHaveDuplicates();
    }

    /**
     * A worker's target carries its loop as bytes of its own ({@code PoolWorkers}): a worker that
     * maps a lambda over ints reads no JDK object stream, whose first one costs a new JVM tens
     * of milliseconds of its boot. The mark of a stream is its block-data reader, which only a
     * stream's constructor loads (the stream classes themselves are loaded by the library's and,
     * on JDK 25, by the JDK's own boot).
     */
    @Test
    void aColdWorkerMappingALambdaOverIntsCreatesNoObjectStream(@TempDir Path dir) throws Exception {
        Path classes = dir.resolve("classes.txt");
        try (ProcessPool own = ProcessPool.builder().processes(1).startMethod(StartMethod.COLD)
                .jvmArgs("-Xlog:class+load:file=" + classes).build()) {
            assertThat(own.map((Integer x) -> x * x, List.of(1, 2, 3))).containsExactly(1, 4, 9);
        }
        assertThat(Files.readString(classes)).as("the classes the worker loaded")
                .contains("io.github.multiprocessing4j.internal.pool.WorkerLoop")
                .doesNotContain("java.io.ObjectInputStream$BlockDataInputStream");
    }

    @Test
    void aDaemonicProcessMayNotStartAPool() throws Exception {
        ProcessQueue<String> answer = shared.track(new ProcessQueue<>());
        ChildProcess daemon = ChildProcess.builder(() -> {
            try {
                new ProcessPool(1).close();
                answer.put("started a pool");
            } catch (IllegalStateException e) {
                answer.put(e.getMessage());
            }
        }).daemon(true).build();
        daemon.start();
        assertThat(answer.get(WAIT)).isEqualTo("daemonic processes are not allowed to have children");
        assertThat(daemon.join(WAIT)).isTrue();
    }

    @Test
    void builderChecksItsArguments() {
        assertThatThrownBy(() -> ProcessPool.builder().processes(0).build()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ProcessPool.builder().maxTasksPerChild(-1)).isInstanceOf(IllegalArgumentException.class);
        Object notSerializable = new Object();
        assertThatThrownBy(() -> ProcessPool.builder().initializer(() -> notSerializable.hashCode()).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("java.lang.Object");
        assertThatThrownBy(() -> pool.map(x -> x, List.of(1), 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
