package io.github.multiprocessing4j;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * ProcessLock.named: one lock for unrelated programs of the machine, found by name, created free
 * by the first, apart from named shared memory, kept until unlinkNamed; and its holder-death
 * recovery across programs: two JVMs launched here, the first killed while it holds the lock, the
 * second takes it over.
 */
class NamedLockTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    private static String uniqueName(String what) {
        return "mp4j-test-" + what + "-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
    }

    @Test
    void aProgramKilledWhileItHoldsTheLockIsTakenOverFromByAnotherProgram() throws Exception {
        String name = uniqueName("lock");
        ProcessLock lock = ProcessLock.named(name);
        Process holder = NamedLockPeer.start("hold", name);
        try {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!lock.isLocked() && holder.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(lock.isLocked()).as("the first program holds the lock").isTrue();
            assertThat(lock.tryLock()).as("held by another program").isFalse();
            assertThat(lock.acquire(Duration.ofMillis(100))).isFalse();

            holder.destroyForcibly();
            assertThat(holder.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(NamedLockPeer.run("take", name)).as("the second program got the dead one's lock").isZero();
            assertThat(lock.takeovers()).isEqualTo(1);
            assertThat(lock.isLocked()).as("released by the second program").isFalse();
            assertThat(lock.acquire(WAIT)).isTrue();
            lock.release();
        } finally {
            if (holder.isAlive()) {
                holder.destroyForcibly().waitFor();
            }
            ProcessLock.unlinkNamed(name);
        }
    }

    @Test
    void everyHandleOfANameIsTheSameLockUntilItIsUnlinked() throws Exception {
        String name = uniqueName("same");
        try {
            ProcessLock first = ProcessLock.named(name);
            ProcessLock again = ProcessLock.named(name);
            try (var held = first.hold()) {
                assertThat(again.isLocked()).isTrue();
                ChildProcess child = new ChildProcess(() -> System.exit(ProcessLock.named(name).tryLock() ? 4 : 0));
                child.start();
                child.join();
                assertThat(child.exitCode()).as("a child naming the lock finds it held").hasValue(0);
            }
            assertThat(again.tryLock()).isTrue();
            again.release();

            assertThatThrownBy(() -> SharedMemory.attachNamed(name)).as("a lock is no named block")
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("no shared memory named");
            try (SharedMemory block = SharedMemory.createNamed(name, 16)) {
                assertThat(block.size()).isEqualTo(16);
                block.unlink();
            }

            first.acquire();
            first.close(); // nothing for a named lock: it stays, held
            assertThat(ProcessLock.named(name).isLocked()).isTrue();
            first.release();
            ProcessLock.unlinkNamed(name);
            ProcessLock.unlinkNamed(name); // idempotent
        } finally {
            ProcessLock.unlinkNamed(name);
        }
        assertThatThrownBy(() -> ProcessLock.named("no/slash")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no/slash");
        assertThatThrownBy(() -> ProcessLock.named("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SharedMemory.attachNamed("lock+" + name)).isInstanceOf(IllegalArgumentException.class);
    }
}
