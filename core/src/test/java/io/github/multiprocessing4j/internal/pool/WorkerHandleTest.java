package io.github.multiprocessing4j.internal.pool;

import io.github.multiprocessing4j.internal.serial.Wire;
import io.github.multiprocessing4j.spi.PoolWorker;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * When the pool nudges a worker ({@link PoolWorker#wake}): with the first chunk put into the
 * inbox of a worker that held nothing for a while, and with the close of its inbox; never with a
 * chunk for a busy worker, nor before it is ready.
 */
class WorkerHandleTest {
    private long ids;
    /** The kind of the tasks submitted in these tests (any id no map function here has). */
    private static final long SUBMITTED = 1_000_000;

    @Test
    void aChunkForAWorkerThatIdledComesWithANudgeAndOneForABusyWorkerDoesNot() throws Exception {
        Inbox inbox = new Inbox();
        Worker process = new Worker();
        WorkerHandle worker = new WorkerHandle(1, process, inbox);
        worker.ready = true;
        idle();

        Chunk first = chunk();
        worker.send(first);
        assertThat(worker.flush()).as("it idled since it started").isTrue();
        Chunk second = chunk();
        worker.send(second);
        assertThat(worker.flush()).as("busy with the first").isFalse();
        assertThat(process.wakes).isEqualTo(1);
        assertThat(inbox.messages).hasSize(2);

        assertThat(worker.answered(first.id, -1)).isSameAs(first);
        assertThat(worker.answered(second.id, -1)).isSameAs(second);
        assertThat(worker.answered(second.id, -1)).as("answered already").isNull();
        idle();
        worker.send(chunk());
        assertThat(worker.flush()).as("it idled again").isTrue();
        assertThat(process.wakes).isEqualTo(2);

        worker.close();
        assertThat(process.wakes).as("its inbox closed: it is to end").isEqualTo(3);
        worker.close();
        assertThat(process.wakes).as("closed once").isEqualTo(3);
    }

    @Test
    void theTaskTimeTheAnswersReportIsAveragedPerKindOfTaskAndForetellsTheWorkHeld() {
        WorkerHandle worker = new WorkerHandle(1, new Worker(), new Inbox());
        worker.ready = true;
        FunctionRef square = new FunctionRef(7, new byte[0], false);
        List<Chunk> submitted = List.of(chunk(), chunk(), chunk());
        Chunk mapped = chunk(square);
        submitted.forEach(worker::send);
        worker.send(mapped);
        assertThat(worker.workNanos(submitted.get(0))).as("nothing answered yet").isEqualTo(-1);
        assertThat(worker.heldWorkNanos()).isEqualTo(-1);
        worker.answered(submitted.get(0).id, 1_000);
        worker.answered(submitted.get(1).id, 3_000);
        assertThat(worker.workNanos(submitted.get(2))).isEqualTo(2_000);
        worker.answered(submitted.get(2).id, -1);
        assertThat(worker.taskNanos(SUBMITTED)).as("an answer that does not say").isEqualTo(2_000);
        assertThat(worker.workNanos(mapped)).as("a map's tasks: not known").isEqualTo(-1);
        worker.answered(mapped.id, 5_000_000);
        assertThat(worker.taskNanos(square.id)).isEqualTo(5_000_000);
        assertThat(worker.taskNanos(SUBMITTED)).as("submitted tasks: still known").isEqualTo(2_000);
        assertThat(worker.heldWorkNanos()).as("holds nothing").isZero();

        worker.send(chunk());
        worker.send(chunk(square));
        assertThat(worker.heldWorkNanos()).isEqualTo(2_000 + 5_000_000);
        worker.answered(ids - 1, 10_000);
        assertThat(worker.heldWorkNanos()).as("foretold when sent: the map chunk's").isEqualTo(5_000_000);
        assertThat(worker.dropHeld()).hasSize(1);
        assertThat(worker.heldWorkNanos()).isZero();
        assertThat(worker.heldTasks).isZero();

        for (long kind = 100; kind < 100 + WorkerHandle.TASK_KINDS; kind++) {
            worker.taskTook(kind, 1);
        }
        assertThat(worker.taskNanos(SUBMITTED)).as("the kind used least lately is forgotten").isEqualTo(-1);
        assertThat(worker.taskNanos(100)).isEqualTo(1);
    }

    @Test
    void aBootingWorkersChunksWaitInTheParentAndItsFirstFlushOnceReadyNudgesIt() throws Exception {
        Inbox inbox = new Inbox();
        Worker process = new Worker();
        WorkerHandle worker = new WorkerHandle(1, process, inbox);
        idle();
        worker.send(chunk());
        assertThat(worker.flush()).isFalse();
        assertThat(inbox.messages).isEmpty();
        assertThat(process.wakes).isZero();

        worker.ready = true;
        assertThat(worker.flush()).isTrue();
        assertThat(inbox.messages).hasSize(1);
        assertThat(process.wakes).isEqualTo(1);
    }

    @Test
    void aWorkerIsAskedToGiveBackItsLastChunkOnceItsWorkRunsPastItsTaskTimeOneChunkAtATime() {
        Inbox control = new Inbox();
        WorkerHandle worker = new WorkerHandle(1, new Worker(), new Inbox(), control);
        worker.ready = true;
        worker.taskTook(SUBMITTED, 1_000); // short tasks before
        Chunk running = chunk();
        Chunk behind = chunk();
        Chunk last = chunk();
        worker.send(running);
        assertThat(worker.releaseDueAt()).as("one chunk: nothing to give back").isEqualTo(Long.MAX_VALUE);
        worker.send(behind);
        worker.send(last);
        assertThat(worker.releaseDueAt()).as("when its three tasks are overdue")
                .isEqualTo(worker.workingSince + 2 * 3 * 1_000 + WorkerHandle.OVERDUE_SLACK_NANOS);

        worker.askRelease();
        assertThat(control.messages).hasSize(1);
        Wire.Reader release = new Wire.Reader(control.messages.get(0));
        assertThat(release.getByte()).isEqualTo(PoolMessages.RELEASE);
        assertThat(release.getLong()).as("the last one it holds").isEqualTo(last.id);
        assertThat(worker.releaseDueAt()).as("asked already").isEqualTo(Long.MAX_VALUE);

        assertThat(worker.released(last.id)).isSameAs(last);
        assertThat(worker.held.inOrder()).containsExactly(running, behind);
        assertThat(worker.heldTasks).isEqualTo(2);
        assertThat(worker.releaseDueAt()).as("it may be asked again").isNotEqualTo(Long.MAX_VALUE);
        worker.askRelease();
        assertThat(worker.answered(behind.id, 1_000)).as("it had started: it answers instead").isSameAs(behind);
        assertThat(worker.held.inOrder()).containsExactly(running);
        assertThat(worker.released(behind.id)).as("not held").isNull();

        WorkerHandle remote = new WorkerHandle(2, new Worker(), new Inbox());
        remote.ready = true;
        remote.send(chunk());
        remote.send(chunk());
        assertThat(remote.releaseDueAt()).as("no control channel: a backend's worker").isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void aFunctionIsDefinedOnceAndAgainOnlyAfterTheWorkersCacheDroppedIt() {
        Inbox inbox = new Inbox();
        WorkerHandle worker = new WorkerHandle(1, new Worker(), inbox);
        worker.ready = true;
        List<FunctionRef> functions = new ArrayList<>();
        for (int i = 0; i <= WorkerLoop.FUNCTION_CACHE; i++) {
            functions.add(new FunctionRef(100 + i, new byte[0], false));
        }
        FunctionRef first = functions.get(0);
        worker.send(chunk(first));
        worker.send(chunk(first));
        assertThat(definitionsSent(worker, inbox)).containsExactly(first.id);

        for (FunctionRef f : functions.subList(1, WorkerLoop.FUNCTION_CACHE)) {
            worker.send(chunk(f));
        }
        worker.send(chunk(first)); // used again: the cache's newest, no longer its eldest
        assertThat(definitionsSent(worker, inbox)).as("all new but the first").hasSize(WorkerLoop.FUNCTION_CACHE - 1);

        FunctionRef ninth = functions.get(WorkerLoop.FUNCTION_CACHE);
        worker.send(chunk(ninth)); // one more than the cache holds: the eldest, the second, goes
        worker.send(chunk(first));
        worker.send(chunk(functions.get(1)));
        assertThat(definitionsSent(worker, inbox)).containsExactly(ninth.id, functions.get(1).id);
    }

    /** @return the ids of the functions defined in what the worker was sent since the last call */
    private static List<Long> definitionsSent(WorkerHandle worker, Inbox inbox) {
        worker.flush();
        List<Long> ids = new ArrayList<>();
        for (byte[] message : inbox.messages) {
            for (Wire.Reader part : PoolMessages.parts(new Wire.Reader(message))) {
                if (part.getByte() == PoolMessages.DEFINE) {
                    ids.add(part.getLong());
                }
            }
        }
        inbox.messages.clear();
        return ids;
    }

    private Chunk chunk() {
        return chunk(null);
    }

    private Chunk chunk(FunctionRef function) {
        long id = ++ids;
        return new Chunk(id, new byte[] {PoolMessages.CHUNK, (byte) id}, 1, (int) id, function,
                function == null ? SUBMITTED : function.id, null, 0);
    }

    /** Longer than a worker must have held nothing for a nudge. */
    private static void idle() throws InterruptedException {
        Thread.sleep(WorkerHandle.WAKE_AFTER_IDLE_NANOS / 1_000_000 + 2);
    }

    /** An inbox that keeps what is put into it. */
    private static final class Inbox implements MessageChannel {
        final List<byte[]> messages = new ArrayList<>();

        @Override
        public void put(byte[] message) {
            messages.add(message);
        }

        @Override
        public Wire.Reader take() {
            throw new AssertionError("the parent never takes from an inbox");
        }

        @Override
        public Wire.Reader poll() {
            throw new AssertionError("the parent never takes from an inbox");
        }

        @Override
        public void close() {
        }

        @Override
        public int discard() {
            return 0;
        }
    }

    /** A worker that counts its nudges. */
    private static final class Worker implements PoolWorker {
        int wakes;

        @Override
        public void wake() {
            wakes++;
        }

        @Override
        public long pid() {
            return 1;
        }

        @Override
        public String name() {
            return "PoolWorker-1";
        }

        @Override
        public void kill() {
        }

        @Override
        public void join() {
        }

        @Override
        public int exitCode() {
            return 0;
        }

        @Override
        public Throwable failure() {
            return null;
        }
    }
}
