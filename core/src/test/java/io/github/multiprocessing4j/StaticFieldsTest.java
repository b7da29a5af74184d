package io.github.multiprocessing4j;

import io.github.multiprocessing4j.internal.process.ProcessContext;
import io.github.multiprocessing4j.internal.registry.LocalTreeRegistry;
import io.github.multiprocessing4j.testing.SharedObjects;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Shared objects made by static initialisers are the tree's: every process of the tree that
 * initialises the class uses the objects the first one made. A pool made by a static initialiser
 * in a child starts no workers and says so when used.
 */
class StaticFieldsTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    /**
     * A pool in a static field of this class: every child started here runs this class's static
     * initialiser again (the targets' lambdas live here), and so does every worker of the pool.
     */
    static final ProcessPool POOL = new ProcessPool(2);

    @RegisterExtension
    final SharedObjects shared = new SharedObjects();

    @AfterAll
    static void closePool() {
        POOL.close();
    }

    @Test
    void theIssuesProgramCountsEveryLockedIncrementOfItsStaticCounter() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process program = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), LockedCounter.class.getName())
                .redirectErrorStream(true).start();
        String output = new String(program.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(program.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();

        assertThat(output).contains("counter = 40000");
        assertThat(program.exitValue()).as(output).isZero();
    }

    @Test
    void aStaticQueueFilledByChildrenIsDrainedByTheParent() throws Exception {
        List<ChildProcess> producers = new ArrayList<>();
        for (int p = 0; p < 3; p++) {
            String name = "producer-" + p;
            ChildProcess producer = new ChildProcess(name, () -> {
                for (int i = 0; i < 5; i++) {
                    QueueHolder.QUEUE.put(name + ":" + i);
                }
            });
            producer.start();
            producers.add(producer);
        }
        try {
            Set<String> drained = new HashSet<>();
            for (int i = 0; i < 15; i++) {
                drained.add(QueueHolder.QUEUE.get(WAIT));
            }

            assertThat(drained).hasSize(15).contains("producer-0:0", "producer-2:4");
            for (ChildProcess producer : producers) {
                assertThat(producer.join(WAIT)).isTrue();
                assertThat(producer.exitCode()).hasValue(0);
            }
        } finally {
            QueueHolder.QUEUE.unlink();
        }
    }

    @Test
    void aPoolInAStaticFieldRunsTasksThatAreLambdasOfItsClass() throws Exception {
        assertThat(POOL.map(x -> x * x, List.of(1, 2, 3, 4))).containsExactly(1, 4, 9, 16);
        assertThat(POOL.submit(() -> Multiprocessing.currentProcess().name()).get(WAIT.toSeconds(), TimeUnit.SECONDS))
                .startsWith("PoolWorker");
    }

    @Test
    void aStaticPoolUsedInAChildFailsThereNamingTheClassAndTheFixWithoutStartingWorkers() throws Exception {
        ChildProcess child = new ChildProcess(() -> {
            if (!Multiprocessing.activeChildren().isEmpty()) {
                throw new AssertionError("loading the class started the static pool's workers in a child");
            }
            POOL.map(x -> x, List.of(1));
        });
        child.start();

        assertThat(child.join(WAIT)).isTrue();
        assertThat(child.exitCode()).hasValue(1);
        assertThat(child.failure()).get().isInstanceOf(IllegalStateException.class).extracting(Throwable::getMessage)
                .asString()
                .contains("made by the static initialiser of " + StaticFieldsTest.class.getName() + " in a child process")
                .contains("Make the pool in main()");
    }

    @Test
    void childrenInitialisingTheClassAtTheSameMomentGetOneObject() throws Exception {
        int racers = 3;
        ProcessBarrier start = shared.track(new ProcessBarrier(racers + 1));
        ProcessQueue<SharedLong> handles = shared.track(new ProcessQueue<>());
        List<ChildProcess> children = new ArrayList<>();
        for (int i = 0; i < racers; i++) {
            ChildProcess child = new ChildProcess(() -> {
                start.await();
                RaceHolder.COUNTER.incrementAndGet(); // this process's first use of RaceHolder
                handles.put(RaceHolder.COUNTER);
            });
            child.start();
            children.add(child);
        }
        Path tree = ((LocalTreeRegistry) ProcessContext.current().registry()).directory();
        start.await(WAIT);
        // Holding the tree's lock stops every racer where it creates its object's segment: each has
        // looked for the tree's object already and found none, so all but one lose the publication.
        try (FileChannel channel = FileChannel.open(tree.resolve(".lock"), StandardOpenOption.WRITE);
             FileLock held = channel.lock()) {
            Thread.sleep(2_000);
        }
        Set<Long> racerPids = new HashSet<>();
        for (ChildProcess child : children) {
            assertThat(child.join(WAIT)).isTrue();
            assertThat(child.exitCode()).hasValue(0);
            racerPids.add(child.pid());
        }
        List<SharedLong> received = new ArrayList<>();
        for (int i = 0; i < racers; i++) {
            received.add(handles.get(WAIT));
        }
        try {
            assertThat(received).extracting(SharedLong::get).containsOnly((long) racers);
            assertThat(longSegmentsMadeBy(tree, racerPids)).as("the losers discarded theirs").hasSize(1);
        } finally {
            received.get(0).unlink();
        }
    }

    @Test
    void anInitialiserThatMakesAnotherKindOfObjectInAChildFailsThere() throws Exception {
        AutoCloseable parents = FickleHolder.OBJECT;
        try {
            ChildProcess child = new ChildProcess(() -> FickleHolder.OBJECT.getClass());
            child.start();

            assertThat(child.join(WAIT)).isTrue();
            assertThat(child.exitCode()).hasValue(1);
            assertThat(child.failure()).get().isInstanceOf(ExceptionInInitializerError.class)
                    .extracting(Throwable::getCause).isInstanceOf(IllegalStateException.class)
                    .extracting(Throwable::getMessage).asString()
                    .contains("shared object #1 made by the static initialiser of " + FickleHolder.class.getName())
                    .contains("is a SharedLong in this process, but a ProcessLock")
                    .contains("in the same order in every process");
        } finally {
            SharedObjects.unlink(parents);
        }
    }

    @Test
    void aChildInitialisingTheClassAfterItsObjectWasUnlinkedFailsSayingSo() throws Exception {
        ClosedHolder.COUNTER.unlink();
        ChildProcess child = new ChildProcess(() -> ClosedHolder.COUNTER.get());
        child.start();

        assertThat(child.join(WAIT)).isTrue();
        assertThat(child.exitCode()).hasValue(1);
        assertThat(child.failure()).get().isInstanceOf(ExceptionInInitializerError.class)
                .extracting(Throwable::getCause).isInstanceOf(IllegalStateException.class)
                .extracting(Throwable::getMessage).asString()
                .contains("shared object #1 made by the static initialiser of " + ClosedHolder.class.getName())
                .contains("cannot be used here")
                .contains("does not exist");
    }

    @Test
    void aStaticFieldsObjectClosedByTheProcessThatMadeItStaysForTheOthers() throws Exception {
        ClosedHereHolder.QUEUE.put("kept");
        ClosedHereHolder.COUNTER.set(5);
        ClosedHereHolder.QUEUE.close(); // the tree's: ends this process's use only, as for a handle sent away
        ClosedHereHolder.COUNTER.close();
        ChildProcess child = new ChildProcess(() -> {
            if (ClosedHereHolder.COUNTER.get() != 5 || !"kept".equals(ClosedHereHolder.QUEUE.get(Duration.ofSeconds(10)))) {
                throw new IllegalStateException("the objects changed");
            }
        });
        try {
            child.start();

            assertThat(child.join(WAIT)).isTrue();
            assertThat(child.exitCode()).as("%s", child.failure()).hasValue(0);
        } finally {
            ClosedHereHolder.QUEUE.unlink();
            ClosedHereHolder.COUNTER.unlink();
        }
    }

    @Test
    void everyKindOfSharedObjectInAStaticFieldIsTheTreesObject() throws Exception {
        EveryKind.LOCK.acquire();
        EveryKind.RLOCK.acquire();
        EveryKind.SEMAPHORE.acquire();
        EveryKind.BOUNDED.acquire();
        EveryKind.OWN_CONDITION.lock().lock();
        EveryKind.EVENT.set();
        EveryKind.LONG.set(42);
        EveryKind.LONGS.set(1, 20);
        EveryKind.DOUBLES.set(0, 1.5);
        EveryKind.MEMORY.buffer().put(0, (byte) 9);
        EveryKind.QUEUE.put("queued");
        EveryKind.SIMPLE.put("simple");
        EveryKind.JOINABLE.put("joinable");
        EveryKind.PIPE.left().send("piped");
        ChildProcess child = new ChildProcess(StaticFieldsTest::checkEveryKindAsTheParentLeftIt);
        try {
            child.start();
            EveryKind.BARRIER.await(WAIT);

            assertThat(child.join(WAIT)).isTrue();
            assertThat(child.exitCode()).as("%s", child.failure()).hasValue(0);
            assertThat(EveryKind.PIPE.left().recv()).isEqualTo(EveryKind.CONDITION + " " + EveryKind.OWN_CONDITION);
            assertThat(EveryKind.JOINABLE.join(WAIT)).isTrue();
        } finally {
            EveryKind.closeAll();
        }
    }

    /** Run in a child: what the parent did to each of {@link EveryKind}'s objects is seen here. */
    private static void checkEveryKindAsTheParentLeftIt() throws Exception {
        List<String> wrong = new ArrayList<>();
        Duration soon = Duration.ofSeconds(10);
        check(wrong, !EveryKind.LOCK.tryLock(), "the lock is free");
        check(wrong, !EveryKind.RLOCK.tryLock(), "the re-entrant lock is free");
        check(wrong, !EveryKind.SEMAPHORE.tryAcquire(), "the semaphore has a permit");
        check(wrong, !EveryKind.BOUNDED.tryAcquire(), "the bounded semaphore has a permit");
        check(wrong, !EveryKind.OWN_CONDITION.lock().tryLock(), "the lock of the condition made without one is free");
        check(wrong, EveryKind.EVENT.isSet(), "the event is not set");
        check(wrong, EveryKind.LONG.get() == 42, "the long is " + EveryKind.LONG.get());
        check(wrong, EveryKind.LONGS.get(0) == 1 && EveryKind.LONGS.get(1) == 20, "the longs are " + EveryKind.LONGS);
        check(wrong, EveryKind.DOUBLES.get(0) == 1.5, "the doubles are " + EveryKind.DOUBLES);
        check(wrong, EveryKind.MEMORY.buffer().get(0) == 9, "the memory holds " + EveryKind.MEMORY.buffer().get(0));
        check(wrong, !EveryKind.SIMPLE.isEmpty(), "the simple queue is empty");
        check(wrong, EveryKind.PIPE.right().poll(soon), "the pipe is empty");
        if (!wrong.isEmpty()) {
            throw new AssertionError(String.join("; ", wrong));
        }
        check(wrong, "queued".equals(EveryKind.QUEUE.get(soon)), "the queue gave another item");
        check(wrong, "simple".equals(EveryKind.SIMPLE.get()), "the simple queue gave another item");
        check(wrong, "joinable".equals(EveryKind.JOINABLE.get(soon)), "the joinable queue gave another item");
        EveryKind.JOINABLE.taskDone();
        check(wrong, "piped".equals(EveryKind.PIPE.right().recv()), "the pipe gave another message");
        EveryKind.BARRIER.await(soon);
        EveryKind.PIPE.right().send(EveryKind.CONDITION + " " + EveryKind.OWN_CONDITION); // names their segments
        if (!wrong.isEmpty()) {
            throw new AssertionError(String.join("; ", wrong));
        }
    }

    private static void check(List<String> wrong, boolean ok, String otherwise) {
        if (!ok) {
            wrong.add(otherwise);
        }
    }

    private static List<Path> longSegmentsMadeBy(Path tree, Set<Long> pids) throws IOException {
        try (Stream<Path> files = Files.list(tree)) {
            return files.filter(f -> pids.stream().anyMatch(pid -> f.getFileName().toString().startsWith("seg-long-" + pid + "-")))
                    .collect(Collectors.toList());
        }
    }

    /** The issue's program: 4 children x 10,000 increments of a static counter under a static lock. */
    static final class LockedCounter {
        static final ProcessLock LOCK = new ProcessLock();
        static final SharedLong COUNTER = new SharedLong();

        public static void main(String[] args) throws InterruptedException {
            List<ChildProcess> children = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                ChildProcess child = new ChildProcess(() -> {
                    for (int n = 0; n < 10_000; n++) {
                        LOCK.lock();
                        try {
                            COUNTER.set(COUNTER.get() + 1);
                        } finally {
                            LOCK.unlock();
                        }
                    }
                });
                child.start();
                children.add(child);
            }
            for (ChildProcess child : children) {
                child.join();
            }
            System.out.println("counter = " + COUNTER.get());
        }
    }

    /** A queue made by a helper method of a static initialiser: still the initialiser's object. */
    static final class QueueHolder {
        static final ProcessQueue<String> QUEUE = newQueue();

        private static ProcessQueue<String> newQueue() {
            return new ProcessQueue<>();
        }
    }

    /** Initialised first by racing children, never by the test's JVM. */
    static final class RaceHolder {
        static final SharedLong COUNTER = new SharedLong();
    }

    /** Closed by the test's JVM before a child initialises it. */
    static final class ClosedHolder {
        static final SharedLong COUNTER = new SharedLong();
    }

    /** Closed (not unlinked) by the test's JVM, which made them, before a child initialises it. */
    static final class ClosedHereHolder {
        static final ProcessQueue<String> QUEUE = new ProcessQueue<>();
        static final SharedLong COUNTER = new SharedLong();
    }

    /** Not deterministic: a lock in the root, a long in a child. */
    static final class FickleHolder {
        static final AutoCloseable OBJECT = Multiprocessing.parentProcess().isPresent() ? new SharedLong() : new ProcessLock();
    }

    /** One object of every public shared class. */
    static final class EveryKind {
        static final ProcessLock LOCK = new ProcessLock();
        static final ProcessRLock RLOCK = new ProcessRLock();
        static final ProcessSemaphore SEMAPHORE = new ProcessSemaphore(1);
        static final ProcessBoundedSemaphore BOUNDED = new ProcessBoundedSemaphore(1);
        static final ProcessEvent EVENT = new ProcessEvent();
        static final ProcessCondition CONDITION = LOCK.newCondition();
        static final ProcessCondition OWN_CONDITION = new ProcessCondition(); // and its own lock
        static final ProcessBarrier BARRIER = new ProcessBarrier(2);
        static final SharedLong LONG = new SharedLong(7);
        static final SharedLongArray LONGS = new SharedLongArray(new long[] {1, 2});
        static final SharedDoubleArray DOUBLES = new SharedDoubleArray(new double[] {0.5});
        static final SharedMemory MEMORY = SharedMemory.create(64);
        static final ProcessQueue<String> QUEUE = new ProcessQueue<>();
        static final ProcessSimpleQueue<String> SIMPLE = new ProcessSimpleQueue<>();
        static final ProcessJoinableQueue<String> JOINABLE = new ProcessJoinableQueue<>();
        static final Pipe<String> PIPE = Pipe.open();

        static void closeAll() {
            LOCK.release();
            RLOCK.release();
            SEMAPHORE.release();
            BOUNDED.release();
            OWN_CONDITION.lock().unlock();
            MEMORY.unlink();
            for (AutoCloseable object : List.<AutoCloseable>of(CONDITION, OWN_CONDITION, LOCK, RLOCK, SEMAPHORE, BOUNDED, EVENT, BARRIER,
                    LONG, LONGS, DOUBLES, MEMORY, QUEUE, SIMPLE, JOINABLE, PIPE.left(), PIPE.right())) {
                try {
                    SharedObjects.unlink(object);
                } catch (Exception e) {
                    throw new IllegalStateException("closing " + object, e);
                }
            }
        }
    }
}
