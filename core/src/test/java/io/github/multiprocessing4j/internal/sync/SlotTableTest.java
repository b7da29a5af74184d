package io.github.multiprocessing4j.internal.sync;

import io.github.multiprocessing4j.internal.shm.SharedSegment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A slot written for a barrier's party tells a dead process only from a consistent write: one
 * torn by two writers (one's token beside the other's start ticks) names no process, and must not
 * read as a dead one.
 */
class SlotTableTest {
    private static final long STAKE = 7;

    private SharedSegment segment;
    private SlotTable slots;

    @BeforeEach
    void create() {
        segment = SharedSegment.create("slots", 4096);
        slots = new SlotTable(segment, 0, 4);
    }

    @AfterEach
    void unlink() {
        segment.unlink();
    }

    @Test
    void aSlotOfADeadProcessReadsDeadOnlyWithItsStakeAndOnceItHasWaitedLongEnough() throws Exception {
        long deadToken = reapedPid() << 32 | 1;
        slots.write(0, deadToken, STAKE, System.nanoTime() - TimeUnit.SECONDS.toNanos(1));
        assertThat(slots.isDeadWith(0, STAKE, 0)).isTrue();
        assertThat(slots.isDeadWith(0, STAKE, TimeUnit.MILLISECONDS.toNanos(500))).as("waited a second").isTrue();
        assertThat(slots.isDeadWith(0, STAKE, TimeUnit.SECONDS.toNanos(10))).as("not waited that long").isFalse();
        assertThat(slots.isDeadWith(0, STAKE + 1, 0)).as("another generation's stake").isFalse();

        slots.write(1, Owner.currentToken(), STAKE, System.nanoTime());
        assertThat(slots.isDeadWith(1, STAKE, 0)).as("this process").isFalse();
    }

    @Test
    void aSlotTornByTwoWritersIsNotADeadProcess() throws Exception {
        Process other = new ProcessBuilder("sleep", "60").start();
        try {
            long otherToken = other.pid() << 32 | 1;
            slots.write(0, Owner.currentToken(), STAKE, System.nanoTime());
            // The other writer's token lands beside this process's start ticks, the stake word
            // unchanged: unchecked, the words name the other pid with a start time not its own,
            // that is, a dead process whose pid was reused.
            segment.setLongVolatile(SlotDescriptor.TOKEN, otherToken);
            assertThat(Owner.isDead(otherToken, Owner.currentTicks())).as("what the torn words say unchecked").isTrue();
            assertThat(slots.isDeadWith(0, STAKE, 0)).isFalse();
        } finally {
            other.destroyForcibly();
            assertThat(other.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
    }

    /** @return the pid of a process that has exited and been reaped */
    private static long reapedPid() throws Exception {
        Process exited = new ProcessBuilder("true").start();
        assertThat(exited.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return exited.pid();
    }
}
