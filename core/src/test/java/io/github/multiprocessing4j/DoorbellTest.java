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

/**
 * Long waiters are rung, across processes, by the change they wait for (a queue's put or take,
 * a joinable queue's taskDone(), a lock's release, an event's set): a wait that lasted half a second sits on the object's
 * board once its process's doorbell listens, and the changing process writes a byte into that
 * doorbell (see {@code Doorbell}). Counted, not timed:
 * the rings a process heard (none without the doorbells: the waits poll).
 */
class DoorbellTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int HEARD = 0;
    /**
     * How long a ring may take to come: the first ring of a process to another's doorbell is
     * sent by a thread of its own after the JVM's first use of sockets (tens of milliseconds),
     * so the item may be seen on a look before it.
     */
    private static final Duration RING_DELIVERY = Duration.ofSeconds(5);

    @RegisterExtension
    final SharedObjects objects = new SharedObjects();

    @Test
    void aPutRingsAChildWhoseGetWaitedLongAndTheChildsDoorbellGoesWithIt() throws Exception {
        ProcessQueue<String> queue = objects.track(new ProcessQueue<>());
        SharedLongArray shared = objects.track(new SharedLongArray(1));
        ChildProcess child = new ChildProcess(() -> {
            queue.get();
            shared.set(HEARD, ringsHeardWithin(RING_DELIVERY));
        });
        child.start();
        Path bell = Doorbell.bellOf(child.pid());
        try {
            TestFiles.awaitCondition(() -> Files.exists(bell), WAIT, "the waiting child's doorbell");
            Thread.sleep(100); // its seat is taken just after the doorbell is made
            queue.put("ring");
        } finally {
            assertThat(child.join(WAIT)).isTrue();
        }
        assertThat(child.exitCode()).hasValue(0);
        assertThat(shared.get(HEARD)).as("rings the child heard").isPositive();
        assertThat(Files.exists(bell)).as("removed as the child exited").isFalse();
    }

    @Test
    void aChildsPutsRingTheParentWhoseGetsWaitedLong() throws Exception {
        ProcessQueue<String> queue = objects.track(new ProcessQueue<>());
        ChildProcess child = new ChildProcess(() -> {
            // the first ring is sent by a thread of the child's, which the child's exit would cut
            // short: the child lives on until its second put
            Thread.sleep(1_500);
            queue.put("first");
            Thread.sleep(1_500);
            queue.put("second");
        });
        long heardBefore = Doorbell.heard();
        child.start();
        try {
            assertThat(queue.get(WAIT)).isEqualTo("first");
            assertThat(queue.get(WAIT)).isEqualTo("second");
        } finally {
            assertThat(child.join(WAIT)).isTrue();
        }
        assertThat(Doorbell.heard()).as("rings this process heard").isGreaterThan(heardBefore);
    }

    @Test
    void aRoomyQueueRingsAPutterThatWaitedLongForRoom() throws Exception {
        ProcessQueue<String> queue = objects.track(new ProcessQueue<>(1));
        SharedLongArray shared = objects.track(new SharedLongArray(1));
        queue.put("first");
        ChildProcess child = new ChildProcess(() -> {
            queue.put("second");
            shared.set(HEARD, ringsHeardWithin(RING_DELIVERY));
        });
        child.start();
        try {
            TestFiles.awaitCondition(() -> Files.exists(Doorbell.bellOf(child.pid())), WAIT, "the putter's doorbell");
            Thread.sleep(100);
            assertThat(queue.get()).isEqualTo("first");
            assertThat(queue.get(WAIT)).isEqualTo("second");
        } finally {
            assertThat(child.join(WAIT)).isTrue();
        }
        assertThat(shared.get(HEARD)).as("rings the putter heard").isPositive();
    }

    @Test
    void aReleaseRingsAChildThatWaitedLongForTheLock() throws Exception {
        ProcessLock lock = objects.track(new ProcessLock());
        SharedLongArray shared = objects.track(new SharedLongArray(1));
        ChildProcess child = new ChildProcess(() -> {
            lock.acquire();
            lock.release();
            shared.set(HEARD, ringsHeardWithin(RING_DELIVERY));
        });
        lock.acquire();
        try {
            child.start();
            TestFiles.awaitCondition(() -> Files.exists(Doorbell.bellOf(child.pid())), WAIT, "the waiting child's doorbell");
            Thread.sleep(100);
        } finally {
            lock.release();
            assertThat(child.join(WAIT)).isTrue();
        }
        assertThat(child.exitCode()).hasValue(0);
        assertThat(shared.get(HEARD)).as("rings the child heard").isPositive();
    }

    @Test
    void aSetRingsAChildThatWaitedLongForTheEvent() throws Exception {
        ProcessEvent event = objects.track(new ProcessEvent());
        SharedLongArray shared = objects.track(new SharedLongArray(1));
        ChildProcess child = new ChildProcess(() -> {
            event.await();
            shared.set(HEARD, ringsHeardWithin(RING_DELIVERY));
        });
        child.start();
        try {
            TestFiles.awaitCondition(() -> Files.exists(Doorbell.bellOf(child.pid())), WAIT, "the waiting child's doorbell");
            Thread.sleep(100);
            event.set();
        } finally {
            event.set();
            assertThat(child.join(WAIT)).isTrue();
        }
        assertThat(child.exitCode()).hasValue(0);
        assertThat(shared.get(HEARD)).as("rings the child heard").isPositive();
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

    /** @return the rings this process heard, once there is one or {@code timeout} has passed */
    private static long ringsHeardWithin(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (Doorbell.heard() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        return Doorbell.heard();
    }
}
