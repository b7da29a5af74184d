package io.github.multiprocessing4j;

import io.github.multiprocessing4j.testing.BlockingCall;
import io.github.multiprocessing4j.testing.SharedObjects;
import io.github.multiprocessing4j.testing.TestFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static io.github.multiprocessing4j.testing.TestFiles.awaitCondition;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProcessConditionTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @RegisterExtension
    final SharedObjects shared = new SharedObjects();

    @Test
    void childrenWaitingOnTheConditionOfALockAreWokenBySignalAndSignalAll() throws Exception {
        ProcessLock lock = shared.track(new ProcessLock());
        ProcessCondition changed = shared.track(lock.newCondition());
        SharedLong stage = shared.track(new SharedLong());
        SharedLong done = shared.track(new SharedLong());
        List<ChildProcess> children = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            children.add(new ChildProcess(() -> {
                lock.lock();
                try {
                    while (stage.get() == 0) {
                        changed.await();
                    }
                    done.incrementAndGet();
                    changed.signalAll(); // tell the parent
                } finally {
                    lock.unlock();
                }
            }));
        }
        for (ChildProcess c : children) {
            c.start();
        }
        awaitCondition(() -> changed.waiting() == 3, WAIT, "3 waiters");
        lock.lock();
        try {
            stage.set(1);
            changed.signal(); // one wakes; it signals all
            while (done.get() < 3) {
                assertThat(changed.await(WAIT)).isTrue();
            }
        } finally {
            lock.unlock();
        }
        for (ChildProcess c : children) {
            c.join();
            assertThat(c.exitCode()).hasValue(0);
        }
        assertThat(changed.waiting()).isZero();
    }

    @Test
    void aConditionMadeWithoutALockHasAReentrantLockOfItsOwnWhichGoesWithIt() throws Exception {
        ProcessCondition ready = shared.track(new ProcessCondition()); // Python's Condition()
        SharedLong flag = shared.track(new SharedLong());
        assertThat(ready.lock()).isInstanceOf(ProcessRLock.class);
        ChildProcess child = new ChildProcess(() -> {
            ready.lock().lock();
            try {
                flag.set(1);
                ready.signalAll();
            } finally {
                ready.lock().unlock();
            }
        });
        ready.lock().lock();
        try {
            ready.lock().lock(); // re-entrant, as CPython's RLock
            ready.lock().unlock();
            child.start();
            assertThat(ready.waitFor(() -> flag.get() == 1, WAIT)).isTrue();
        } finally {
            ready.lock().unlock();
        }
        assertThat(child.join(WAIT)).isTrue();
        assertThat(child.exitCode()).hasValue(0);

        ProcessCondition unshared = new ProcessCondition();
        java.util.concurrent.locks.Lock itsLock = unshared.lock();
        unshared.close();
        assertThatThrownBy(itsLock::lock).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(unshared::signal).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aConsumerWakesForEveryItemOfTwoProducerProcesses() throws Exception {
        ProcessLock lock = shared.track(new ProcessLock());
        ProcessCondition notEmpty = shared.track(lock.newCondition());
        SharedLong items = shared.track(new SharedLong());
        int perProducer = 2_000;
        List<ChildProcess> producers = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            producers.add(new ChildProcess(() -> {
                for (int n = 0; n < perProducer; n++) {
                    lock.lock();
                    try {
                        items.set(items.get() + 1);
                        notEmpty.signal();
                    } finally {
                        lock.unlock();
                    }
                }
            }));
        }
        for (ChildProcess p : producers) {
            p.start();
        }
        lock.lock();
        try {
            for (int consumed = 0; consumed < 2 * perProducer; consumed++) {
                while (items.get() == 0) {
                    assertThat(notEmpty.await(WAIT)).as("signalled for item %d", consumed).isTrue();
                }
                items.set(items.get() - 1);
            }
        } finally {
            lock.unlock();
        }
        for (ChildProcess p : producers) {
            p.join();
            assertThat(p.exitCode()).hasValue(0);
        }
        assertThat(items.get()).isZero();
        assertThat(notEmpty.waiting()).isZero();
    }

    @Test
    void awaitAndSignalRequireTheLock() {
        ProcessLock lock = shared.track(new ProcessLock());
        ProcessCondition condition = shared.track(new ProcessCondition(lock));
        assertThatThrownBy(condition::await).isInstanceOf(IllegalMonitorStateException.class);
        assertThatThrownBy(condition::signal).isInstanceOf(IllegalMonitorStateException.class);
        assertThatThrownBy(condition::signalAll).isInstanceOf(IllegalMonitorStateException.class);
        assertThatThrownBy(condition::awaitUninterruptibly).isInstanceOf(IllegalMonitorStateException.class);
        assertThat(condition.waiting()).isZero();
    }

    @Test
    void awaitTimesOutAndHoldsTheLockAgainWithEveryHoldOfAReentrantLock() throws Exception {
        ProcessRLock lock = shared.track(new ProcessRLock());
        ProcessCondition condition = shared.track(lock.newCondition());
        lock.lock();
        lock.lock();
        long start = System.nanoTime();
        assertThat(condition.await(Duration.ofMillis(200))).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(200));
        assertThat(lock.holdCount()).isEqualTo(2);
        assertThat(condition.awaitNanos(1_000_000)).isLessThanOrEqualTo(0);
        assertThat(condition.waiting()).isZero();
        lock.unlock();
        lock.unlock();
        assertThat(lock.isLocked()).isFalse();
    }

    @Test
    void aSignalWakesAThreadOfThisProcessToo() throws Exception {
        ProcessLock lock = shared.track(new ProcessLock());
        ProcessCondition condition = shared.track(lock.newCondition());
        AtomicReference<Object> outcome = new AtomicReference<>();
        Thread waiter = new Thread(() -> {
            lock.lock();
            try {
                condition.awaitUninterruptibly();
                outcome.set(lock.isHeldByCurrentThread());
            } finally {
                lock.unlock();
            }
        });
        waiter.start();
        awaitCondition(() -> condition.waiting() == 1, WAIT, "the waiter");
        lock.lock();
        condition.signal();
        lock.unlock();
        waiter.join(WAIT.toMillis());
        assertThat(outcome.get()).isEqualTo(true);
    }

    @Test
    void anInterruptDoesNotEndAnUninterruptibleWaitButItsStatusIsKept() throws Exception {
        ProcessLock lock = shared.track(new ProcessLock());
        ProcessCondition condition = shared.track(lock.newCondition());
        AtomicReference<Boolean> interruptedAfterWait = new AtomicReference<>();
        Thread waiter = new Thread(() -> {
            lock.lock();
            try {
                condition.awaitUninterruptibly();
                interruptedAfterWait.set(Thread.currentThread().isInterrupted());
            } finally {
                lock.unlock();
            }
        });
        waiter.start();
        awaitCondition(() -> condition.waiting() == 1, WAIT, "the waiter");
        waiter.interrupt();
        Thread.sleep(100);
        assertThat(condition.waiting()).as("still waiting after the interrupt").isEqualTo(1);
        lock.lock();
        condition.signal();
        lock.unlock();
        waiter.join(WAIT.toMillis());
        assertThat(interruptedAfterWait.get()).isTrue();
        assertThat(lock.isLocked()).isFalse();
    }

    @Test
    void anInterruptedWaiterLeavesItsSlotAndHoldsTheLockWhenItThrows() throws Exception {
        ProcessLock lock = shared.track(new ProcessLock());
        ProcessCondition condition = shared.track(lock.newCondition());
        AtomicReference<Boolean> heldAfterAwait = new AtomicReference<>();
        BlockingCall waiter = BlockingCall.start(() -> {
            lock.lock();
            try {
                condition.await();
            } finally {
                heldAfterAwait.set(lock.isHeldByCurrentThread());
                lock.unlock();
            }
        });
        awaitCondition(() -> condition.waiting() == 1, WAIT, "the waiter");
        waiter.interrupt();
        assertThat(waiter.thrown(WAIT)).isInstanceOf(InterruptedException.class);
        assertThat(heldAfterAwait.get()).isTrue();
        assertThat(condition.waiting()).isZero();
        assertThat(lock.isLocked()).isFalse();
    }

    @Test
    void aKilledWaiterDoesNotSwallowASignal() throws Exception {
        ProcessLock lock = shared.track(new ProcessLock());
        ProcessCondition condition = shared.track(lock.newCondition());
        ChildProcess first = startWaiter(lock, condition, null, 1);
        first.kill();
        first.join();
        String woke = dir.resolve("woke").toString();
        ChildProcess second = startWaiter(lock, condition, woke, 2); // the dead waiter still counts
        lock.lock();
        condition.signal(); // the dead waiter has waited longest: it is skipped
        lock.unlock();
        assertWoke(second, woke);
        assertThat(condition.waiting()).isZero();
    }

    @Test
    void aSignalToAWaiterKilledBeforeItWokeIsPassedOn() throws Exception {
        ProcessLock lock = shared.track(new ProcessLock());
        ProcessCondition condition = shared.track(lock.newCondition());
        ChildProcess first = startWaiter(lock, condition, null, 1);
        String woke = dir.resolve("woke").toString();
        ChildProcess second = startWaiter(lock, condition, woke, 2);
        lock.lock();
        condition.signal(); // reaches the first, which cannot get the lock back while we hold it
        first.kill();
        first.join();
        lock.unlock();
        assertWoke(second, woke);
        assertThat(condition.passedOn()).isEqualTo(1);
    }

    @Test
    void signalOfNWakesTheNLongestWaitingAndSaysHowManyItWoke() throws Exception {
        ProcessLock lock = shared.track(new ProcessLock());
        ProcessCondition condition = shared.track(lock.newCondition());
        List<ChildProcess> waiters = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            waiters.add(startWaiter(lock, condition, dir.resolve("woke" + i).toString(), i + 1));
        }
        assertThatThrownBy(() -> condition.signal(2)).isInstanceOf(IllegalMonitorStateException.class);
        lock.lock();
        try {
            assertThat(condition.signal(0)).isZero();
            assertThat(condition.signal(2)).isEqualTo(2);
            assertThat(condition.waiting()).isEqualTo(1);
        } finally {
            lock.unlock();
        }
        assertWoke(waiters.get(0), dir.resolve("woke0").toString());
        assertWoke(waiters.get(1), dir.resolve("woke1").toString());
        assertThat(waiters.get(2).isAlive()).as("the third was not signalled").isTrue();
        assertThat(condition.waiting()).isEqualTo(1);
        lock.lock();
        try {
            assertThat(condition.signal(5)).as("only one waits").isEqualTo(1);
        } finally {
            lock.unlock();
        }
        assertWoke(waiters.get(2), dir.resolve("woke2").toString());
    }

    @Test
    void waitForReturnsWhenAChildMakesThePredicateTrue() throws Exception {
        ProcessLock lock = shared.track(new ProcessLock());
        ProcessCondition changed = shared.track(lock.newCondition());
        SharedLong stage = shared.track(new SharedLong());
        ChildProcess child = new ChildProcess(() -> {
            for (int i = 0; i < 3; i++) {
                lock.lock();
                try {
                    stage.incrementAndGet();
                    changed.signalAll();
                } finally {
                    lock.unlock();
                }
                Thread.sleep(50);
            }
        });
        AtomicInteger evaluations = new AtomicInteger();
        lock.lock();
        try {
            child.start();
            assertThat(changed.waitFor(() -> {
                evaluations.incrementAndGet();
                return stage.get() == 3;
            }, WAIT)).isTrue();
            assertThat(lock.isHeldByCurrentThread()).isTrue();
            assertThat(evaluations.get()).as("evaluated first, then once per wake-up (at most one per signal)").isBetween(2, 4);
            changed.waitFor(() -> stage.get() == 3);
        } finally {
            lock.unlock();
        }
        child.join();
        assertThat(child.exitCode()).hasValue(0);
    }

    @Test
    void waitForReturnsThePredicatesLastValueWhenTheTimeRunsOut() throws Exception {
        ProcessLock lock = shared.track(new ProcessLock());
        ProcessCondition condition = shared.track(lock.newCondition());
        AtomicInteger evaluations = new AtomicInteger();
        lock.lock();
        try {
            long start = System.nanoTime();
            assertThat(condition.waitFor(() -> evaluations.incrementAndGet() < 0, Duration.ofMillis(200))).isFalse();
            assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(Duration.ofMillis(200).toNanos());
            assertThat(evaluations.get()).as("before the wait and when the time is up").isEqualTo(2);
            evaluations.set(0);
            assertThat(condition.waitFor(() -> evaluations.incrementAndGet() < 0, Duration.ZERO)).isFalse();
            assertThat(evaluations.get()).as("a zero timeout only evaluates it").isEqualTo(1);
            assertThat(condition.waitFor(() -> true, Duration.ofDays(1))).isTrue();
            assertThat(lock.isHeldByCurrentThread()).isTrue();
        } finally {
            lock.unlock();
        }
        assertThatThrownBy(() -> condition.waitFor(() -> false, Duration.ofMillis(10)))
                .isInstanceOf(IllegalMonitorStateException.class);
    }

    /** Starts a child that waits once on {@code condition}, and waits until {@code waiting} threads wait. */
    private static ChildProcess startWaiter(ProcessLock lock, ProcessCondition condition, String woke, int waiting) {
        ChildProcess child = new ChildProcess(() -> waitOnce(lock, condition, woke));
        child.start();
        awaitCondition(() -> condition.waiting() == waiting, WAIT, waiting + " waiters");
        return child;
    }

    private static void assertWoke(ChildProcess child, String woke) throws InterruptedException {
        assertThat(child.join(WAIT)).isTrue();
        assertThat(child.exitCode()).hasValue(0);
        assertThat(TestFiles.await(Path.of(woke), WAIT)).isEqualTo("woke");
    }

    private static void waitOnce(ProcessLock lock, ProcessCondition condition, String woke) throws InterruptedException {
        lock.lock();
        try {
            condition.await();
        } finally {
            lock.unlock();
        }
        if (woke != null) {
            TestFiles.write(woke, "woke");
        }
    }
}
