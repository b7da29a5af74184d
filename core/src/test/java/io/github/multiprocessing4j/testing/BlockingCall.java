package io.github.multiprocessing4j.testing;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A call that blocks, made in a thread of its own, so that a test can interrupt it and see how
 * it ended: what it threw, or that it returned.
 */
public final class BlockingCall {
    /** What the thread runs. */
    @FunctionalInterface
    public interface Call {
        void run() throws Exception;
    }

    private static final Object RETURNED = new Object();

    private final AtomicReference<Object> outcome = new AtomicReference<>();
    private final CountDownLatch started = new CountDownLatch(1);
    private final Thread thread;

    private BlockingCall(Call call) {
        thread = new Thread(() -> {
            started.countDown();
            try {
                call.run();
                outcome.set(RETURNED);
            } catch (Throwable t) {
                outcome.set(t);
            }
        }, "blocking-call");
    }

    /** Starts {@code call} in a new thread and waits until the thread runs. */
    public static BlockingCall start(Call call) throws InterruptedException {
        BlockingCall blocking = new BlockingCall(call);
        blocking.thread.start();
        blocking.started.await();
        return blocking;
    }

    /** @return whether the call has ended (returned or thrown) */
    public boolean ended() {
        return outcome.get() != null;
    }

    /** Interrupts the thread. */
    public void interrupt() {
        thread.interrupt();
    }

    /**
     * Waits for the call to end.
     *
     * @return what it threw
     * @throws AssertionError when it returned, or did not end within {@code timeout}
     */
    public Throwable thrown(Duration timeout) throws InterruptedException {
        thread.join(timeout.toMillis());
        Object result = outcome.get();
        if (result == null) {
            throw new AssertionError("the call did not end within " + timeout);
        }
        if (result == RETURNED) {
            throw new AssertionError("the call returned instead of throwing");
        }
        return (Throwable) result;
    }
}
