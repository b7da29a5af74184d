package io.github.multiprocessing4j.internal.sync;

import io.github.multiprocessing4j.ChildProcess;
import io.github.multiprocessing4j.internal.os.Platform;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An owner is a pid and a start time: a live process that reuses a dead owner's pid is not it, and
 * a start that is not the pid's own (the next owner's, read in passing) does not make it dead.
 */
class OwnerTest {

    @Test
    void aLiveProcessWithTheOwnersPidButAnotherStartTimeIsNotTheOwner() throws Exception {
        ChildProcess other = new ChildProcess(() -> Thread.sleep(60_000));
        other.start();
        try {
            long pid = other.pid();
            long token = pid << 32 | 1;
            long ticks = Platform.startTicks(pid).orElseThrow();
            assertThat(Owner.isDead(token, Owner.start(pid, ticks))).as("the process itself").isFalse();
            assertThat(Owner.isDead(token, Owner.start(pid, ticks - 1))).as("its pid, reused by a newer process").isTrue();
            assertThat(Owner.isDead(token, 0)).as("start time not written yet: alive while the pid exists").isFalse();
            assertThat(Owner.isDead(token, Owner.currentStart()))
                    .as("another process's start read beside the token in passing").isFalse();
        } finally {
            other.kill();
            other.join();
        }
        long token = other.pid() << 32 | 1;
        assertThat(Owner.isDead(token, 0)).as("pid gone").isTrue();
        assertThat(Owner.pidOf(token)).isEqualTo(other.pid());
        assertThat(Owner.isThisProcess(Owner.currentToken())).isTrue();
    }
}
