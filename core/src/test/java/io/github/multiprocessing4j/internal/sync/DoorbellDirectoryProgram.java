package io.github.multiprocessing4j.internal.sync;

import io.github.multiprocessing4j.internal.shm.SharedSegment;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A program for {@code WaiterBoardTest}: a thread's wait has parked a millisecond, so this process makes its
 * doorbell; once the doorbell is there, the wait is ended, the program runs what its exit hook
 * runs, and exits with 0 (3 when no doorbell came within 30 s, 4 when its listening thread did
 * not run, 5 when that thread still ran after the hook's step: a thread left in its read of the pipe
 * holds the JVM's exit back 300 ms). What it leaves in its shared-memory root is the test's to see.
 *
 * <pre>
 * java -Dmp4j.shmDir=DIR -cp ... DoorbellDirectoryProgram
 * </pre>
 */
public final class DoorbellDirectoryProgram {
    private DoorbellDirectoryProgram() {
    }

    public static void main(String[] args) throws Exception {
        SharedSegment segment = SharedSegment.create("board", 4096);
        WaiterBoard board = new WaiterBoard(segment, 0, WaiterBoard.TWO_SEATS);
        AtomicBoolean done = new AtomicBoolean();
        Thread waiter = new Thread(() -> Wait.uninterruptibly(60_000_000_000L, done::get, null, board));
        waiter.start();
        Path bell = Doorbell.bellOf(Doorbell.OWN_PID);
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!Files.exists(bell) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        boolean made = Files.exists(bell);
        done.set(true);
        board.ring();
        waiter.join();
        segment.unlink();
        if (!made) {
            System.exit(3);
        }
        if (!Doorbell.hearing()) {
            System.exit(4);
        }
        Doorbell.closeAtExit(); // the exit hook runs it again: it must do no harm twice
        System.exit(Doorbell.hearing() ? 5 : 0);
    }
}
