package io.github.multiprocessing4j;

import io.github.multiprocessing4j.internal.sync.Doorbell;
import io.github.multiprocessing4j.testing.SharedObjects;
import io.github.multiprocessing4j.testing.TestFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * Waiters are rung, across processes, by the change they wait for (a queue's put or take,
 * a pipe's send, a joinable queue's taskDone(), a lock's or a semaphore's release, an event's set, a
 * condition's signal, a barrier's last party): a wait that has parked a millisecond sits on the
 * object's board (a waitAny on the boards of its queues and pipe ends) once its process's doorbell
 * listens, and the changing process writes a byte into that doorbell's pipe (see {@code Doorbell}),
 * or, when the waiter is its child, into the child's lifeline. A child makes its doorbell only once
 * a wait is long (half a second): until then it sits for its parent only, which rings it through its
 * lifeline, and a sibling leaves such a seat alone. Counted, not timed: the rings a process heard
 * (none without the rings: the waits poll), and the doorbells opened for them (none of a child by
 * its parent, none for a lifeline seat).
 */
class DoorbellTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int HEARD = 0;
    private static final int WAITING = 1;
    private static final int HAD_DOORBELL = 2;
    private static final int CONNECTIONS = 2;
    /**
     * Past a millisecond of a wait's parking, short of a long wait's half second; with room for a
     * new child slow to reach its wait (at 50 ms, a child's waitAny once had not sat yet when the
     * parent sent, and heard no ring).
     */
    private static final long BRIEF_WAIT_MILLIS = 200;
    /**
     * How long a ring may take to come: the first ring of a process to another's doorbell is
     * sent by a thread of its own, so the item may be seen on a look before it.
     */
    private static final Duration RING_DELIVERY = Duration.ofSeconds(5);

    @RegisterExtension
    final SharedObjects objects = new SharedObjects();

    /** A change the parent makes once the child waits long. */
    @FunctionalInterface
    private interface Change {
        void make() throws Exception;
    }

    @Test
    void aPutRingsAChildWhoseGetWaitedLongAndTheChildsDoorbellGoesWithIt() throws Exception {
        ProcessQueue<String> queue = objects.track(new ProcessQueue<>());
        ChildProcess child = assertRungWhenChanged(queue::get, () -> queue.put("ring"));
        assertThat(Files.exists(Doorbell.bellOf(child.pid()))).as("removed as the child exited").isFalse();
    }

    @Test
    void aTakeRingsAChildThatWaitedLongForRoom() throws Exception {
        ProcessQueue<String> queue = objects.track(new ProcessQueue<>(1));
        queue.put("first");
        assertRungWhenChanged(() -> queue.put("second"), () -> assertThat(queue.get()).isEqualTo("first"));
        assertThat(queue.get(WAIT)).isEqualTo("second");
    }

    @Test
    void aSendRingsAChildWhoseRecvWaitedLong() throws Exception {
        Pipe<String> pipe = Pipe.open();
        Connection<String> left = objects.track(pipe.left());
        Connection<String> right = objects.track(pipe.right());
        assertRungWhenChanged(right::recv, () -> left.send("ring"));
    }

    @Test
    void aReleaseRingsAChildThatWaitedLongForTheLock() throws Exception {
        ProcessLock lock = objects.track(new ProcessLock());
        lock.acquire();
        assertRungWhenChanged(() -> {
            lock.acquire();
            lock.release();
        }, lock::release);
    }

    @Test
    void aReleaseRingsAChildThatWaitedLongForAPermit() throws Exception {
        ProcessSemaphore semaphore = objects.track(new ProcessSemaphore(0));
        assertRungWhenChanged(semaphore::acquire, semaphore::release);
    }

    @Test
    void aSetRingsAChildThatWaitedLongForTheEvent() throws Exception {
        ProcessEvent event = objects.track(new ProcessEvent());
        assertRungWhenChanged(event::await, event::set);
    }

    @Test
    void aSignalRingsAChildThatWaitedLongOnTheCondition() throws Exception {
        ProcessLock lock = objects.track(new ProcessLock());
        ProcessCondition condition = objects.track(new ProcessCondition(lock));
        assertRungWhenChanged(() -> {
            try (Holding held = lock.hold()) {
                condition.await();
            }
        }, () -> {
            try (Holding held = lock.hold()) {
                condition.signal();
            }
        });
    }

    @Test
    void theLastPartyRingsAChildThatWaitedLongAtTheBarrier() throws Exception {
        ProcessBarrier barrier = objects.track(new ProcessBarrier(2));
        assertRungWhenChanged(barrier::await, barrier::await);
    }

    @Test
    void aChildsPutsRingTheParentWhoseGetsWaitedLong() throws Exception {
        assertChildsPutsRingTheParent(1_500, 2);
    }

    @Test
    void aChildsPutsRingTheParentWhoseGetsWaitedMillisecondsThroughTheParentsDoorbell() throws Exception {
        assertChildsPutsRingTheParent(BRIEF_WAIT_MILLIS, 4); // the first may come before this process's doorbell is made
    }

    /**
     * Has a child put {@code items} items, each after {@code pauseMillis}, which this process's
     * get()s wait for meanwhile, and checks that this process heard a ring.
     */
    private void assertChildsPutsRingTheParent(long pauseMillis, int items) throws Exception {
        ProcessQueue<Integer> queue = objects.track(new ProcessQueue<>());
        ChildProcess child = new ChildProcess(() -> {
            for (int i = 0; i < items; i++) {
                Thread.sleep(pauseMillis);
                queue.put(i);
            }
            Thread.sleep(pauseMillis); // a first ring is sent by a thread of the child's, which its exit would cut short
        });
        long heardBefore = Doorbell.heard();
        child.start();
        try {
            for (int i = 0; i < items; i++) {
                assertThat(queue.get(WAIT)).isEqualTo(i);
            }
        } finally {
            assertThat(child.join(WAIT)).isTrue();
        }
        assertThat(child.exitCode()).hasValue(0);
        assertThat(Doorbell.heard()).as("rings this process heard").isGreaterThan(heardBefore);
    }

    @Test
    void aChildsPutAndSendRingTheParentWhoseWaitAnyWaitedLong() throws Exception {
        ProcessQueue<String> queue = objects.track(new ProcessQueue<>());
        Pipe<String> pipe = Pipe.open();
        Connection<String> left = objects.track(pipe.left());
        Connection<String> right = objects.track(pipe.right());
        ChildProcess child = new ChildProcess(() -> {
            Thread.sleep(1_500); // the parent's waitAny waits long meanwhile, as below
            queue.put("first");
            Thread.sleep(1_500);
            right.send("second");
        });
        long heardBefore = Doorbell.heard();
        child.start();
        try {
            assertThat(Multiprocessing.waitAny(WAIT, queue, left)).containsExactly(queue);
            assertThat(queue.get()).isEqualTo("first");
            assertThat(Multiprocessing.waitAny(WAIT, queue, left)).containsExactly(left);
            assertThat(left.recv()).isEqualTo("second");
        } finally {
            assertThat(child.join(WAIT)).isTrue();
        }
        assertThat(child.exitCode()).hasValue(0);
        assertThat(Doorbell.heard()).as("rings this process heard").isGreaterThan(heardBefore);
    }

    @Test
    void aTaskDoneRingsTheParentWhoseJoinWaitedLong() throws Exception {
        ProcessJoinableQueue<String> queue = objects.track(new ProcessJoinableQueue<>());
        queue.put("task");
        ChildProcess consumer = new ChildProcess(() -> {
            queue.get();
            Thread.sleep(1_500); // the parent's join() waits long meanwhile
            queue.taskDone();
            Thread.sleep(1_000); // a first ring goes out on a thread of the child's
        });
        long heardBefore = Doorbell.heard();
        consumer.start();
        try {
            assertThat(queue.join(WAIT)).isTrue();
        } finally {
            assertThat(consumer.join(WAIT)).isTrue();
        }
        assertThat(consumer.exitCode()).hasValue(0);
        TestFiles.awaitCondition(() -> Doorbell.heard() > heardBefore, RING_DELIVERY, "a ring heard by this process");
    }

    @Test
    void aPutRingsAChildWhoseGetWaitedMillisecondsThroughItsLifelineWithoutADoorbell() throws Exception {
        ProcessQueue<String> queue = objects.track(new ProcessQueue<>());
        assertRung(queue::get, () -> queue.put("ring"), true);
    }

    @Test
    void aSendRingsAChildWhoseWaitAnyWaitedMillisecondsThroughItsLifeline() throws Exception {
        ProcessQueue<String> queue = objects.track(new ProcessQueue<>());
        Pipe<String> pipe = Pipe.open();
        Connection<String> left = objects.track(pipe.left());
        Connection<String> right = objects.track(pipe.right());
        assertRung(() -> {
            if (!Multiprocessing.waitAny(WAIT, queue, right).equals(java.util.List.of(right))) {
                throw new AssertionError("waitAny did not find the connection ready");
            }
            right.recv();
        }, () -> left.send("ring"), true);
    }

    @Test
    void aSiblingsPutLeavesTheLifelineSeatOfAChildToItsParent() throws Exception {
        ProcessQueue<String> queue = objects.track(new ProcessQueue<>());
        SharedLongArray shared = objects.track(new SharedLongArray(3));
        ChildProcess consumer = new ChildProcess(() -> {
            shared.set(WAITING, 1);
            queue.get();
        });
        ChildProcess producer = new ChildProcess(() -> {
            TestFiles.awaitCondition(() -> shared.get(WAITING) == 1, WAIT, "the consumer about to wait");
            Thread.sleep(BRIEF_WAIT_MILLIS); // the consumer's wait sits for its parent's rings meanwhile
            long openedBefore = Doorbell.bellsOpened(); // its parent's, maybe, as a spare
            queue.put("from a sibling");
            Thread.sleep(100); // a ring handed to the opening thread would have been tried by now
            shared.set(CONNECTIONS, Doorbell.bellsOpened() - openedBefore);
        });
        consumer.start();
        producer.start();
        assertThat(producer.join(WAIT)).isTrue();
        assertThat(consumer.join(WAIT)).as("the consumer sees the item on its own look").isTrue();
        assertThat(producer.exitCode()).hasValue(0);
        assertThat(consumer.exitCode()).hasValue(0);
        assertThat(shared.get(CONNECTIONS)).as("doorbells the sibling opened to ring the consumer, which has none")
                .isZero();
    }

    /**
     * Starts a child that runs {@code waitInChild}, makes {@code change} once the child's wait is
     * long (its doorbell is there), and checks that the child ended well and heard a ring, which
     * came through its lifeline.
     *
     * @return the child, ended
     */
    private ChildProcess assertRungWhenChanged(SerializableRunnable waitInChild, Change change) throws Exception {
        return assertRung(waitInChild, change, false);
    }

    /**
     * Starts a child that runs {@code waitInChild}, makes {@code change} once the child's wait is
     * long (its doorbell is there) or, {@code briefly}, once it has lasted {@value #BRIEF_WAIT_MILLIS}
     * ms (no doorbell made, and none may be), and checks that the child ended well and heard a ring,
     * which came through its lifeline (no doorbell of its opened).
     *
     * @return the child, ended
     */
    private ChildProcess assertRung(SerializableRunnable waitInChild, Change change, boolean briefly) throws Exception {
        SharedLongArray shared = objects.track(new SharedLongArray(3));
        ChildProcess child = new ChildProcess(() -> {
            shared.set(WAITING, 1);
            waitInChild.runWithException();
            shared.set(HEARD, ringsHeardWithin(RING_DELIVERY));
            shared.set(HAD_DOORBELL, Files.exists(Doorbell.bellOf(ProcessHandle.current().pid())) ? 1 : 0);
        });
        long connectionsBefore = Doorbell.bellsOpened();
        child.start();
        Path bell = Doorbell.bellOf(child.pid());
        boolean changed = false;
        try {
            if (briefly) {
                TestFiles.awaitCondition(() -> shared.get(WAITING) == 1, WAIT, "the child about to wait");
                Thread.sleep(BRIEF_WAIT_MILLIS);
                assumeFalse(Files.exists(bell), "the child's wait became long: too slow a machine");
            } else {
                TestFiles.awaitCondition(() -> Files.exists(bell), WAIT, "the waiting child's doorbell");
                Thread.sleep(100); // its seat is taken on its next look after the doorbell is made
            }
            change.make();
            changed = true;
        } finally {
            if (!changed) {
                change.make(); // lets the child end
            }
            assertThat(child.join(WAIT)).isTrue();
        }
        assertThat(child.exitCode()).hasValue(0);
        assertThat(shared.get(HEARD)).as("rings the child heard").isPositive();
        if (briefly) {
            assertThat(shared.get(HAD_DOORBELL)).as("a doorbell made by the child: its wait was short").isZero();
        }
        assertThat(Doorbell.bellsOpened()).as("doorbells of a child opened: it is rung through its lifeline")
                .isEqualTo(connectionsBefore);
        return child;
    }

    /** @return the rings this process heard, once there is one or {@code timeout} has passed */
    private static long ringsHeardWithin(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (Doorbell.heard() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        return Doorbell.heard();
    }
}
