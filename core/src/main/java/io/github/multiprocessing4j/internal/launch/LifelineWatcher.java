package io.github.multiprocessing4j.internal.launch;

import io.github.multiprocessing4j.internal.os.Platform;
import io.github.multiprocessing4j.internal.process.ProcessContext;
import io.github.multiprocessing4j.internal.sync.Doorbell;
import io.github.multiprocessing4j.internal.sync.Wait;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
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
 * another moment). So the exit hook interrupts only a read that began at least
 * {@link #SETTLE_NANOS} before, waiting out the rest, and a watcher that is not reading does not
 * begin again ({@link #state}).
 */
final class LifelineWatcher extends Thread {
    /** How long after a read began the exit hook takes it to be in its system call (see the class notes). */
    static final long SETTLE_NANOS = 1_000_000;
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
     * after this), else by interrupting the read once it has had {@link #SETTLE_NANOS} to reach
     * its system call (see the class notes).
     */
    private void endForExit() {
        int was = state.getAndSet(ENDED);
        if (was != READING) {
            return;
        }
        long settling = SETTLE_NANOS - (System.nanoTime() - readingSince);
        if (settling > 0) {
            LockSupport.parkNanos(settling);
        }
        interrupt();
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
