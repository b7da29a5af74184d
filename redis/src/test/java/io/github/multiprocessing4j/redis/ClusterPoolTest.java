package io.github.multiprocessing4j.redis;

import io.github.multiprocessing4j.ProcessPool;
import io.github.multiprocessing4j.SerializableCallable;
import io.github.multiprocessing4j.SerializableFunction;
import io.github.multiprocessing4j.SharedLong;
import io.github.multiprocessing4j.WorkerDiedException;
import io.github.multiprocessing4j.redis.internal.pool.AgentKeys;
import io.github.multiprocessing4j.redis.testing.Agents;
import io.github.multiprocessing4j.redis.testing.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A process pool whose workers run on two worker agents (separate process trees standing for machines). */
class ClusterPoolTest {
    static RedisServer redis;
    static Agents agents;
    static Cluster cluster;

    @BeforeAll
    static void start() {
        redis = RedisServer.start();
        agents = new Agents(ClusterPoolTest.class);
        agents.start(redis.url(), "pooltest", 2);
        agents.start(redis.url(), "pooltest", 2);
        cluster = Cluster.builder(redis.url()).prefix("pooltest").allowClasses("io.github.multiprocessing4j.**").connect();
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
        if (agents != null) {
            agents.close();
        }
        redis.close();
    }

    private static ProcessPool pool(int processes) {
        return ProcessPool.builder().cluster(cluster).processes(processes).build();
    }

    @Test
    void aMapOfTenThousandIntsOverTwoAgentsEqualsTheLocalResult() {
        List<Integer> inputs = IntStream.range(0, 10_000).boxed().collect(Collectors.toList());
        try (ProcessPool pool = pool(4)) {
            List<Integer> squares = pool.map(x -> x * x, inputs);
            assertThat(squares).isEqualTo(inputs.stream().map(x -> x * x).collect(Collectors.toList()));
            assertThat(pool.map(x -> x * x, inputs.subList(0, 1_000), 1)).as("chunk size 1")
                    .isEqualTo(squares.subList(0, 1_000));
            int applied = pool.apply(x -> x * 2, 21); // a function and its argument: Python's apply(func, args)
            assertThat(applied).isEqualTo(42);
            // Chunks go to the workers that have booted: on a loaded machine the first one can run
            // a whole map before the others are up (CI once saw all 10,000 tasks on one worker).
            Set<Long> pids = new HashSet<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (pids.size() < 2 && System.nanoTime() - deadline < 0) {
                pids.addAll(pool.map(x -> ProcessHandle.current().pid(), inputs, 1));
            }
            assertThat(pids).as("the tasks ran on several workers").hasSizeGreaterThan(1)
                    .doesNotContain(ProcessHandle.current().pid());
        }
    }

    @Test
    void largeArraysGoToTheAgentsWhole() {
        // arrays of 256 KiB or more are held by reference in a chunk's message, which the
        // cluster's channel copies into one array
        List<byte[]> arrays = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            byte[] array = new byte[(300 << 10) + i];
            java.util.Arrays.fill(array, (byte) (i + 1));
            arrays.add(array);
        }
        try (ProcessPool pool = pool(2)) {
            List<Long> sums = pool.map(array -> {
                long sum = 0;
                for (byte b : array) {
                    sum += b;
                }
                return sum;
            }, arrays, 2);
            for (int i = 0; i < arrays.size(); i++) {
                assertThat(sums.get(i)).as("array %d", i).isEqualTo((long) (i + 1) * arrays.get(i).length);
            }
        }
    }

    @Test
    void aMapEndsOnThePlacedWorkersWhenThePoolAsksForMoreThanTheAgentsHaveRoomFor() {
        // Two agents of two processes each: at least two of the six workers wait for a place, and
        // the chunks they were given go to the placed workers once those run out.
        try (ProcessPool pool = pool(6)) {
            List<Integer> inputs = IntStream.range(0, 200).boxed().collect(Collectors.toList());
            assertThat(pool.map(x -> x + 1, inputs, 1)).isEqualTo(inputs.stream().map(x -> x + 1).collect(Collectors.toList()));
        }
    }

    @Test
    void applySubmitAndImapWork() throws Exception {
        try (ProcessPool pool = pool(2)) {
            assertThat(pool.apply(() -> 6 * 7)).isEqualTo(42);
            Future<String> f = pool.submit((SerializableCallable<String>) () -> "from " + ProcessHandle.current().pid());
            assertThat(f.get(30, TimeUnit.SECONDS)).startsWith("from ").isNotEqualTo("from " + ProcessHandle.current().pid());
            Iterator<Integer> it = pool.imap(x -> x + 1, List.of(1, 2, 3));
            List<Integer> got = new ArrayList<>();
            it.forEachRemaining(got::add);
            assertThat(got).containsExactly(2, 3, 4);
            List<Integer> unordered = new ArrayList<>();
            pool.imapUnordered(x -> x * 10, List.of(1, 2, 3)).forEachRemaining(unordered::add);
            assertThat(unordered).containsExactlyInAnyOrder(10, 20, 30);
            Future<?> failing = pool.submit((SerializableCallable<Object>) () -> {
                throw new IllegalArgumentException("no");
            });
            assertThatThrownBy(failing::get).isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void aTaskWhoseClassTheAgentsLackFailsSayingSo() {
        try (ProcessPool pool = pool(1)) {
            assertThatThrownBy(() -> pool.apply(new OnlyOnTheCaller()))
                    .isInstanceOf(CompletionException.class)
                    .hasMessageContaining(OnlyOnTheCaller.class.getName())
                    .hasMessageContaining("class path")
                    .hasMessageContaining(" on ");
            assertThat(pool.apply(() -> "still working")).isEqualTo("still working");
        }
    }

    /**
     * A cluster's workers cannot give back a chunk they hold (they have no control channel), so
     * what keeps short tasks off a long one is the dispatch: after hundreds of tiny tasks, whose
     * time says a worker may be fed deep, a task of another lambda that runs for seconds is sent
     * alone (its kind's time is not known) and the short ones submitted with it all finish on the
     * other worker while it runs. With one task time for every submitted task, one of them was
     * sent behind the long one and waited for it.
     */
    @Test
    void shortTasksSubmittedWithALongOneOfAnotherLambdaDoNotWaitBehindIt() throws Exception {
        try (ProcessPool pool = pool(2)) {
            List<CompletableFuture<Integer>> tiny = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
                int x = i;
                tiny.add(pool.applyAsync(() -> x + 1));
            }
            for (CompletableFuture<Integer> t : tiny) {
                t.get(60, TimeUnit.SECONDS);
            }
            Future<Long> slow = pool.submit((SerializableCallable<Long>) () -> {
                Thread.sleep(5_000);
                return 1L;
            });
            List<Future<Long>> quick = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                long value = i;
                quick.add(pool.submit((SerializableCallable<Long>) () -> value));
            }
            for (int i = 0; i < quick.size(); i++) {
                assertThat(quick.get(i).get(60, TimeUnit.SECONDS)).isEqualTo(i);
            }
            assertThat(slow).as("the quick ones all ended while the slow one ran").isNotDone();
            assertThat(slow.get(60, TimeUnit.SECONDS)).isEqualTo(1L);
        }
    }

    /**
     * A server that takes values of up to 1 MiB: a task, a map's chunk or a result larger than
     * that fails its own call saying so, before anything is sent (a result: in the worker, which
     * sends the failure instead); the pool goes on.
     */
    @Test
    void aTaskOrResultLargerThanTheServerAcceptsFailsItsCallSayingSoAndThePoolGoesOn() {
        try (Jedis admin = new Jedis("127.0.0.1", redis.port())) {
            admin.configSet("proto-max-bulk-len", "1mb");
            try (Cluster limited = Cluster.builder(redis.url()).prefix("pooltest").allowClasses("io.github.multiprocessing4j.**").connect();
                 ProcessPool pool = ProcessPool.builder().cluster(limited).processes(1).build()) {
                byte[] large = new byte[2 << 20];
                SerializableFunction<byte[], Integer> length = array -> array.length;
                assertThatThrownBy(() -> pool.apply(length, large)).isInstanceOf(IllegalArgumentException.class)
                        .hasMessageStartingWith("the task: ").hasMessageContaining("(its proto-max-bulk-len is 1048576 bytes)");
                assertThatThrownBy(() -> pool.map(length, List.of(new byte[1], large), 2))
                        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("a chunk of the map's items: ");
                assertThatThrownBy(() -> pool.apply(() -> new byte[2 << 20])).isInstanceOf(CompletionException.class)
                        .cause().isInstanceOf(IllegalArgumentException.class)
                        .hasMessageStartingWith("the chunk's results: ").hasMessageContaining("(its proto-max-bulk-len is 1048576 bytes)");
                assertThat(pool.map(length, List.of(new byte[3], new byte[(1 << 20) - 100]), 1))
                        .as("a large argument within the limit").containsExactly(3, (1 << 20) - 100);
                assertThat(pool.apply(() -> "still working")).isEqualTo("still working");
            } finally {
                admin.configSet("proto-max-bulk-len", "512mb");
            }
        }
    }

    @Test
    void aLambdaCapturingAClusterSharedLongWorksOnTheWorkers() {
        SharedLong counter = cluster.sharedLong("captured");
        counter.set(0);
        try (ProcessPool pool = pool(2)) {
            List<Long> seen = pool.map(x -> counter.addAndGet(x), List.of(1, 2, 3, 4), 1);
            assertThat(seen).hasSize(4);
            assertThat(counter.get()).isEqualTo(10);
        } finally {
            counter.close();
        }
    }

    @Test
    void aKilledAgentFailsTheTasksItsWorkerHeldAndThePoolGoesOnWithTheOther() throws Exception {
        try (Agents own = new Agents(ClusterPoolTest.class);
             Cluster c = Cluster.builder(redis.url()).prefix("killtest").allowClasses("io.github.multiprocessing4j.**").connect()) {
            Process victim = own.start(redis.url(), "killtest", 1);
            own.start(redis.url(), "killtest", 1);
            try (ProcessPool pool = ProcessPool.builder().cluster(c).processes(2).build()) {
                assertThat(pool.map(x -> x, List.of(1, 2, 3, 4), 1)).containsExactly(1, 2, 3, 4); // both placed
                List<Future<Long>> held = new ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    held.add(pool.submit((SerializableCallable<Long>) () -> {
                        Thread.sleep(4_000);
                        return ProcessHandle.current().pid();
                    }));
                }
                Thread.sleep(500); // both running
                List<Long> victimWorkers = Agents.workersOf(victim).stream().map(ProcessHandle::pid).toList();
                long killed = System.nanoTime();
                own.kill(victim);
                // When each task ended, seen as it happens (not when a get() in turn reaches it).
                long[] endedAfterMillis = new long[held.size()];
                long deadline = killed + TimeUnit.SECONDS.toNanos(20);
                while (Arrays.stream(endedAfterMillis).anyMatch(t -> t == 0) && System.nanoTime() < deadline) {
                    for (int i = 0; i < held.size(); i++) {
                        if (endedAfterMillis[i] == 0 && held.get(i).isDone()) {
                            endedAfterMillis[i] = Math.max(1, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed));
                        }
                    }
                    Thread.sleep(5);
                }
                int died = 0;
                int done = 0;
                for (int i = 0; i < held.size(); i++) {
                    try {
                        assertThat(victimWorkers).doesNotContain(held.get(i).get(1, TimeUnit.SECONDS));
                        done++;
                    } catch (ExecutionException e) {
                        assertThat(e.getCause()).isInstanceOf(WorkerDiedException.class);
                        assertThat(e.getCause().getCause()).hasMessageContaining("stopped renewing its lease");
                        // the bench's section "cluster" measures how soon; this only checks that it comes
                        // before the other task's end (it sleeps 4 s)
                        assertThat(endedAfterMillis[i]).isLessThan(3_500);
                        died++;
                    }
                }
                assertThat(died).isEqualTo(1);
                assertThat(done).isEqualTo(1);
                assertThat(pool.apply(() -> "goes on")).isEqualTo("goes on");
            }
        }
    }

    @Test
    void withRetriesAKilledAgentsTaskRunsAgainOnTheOther() throws Exception {
        try (Agents own = new Agents(ClusterPoolTest.class);
             Cluster c = Cluster.builder(redis.url()).prefix("retrytest").allowClasses("io.github.multiprocessing4j.**").connect()) {
            Process victim = own.start(redis.url(), "retrytest", 1);
            own.start(redis.url(), "retrytest", 1);
            try (ProcessPool pool = ProcessPool.builder().cluster(c).processes(2).retries(1).build()) {
                assertThat(pool.map(x -> x, List.of(1, 2, 3, 4), 1)).containsExactly(1, 2, 3, 4);
                List<Future<Long>> held = new ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    held.add(pool.submit((SerializableCallable<Long>) () -> {
                        Thread.sleep(1_500);
                        return ProcessHandle.current().pid();
                    }));
                }
                Thread.sleep(500);
                List<Long> victimWorkers = Agents.workersOf(victim).stream().map(ProcessHandle::pid).toList();
                own.kill(victim);
                for (Future<Long> f : held) {
                    assertThat(victimWorkers).doesNotContain(f.get(30, TimeUnit.SECONDS));
                }
            }
        }
    }

    @Test
    void aWorkerWhosePlacementAnAgentTookAndLostFailsThePoolInsteadOfHangingIt() throws Exception {
        try (Cluster c = Cluster.builder(redis.url()).prefix("losttest").allowClasses("io.github.multiprocessing4j.**").connect();
             Jedis raw = new Jedis("127.0.0.1", redis.port())) {
            byte[] placements = new AgentKeys(c.connection()).placements().getBytes(StandardCharsets.UTF_8);
            try (ProcessPool pool = ProcessPool.builder().cluster(c).processes(1).build()) {
                Future<Integer> task = pool.submit((SerializableCallable<Integer>) () -> 1);
                // No agent serves this prefix: the test takes the placement, as an agent killed right after would.
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (raw.lpop(placements) == null) {
                    assertThat(System.nanoTime() - deadline).as("the worker's placement").isNegative();
                    Thread.sleep(10);
                }

                assertThatThrownBy(() -> task.get(30, TimeUnit.SECONDS)).as("not a TimeoutException: the pool knows")
                        .isInstanceOf(ExecutionException.class).hasStackTraceContaining("never started");
            }
        }
    }
}
