package io.github.multiprocessing4j;

import io.github.multiprocessing4j.internal.os.Platform;
import io.github.multiprocessing4j.internal.queue.FreedPipeFiles;
import io.github.multiprocessing4j.testing.SharedObjects;
import io.github.multiprocessing4j.testing.TestFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BrokenBarrierException;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static io.github.multiprocessing4j.testing.TestFiles.awaitCondition;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * {@code close()} is Python's: this process is done with the object, the others keep it;
 * {@code unlink()} ends it for every process. With real processes: Python's habits (a parent
 * closes its copy of a child's pipe end, or of a queue, right after {@code start()}), a use after
 * close, an unlink seen by others, and where the shared memory goes.
 */
class PerProcessCloseTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    /** A liveness check every 250 ms: a few seconds is plenty, and a hang fails instead of hanging. */
    private static final Duration EOF_WITHIN = Duration.ofSeconds(10);

    @RegisterExtension
    final SharedObjects shared = new SharedObjects();

    @TempDir
    Path dir;

    @Test
    void theParentClosesItsCopyOfTheChildsEndAfterStartAndStillReceivesThenGetsEofAndTheLastCloseFreesThePipe()
            throws Exception {
        Set<String> before = segmentFiles();
        Pipe<String> pipe = Pipe.open();
        Connection<String> parentEnd = pipe.left();
        Connection<String> childEnd = pipe.right();
        ChildProcess child = new ChildProcess(() -> {
            childEnd.send("one");
            childEnd.send("two");
            childEnd.close();
        });
        child.start();
        childEnd.close(); // Python's habit: this process is done with the child's end; the child is not

        assertThatThrownBy(() -> childEnd.send("mine")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed in this process").hasMessageContaining("unlink()");
        assertThat(parentEnd.recv()).isEqualTo("one");
        assertThat(parentEnd.recv()).isEqualTo("two");
        assertThat(child.join(WAIT)).isTrue();
        assertThat(child.exitCode()).hasValue(0);
        assertTimeoutPreemptively(EOF_WITHIN, () -> assertThatThrownBy(parentEnd::recv).isInstanceOf(EOFException.class));

        parentEnd.close();
        assertThat(segmentFiles()).as("the pipe's segments, freed by the last close").isSubsetOf(before);
    }

    /**
     * A pipe's table of ends lives in the header page of the queue into its left end, each queue's
     * first chunk in its header's segment, and a duplex pipe's two queues share one file: any
     * pipe is one file, and closing both ends removes it.
     */
    @Test
    void aPipeIsOneFileAndClosingBothEndsFreesIt() throws Exception {
        for (boolean duplex : new boolean[] {true, false}) {
            Set<String> before = segmentFiles();
            Pipe<String> pipe = Pipe.open(duplex);
            Set<String> made = new java.util.HashSet<>(segmentFiles());
            made.removeAll(before);
            try {
                assertThat(made).as(duplex ? "a duplex pipe's files" : "a one-way pipe's files").hasSize(1)
                        .allMatch(name -> name.startsWith("seg-queue-"));
                Connection<String> sender = duplex ? pipe.left() : pipe.right();
                sender.send("over");
                assertThat((duplex ? pipe.right() : pipe.left()).recv()).isEqualTo("over");
                if (duplex) {
                    pipe.right().send("back");
                    assertThat(pipe.left().recv()).isEqualTo("back");
                }
            } finally {
                pipe.left().close();
                pipe.right().close();
            }
            // its file is kept for the next pipe of this process of its kind, which makes no other
            assertThat(segmentFiles()).as("kept once both ends are closed").containsAll(made);
            Pipe<String> next = Pipe.open(duplex);
            try {
                assertThat(segmentFiles()).as("the next pipe's files").containsExactlyInAnyOrderElementsOf(allOf(before, made));
                (duplex ? next.left() : next.right()).send("again");
                assertThat((duplex ? next.right() : next.left()).recv()).isEqualTo("again");
            } finally {
                next.left().close();
                next.right().close();
            }
            FreedPipeFiles.discardAll();
            assertThat(segmentFiles()).as("left once both ends are closed and the kept files discarded").isSubsetOf(before);
        }
    }

    private static Set<String> allOf(Set<String> some, Set<String> others) {
        Set<String> all = new java.util.HashSet<>(some);
        all.addAll(others);
        return all;
    }

    /**
     * The two queues of a duplex pipe share its file, and the end whose users are all gone drains
     * its own: the file stays for the other end, which a child started only now still decodes and
     * reads (a producer child and a consumer child given the two ends, the producer done first).
     */
    @Test
    void anEndDecodedAfterTheOtherEndsUsersClosedItStillReceives() throws Exception {
        SharedLong received = shared.track(new SharedLong());
        Set<String> before = segmentFiles();
        Pipe<String> pipe = Pipe.open();
        Connection<String> consumerEnd = pipe.left();
        Connection<String> producerEnd = pipe.right();
        ChildProcess producer = new ChildProcess(() -> {
            producerEnd.send("one");
            producerEnd.send("two");
            producerEnd.close();
        });
        producer.start();
        producerEnd.close(); // the parent's copy: the producer's end is gone once the producer closes its own
        assertThat(producer.join(WAIT)).isTrue();
        assertThat(producer.exitCode()).hasValue(0);

        ChildProcess consumer = new ChildProcess(() -> {
            received.addAndGet(consumerEnd.recv().equals("one") ? 1 : 0);
            received.addAndGet(consumerEnd.recv().equals("two") ? 1 : 0);
            try {
                consumerEnd.recv();
            } catch (EOFException expected) {
                received.addAndGet(1);
            }
            consumerEnd.close(); // the last user of the last end: frees the pipe
        });
        consumer.start();
        consumerEnd.close();
        assertThat(consumer.join(WAIT)).isTrue();
        assertThat(consumer.exitCode()).hasValue(0);
        assertThat(received.get()).as("both messages, then EOF").isEqualTo(3);
        assertThat(segmentFilesSince(before)).as("the pipe's file, once both ends are gone").isEmpty();
    }

    /**
     * Python's idiom: the parent gives a child the receiving end and closes its own copy of the
     * sending end right after {@code start()}, having sent nothing; the child, which decodes its
     * end only once it runs, reads EOF. Until 2026-12-07 a one-way pipe's queue removed its file
     * on that close (closed and empty), and the child failed at boot: its end's file was gone.
     */
    @Test
    void aChildGivenTheReceivingEndReadsEofWhenTheParentClosedTheSendingEndAtOnce() throws Exception {
        for (boolean duplex : new boolean[] {false, true}) {
            SharedLong eof = shared.track(new SharedLong());
            Pipe<String> pipe = Pipe.open(duplex);
            Connection<String> receiving = pipe.left();
            Connection<String> sending = pipe.right();
            ChildProcess child = new ChildProcess(() -> {
                try {
                    receiving.recv();
                } catch (EOFException expected) {
                    eof.set(1);
                }
            });
            child.start();
            sending.close();
            assertThat(child.join(WAIT)).isTrue();
            assertThat(child.exitCode()).as(duplex ? "duplex" : "one-way" + ": %s", child.failure()).hasValue(0);
            assertThat(eof.get()).as(duplex ? "duplex" : "one-way").isEqualTo(1);
            receiving.close();
        }
    }

    @Test
    void aChildThatOnlyDiesStillGivesTheParentEofAfterTheParentClosedItsCopy() throws Exception {
        Pipe<String> pipe = Pipe.open();
        Connection<String> parentEnd = shared.track(pipe.left());
        Connection<String> childEnd = shared.track(pipe.right());
        ChildProcess child = new ChildProcess(() -> {
            childEnd.send("last words");
            Runtime.getRuntime().halt(3); // no close: death counts as one
        });
        child.start();
        childEnd.close();

        assertThat(parentEnd.recv()).isEqualTo("last words");
        assertThat(child.join(WAIT)).isTrue();
        assertThat(child.exitCode()).hasValue(3);
        assertTimeoutPreemptively(EOF_WITHIN, () -> assertThatThrownBy(parentEnd::recv).isInstanceOf(EOFException.class));
    }

    @Test
    void theParentClosesItsQueueInTryWithResourcesWhileAChildPutsAndAnotherGets() throws Exception {
        Set<String> before = segmentFiles();
        SharedLong sum = shared.track(new SharedLong());
        ProcessQueue<Integer> queue = new ProcessQueue<>();
        ChildProcess producer;
        ChildProcess consumer;
        try (queue) {
            producer = new ChildProcess(() -> {
                Thread.sleep(300); // after the parent's close
                for (int i = 1; i <= 100; i++) {
                    queue.put(i);
                }
                queue.close(); // the producer's habit too: its items stay for the consumer
            });
            consumer = new ChildProcess(() -> {
                long total = 0;
                for (int i = 0; i < 100; i++) {
                    total += queue.get();
                }
                sum.set(total);
            });
            producer.start();
            consumer.start();
        }
        assertThat(queue.isClosed()).as("closed in this process").isTrue();
        assertThatThrownBy(() -> queue.put(0)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("ProcessQueue was closed in this process");
        assertThatThrownBy(queue::poll).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed in this process");
        for (ChildProcess child : new ChildProcess[] {producer, consumer}) {
            assertThat(child.join(WAIT)).isTrue();
            assertThat(child.exitCode()).as(child + " " + child.failure()).hasValue(0);
        }
        assertThat(sum.get()).isEqualTo(5050);

        assertThat(segmentFiles()).as("a queue others had stays until it is unlinked or its tree ends")
                .anyMatch(name -> !before.contains(name));
        queue.unlink(); // works on a closed handle; the queue is empty, so its memory goes now
        assertThat(segmentFiles()).filteredOn(name -> !before.contains(name)).as("left by the queue")
                .allMatch(name -> name.startsWith("seg-long-"));
    }

    @Test
    @SuppressWarnings("unchecked") // the uses cast back what the map keeps as AutoCloseable
    void everyObjectClosedInThisProcessRefusesUseThereWithAClearErrorAndAPrivateOneIsFreed() throws Exception {
        Set<String> before = segmentFiles();
        ProcessLock lock = new ProcessLock();
        Map<AutoCloseable, Consumer<Object>> uses = new LinkedHashMap<>();
        uses.put(new ProcessQueue<String>(), q -> ((ProcessQueue<String>) q).put("x"));
        uses.put(new ProcessSimpleQueue<String>(), q -> ((ProcessSimpleQueue<String>) q).isEmpty());
        uses.put(new ProcessJoinableQueue<String>(), q -> ((ProcessJoinableQueue<String>) q).unfinishedTasks());
        uses.put(new SharedLong(1), v -> ((SharedLong) v).incrementAndGet());
        uses.put(new SharedDouble(1), v -> ((SharedDouble) v).get());
        uses.put(new SharedLongArray(2), a -> ((SharedLongArray) a).get(0));
        uses.put(new SharedDoubleArray(2), a -> ((SharedDoubleArray) a).set(0, 1));
        uses.put(lock.newCondition(), c -> ((ProcessCondition) c).waiting());
        uses.put(lock, l -> ((ProcessLock) l).tryLock());
        uses.put(new ProcessRLock(), l -> ((ProcessRLock) l).lock());
        uses.put(new ProcessSemaphore(1), s -> ((ProcessSemaphore) s).tryAcquire());
        uses.put(new ProcessBoundedSemaphore(1), s -> ((ProcessBoundedSemaphore) s).availablePermits());
        uses.put(new ProcessEvent(), e -> ((ProcessEvent) e).set());
        uses.put(new ProcessBarrier(2), b -> ((ProcessBarrier) b).isBroken());
        Pipe<String> pipe = Pipe.open();
        uses.put(pipe.right(), c -> ((Connection<String>) c).send("x"));
        uses.put(pipe.left(), c -> ((Connection<?>) c).poll(Duration.ZERO));
        assertThat(segmentFiles()).as("made").anyMatch(name -> !before.contains(name));

        for (Map.Entry<AutoCloseable, Consumer<Object>> each : uses.entrySet()) {
            AutoCloseable object = each.getKey();
            each.getValue().accept(object); // works while open
            object.close();
            object.close(); // idempotent
            assertThatThrownBy(() -> each.getValue().accept(object)).as(object.toString())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("closed in this process").hasMessageContaining("unlink()");
            assertThat(object.toString()).contains("closed in this process");
        }
        FreedPipeFiles.discardAll(); // the pipe's file, kept for the next pipe of this process
        assertThat(segmentFiles()).as("handles that never left this process free their objects at close()").isSubsetOf(before);
    }

    @Test
    void aLockOrPermitHeldWhenTheHandleIsClosedCanStillBeGivenBack() throws Exception {
        ProcessLock lock = shared.track(new ProcessLock());
        ProcessSemaphore permits = shared.track(new ProcessSemaphore(1));
        var held = lock.hold();
        permits.acquire();
        ChildProcess child = new ChildProcess(() -> {
            lock.lock(); // the child's copy: the lock is shared, so the parent's close keeps it
            lock.unlock();
            permits.acquire();
        });
        child.start();
        lock.close();
        permits.close();
        assertThatCode(held::close).doesNotThrowAnyException();
        assertThatCode(permits::release).doesNotThrowAnyException();
        assertThat(child.join(WAIT)).isTrue();
        assertThat(child.exitCode()).hasValue(0);
    }

    @Test
    void unlinkEndsAQueueAndAPipeForEveryProcessWithAClearErrorThere() throws Exception {
        ProcessQueue<String> queue = new ProcessQueue<>();
        Pipe<String> pipe = Pipe.open();
        Connection<String> childEnd = pipe.right();
        ProcessBarrier bothWaiting = shared.track(new ProcessBarrier(3));
        ChildProcess getter = new ChildProcess(() -> {
            bothWaiting.await();
            queue.get();
        });
        ChildProcess receiver = new ChildProcess(() -> {
            bothWaiting.await();
            childEnd.recv();
        });
        getter.start();
        receiver.start();
        bothWaiting.await(WAIT);
        Thread.sleep(300); // both wait in get() and recv() now
        queue.unlink();
        pipe.left().unlink();

        for (ChildProcess child : new ChildProcess[] {getter, receiver}) {
            assertThat(child.join(WAIT)).as("the unlink ended the wait of " + child).isTrue();
            assertThat(child.exitCode()).hasValue(1);
            assertThat(child.failure()).get().isInstanceOf(IllegalStateException.class);
        }
        assertThat(getter.failure().orElseThrow()).hasMessageContaining("closed");
        assertThat(receiver.failure().orElseThrow()).hasMessageContaining("unlinked");
        assertThatThrownBy(() -> queue.put("late")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> pipe.left().send("late")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("unlinked");
        assertThatThrownBy(childEnd::recv).as("a receive here, not an end of file").isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("unlinked");
    }

    @Test
    void aSharedObjectUnlinkedByOneProcessCannotBeReachedByAnotherAfterwards() throws Exception {
        SharedLong value = new SharedLong(5);
        ProcessBarrier barrier = new ProcessBarrier(2);
        value.unlink();
        barrier.unlink();
        assertThat(value.incrementAndGet()).as("handles that exist keep working, as SharedMemory's").isEqualTo(6);
        ChildProcess late = new ChildProcess(() -> value.get());
        late.start();
        assertThat(late.join(WAIT)).isTrue();
        assertThat(late.exitCode()).hasValue(1);
        assertThat(late.failure()).get().extracting(PerProcessCloseTest::rootCause)
                .isInstanceOf(IllegalStateException.class).extracting(Throwable::getMessage).asString()
                .contains("does not exist");
        assertThatThrownBy(() -> barrier.await(Duration.ZERO)).isNotInstanceOf(IllegalStateException.class)
                .isInstanceOfAny(java.util.concurrent.TimeoutException.class, BrokenBarrierException.class);
    }

    @Test
    void sharedObjectsClosedByEveryProcessGoWhenTheTreeEnds() throws Exception {
        Path out = dir.resolve("closed");
        Process root = TreeRoot.launch(out, "close-shared");
        assertThat(root.waitFor()).isZero();
        String[] report = Files.readString(out).split(" ", 2);
        long rootPid = Long.parseLong(report[0]);
        List<String> held = List.of(report[1].split(" "));
        assertThat(held).as("what the tree held after every process closed its copies").anyMatch(f -> f.startsWith("seg-lock-"));
        // the pipe's files are queues' too (its ends live in one's header page): only the queue's is left
        assertThat(held).filteredOn(f -> f.startsWith("seg-queue-")).as("the queue's file, none of the pipe's").hasSize(1);
        try (Stream<Path> trees = Files.list(Platform.sharedMemoryRoot())) {
            assertThat(trees.map(t -> t.getFileName().toString())).as("the tree's directory is gone with the tree")
                    .noneMatch(name -> name.startsWith("mp4j-" + rootPid + "-"));
        }
    }

    private static Throwable rootCause(Throwable t) {
        Throwable cause = t;
        while (cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    @Test
    void queuesDroppedWithoutCloseAreFreedOnceUnreachableUnlessAnotherProcessHasThem() throws Exception {
        ProcessQueue<ProcessQueue<String>> toChild = shared.track(new ProcessQueue<>());
        ProcessQueue<String> sent = new ProcessQueue<>();
        sent.put("still here");
        toChild.put(sent); // it left this process: another one may have it
        sent = null;
        Set<String> before = segmentFiles();
        for (int i = 0; i < 20; i++) {
            dropAQueueWithAnItem(i);
        }
        assertThat(segmentFilesSince(before)).as("the dropped queues' segments, before a collection").isNotEmpty();
        awaitCondition(() -> {
            System.gc();
            return segmentFilesSince(before).isEmpty();
        }, WAIT, "the dropped queues' segments to go");
        assertThat(segmentFiles()).as("the segments of the queue that left, and of the others, kept").containsAll(before);

        SharedLong gotIt = shared.track(new SharedLong());
        ChildProcess child = new ChildProcess(() -> {
            ProcessQueue<String> q = toChild.get();
            gotIt.set("still here".equals(q.get()) ? 1 : 0);
            q.unlink();
        });
        child.start();
        assertThat(child.join(WAIT)).isTrue();
        assertThat(child.exitCode()).hasValue(0);
        assertThat(gotIt.get()).as("the queue that left this process, kept").isEqualTo(1);
    }

    private static Set<String> segmentFilesSince(Set<String> before) {
        try {
            Set<String> now = new java.util.HashSet<>(segmentFiles());
            now.removeAll(before);
            return now;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Makes a queue that never leaves this process, puts into it, and lets it go without close(). */
    private static void dropAQueueWithAnItem(int i) {
        ProcessQueue<Integer> queue = i % 2 == 0 ? new ProcessQueue<>() : new ProcessJoinableQueue<>();
        queue.put(i);
    }

    private static Set<String> segmentFiles() throws IOException {
        Path tree = TestFiles.treeDirectory(Platform.currentPid());
        if (!Files.isDirectory(tree)) {
            return Set.of();
        }
        try (Stream<Path> files = Files.list(tree)) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.startsWith("seg-")).collect(Collectors.toSet());
        }
    }
}
