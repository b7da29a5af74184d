package io.github.multiprocessing4j.bench;

import io.github.multiprocessing4j.Connection;
import io.github.multiprocessing4j.ProcessLock;
import io.github.multiprocessing4j.ProcessQueue;
import io.github.multiprocessing4j.SerializableRunnable;
import io.github.multiprocessing4j.SharedLong;
import io.github.multiprocessing4j.SharedLongArray;

import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The targets the benchmark's children run. They live in this small class of their own because
 * a child deserializing a lambda loads and initialises the class that wrote it: a light class
 * keeps the child's start-up what a user's would be. Paths travel as strings because
 * {@link Path} is not serializable.
 */
final class ChildTargets {
    private ChildTargets() {
    }

    /** Does nothing: the cost of a process and nothing else. */
    static SerializableRunnable empty() {
        return () -> { };
    }

    /**
     * Takes {@link System#nanoTime()} as its first statement and sends it through {@code sender},
     * as {@code bench_mp.py}'s {@code _first_line} sends its {@code time.monotonic_ns()} through
     * the pipe end it is given. On Linux that clock is CLOCK_MONOTONIC, shared by all processes,
     * so the parent can subtract its own reading from it.
     */
    static SerializableRunnable firstLine(Connection<Long> sender) {
        return () -> {
            long now = System.nanoTime();
            sender.send(now);
        };
    }

    /**
     * The same first statement, the target capturing {@code data} too (which it then checks):
     * a child given a large array to work on.
     */
    static SerializableRunnable firstLineCapturing(Connection<Long> sender, byte[] data, int expectedLength) {
        return () -> {
            long now = System.nanoTime();
            sender.send(now);
            if (data.length != expectedLength) {
                throw new IllegalStateException("the captured array has " + data.length + " bytes");
            }
        };
    }

    /**
     * The same first statement, its reading left in {@code file}: a target that captures no
     * shared object, only a string, for the figure without a pipe end to rebuild.
     */
    static SerializableRunnable firstLineToFile(String file) {
        return () -> {
            long now = System.nanoTime();
            Files.writeString(Path.of(file), Long.toString(now));
        };
    }

    /**
     * Sets {@code end} to {@link System#nanoTime()} as its last statement: the start of a child's
     * exit, for the figure from there to the parent's {@code join()} returning
     * ({@code user_patterns.py}'s {@code _last_line} sets a shared value so).
     */
    static SerializableRunnable lastLine(SharedLong end) {
        return () -> end.set(System.nanoTime());
    }

    /**
     * Puts its {@link System#nanoTime()} into {@code queue}: the child of "start in a loop"
     * ({@link StartLoopProgram}, {@code user_patterns.py}'s {@code _put_time}).
     */
    static SerializableRunnable putNanoTime(ProcessQueue<Long> queue) {
        return () -> queue.put(System.nanoTime());
    }

    /**
     * Says it is ready by creating {@code readyFile}, then blocks, without polling, on a lock of
     * {@code gateFile} that the parent holds, and returns when the parent releases it. The child
     * sits blocked in the kernel like CPython's idle child in {@code conn.recv()}.
     */
    static SerializableRunnable idleUntilGateOpens(String readyFile, String gateFile) {
        return () -> {
            try (FileChannel gate = FileChannel.open(Path.of(gateFile), StandardOpenOption.WRITE)) {
                Files.createFile(Path.of(readyFile));
                try (FileLock ignored = gate.lock()) {
                    // the parent has opened the gate: time to exit
                }
            }
        };
    }

    /**
     * {@code bench_mp.py}'s {@code _lock_worker}: waits until every worker is ready (a shared
     * countdown, like its barrier), then does {@code lock.acquire(); v.set(v.get() + 1);
     * lock.release()} {@code n} times, and leaves its start and end {@link System#nanoTime()} in
     * {@code times[2 * index]} and {@code times[2 * index + 1]}.
     */
    static SerializableRunnable lockWorker(ProcessLock lock, SharedLong value, SharedLong countdown,
            SharedLongArray times, int index, int n) {
        return () -> {
            startTogether(countdown);
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                lock.acquire();
                value.set(value.get() + 1);
                lock.release();
            }
            long t1 = System.nanoTime();
            times.set(2 * index, t0);
            times.set(2 * index + 1, t1);
        };
    }

    /**
     * A start line for children measured together, like {@code bench_mp.py}'s barrier: counts
     * {@code countdown} down by one, then spins until every other child has done so.
     */
    static void startTogether(SharedLong countdown) {
        countdown.addAndGet(-1);
        while (countdown.get() > 0) {
            Thread.onSpinWait();
        }
    }
}
