package io.github.multiprocessing4j.internal.pool;

import io.github.multiprocessing4j.spi.PoolWorker;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dispatch policy on its own, with worker handles that have no process and no inbox: which
 * worker gets which chunk, how deep a worker is fed, order, abandoned chunks and quotas.
 */
class DispatcherTest {
    private long ids;

    /** A chunk owner that only says whether it still wants its chunks. */
    private static final class Owner implements ChunkOwner {
        boolean abandoned;

        @Override
        public boolean abandoned() {
            return abandoned;
        }

        @Override
        public ClassLoader loader() {
            return DispatcherTest.class.getClassLoader();
        }

        @Override
        public void completed(Chunk chunk, Object[] values) {
        }

        @Override
        public void failed(Chunk chunk, Throwable failure) {
        }
    }

    private final Owner owner = new Owner();

    private Chunk chunk(int tasks) {
        return chunk(tasks, 0);
    }

    private Chunk chunk(int tasks, long kind) {
        long id = ++ids;
        return new Chunk(id, new byte[] {(byte) id}, tasks, (int) id, null, kind, owner, 0);
    }

    private static WorkerHandle worker(int id, boolean ready) {
        WorkerHandle w = new WorkerHandle(id, new NoProcess(id), null);
        w.ready = ready;
        return w;
    }

    /** The dispatcher never touches a worker's process: any call fails the test. */
    private record NoProcess(long pid) implements PoolWorker {
        @Override
        public String name() {
            return "PoolWorker-" + pid;
        }

        @Override
        public void kill() {
            throw new AssertionError("kill");
        }

        @Override
        public void join() {
            throw new AssertionError("join");
        }

        @Override
        public int exitCode() {
            throw new AssertionError("exitCode");
        }

        @Override
        public Throwable failure() {
            throw new AssertionError("failure");
        }
    }

    @Test
    void aChunkGoesToTheWorkerHoldingTheFewestTasks() {
        Dispatcher dispatcher = new Dispatcher(0);
        WorkerHandle a = worker(1, true);
        WorkerHandle b = worker(2, true);
        a.taskTook(0, 1_000); // short tasks, as their answers said: each may hold several
        b.taskTook(0, 1_000);
        dispatcher.add(List.of(chunk(10)));
        assertThat(dispatcher.dispatch(List.of(a, b))).isEqualTo(1);
        dispatcher.add(List.of(chunk(3), chunk(4)));
        assertThat(dispatcher.dispatch(List.of(a, b))).isEqualTo(2);
        assertThat(a.heldTasks).isEqualTo(10);
        assertThat(b.heldTasks).as("3, then 4 again to b: 3 < 10").isEqualTo(7);
        assertThat(b.held.inOrder()).hasSize(2);
    }

    @Test
    void whenTheyHoldAsManyTasksAReadyWorkerIsPreferredToABootingOne() {
        Dispatcher dispatcher = new Dispatcher(0);
        WorkerHandle booting = worker(1, false);
        WorkerHandle ready = worker(2, true);
        dispatcher.add(List.of(chunk(5)));
        dispatcher.dispatch(List.of(booting, ready));
        assertThat(ready.held.inOrder()).hasSize(1);
        assertThat(booting.held.inOrder()).isEmpty();
        dispatcher.add(List.of(chunk(1)));
        dispatcher.dispatch(List.of(booting, ready));
        assertThat(booting.held.inOrder()).as("a booting worker is idle, not slow: it gets the next chunk").hasSize(1);
    }

    @Test
    void aReadyWorkerThatHoldsNothingTakesTheChunksOfAWorkerStillBooting() {
        Dispatcher dispatcher = new Dispatcher(0);
        WorkerHandle first = worker(1, false);
        WorkerHandle second = worker(2, false);
        first.taskTook(0, 1_000); // short tasks, as answers said: each may hold several
        second.taskTook(0, 1_000);
        Chunk a = chunk(10);
        Chunk b = chunk(10);
        Chunk c = chunk(10);
        Chunk d = chunk(10);
        dispatcher.add(List.of(a, b, c, d));
        assertThat(dispatcher.dispatch(List.of(first, second))).isEqualTo(4);
        assertThat(first.held.inOrder()).containsExactly(a, c);
        assertThat(second.held.inOrder()).containsExactly(b, d);

        first.ready = true; // it boots first, and runs its two chunks
        first.answered(a.id, 1_000);
        first.answered(c.id, 1_000);
        assertThat(dispatcher.dispatch(List.of(first, second))).isEqualTo(2);
        assertThat(first.held.inOrder()).as("the booting worker's, in their order").containsExactly(b, d);
        assertThat(second.held.inOrder()).isEmpty();
        assertThat(second.heldTasks).isZero();
        assertThat(second.assigned).as("as if never sent").isZero();
        assertThat(second.functions).isEmpty();
        assertThat(dispatcher.waitingCount()).isZero();
    }

    @Test
    void aBusyReadyWorkerLeavesABootingWorkersChunksWhereTheyAre() {
        Dispatcher dispatcher = new Dispatcher(0);
        WorkerHandle ready = worker(1, true);
        WorkerHandle booting = worker(2, false);
        dispatcher.add(List.of(chunk(1), chunk(1)));
        dispatcher.dispatch(List.of(ready, booting));
        assertThat(ready.held.inOrder()).hasSize(1);
        assertThat(booting.held.inOrder()).as("a long task waits for it rather than behind the other's").hasSize(1);
        assertThat(dispatcher.dispatch(List.of(ready, booting))).isZero();
        assertThat(booting.held.inOrder()).hasSize(1);
    }

    @Test
    void aWorkerHoldsTwoBigChunksAtMostAndSmallOnesUpToTheTaskDepth() {
        Dispatcher dispatcher = new Dispatcher(0);
        WorkerHandle w = worker(1, true);
        w.taskTook(0, 1_000); // a chunk of 1,000 is a millisecond's work: the next goes ahead
        dispatcher.add(List.of(chunk(1000), chunk(1000), chunk(1000)));
        assertThat(dispatcher.dispatch(List.of(w))).isEqualTo(Dispatcher.DEPTH_CHUNKS);
        assertThat(dispatcher.waitingCount()).isEqualTo(1);

        Dispatcher small = new Dispatcher(0);
        WorkerHandle v = worker(2, true);
        v.taskTook(0, 1_000); // its answers said: 1 us a task (of tasks submitted one by one, as these)
        small.add(ones(Dispatcher.DEPTH_TASKS + 10));
        assertThat(small.dispatch(List.of(v))).isEqualTo(Dispatcher.DEPTH_TASKS);
        assertThat(v.heldTasks).isEqualTo(Dispatcher.DEPTH_TASKS);
        assertThat(small.waitingCount()).isEqualTo(10);
    }

    @Test
    void chunksOfLongOrUnknownTasksGoOneToAWorkerOfMiddlingOnesTwoAndTheRestWaitForWhoeverIsFree() {
        for (long taskNanos : new long[] {-1, 100_000_000, 10_000_000}) {
            Dispatcher dispatcher = new Dispatcher(0);
            WorkerHandle a = worker(1, true);
            WorkerHandle b = worker(2, true);
            if (taskNanos >= 0) {
                a.taskTook(0, taskNanos);
                b.taskTook(0, taskNanos);
            }
            dispatcher.add(ones(16));
            int each = taskNanos == 10_000_000 ? Dispatcher.DEPTH_CHUNKS : 1;
            assertThat(dispatcher.dispatch(List.of(a, b))).as("task time %d", taskNanos).isEqualTo(2 * each);
            assertThat(dispatcher.waitingCount()).isEqualTo(16 - 2 * each);
        }
        // The chunk held is what counts: with tasks of 10 ms, none goes ahead while 50 of them are held.
        Dispatcher behind = new Dispatcher(0);
        WorkerHandle v = worker(3, true);
        v.taskTook(0, 10_000_000);
        Chunk fifty = chunk(50); // half a second of work
        behind.add(List.of(fifty, chunk(1)));
        assertThat(behind.dispatch(List.of(v))).isEqualTo(1);
        v.answered(fifty.id, 10_000_000);
        assertThat(behind.dispatch(List.of(v))).isEqualTo(1);

        // As many tasks as fit in the depth's time: 1 ms of 100 us tasks.
        Dispatcher deep = new Dispatcher(0);
        WorkerHandle w = worker(1, true);
        w.taskTook(0, 100_000);
        deep.add(ones(16));
        assertThat(deep.dispatch(List.of(w))).isEqualTo((int) (Dispatcher.DEPTH_NANOS / 100_000));
    }

    @Test
    void aWorkerWhoseWorkRunsFarPastItsTaskTimeIsGivenNoMoreUntilItAnswers() {
        Dispatcher dispatcher = new Dispatcher(0);
        WorkerHandle a = worker(1, true);
        WorkerHandle b = worker(2, true);
        a.taskTook(0, 1_000); // short submitted tasks before: both may be fed deep
        b.taskTook(0, 1_000);
        Chunk longOne = chunk(1);
        dispatcher.add(List.of(longOne, chunk(1), chunk(1)));
        dispatcher.dispatch(List.of(a, b));
        assertThat(a.held.inOrder()).as("the long one, and one behind it: nothing says yet that it is long").hasSize(2);
        a.workingSince = System.nanoTime() - 100_000_000; // its work has run 100 ms, its task time says 2 us
        assertThat(a.isOverdue(System.nanoTime())).isTrue();
        dispatcher.add(ones(3));
        b.workingSince = System.nanoTime(); // b's has just begun (the test's first assertions take milliseconds)
        dispatcher.dispatch(List.of(a, b));
        assertThat(a.held.inOrder()).hasSize(2);
        assertThat(b.held.inOrder()).as("all that came since").hasSize(4);

        a.answered(longOne.id, 100_000_000);
        assertThat(a.isOverdue(System.nanoTime())).as("its next chunk is its own work now").isFalse();
    }

    @Test
    void nothingWaitsBehindAChunkOfAKindWhoseTimeIsNotKnownHoweverShortTheOthersAre() {
        Dispatcher dispatcher = new Dispatcher(0);
        WorkerHandle a = worker(1, true);
        WorkerHandle b = worker(2, true);
        long tiny = 0; // a lambda whose tasks ran before: 1 us each
        long other = 1; // another, never run: it may run for minutes
        a.taskTook(tiny, 1_000);
        b.taskTook(tiny, 1_000);
        Chunk unknown = chunk(1, other);
        dispatcher.add(List.of(unknown, chunk(1, tiny), chunk(1, tiny), chunk(1, tiny)));
        dispatcher.dispatch(List.of(a, b));
        assertThat(a.held.inOrder()).as("the one of unknown time alone").containsExactly(unknown);
        assertThat(b.held.inOrder()).as("the tiny ones, deep").hasSize(3);
        assertThat(a.heldWorkNanos()).isEqualTo(-1);
        assertThat(b.heldWorkNanos()).isEqualTo(3_000);

        a.answered(unknown.id, 50_000_000); // it took 50 ms
        assertThat(a.taskNanos(other)).isEqualTo(50_000_000);
        assertThat(a.taskNanos(tiny)).as("each kind its own time").isEqualTo(1_000);
        Chunk longOne = chunk(1, other);
        dispatcher.add(List.of(longOne, chunk(1, tiny)));
        b.workingSince = System.nanoTime(); // its tiny ones went out just now: the test's own milliseconds do not make them overdue
        dispatcher.dispatch(List.of(a, b));
        assertThat(a.held.inOrder()).containsExactly(longOne);
        assertThat(a.heldWorkNanos()).isEqualTo(50_000_000);
        assertThat(b.held.inOrder()).as("a tiny one goes behind the tiny ones, not behind 50 ms").hasSize(4);
    }

    private List<Chunk> ones(int n) {
        List<Chunk> ones = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ones.add(chunk(1));
        }
        return ones;
    }

    @Test
    void chunksGoOutInOrderAndAnAnswerMakesRoomForTheNext() {
        Dispatcher dispatcher = new Dispatcher(0);
        WorkerHandle w = worker(1, true);
        w.taskTook(0, 10_000); // a chunk of 300 is 3 ms: the next goes ahead; two are past the task depth
        Chunk first = chunk(300);
        Chunk second = chunk(300);
        Chunk big = chunk(300);
        Chunk small = chunk(1);
        dispatcher.add(List.of(first, second, big, small));
        dispatcher.dispatch(List.of(w));
        assertThat(w.held.inOrder()).containsExactly(first, second);
        assertThat(dispatcher.waitingCount()).as("the small chunk waits behind the big one").isEqualTo(2);

        w.answered(first.id, 10_000); // as the collector does with an answer
        assertThat(dispatcher.dispatch(List.of(w))).isEqualTo(1);
        assertThat(w.held.inOrder()).containsExactly(second, big);
        assertThat(dispatcher.waitingCount()).as("two chunks of 600 tasks held: the small one still waits").isEqualTo(1);
    }

    @Test
    void abandonedChunksAreDroppedAndClosedOrRetiringWorkersGetNone() {
        Dispatcher dispatcher = new Dispatcher(0);
        WorkerHandle closed = worker(1, true);
        closed.closed = true;
        WorkerHandle retiring = worker(2, true);
        retiring.retiring = true;
        dispatcher.add(List.of(chunk(1)));
        assertThat(dispatcher.dispatch(List.of(closed, retiring))).isZero();
        assertThat(dispatcher.hasWanted()).isTrue();

        owner.abandoned = true;
        assertThat(dispatcher.hasWanted()).isFalse();
        assertThat(dispatcher.dispatch(List.of(worker(3, true)))).as("dropped, not sent").isZero();
        assertThat(dispatcher.waitingCount()).isZero();
    }

    @Test
    void aWorkerThatReachesItsQuotaRetiresOnceAndGetsNoMore() {
        Dispatcher dispatcher = new Dispatcher(2);
        WorkerHandle w = worker(1, true);
        WorkerHandle other = worker(2, true);
        w.taskTook(0, 1_000);
        other.taskTook(0, 1_000);
        dispatcher.add(List.of(chunk(1), chunk(1), chunk(1), chunk(1), chunk(1)));
        dispatcher.dispatch(List.of(w, other));
        assertThat(w.assigned).isEqualTo(2);
        assertThat(other.assigned).isEqualTo(2);
        assertThat(w.retiring).isTrue();
        assertThat(other.retiring).isTrue();
        assertThat(dispatcher.takeRetired()).as("one replacement each").isEqualTo(2);
        assertThat(dispatcher.takeRetired()).isZero();
        assertThat(dispatcher.waitingCount()).as("the fifth waits for a replacement").isEqualTo(1);
    }

    @Test
    void drainHandsBackTheWaitingChunksInOrder() {
        Dispatcher dispatcher = new Dispatcher(0);
        Chunk a = chunk(1);
        Chunk b = chunk(2);
        dispatcher.add(List.of(a, b));
        assertThat(dispatcher.drain()).containsExactly(a, b);
        assertThat(dispatcher.waitingCount()).isZero();
    }
}
