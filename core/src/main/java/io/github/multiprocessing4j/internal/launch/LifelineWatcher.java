package io.github.multiprocessing4j.internal.launch;

import io.github.multiprocessing4j.internal.os.Platform;
import io.github.multiprocessing4j.internal.process.ProcessContext;
import io.github.multiprocessing4j.internal.sync.Doorbell;
import io.github.multiprocessing4j.internal.sync.Wait;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The thread that reads a child's lifeline (its stdin after the bootstrap message) until EOF,
 * which comes when the parent closes it or dies in any way, SIGKILL included: a daemon then
 * ends, a non-daemon child carries on as an orphan. A byte the parent writes into it is a nudge:
 * the process's waiting threads look at their shared state at once ({@link Wait#wakeAll}).
 *
 * <p>Implementation notes. HotSpot waits up to 300 ms at exit for threads blocked in native
 * code, so the exit hook ends the read ({@link #endForExit}) by interrupting this thread, which
 * closes the channel: the JDK's close signals the reading thread out of its system call and
 * waits for it, 50 ms at a time ({@code NativeThreadSet.signalAndWait}). A signal that comes
 * after the reader registered with the channel and before it entered the system call is lost:
 * the read blocks, and the close waits its 50 ms before it signals again. A child whose target
 * ends at once (its exit hook running a moment after the boot thread started this one) met that
 * window in about one exit of four: measured on the 2-core development VM, 3 of 12 children of
 * an empty target were seen to exit 57-62 ms after their target ended, the others 6-9 ms (none
 * of 12 with no compiler, {@code -Xint}, whose slower path to the read leaves the window to
 * another moment). So the exit hook interrupts a read once it is in its system call, and a
 * watcher that is not reading does not begin again ({@link #state}). Where Linux tells (the
 * thread's {@code /proc/self/task/TID/syscall}: a {@code read} of file descriptor 0), the hook
 * looks until it is, for up to {@link #LOOK_NANOS}; elsewhere it lets a read that began less
 * than {@link #SETTLE_NANOS} before settle that long. A read that began earlier is taken to be in
 * its system call, as any child's is whose target ran a moment: no look. Measured on the 2-core
 * development VM, 60 children of an empty target each way, interleaved: with the blind wait of
 * 1 ms, exits of 5.9-6.0 ms (medians) and one of 56 ms; with the look, 5.2-5.4 ms and none over
 * 10 ms.
 */
final class LifelineWatcher extends Thread {
    /** How long after a read began the exit hook takes it to be in its system call (see the class notes). */
    static final long SETTLE_NANOS = 1_000_000;
    /** How long the exit hook looks for a read to reach its system call where Linux tells (see the class notes). */
    static final long LOOK_NANOS = 5_000_000;
    /** How long the exit hook pauses between two looks at whether the read is in its system call. */
    private static final long LOOK_PAUSE_NANOS = 50_000;
    /** The system call numbers of {@code read}: x86-64's, AArch64's ({@code /proc}'s syscall file gives numbers). */
    private static final Set<String> READ_SYSCALLS = Set.of("0", "63");
    private static final long DAEMON_EXIT_GRACE_MS = 500;
    private static final int NOT_READING = 0;
    private static final int READING = 1;
    /** The process exits, or the lifeline has ended: no read begins any more. */
    private static final int ENDED = 2;

    private final FileChannel lifeline;
    private final ProcessContext context;
    private final AtomicInteger state = new AtomicInteger(NOT_READING);
    /** When the current read began ({@link System#nanoTime}). */
    private volatile long readingSince;
    /** This thread's {@code /proc/self/task/TID/syscall}, once it runs; null where Linux does not give it. */
    private volatile Path syscallFile;

    private LifelineWatcher(FileChannel lifeline, ProcessContext context) {
        super("mp4j-lifeline");
        this.lifeline = lifeline;
        this.context = context;
        setDaemon(true);
    }

    /**
     * Starts watching the lifeline, and has the process's exit end the watch.
     *
     * @param lifeline the child's stdin after its bootstrap message
     * @param context the child's context
     */
    static void start(FileChannel lifeline, ProcessContext context) {
        LifelineWatcher watcher = new LifelineWatcher(lifeline, context);
        watcher.start();
        Doorbell.listensOnLifeline();
        context.onExit(new Runnable() { // not a lambda: see ChildMain's class notes
            @Override
            public void run() {
                watcher.endForExit();
            }
        });
    }

    @Override
    public void run() {
        syscallFile = ownSyscallFile();
        try {
            ByteBuffer nudges = ByteBuffer.allocate(64);
            while (true) {
                readingSince = System.nanoTime();
                if (!state.compareAndSet(NOT_READING, READING)) {
                    return; // the process exits
                }
                int read = lifeline.read(nudges);
                if (read < 0 || !state.compareAndSet(READING, NOT_READING)) {
                    break;
                }
                nudges.clear();
                Wait.wakeAll(); // the parent has given this process something to wait no more for
                Doorbell.heardOnLifeline(read);
            }
        } catch (ClosedByInterruptException e) {
            return; // this process is exiting
        } catch (IOException e) {
            // a broken pipe is the same news as EOF
        }
        if (state.getAndSet(ENDED) == ENDED) {
            return; // the exit hook ended the read between its return and the look above
        }
        context.parentGone();
        if (context.isDaemon()) {
            endDaemon();
        }
    }

    /**
     * Ends the watch for the process's exit: at once when no read is under way (none begins
     * after this), else by interrupting the read once it is in its system call, or has had
     * {@link #SETTLE_NANOS} to get there (see the class notes).
     */
    private void endForExit() {
        int was = state.getAndSet(ENDED);
        if (was != READING) {
            return;
        }
        long since = readingSince;
        if (System.nanoTime() - since < SETTLE_NANOS) {
            // Told, a read not in its call yet is worth a longer wait than the 50 ms its loss costs.
            long limit = since + (syscallFile != null ? LOOK_NANOS : SETTLE_NANOS);
            while (System.nanoTime() - limit < 0 && !inReadSystemCall()) {
                LockSupport.parkNanos(LOOK_PAUSE_NANOS);
            }
        }
        interrupt();
    }

    /** @return whether this thread sits in a {@code read} of stdin, as far as Linux tells; false when it cannot tell */
    private boolean inReadSystemCall() {
        Path file = syscallFile;
        if (file == null) {
            return false;
        }
        try {
            // "NR ARG1 ARG2 ... SP PC" while in a system call, "running" or "-1 SP PC" otherwise
            String[] fields = Files.readString(file).split(" ", 3);
            return fields.length == 3 && READ_SYSCALLS.contains(fields[0]) && fields[1].equals("0x0");
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * @return the calling thread's syscall file under {@code /proc}, or null where there is none,
     *     or where it does not say "running" of the thread that reads it (a kernel that gives
     *     something else there would have the exit hook wait {@link #LOOK_NANOS} for nothing)
     */
    private static Path ownSyscallFile() {
        try {
            Path file = Path.of("/proc").resolve(Files.readSymbolicLink(Path.of("/proc/thread-self"))).resolve("syscall");
            return Files.readString(file).startsWith("running") ? file : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private void endDaemon() {
        Thread halter = new Thread(() -> {
            try {
                Thread.sleep(DAEMON_EXIT_GRACE_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            Runtime.getRuntime().halt(Platform.SIGNAL_EXIT_BASE + Platform.SIGTERM);
        }, "mp4j-daemon-halt");
        halter.setDaemon(true);
        halter.start();
        context.endingBySignal(Platform.SIGTERM);
        System.exit(Platform.SIGNAL_EXIT_BASE + Platform.SIGTERM);
    }
}
