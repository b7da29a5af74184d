package io.github.multiprocessing4j.internal.runtime;

import io.github.multiprocessing4j.internal.os.Platform;
import io.github.multiprocessing4j.internal.registry.ProcessRecord;
import io.github.multiprocessing4j.internal.registry.ProcessRecord.State;

import java.util.Optional;

/**
 * How a child ended, told from what its parent can see once it has exited: Python's exit codes.
 * A pure function of its inputs.
 *
 * <p>Implementation notes. The operating system's status alone cannot tell {@code System.exit(137)}
 * from SIGKILL, nor {@code System.exit(143)} from SIGTERM: a JVM ended by a signal it catches
 * exits with 128 + N like any other code. So the child writes how it ended in its record of the
 * tree's table (its exit hook: {@link State#EXITED}, or {@link State#SIGNALED} from its signal
 * handler), and the status is read as a signal only when no hook wrote anything. A child that
 * never recorded itself did not boot: either a signal the parent sent reached a JVM still
 * initialising (which may then exit with an error of its own, JDK 25: "Bad level"), or the JVM
 * could not start at all (a bad option), which the caller explains with the JVM's own words.
 *
 * @param exitCode Python's exit code: 0, 1, n after {@code System.exit(n)}, -N after signal N
 * @param bootFailed whether the child exited with an error before it recorded itself, without
 *     a signal to blame: its JVM could not boot
 */
public record ExitSettlement(int exitCode, boolean bootFailed) {

    /**
     * @param rawStatus the operating system's exit status of the child
     * @param record the child's record in the tree's table, when it wrote one (it booted)
     * @param signalSent the last signal the parent sent it ({@code terminate}, {@code kill}), or 0
     * @return how the child ended
     */
    public static ExitSettlement settle(int rawStatus, Optional<ProcessRecord> record, int signalSent) {
        State state = record.map(ProcessRecord::state).orElse(null);
        int exitCode;
        if (state == State.SIGNALED) {
            exitCode = -record.get().signal();
        } else if (state == State.EXITED) {
            exitCode = rawStatus;
        } else if (rawStatus > Platform.SIGNAL_EXIT_BASE && rawStatus < Platform.SIGNAL_EXIT_BASE + 64) {
            exitCode = -(rawStatus - Platform.SIGNAL_EXIT_BASE); // ended by a signal it could not catch
        } else if (record.isEmpty() && signalSent != 0) {
            exitCode = -signalSent; // reached a JVM still initialising: it ended because of it all the same
        } else {
            exitCode = rawStatus;
        }
        return new ExitSettlement(exitCode, record.isEmpty() && exitCode > 0);
    }
}
