package io.github.multiprocessing4j.internal.runtime;

import io.github.multiprocessing4j.internal.registry.ProcessRecord;
import io.github.multiprocessing4j.internal.registry.ProcessRecord.State;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** Every way a child can end, as its parent sees it: status, record and the signal it sent. */
class ExitSettlementTest {
    private static final int SIGTERM = 15;
    private static final int SIGKILL = 9;

    private static Optional<ProcessRecord> recorded(State state, int signal) {
        return Optional.of(new ProcessRecord(4250, 4242, 1234, "child", false, state, signal));
    }

    @Test
    void aTargetThatReturnedExitsWithZero() {
        assertThat(ExitSettlement.settle(0, recorded(State.EXITED, 0), 0)).isEqualTo(new ExitSettlement(0, false));
    }

    @Test
    void aTargetThatThrewExitsWithOne() {
        assertThat(ExitSettlement.settle(1, recorded(State.EXITED, 0), 0)).isEqualTo(new ExitSettlement(1, false));
    }

    @Test
    void systemExitKeepsItsCode() {
        assertThat(ExitSettlement.settle(7, recorded(State.EXITED, 0), 0).exitCode()).isEqualTo(7);
    }

    @Test
    void systemExit137IsACodeButSigkillIsMinusNine() {
        assertThat(ExitSettlement.settle(137, recorded(State.EXITED, 0), 0).exitCode()).as("System.exit(137)").isEqualTo(137);
        assertThat(ExitSettlement.settle(137, recorded(State.RUNNING, 0), SIGKILL))
                .as("SIGKILL: no hook ran, the record still says running").isEqualTo(new ExitSettlement(-9, false));
        assertThat(ExitSettlement.settle(137, recorded(State.RUNNING, 0), 0))
                .as("SIGKILL from someone else").isEqualTo(new ExitSettlement(-9, false));
    }

    @Test
    void aCaughtSignalIsReadFromTheRecordWhateverTheStatus() {
        assertThat(ExitSettlement.settle(143, recorded(State.SIGNALED, SIGTERM), SIGTERM).exitCode()).isEqualTo(-15);
        assertThat(ExitSettlement.settle(129, recorded(State.SIGNALED, 1), 0).exitCode()).as("SIGHUP").isEqualTo(-1);
    }

    @Test
    void systemExit143IsToldApartFromSigterm() {
        assertThat(ExitSettlement.settle(143, recorded(State.EXITED, 0), 0).exitCode()).isEqualTo(143);
    }

    @Test
    void aSignalBeforeTheChildRecordedItselfIsReadFromTheStatus() {
        assertThat(ExitSettlement.settle(143, Optional.empty(), SIGTERM)).isEqualTo(new ExitSettlement(-15, false));
        assertThat(ExitSettlement.settle(134, Optional.empty(), 0)).as("SIGABRT").isEqualTo(new ExitSettlement(-6, false));
    }

    @Test
    void aSignalSentToAJvmStillInitialisingWinsOverTheErrorItExitsWith() {
        assertThat(ExitSettlement.settle(1, Optional.empty(), SIGTERM)).isEqualTo(new ExitSettlement(-15, false));
        assertThat(ExitSettlement.settle(1, Optional.empty(), SIGKILL)).isEqualTo(new ExitSettlement(-9, false));
    }

    @Test
    void anErrorBeforeTheChildRecordedItselfIsABootFailure() {
        assertThat(ExitSettlement.settle(1, Optional.empty(), 0)).isEqualTo(new ExitSettlement(1, true));
    }

    @Test
    void aChildThatEndedCleanlyWithoutARecordDidNotFailToBoot() {
        assertThat(ExitSettlement.settle(0, Optional.empty(), 0)).isEqualTo(new ExitSettlement(0, false));
    }

    @Test
    void statusesOutsideTheSignalRangeAreCodes() {
        assertThat(ExitSettlement.settle(128, recorded(State.RUNNING, 0), 0).exitCode()).isEqualTo(128);
        assertThat(ExitSettlement.settle(192, recorded(State.RUNNING, 0), 0).exitCode()).isEqualTo(192);
    }
}
