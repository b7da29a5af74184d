package io.github.multiprocessing4j.internal.sync;

import io.github.multiprocessing4j.internal.os.OwnerOnly;
import io.github.multiprocessing4j.internal.os.Platform;
import io.github.multiprocessing4j.internal.runtime.ChildOutput;
import io.github.multiprocessing4j.internal.shm.SharedSegment;
import io.github.multiprocessing4j.testing.TestFiles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The board of long waiters and the doorbells it names, within one process and with processes
 * that have died (the rings between live processes are {@code DoorbellTest}'s).
 */
class WaiterBoardTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int OWN_PID = (int) Platform.currentPid();

    private SharedSegment segment;
    private WaiterBoard board;

    @BeforeEach
    void makeBoard() {
        segment = SharedSegment.create("board", 4096);
        board = new WaiterBoard(segment, 64, WaiterBoard.FOUR_SEATS);
    }

    @AfterEach
    void unlink() {
        segment.unlink();
    }

    @Test
    void aSeatThatOnlyAParentRingsIsTakenWhileItLeavesOneFree() {
        int lifeline = Doorbell.LIFELINE_SEAT;
        for (int pid = 101; pid <= 103; pid++) {
            assertThat(board.sitLeavingOneFree(pid | lifeline)).isEqualTo(pid - 101);
        }
        assertThat(board.sitLeavingOneFree(104 | lifeline)).as("the last seat is a long wait's").isEqualTo(-1);
        assertThat(board.sit(105)).isEqualTo(3);
        assertThat(board.seated(0)).isEqualTo(101 | lifeline);
        board.leave(0, 101);
        assertThat(board.seated(0)).as("left only by what it sat as").isEqualTo(101 | lifeline);
        board.leave(0, 101 | lifeline);
        assertThat(board.seated(0)).isZero();
        WaiterBoard two = new WaiterBoard(segment, 128, WaiterBoard.TWO_SEATS);
        assertThat(two.sitLeavingOneFree(201 | lifeline)).isZero();
        assertThat(two.sitLeavingOneFree(202 | lifeline)).isEqualTo(-1);
        assertThat(two.sit(203)).isEqualTo(1);
    }

    @Test
    void fourProcessesSitOnABoardOfFourAndAFifthIsRefusedUntilOneLeaves() {
        for (int pid = 101; pid <= 104; pid++) {
            assertThat(board.sit(pid)).isEqualTo(pid - 101);
        }
        assertThat(board.sit(105)).as("every seat taken: the wait polls").isEqualTo(-1);
        board.leave(2, 999); // not its seat: nothing changes
        assertThat(board.seated(2)).isEqualTo(103);
        board.leave(2, 103);
        assertThat(board.seated(2)).isZero();
        assertThat(board.seated(3)).as("the other half of the word is kept").isEqualTo(104);
        assertThat(board.sit(105)).isEqualTo(2);
        assertThat(segment.getLongVolatile(56)).as("the board writes only its own bytes").isZero();
        assertThat(segment.getLongVolatile(64 + WaiterBoard.FOUR_SEATS)).isZero();
    }

    @Test
    void aBoardOfTwoSeatsSeatsTwo() {
        WaiterBoard two = new WaiterBoard(segment, 128, WaiterBoard.TWO_SEATS);
        assertThat(two.sit(201)).isZero();
        assertThat(two.sit(202)).isEqualTo(1);
        assertThat(two.sit(203)).isEqualTo(-1);
        assertThat(segment.getLongVolatile(128 + WaiterBoard.TWO_SEATS)).isZero();
    }

    @Test
    void aWaitSitsOnItsBoardBeforeItIsLongAndLeavesWhenItEnds() throws Exception {
        AtomicBoolean done = new AtomicBoolean();
        Thread waiter = new Thread(() -> Wait.uninterruptibly(WAIT.toNanos(), done::get, null, board));
        long start = System.nanoTime();
        waiter.start();
        try {
            TestFiles.awaitCondition(() -> board.seated(0) == OWN_PID, WAIT, "the wait's seat");
            assertThat(System.nanoTime() - start).as("nanoseconds before the wait sat: it was not long yet")
                    .isLessThan(Backoff.LONG_WAIT_NANOS);
            assertThat(Files.exists(Doorbell.bellOf(OWN_PID))).as("its process's doorbell").isTrue();
            done.set(true);
            board.ring(); // the own process's waits are woken directly
            waiter.join(WAIT.toMillis());
            assertThat(waiter.isAlive()).isFalse();
            assertThat(board.seated(0)).as("left when the wait ended").isZero();
        } finally {
            done.set(true);
            waiter.join();
        }
    }

    @Test
    void aRingForAProcessThatDiedFreesItsSeat() throws Exception {
        int dead = deadPid();
        assertThat(board.sit(dead)).isZero();
        board.ring();
        TestFiles.awaitCondition(() -> board.seated(0) == 0, WAIT, "the dead process's seat freed");
    }

    @Test
    void aRingForALiveProcessWhoseDoorbellFileNamesAPipeItDoesNotHoldWritesNothingAndFreesItsSeat() throws Exception {
        Process live = new ProcessBuilder("sleep", "30").start(); // its pid reused a killed process's doorbell file
        Path directory = Doorbell.directory();
        if (!Files.isDirectory(directory)) {
            OwnerOnly.createDirectory(directory);
        }
        Path file = Doorbell.bell(directory, live.pid());
        try {
            DoorbellFile.publish(file, 1, 1); // its fd 1 is some other file, no pipe of inode 1
            assertThat(board.sit((int) live.pid())).isZero();
            long opened = Doorbell.bellsOpened();
            board.ring();
            TestFiles.awaitCondition(() -> board.seated(0) == 0, WAIT, "the seat freed by the opening thread");
            assertThat(Doorbell.bellsOpened()).as("tried to open").isEqualTo(opened + 1);
            assertThat(DoorbellFile.open(file).claimRing()).as("no ring written: none unheard").isTrue();
        } finally {
            live.destroyForcibly().waitFor();
            Files.deleteIfExists(file);
        }
    }

    @Test
    void theDoorbellsOfDeadProcessesAreRemovedAndThoseOfLiveOnesKept(@TempDir Path directory) throws Exception {
        Process live = new ProcessBuilder("sleep", "30").start();
        Path deadBell = Doorbell.bell(directory, deadPid());
        Path deadPartial = deadBell.resolveSibling(deadBell.getFileName() + DoorbellFile.PARTIAL_SUFFIX);
        Path liveBell = Doorbell.bell(directory, live.pid());
        try {
            Files.createFile(deadBell);
            Files.createFile(deadPartial); // killed while it wrote its file
            Files.createFile(liveBell);
            Doorbell.removeBellsOfDeadProcesses(directory);
            assertThat(Files.exists(deadBell)).isFalse();
            assertThat(Files.exists(deadPartial)).isFalse();
            assertThat(Files.exists(liveBell)).isTrue();
        } finally {
            live.destroyForcibly().waitFor();
            Files.deleteIfExists(deadBell);
            Files.deleteIfExists(deadPartial);
            Files.deleteIfExists(liveBell);
        }
    }

    @Test
    void theJanitorsSweepRemovesTheDoorbellOfAKilledProcess() throws Exception {
        Path directory = Doorbell.directory();
        if (!Files.isDirectory(directory)) {
            OwnerOnly.createDirectory(directory);
        }
        Path deadBell = Doorbell.bell(directory, deadPid());
        Files.createFile(deadBell);
        Doorbell.removeBellsOfDeadProcesses();
        assertThat(Files.exists(deadBell)).isFalse();
    }

    @Test
    void aDoorbellDirectoryMustBeThisUsersAlone() throws Exception {
        Path scratch = Files.createTempDirectory("bells-test");
        try {
            Path own = scratch.resolve("own");
            Files.createDirectory(own, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Path open = scratch.resolve("open");
            Files.createDirectory(open);
            Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
            Path link = Files.createSymbolicLink(scratch.resolve("link"), own);
            assertThat(Doorbell.ownedByThisUserAlone(own)).isTrue();
            assertThat(Doorbell.ownedByThisUserAlone(open)).as("others may write in it").isFalse();
            assertThat(Doorbell.ownedByThisUserAlone(link)).as("a link").isFalse();
        } finally {
            try (java.util.stream.Stream<Path> files = Files.walk(scratch)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    @Test
    void theLastDoorbellToGoTakesItsDirectoryWithItAndItsListeningThreadStopsAtExit(@TempDir Path root) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process program = ChildOutput.start(new ProcessBuilder(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-D" + Platform.SHM_DIR_PROPERTY + "=" + root, "-cp", System.getProperty("java.class.path"),
                DoorbellDirectoryProgram.class.getName())
                .redirectOutput(ProcessBuilder.Redirect.PIPE).redirectError(ProcessBuilder.Redirect.PIPE));
        if (!program.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)) {
            program.destroyForcibly().waitFor();
            throw new AssertionError("DoorbellDirectoryProgram did not end within " + WAIT);
        }
        assertThat(program.exitValue()).as("0: its doorbell was made, and its listening thread stopped at exit"
                + " (see DoorbellDirectoryProgram for the other codes)").isZero();
        try (Stream<Path> left = Files.list(root)) {
            assertThat(left.map(f -> f.getFileName().toString())).as("left in its shared-memory root").isEmpty();
        }
    }

    /** @return the pid of a process that has exited and been reaped */
    private static int deadPid() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        return (int) p.pid();
    }
}
