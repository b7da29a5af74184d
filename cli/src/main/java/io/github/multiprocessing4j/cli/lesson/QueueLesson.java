package io.github.multiprocessing4j.cli.lesson;

import io.github.multiprocessing4j.ProcessQueue;
import io.github.multiprocessing4j.QueueEmptyException;
import io.github.multiprocessing4j.QueueFullException;
import io.github.multiprocessing4j.cli.support.Narrator;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The lesson's chapter 5 walk-through of {@code Queue(5)}, step by step on a real
 * {@link ProcessQueue}: fill it, see it full, fail to put more (at once, then after a timeout),
 * take everything back in order, see it empty, fail to get more (at once, then after a
 * timeout). Used by {@code mp4j lesson queue} and by the tour's "queue" chapter.
 *
 * <p>Everything happens in the calling process: the lesson's program has one process too. The
 * queue is the same shared-memory queue that processes pass around (see {@code mp4j lesson ipc});
 * here it shows its rules without the noise of other processes. Each step is checked with
 * {@link Narrator#confirm}, so a queue that broke a rule would show up as a "!!" line.
 */
public final class QueueLesson {
    /** The lesson's {@code Queue(5)}. */
    public static final int MAX_SIZE = 5;
    /** The lesson's items: 111, 222, ... 555; 666 is the one that does not fit. */
    private static final int STEP = 111;

    private QueueLesson() {
    }

    /**
     * Runs the walk-through, narrating each step.
     *
     * @param n where to explain and confirm
     * @param timeout how long the timed put and get wait (the lesson's {@code timeout=3}, scaled down)
     * @throws InterruptedException when interrupted while waiting in a timed get
     */
    public static void walkThrough(Narrator n, Duration timeout) throws InterruptedException {
        String t = timeout.toMillis() + " ms";
        try (ProcessQueue<Integer> q = new ProcessQueue<>(MAX_SIZE)) {
            n.act("q = new ProcessQueue<Integer>(" + MAX_SIZE + "): the number is the most items the queue holds"
                    + " at once, like the lesson's Queue(" + MAX_SIZE + ").");
            putAll(n, q, 1, 3);
            n.observe("q.isFull() = " + q.isFull() + ", q.isEmpty() = " + q.isEmpty() + ", q.qsize() = " + q.qsize()
                    + ": 3 items in a queue of " + MAX_SIZE + ".");
            putAll(n, q, 4, MAX_SIZE);
            n.confirm(q.isFull() && q.qsize() == MAX_SIZE, "q.isFull() = true: the queue holds " + MAX_SIZE
                    + " items, its maximum");

            n.explain("The lesson's q.put(666) is commented out: on a full queue put() blocks until a get()"
                    + " makes room, and here nobody would. Two relatives of put() give up instead of blocking for"
                    + " ever: putNowait() at once, put() with a Duration after the timeout (Python's put_nowait() and"
                    + " put(timeout=...)).");
            n.act("q.putNowait(666)");
            n.confirm(fails(() -> q.putNowait(MAX_SIZE * STEP + STEP), QueueFullException.class, n),
                    "putNowait on a full queue does not wait: it throws QueueFullException (Python's queue.Full)");
            n.act("q.put(666, Duration.ofMillis(" + timeout.toMillis() + "))");
            long started = System.nanoTime();
            boolean timedOut = fails(() -> q.put(MAX_SIZE * STEP + STEP, timeout), QueueFullException.class, n);
            long waited = System.nanoTime() - started;
            n.confirm(timedOut && waited >= timeout.toNanos(), "put with a timeout waited " + Narrator.millis(waited)
                    + " for room; nobody took an item, so it gave up with QueueFullException");
            n.confirm(q.qsize() == MAX_SIZE, "666 is not in the queue: still " + q.qsize() + " items");

            n.explain("Storing is for taking out again. get() returns the items in the order they were put: first"
                    + " in, first out, like an escalator (a stack would be last in, first out, like clothes piled in"
                    + " a box).");
            n.act("v1 = q.get(); v2 = q.get(); ... v5 = q.get()");
            List<Integer> got = new ArrayList<>();
            for (int i = 1; i <= MAX_SIZE; i++) {
                got.add(q.get());
            }
            n.confirm(got.equals(List.of(STEP, 2 * STEP, 3 * STEP, 4 * STEP, 5 * STEP)), "v1..v5 = " + got
                    + ": first in, first out");
            n.confirm(q.isEmpty() && !q.isFull() && q.qsize() == 0, "q.isEmpty() = true, q.isFull() = false,"
                    + " q.qsize() = 0");

            n.explain("The lesson's v6 = q.get() is commented out too: on an empty queue get() blocks until"
                    + " someone puts. Without waiting, or with a timeout, it fails instead.");
            n.act("q.getNowait()");
            n.confirm(fails(q::getNowait, QueueEmptyException.class, n), "getNowait on an empty queue does not"
                    + " wait: it throws QueueEmptyException (Python's queue.Empty)");
            n.act("try { v6 = q.get(Duration.ofMillis(" + timeout.toMillis() + ")); } catch (QueueEmptyException e) {"
                    + " System.out.println(\"already taken out\"); } -- the lesson's q.get(timeout=3)");
            started = System.nanoTime();
            boolean empty = fails(() -> q.get(timeout), QueueEmptyException.class, n);
            waited = System.nanoTime() - started;
            n.confirm(empty && waited >= timeout.toNanos(), "get with a timeout waited " + Narrator.millis(waited)
                    + " for an item; none came, so it threw QueueEmptyException and the lesson prints 'already"
                    + " taken out'");
            n.observe("System.out.println(v1) prints " + got.get(0) + ".");
            n.explain("The lesson's warning: isFull(), isEmpty() and qsize() (and so getNowait()) are not exact"
                    + " when several processes use the queue. The answer is true when it is computed, but another"
                    + " process may put or get before you act on it: 'not empty' does not promise that your get()"
                    + " finds an item. Use the blocking or timed put and get to wait for room or for an item. (A "
                    + t + " timeout stands for the lesson's 3 s here.)");
        }
    }

    private static void putAll(Narrator n, ProcessQueue<Integer> q, int first, int last) {
        StringBuilder code = new StringBuilder();
        for (int i = first; i <= last; i++) {
            q.put(i * STEP);
            code.append(code.length() == 0 ? "" : "; ").append("q.put(").append(i * STEP).append(")");
        }
        n.act(code.toString());
    }

    /** A step that is expected to throw. */
    @FunctionalInterface
    private interface Step {
        void run() throws InterruptedException;
    }

    /** @return whether {@code step} threw {@code expected}, which is shown; anything else is reported too */
    private static boolean fails(Step step, Class<? extends RuntimeException> expected, Narrator n)
            throws InterruptedException {
        try {
            step.run();
            n.observe("returned normally");
            return false;
        } catch (RuntimeException e) {
            n.observe("threw " + e.getClass().getSimpleName() + ": " + e.getMessage());
            return expected.isInstance(e);
        }
    }
}
