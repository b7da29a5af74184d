package io.github.multiprocessing4j;

import io.github.multiprocessing4j.spi.LockBackend;
import io.github.multiprocessing4j.testing.TestFiles;
import io.github.multiprocessing4j.testing.SharedObjects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

import static io.github.multiprocessing4j.testing.TestFiles.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProcessLockTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @RegisterExtension
    final SharedObjects shared = new SharedObjects();

    private <T extends AutoCloseable> T track(T object) {
        return shared.track(object);
    }

    @Test
    void processesIncrementingUnderTheLockLoseNoUpdate() throws Exception {
        ProcessLock lock = track(new ProcessLock());
        SharedLong counter = track(new SharedLong());
        int perProcess = 20_000;
        List<ChildProcess> workers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            workers.add(new ChildProcess(() -> {
                for (int n = 0; n < perProcess; n++) {
                    lock.acquire();
                    try {
                        counter.set(counter.get() + 1); // not atomic: only the lock makes it exact
                    } finally {
                        lock.release();
                    }
                }
            }));
        }
        for (ChildProcess w : workers) {
            w.start();
        }
        for (int n = 0; n < perProcess; n++) {
            lock.lock();
            try {
                counter.set(counter.get() + 1);
            } finally {
                lock.unlock();
            }
        }
        for (ChildProcess w : workers) {
            w.join();
            assertThat(w.exitCode()).hasValue(0);
        }
        assertThat(counter.get()).isEqualTo(4L * perProcess);
    }

    @Test
    void aWaiterTakesTheLockOverWithinASecondWhenTheHolderIsKilled() throws Exception {
        ProcessLock lock = track(new ProcessLock());
        String held = dir.resolve("held").toString();
        ChildProcess holder = new ChildProcess(() -> {
            lock.acquire();
            TestFiles.write(held, "yes");
            Thread.sleep(60_000);
        });
        holder.start();
        await(Path.of(held), WAIT);
        assertThat(lock.tryLock()).isFalse();
        holder.kill();
        holder.join();
        long start = System.nanoTime();
        assertThat(lock.acquire(Duration.ofSeconds(5))).isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
        assertThat(lock.takeovers()).isEqualTo(1);
        lock.release();
        assertThat(lock.isLocked()).isFalse();
    }

    @Test
    void onlyTheHolderMayReleaseAndAPlainLockIsNotReentrant() throws Exception {
        ProcessLock lock = track(new ProcessLock());
        assertThatThrownBy(lock::release).isInstanceOf(IllegalMonitorStateException.class);
        lock.lock();
        assertThatThrownBy(lock::tryLock).isInstanceOf(IllegalStateException.class).hasMessageContaining("re-entrant");
        AtomicReference<Throwable> fromOtherThread = new AtomicReference<>();
        Thread other = new Thread(() -> {
            try {
                lock.unlock();
            } catch (Throwable t) {
                fromOtherThread.set(t);
            }
        });
        other.start();
        other.join();
        assertThat(fromOtherThread.get()).isInstanceOf(IllegalMonitorStateException.class);
        assertThat(lock.isHeldByCurrentThread()).isTrue();
        lock.unlock();
    }

    @Test
    void aReentrantLockCountsItsHolds() {
        ProcessRLock lock = track(new ProcessRLock());
        lock.lock();
        lock.lock();
        assertThat(lock.holdCount()).isEqualTo(2);
        lock.unlock();
        assertThat(lock.isLocked()).isTrue();
        lock.unlock();
        assertThat(lock.isLocked()).isFalse();
        assertThat(lock.holdCount()).isZero();
    }

    @Test
    void interruptingAWaiterLeavesTheLockConsistent() throws Exception {
        ProcessLock lock = track(new ProcessLock());
        lock.lock();
        CountDownLatch waiting = new CountDownLatch(1);
        AtomicReference<Throwable> outcome = new AtomicReference<>();
        Thread waiter = new Thread(() -> {
            waiting.countDown();
            try {
                lock.lockInterruptibly();
                outcome.set(new AssertionError("acquired a held lock"));
            } catch (Throwable t) {
                outcome.set(t);
            }
        });
        waiter.start();
        waiting.await();
        Thread.sleep(50);
        waiter.interrupt();
        waiter.join(WAIT.toMillis());
        assertThat(outcome.get()).isInstanceOf(InterruptedException.class);
        assertThat(lock.isHeldByCurrentThread()).isTrue();
        lock.unlock();
        assertThat(lock.tryLock()).isTrue();
        lock.unlock();
    }

    @Test
    void anInterruptDoesNotEndLockButItsStatusIsKept() throws Exception {
        ProcessLock lock = track(new ProcessLock());
        lock.lock();
        AtomicReference<Boolean> interruptedAfterLock = new AtomicReference<>();
        Thread waiter = new Thread(() -> {
            lock.lock();
            interruptedAfterLock.set(Thread.currentThread().isInterrupted());
            lock.unlock();
        });
        waiter.start();
        Thread.sleep(50);
        waiter.interrupt();
        Thread.sleep(100);
        assertThat(waiter.isAlive()).as("still waiting after the interrupt").isTrue();
        lock.unlock();
        waiter.join(WAIT.toMillis());
        assertThat(interruptedAfterLock.get()).isTrue();
        assertThat(lock.isLocked()).isFalse();
    }

    @Test
    void aLockMadeInAChildAndSentToASiblingIsTheSameLock() throws Exception {
        String handles = dir.resolve("handles").toString();
        ChildProcess maker = new ChildProcess(() -> {
            ProcessLock lock = new ProcessLock();
            SharedLong counter = new SharedLong(41);
            lock.acquire(); // the sibling must wait for this release
            try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(
                    java.nio.file.Files.newOutputStream(Path.of(handles + ".tmp")))) {
                out.writeObject(lock);
                out.writeObject(counter);
            }
            java.nio.file.Files.move(Path.of(handles + ".tmp"), Path.of(handles));
            Thread.sleep(200);
            lock.release();
        });
        maker.start();
        TestFiles.awaitCondition(() -> java.nio.file.Files.exists(Path.of(handles)), WAIT, "the handles");
        String seen = dir.resolve("seen").toString();
        ChildProcess sibling = new ChildProcess(() -> {
            try (java.io.ObjectInputStream in = new java.io.ObjectInputStream(
                    java.nio.file.Files.newInputStream(Path.of(handles)))) {
                ProcessLock lock = (ProcessLock) in.readObject();
                SharedLong counter = (SharedLong) in.readObject();
                lock.acquire();
                try {
                    TestFiles.write(seen, Long.toString(counter.incrementAndGet()));
                } finally {
                    lock.release();
                }
            }
        });
        sibling.start();
        maker.join();
        sibling.join();
        assertThat(maker.exitCode()).hasValue(0);
        assertThat(sibling.exitCode()).hasValue(0);
        assertThat(Path.of(seen)).hasContent("42");
        try (java.io.ObjectInputStream in = new java.io.ObjectInputStream(java.nio.file.Files.newInputStream(Path.of(handles)))) {
            ProcessLock lock = track((ProcessLock) in.readObject());
            SharedLong counter = track((SharedLong) in.readObject());
            assertThat(counter.get()).isEqualTo(42);
            assertThat(lock.tryLock()).isTrue();
            lock.unlock();
        }
    }

    @Test
    void aLockIsASegmentFileOnlyItsUserCanReadInThePrivateTreeDirectory() throws Exception {
        ProcessLock lock = track(new ProcessLock());
        Path tree = TestFiles.treeDirectory(io.github.multiprocessing4j.internal.os.Platform.currentPid());
        List<Path> segments;
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(tree)) {
            segments = files.filter(f -> f.getFileName().toString().startsWith("seg-lock-"))
                    .collect(java.util.stream.Collectors.toList());
        }
        assertThat(segments).hasSize(1);
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(
                java.nio.file.Files.getPosixFilePermissions(segments.get(0)))).isEqualTo("rw-------");
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(
                java.nio.file.Files.getPosixFilePermissions(tree))).isEqualTo("rwx------");
        lock.unlink();
        assertThat(segments.get(0)).doesNotExist();
        assertThat(lock.tryLock()).as("unlinking removes the name; this handle keeps working").isTrue();
        lock.unlock();
    }

    @Test
    void acquireWithTimeoutGivesUp() throws Exception {
        ProcessLock lock = track(new ProcessLock());
        String held = dir.resolve("held").toString();
        String done = dir.resolve("done").toString();
        ChildProcess holder = new ChildProcess(() -> {
            lock.acquire();
            TestFiles.write(held, "yes");
            TestFiles.await(Path.of(done), Duration.ofSeconds(30));
            lock.release();
        });
        holder.start();
        await(Path.of(held), WAIT);
        long start = System.nanoTime();
        assertThat(lock.acquire(Duration.ofMillis(200))).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(200));
        TestFiles.write(done, "go");
        assertThat(lock.acquire(WAIT)).isTrue();
        lock.release();
        holder.join();
        assertThat(lock.takeovers()).isZero();
    }

    @Test
    void everyHoldingHasAGreaterFencingTokenWhicheverProcessHeldTheLockBefore() throws Exception {
        ProcessLock lock = track(new ProcessLock());
        SharedLong childToken = track(new SharedLong());
        assertThatThrownBy(lock::fencingToken).isInstanceOf(IllegalMonitorStateException.class);
        lock.acquire();
        long first = lock.fencingToken();
        assertThat(first).isPositive();
        lock.release();
        ChildProcess child = new ChildProcess(() -> {
            lock.acquire();
            childToken.set(lock.fencingToken());
            lock.release();
        });
        child.start();
        child.join();
        assertThat(childToken.get()).isGreaterThan(first);
        lock.acquire();
        assertThat(lock.fencingToken()).isGreaterThan(childToken.get());
        lock.release();

        ProcessRLock rlock = track(new ProcessRLock());
        rlock.acquire();
        long held = rlock.fencingToken();
        rlock.acquire();
        assertThat(rlock.fencingToken()).as("one token per holding, not per re-entrant acquire").isEqualTo(held);
        ProcessCondition condition = track(rlock.newCondition());
        condition.await(Duration.ofMillis(10));
        assertThat(rlock.holdCount()).isEqualTo(2);
        assertThat(rlock.fencingToken()).as("a condition's wait let go of the lock: a new holding").isGreaterThan(held);
        long afterWait = rlock.fencingToken();
        rlock.release();
        rlock.release();
        assertThatThrownBy(rlock::fencingToken).isInstanceOf(IllegalMonitorStateException.class);
        assertThat(rlock.holdCount()).isZero();
        rlock.acquire();
        rlock.acquire();
        assertThat(rlock.holdCount()).isEqualTo(2);
        assertThat(rlock.fencingToken()).as("released fully, then acquired twice: one new holding").isEqualTo(afterWait + 1);
        rlock.release();
        rlock.release();
    }

    @Test
    void aLockOverABackendChecksItsKindAndRefusesAConditionOutsideSharedMemory() {
        LockBackend local = new LocalLock("lock", false);
        try {
            assertThatThrownBy(() -> ProcessRLock.over(local)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("re-entrant");
            assertThatThrownBy(() -> ProcessLock.over(null)).isInstanceOf(NullPointerException.class);
            ProcessLock lock = ProcessLock.over(local);
            assertThat(lock.tryLock()).isTrue();
            assertThat(lock.fencingToken()).isEqualTo(1);
            lock.unlock();
        } finally {
            local.close();
        }
        LockBackend elsewhere = (LockBackend) java.lang.reflect.Proxy.newProxyInstance(LockBackend.class.getClassLoader(),
                new Class<?>[] {LockBackend.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "reentrant", "isLocked" -> false;
                    case "toString" -> "a test backend";
                    default -> throw new UnsupportedOperationException(method.getName());
                });
        ProcessLock remote = ProcessLock.over(elsewhere);
        assertThatThrownBy(remote::newCondition).isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("a test backend");
        assertThatThrownBy(() -> new ProcessCondition(remote)).isInstanceOf(UnsupportedOperationException.class);
    }
}
