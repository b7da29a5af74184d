package io.github.multiprocessing4j.internal.sync;

import io.github.multiprocessing4j.internal.shm.SharedSegment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A slot written for a barrier's party tells a dead process only from a consistent write: one
 * torn by two writers (one's token and start under the other's stake) must not read as a dead
 * party of the stake's generation.
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
        long deadPid = reapedPid();
        slots.write(0, deadPid << 32 | 1, Owner.start(deadPid, 1), STAKE, System.nanoTime() - TimeUnit.SECONDS.toNanos(1));
        assertThat(slots.isDeadWith(0, STAKE, 0)).isTrue();
        assertThat(slots.isDeadWith(0, STAKE, TimeUnit.MILLISECONDS.toNanos(500))).as("waited a second").isTrue();
        assertThat(slots.isDeadWith(0, STAKE, TimeUnit.SECONDS.toNanos(10))).as("not waited that long").isFalse();
        assertThat(slots.isDeadWith(0, STAKE + 1, 0)).as("another generation's stake").isFalse();

        slots.write(1, Owner.currentToken(), Owner.currentStart(), STAKE, System.nanoTime());
        assertThat(slots.isDeadWith(1, STAKE, 0)).as("this process").isFalse();
    }

    @Test
    void aSlotTornByTwoWritersIsNotADeadProcess() throws Exception {
        slots.write(0, Owner.currentToken(), Owner.currentStart(), STAKE, System.nanoTime());
        // A late writer's token and start (a process that has died since) land under the stake
        // word this process wrote: unchecked, the slot would name a dead party of this generation.
        long deadPid = reapedPid();
        long deadToken = deadPid << 32 | 1;
        long deadStart = Owner.start(deadPid, 1);
        segment.setLongVolatile(SlotDescriptor.TOKEN, deadToken);
        segment.setLongVolatile(SlotDescriptor.START, deadStart);
        assertThat(Owner.isDead(deadToken, deadStart)).as("what the torn words say unchecked").isTrue();
        assertThat(slots.isDeadWith(0, STAKE, 0)).isFalse();
    }

    /** @return the pid of a process that has exited and been reaped */
    private static long reapedPid() throws Exception {
        Process exited = new ProcessBuilder("true").start();
        assertThat(exited.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return exited.pid();
    }
}
