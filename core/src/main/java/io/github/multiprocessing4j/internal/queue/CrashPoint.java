package io.github.multiprocessing4j.internal.queue;

/**
 * Named places in the queues' risky sequences where a test can make the process die, for tests
 * only: a process started with {@code -Dmp4j.test.crashAt=POINT} (or {@code POINT:n}, the n-th
 * time it passes there, from 1) halts with {@link Runtime#halt} and exit code {@link #EXIT_CODE}
 * when it reaches that point: a real death at a precise place, as a SIGKILL landing there would
 * be. The tests then check what the other processes make of the state it left
 * ({@code QueueCrashPointTest}).
 *
 * <p>Implementation notes. The property is read once, into static finals: when it is not set
 * (always, outside these tests), {@link #reach()} compares two constants and the JIT drops it.
 */
public enum CrashPoint {
    /** A change of the spare chunks: the new top's name is written in the unused field; the word does not name it yet. */
    SPARES_NAMED,
    /** A take read its record (a joinable consumer: copied into its in-flight log); the get count did not move. */
    TAKE_READ,
    /** A take moved the get count; the head did not move. */
    TAKE_COUNTED,
    /** An append stamped its record; the put count and the tail did not move. */
    APPEND_STAMPED,
    /** An in-flight log growing: the new segment's name is in the old log, the segment does not exist. */
    LOG_GROWTH_NAMED,
    /** An in-flight log growing: the new segment holds the pending records; the queue header still names the old one. */
    LOG_GROWTH_MADE,
    /**
     * An in-flight log's name is written in the header's field not in force (a growing log's new
     * segment; at a consumer's first take, its log, which does not exist yet); the field in force
     * still names the log before (none at a first take).
     */
    LOG_NAME_WRITTEN,
    /** An in-flight log growing: the header names the new segment; the old one is not removed. */
    LOG_GROWTH_PUBLISHED,
    /** A taskDone(): the log record is marked done; the consumer slot's count is not written. */
    TASK_DONE_LOGGED,
    /** A recovery: the queue's requeue mark says a put is under way; the dead consumer's record is still pending. */
    REQUEUE_MARKED,
    /** A recovery: the dead consumer's record says "being put back" with its new number; nothing appended. */
    REQUEUE_LOGGED,
    /** A recovery: the item is appended again and the put lock released; the record still says "being put back". */
    REQUEUE_APPENDED,
    /** A recovery: what the dead consumer finished is journaled in the header; nothing removed yet. */
    RETIRE_JOURNALED,
    /** A recovery: the dead consumer's in-flight log is removed; its slot is still taken. */
    RETIRE_LOG_REMOVED,
    /** A recovery: the dead consumer's slot is free; "done retired" does not count it yet. */
    RETIRE_SLOT_FREED,
    /** A recovery: "done retired" counts the dead consumer; the journal is not cleared. */
    RETIRE_COUNTED;

    /** The exit code of a process that died at a crash point. */
    public static final int EXIT_CODE = 86;
    /** The system property naming the point, with an optional {@code :n}. */
    public static final String PROPERTY = "mp4j.test.crashAt";

    private static final CrashPoint ARMED;
    private static final long NTH;
    private static final java.util.concurrent.atomic.AtomicLong PASSES = new java.util.concurrent.atomic.AtomicLong();

    static {
        String value = System.getProperty(PROPERTY);
        CrashPoint armed = null;
        long nth = 1;
        if (value != null && !value.isEmpty()) {
            int colon = value.indexOf(':');
            armed = valueOf(colon < 0 ? value : value.substring(0, colon));
            nth = colon < 0 ? 1 : Long.parseLong(value.substring(colon + 1));
        }
        ARMED = armed;
        NTH = nth;
    }

    /** Halts the process when it is armed at this point and passes here for the n-th time. */
    void reach() {
        if (ARMED == this) {
            passArmed();
        }
    }

    private static void passArmed() {
        if (PASSES.incrementAndGet() == NTH) {
            Runtime.getRuntime().halt(EXIT_CODE);
        }
    }

    /** @return the JVM option that arms {@code point} for its {@code nth} pass */
    public static String option(CrashPoint point, int nth) {
        return "-D" + PROPERTY + "=" + point.name() + ":" + nth;
    }
}
