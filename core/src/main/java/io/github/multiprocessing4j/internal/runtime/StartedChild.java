package io.github.multiprocessing4j.internal.runtime;

import io.github.multiprocessing4j.internal.launch.BootstrapMessage;
import io.github.multiprocessing4j.internal.launch.ChildCommand;
import io.github.multiprocessing4j.internal.os.Platform;
import io.github.multiprocessing4j.internal.util.Log;

import java.io.IOException;
import java.io.OutputStream;
import java.util.OptionalLong;

/**
 * A child JVM as a {@link Launcher} hands it over: its process, its lifeline (stdin, kept open
 * after the bootstrap message) and what its reaper needs to explain a failed boot.
 *
 * @param process the child's process
 * @param command its command line
 * @param builder how it was started (directory, environment), to rerun it after a failed boot
 * @param fromSpare whether the child took a spare JVM
 * @param spawnedAt {@link System#nanoTime()} just before its JVM was spawned (a spare's spawn, for a child that took one)
 * @param knownStartTicks its JVM's start ticks when read already (a spare's, read as it was
 *     spawned, off the start's path), else -1
 */
public record StartedChild(Process process, ChildCommand command, ProcessBuilder builder, boolean fromSpare,
                           long spawnedAt, long knownStartTicks) {

    /** @return the child's pid */
    public long pid() {
        return process.pid();
    }

    /** @return the child's start ticks ({@link Platform#startTicks}), read now unless known; empty when it is gone */
    OptionalLong startTicks() {
        return knownStartTicks >= 0 ? OptionalLong.of(knownStartTicks) : Platform.startTicks(pid());
    }

    /** @return the child's stdin: its lifeline, written after the bootstrap message only by {@link #wake} */
    public OutputStream lifeline() {
        return process.getOutputStream();
    }

    /** Writes the bootstrap message; a child that closed its stdin already is left to its reaper. */
    void sendBootstrap(BootstrapMessage message) {
        try {
            message.writeTo(lifeline());
        } catch (IOException e) {
            // The child died at once (a bad JVM option): the reaper reports why.
            Log.of(StartedChild.class).log(System.Logger.Level.DEBUG, "child {0} closed its stdin before the bootstrap message",
                    message.name());
        }
    }

    /**
     * Writes a byte into the lifeline: the child's lifeline thread reads it and cuts short the
     * pauses of the child's waiting threads (see {@code ChildMain}). Never blocks for long: the
     * pipe holds 64 KiB, which a child reads at once; a child that has closed its end is ignored.
     */
    void wake() {
        try {
            OutputStream lifeline = lifeline();
            lifeline.write(0);
            lifeline.flush();
        } catch (IOException e) {
            // the child is gone or going: nothing of it waits any more
        }
    }

    /** Closes the lifeline; the child is gone or going. */
    void closeLifeline() {
        try {
            lifeline().close();
        } catch (IOException e) {
            // the child is gone; nothing to tell it
        }
    }
}
