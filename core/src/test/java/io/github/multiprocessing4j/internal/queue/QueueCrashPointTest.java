package io.github.multiprocessing4j.internal.queue;

import io.github.multiprocessing4j.ChildProcess;
import io.github.multiprocessing4j.SharedLong;
import io.github.multiprocessing4j.SharedLongArray;
import io.github.multiprocessing4j.internal.os.Platform;
import io.github.multiprocessing4j.internal.sync.Owner;
import io.github.multiprocessing4j.internal.sync.SlotDescriptor;
import io.github.multiprocessing4j.internal.sync.SlotTable;
import io.github.multiprocessing4j.testing.SharedObjects;
import io.github.multiprocessing4j.testing.TestFiles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A joinable queue's consumers, and the processes recovering what dead consumers held, dying at
 * each step of their risky sequences ({@link CrashPoint}): a child started with
 * {@code -Dmp4j.test.crashAt=POINT:n} halts exactly there. Then this process drains the queue as
 * a consumer, and every item must have been finished exactly once (the dead consumer's
 * unfinished items delivered again once, its finished ones not), the unfinished count must be
 * exactly 0, and no in-flight log of a dead process may be left in the tree's directory.
 *
 * <p>Each case has a queue of its own, and every case's child is started at once, before the
 * first case runs: JVM start-ups and liveness waits overlap, so the class stays short on a
 * loaded machine. Items are {@value #ITEM_SIZE} bytes, so that a consumer's in-flight log
 * (64 KiB at first) grows to a new segment at its eighth unfinished take.
 */
class QueueCrashPointTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int ITEMS = 12;
    private static final int ITEM_SIZE = 8 * 1024;
    private static final int STOP = -1;
    static final ByteQueue.RecordReader<byte[]> COPY = (segment, offset, length, itemNumber) -> {
        byte[] record = new byte[length];
        segment.getBytes(offset, record, 0, length);
        return record;
    };
    /** Where a consumer dies: in a take (its item still in the queue, or taken for good), while its log grows, in a taskDone(). */
    private static final String[] CONSUMER_DEATHS = {"TAKE_READ:3", "TAKE_COUNTED:3", "LOG_NAME_WRITTEN:1",
            "LOG_GROWTH_NAMED:1", "LOG_GROWTH_MADE:1", "LOG_NAME_WRITTEN:2", "LOG_GROWTH_PUBLISHED:1", "TASK_DONE_LOGGED:2"};
    /** Where a recovery dies: putting back the second item (the first is back for good), or retiring the slot. */
    private static final String[] RECOVERY_DEATHS = {"REQUEUE_MARKED:2", "REQUEUE_LOGGED:2", "APPEND_STAMPED:2",
            "REQUEUE_APPENDED:2", "RETIRE_JOURNALED:1", "RETIRE_LOG_REMOVED:1", "RETIRE_SLOT_FREED:1", "RETIRE_COUNTED:1"};
    private static final Map<String, Case> CASES = new ConcurrentHashMap<>();

    @RegisterExtension
    final SharedObjects shared = new SharedObjects();

    private Case busyCase;

    /** One crash: its queue, this process's bookkeeping of it (apart from the JVM's), what was finished, the child that dies. */
    private static final class Case implements AutoCloseable {
        final ByteQueue queue = ByteQueue.create(0, ByteQueue.DEFAULT_CHUNK_SIZE);
        final JoinableStates table = new JoinableStates();
        final JoinableState state = table.of(queue);
        final SharedLongArray finished;
        /** The files of in-flight logs of the consumer that died before the case began. */
        final List<String> deadConsumerLogs = new ArrayList<>();
        ChildProcess child;

        Case(int items) {
            finished = new SharedLongArray(items);
            for (int i = 0; i < items; i++) {
                assertThat(queue.put(item(i), ByteQueue.BYTE_ARRAY, 0)).isTrue();
            }
        }

        @Override
        public void close() throws Exception {
            if (child != null) {
                if (child.isAlive()) {
                    child.kill();
                }
                child.join(WAIT);
            }
            queue.close();
            while (queue.size() > 0) {
                queue.takeUninterruptibly(0, COPY); // the last take removes the segments
            }
            state.removeLogs();
            table.close();
            finished.unlink(); // children used it: close() would leave it to the tree's end
        }
    }

    @BeforeAll
    static void startEveryCrash() throws Exception {
        for (String death : CONSUMER_DEATHS) {
            Case c = new Case(ITEMS);
            CASES.put(death, c);
            ByteQueue q = c.queue;
            SharedLongArray finished = c.finished;
            c.child = ChildProcess.builder(() -> takeFinishingEverySecond(q, finished, 10)).jvmArgs(option(death)).build();
            c.child.start();
        }
        for (String death : RECOVERY_DEATHS) {
            Case c = new Case(ITEMS);
            CASES.put(death, c);
            consumerThatDied(c, 7);
            ByteQueue q = c.queue;
            c.child = ChildProcess.builder(() -> joinFor(q, Duration.ofSeconds(30))).jvmArgs(option(death)).build();
            c.child.start();
        }
    }

    @AfterAll
    static void removeEveryCase() throws Exception {
        for (Case c : CASES.values()) {
            c.close();
        }
        CASES.clear();
    }

    @AfterEach
    void removeTheBusyCase() throws Exception {
        if (busyCase != null) {
            busyCase.close();
        }
    }

    /**
     * A consumer takes 10 items, finishing the oldest one after every second take, and dies at
     * the point: in a take (its item is still in the queue, or taken for good), while its log
     * grows, or in a taskDone().
     */
    @ParameterizedTest
    @MethodSource("consumerDeaths")
    void aConsumerDyingAtAnyStepLosesAndRepeatsNothing(String death) throws Exception {
        Case c = CASES.get(death);
        assertDiedAtItsCrashPoint(c.child);

        drainFinishingEach(c);

        assertEveryItemFinishedOnceAndNothingLeft(c);
    }

    /**
     * A consumer took 7 items, finished 3 and died; a child process, recovering its 4 unfinished
     * items in {@code join()}, dies at the point: while putting one back, or while retiring the
     * dead consumer's slot. This process's recovery finishes the work. (The first consumer is
     * this process's bookkeeping under the token of a process that has exited: its death is not
     * what is tested, and a JVM less per case keeps the class fast.)
     */
    @ParameterizedTest
    @MethodSource("recoveryDeaths")
    void aRecoveryCutShortAtAnyStepIsFinishedByTheNextOne(String death) throws Exception {
        Case c = CASES.get(death);
        assertDiedAtItsCrashPoint(c.child);

        drainFinishingEach(c);

        assertEveryItemFinishedOnceAndNothingLeft(c);
    }

    static Stream<String> consumerDeaths() {
        return Stream.of(CONSUMER_DEATHS);
    }

    static Stream<String> recoveryDeaths() {
        return Stream.of(RECOVERY_DEATHS);
    }

    /**
     * A consumer dies holding an item of a queue that never runs empty: the busy consumer that
     * goes on gets the item back (its own takes look for dead consumers), before the stop item
     * this process puts once it has taken 20 items.
     */
    @Test
    void aDeadConsumersItemComesBackOnABusyQueue() throws Exception {
        int items = 200;
        busyCase = new Case(items);
        Case c = busyCase;
        SharedLong taken = shared.track(new SharedLong());
        SharedLong stopPut = shared.track(new SharedLong());
        consumerThatDied(c, 1);
        ByteQueue q = c.queue;
        SharedLongArray finished = c.finished;
        ChildProcess busy = new ChildProcess(() -> {
            JoinableState s = JoinableStates.ofThisProcess().of(q);
            ByteQueue.RecordReader<byte[]> reader = s.recording(COPY);
            while (true) {
                int id = id(q.takeUninterruptibly(-1, reader));
                if (id != STOP) {
                    finished.getAndAdd(id, 1);
                }
                s.taskDone();
                if (id == STOP) {
                    return;
                }
                if (taken.incrementAndGet() == 20) {
                    TestFiles.awaitCondition(() -> stopPut.get() == 1, WAIT, "the stop item");
                }
            }
        });
        c.child = busy;
        busy.start();
        TestFiles.awaitCondition(() -> taken.get() >= 20, WAIT, "20 items taken");
        assertThat(q.put(item(STOP), ByteQueue.BYTE_ARRAY, 0)).isTrue();
        stopPut.set(1);
        assertThat(busy.join(WAIT)).isTrue();
        assertThat(busy.exitCode()).hasValue(0);
        assertThat(finished.get(0)).as("the dead consumer's item, delivered again before the stop item").isEqualTo(1);
        c.state.recoverDeadConsumers(); // retires the busy consumer, which finished everything
        for (int i = 0; i < items; i++) {
            assertThat(finished.get(i)).as("times item %d was finished", i).isEqualTo(1);
        }
        assertThat(c.state.unfinished()).isZero();
        assertThat(inFlightLogFiles(c)).isEmpty();
    }

    // ------------------------------------------------------------------ what the children run

    /**
     * Takes {@code takes} items, finishing the oldest unfinished one after every second take
     * (counted in {@code finished} just before its {@code taskDone()}, which marks it done in the
     * log first thing).
     */
    static void takeFinishingEverySecond(ByteQueue queue, SharedLongArray finished, int takes) {
        takeFinishingEverySecond(queue, JoinableStates.ofThisProcess().of(queue), finished, takes);
    }

    private static void takeFinishingEverySecond(ByteQueue queue, JoinableState s, SharedLongArray finished, int takes) {
        ByteQueue.RecordReader<byte[]> reader = s.recording(COPY);
        ArrayDeque<Integer> unfinished = new ArrayDeque<>();
        for (int t = 1; t <= takes; t++) {
            unfinished.add(id(queue.takeUninterruptibly(-1, reader)));
            if (t % 2 == 0) {
                finished.getAndAdd(unfinished.remove(), 1);
                s.taskDone();
            }
        }
    }

    static void joinFor(ByteQueue queue, Duration timeout) {
        try {
            JoinableStates.ofThisProcess().of(queue).join(timeout.toNanos());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ------------------------------------------------------------------ helpers

    /**
     * Takes {@code takes} items of the case's queue as {@link #takeFinishingEverySecond} does,
     * with bookkeeping of its own, then gives its consumer slot the token of a process that has
     * exited: a consumer that died.
     */
    private static void consumerThatDied(Case c, int takes) throws Exception {
        try (JoinableStates other = new JoinableStates()) {
            takeFinishingEverySecond(c.queue, other.of(c.queue), c.finished, takes);
        }
        SlotTable consumers = new SlotTable(c.queue.header(), QueueDescriptor.CONSUMERS, QueueDescriptor.CONSUMER_SLOTS);
        int slot = -1;
        for (int i = 0; i < consumers.size(); i++) {
            if (consumers.token(i) == Owner.currentProcessToken()) {
                slot = i;
            }
        }
        assertThat(slot).as("the consumer's slot").isNotNegative();
        c.deadConsumerLogs.add("seg-" + JoinableState.logNameInForce(c.queue.header(), slot));
        Process exited = new ProcessBuilder("true").start();
        assertThat(exited.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        int at = QueueDescriptor.CONSUMERS + slot * SlotDescriptor.SIZE;
        c.queue.header().setLongVolatile(at + SlotDescriptor.START, Owner.start(exited.pid(), 1));
        c.queue.header().setLongVolatile(at + SlotDescriptor.TOKEN, Owner.processToken(exited.pid()));
    }

    /** Takes and finishes items until none is unfinished; recovers dead consumers while the queue is empty. */
    private static void drainFinishingEach(Case c) throws InterruptedException {
        ByteQueue.RecordReader<byte[]> reader = c.state.recording(COPY);
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (c.state.unfinished() > 0) {
            assertThat(System.nanoTime() - deadline).as("time left to drain; unfinished: %d", c.state.unfinished()).isNegative();
            byte[] item = c.queue.take(TimeUnit.MILLISECONDS.toNanos(300), reader, c.state::recoverDeadConsumers);
            if (item != null) {
                c.finished.getAndAdd(id(item), 1);
                c.state.taskDone();
            }
        }
    }

    private static void assertEveryItemFinishedOnceAndNothingLeft(Case c) throws IOException {
        for (int i = 0; i < ITEMS; i++) {
            assertThat(c.finished.get(i)).as("times item %d was finished", i).isEqualTo(1);
        }
        assertThat(c.state.unfinished()).as("unfinished count").isZero();
        assertThat(c.queue.size()).isZero();
        List<String> named = logsNamedInHeader(c);
        assertThat(named).as("in-flight logs the header names: this process's alone").hasSize(1);
        assertThat(inFlightLogFiles(c)).as("in-flight log files of this queue").containsExactlyElementsOf(named);
    }

    private static void assertDiedAtItsCrashPoint(ChildProcess child) throws InterruptedException {
        assertThat(child.join(WAIT)).isTrue();
        assertThat(child.exitCode()).as("the exit code of a process halted at its crash point").hasValue(CrashPoint.EXIT_CODE);
    }

    /**
     * @return the in-flight log files in the tree's directory that are the case's: made by its
     *     child, by the consumer that died before it began, or named in its queue's header (the
     *     cases share the directory)
     */
    private static List<String> inFlightLogFiles(Case c) throws IOException {
        Path tree = TestFiles.treeDirectory(Platform.currentPid());
        List<String> named = logsNamedInHeader(c);
        String childs = c.child == null ? "none" : "qflight-" + c.child.pid() + "-";
        try (Stream<Path> files = Files.list(tree)) {
            return files.map(f -> f.getFileName().toString())
                    .filter(n -> n.contains(childs) || c.deadConsumerLogs.contains(n) || named.contains(n))
                    .sorted().collect(Collectors.toList());
        }
    }

    private static List<String> logsNamedInHeader(Case c) {
        List<String> named = new ArrayList<>();
        for (int i = 0; i < QueueDescriptor.CONSUMER_SLOTS; i++) {
            String name = JoinableState.logNameInForce(c.queue.header(), i);
            if (name != null) {
                named.add("seg-" + name);
            }
        }
        return named;
    }

    private static String option(String death) {
        String[] pointAndPass = death.split(":");
        return CrashPoint.option(CrashPoint.valueOf(pointAndPass[0]), Integer.parseInt(pointAndPass[1]));
    }

    private static byte[] item(int id) {
        return ByteBuffer.allocate(ITEM_SIZE).putInt(0, id).array();
    }

    private static int id(byte[] item) {
        return ByteBuffer.wrap(item).getInt(0);
    }
}
