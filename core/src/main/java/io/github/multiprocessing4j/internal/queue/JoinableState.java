package io.github.multiprocessing4j.internal.queue;

import io.github.multiprocessing4j.internal.shm.SharedSegment;
import io.github.multiprocessing4j.internal.sync.Owner;
import io.github.multiprocessing4j.internal.sync.SlotTable;
import io.github.multiprocessing4j.internal.sync.Wait;
import io.github.multiprocessing4j.internal.sync.WaiterBoard;
import io.github.multiprocessing4j.internal.util.Log;

import java.util.ArrayList;
import java.util.List;

import static io.github.multiprocessing4j.internal.queue.QueueDescriptor.CONSUMERS;
import static io.github.multiprocessing4j.internal.queue.QueueDescriptor.CONSUMER_LOGS;
import static io.github.multiprocessing4j.internal.queue.QueueDescriptor.CONSUMER_SLOTS;
import static io.github.multiprocessing4j.internal.queue.QueueDescriptor.DONE_RETIRED;
import static io.github.multiprocessing4j.internal.queue.QueueDescriptor.LOG_NAME_PAIR;
import static io.github.multiprocessing4j.internal.queue.QueueDescriptor.NAME_SLOT;
import static io.github.multiprocessing4j.internal.queue.QueueDescriptor.RETIRED_BEFORE;
import static io.github.multiprocessing4j.internal.queue.QueueDescriptor.RETIRING_COUNT;
import static io.github.multiprocessing4j.internal.queue.QueueDescriptor.RETIRING_SLOT;
import static io.github.multiprocessing4j.internal.queue.QueueDescriptor.TAKEOVERS_SEEN;
import static io.github.multiprocessing4j.internal.sync.SlotDescriptor.STAKE;

/**
 * The bookkeeping of a joinable queue in one process: which items this process got and has not
 * finished, how many it finished, and the recovery of what dead consumers held. One instance
 * per queue per process ({@link JoinableStates}), whatever the number of handles.
 *
 * <p>Implementation notes. A process that takes an item claims a consumer slot in the queue's
 * header (its process token; stake = how many {@code taskDone()}s it made) and copies the
 * item into its {@link InFlightLog} before the take is final; {@code taskDone()} marks the
 * oldest pending item of the process done. The queue's unfinished count is the put count minus
 * the done count, and the done count is "done retired" (what processes that are gone did) plus
 * the live slots' counts: read in that order, a consumer retiring between the two reads is
 * counted at most once, so the sum never runs ahead and {@code join()} never returns early.
 *
 * <p>Recovery, always under the get lock, delivers again what a dead consumer had taken and not
 * finished. Who runs it, and when: the next taker after a consumer died holding the get lock,
 * before it takes anything (the lock's takeover count moved past "takeovers seen"): only then
 * does the queue's get count still tell a take the dead consumer had made final (its item's
 * number is below it) from one it had not (the item is still in the queue, and is marked never
 * taken in the log); every taker once per {@link Wait#LIVENESS_CHECK_NANOS}, so that on a busy
 * queue a dead consumer's items come back within a quarter of a second (at the tail: they are
 * got after what was put before); and a consumer waiting on an empty queue, or {@code join()},
 * at each liveness check. The records that are never taken are marked first, before anything
 * that can fail: a recovery that fails later (no room to put an item back, say) does not stop
 * the take that ran it, and is tried again at a later check.
 *
 * <p>Every step of a recovery can be cut short by the recovering process's death, and the next
 * recovery finishes it, each item delivered again exactly once and each count retired once:
 * <ul>
 * <li>an item is put back by {@link ByteQueue#requeue}, which marks the put in the header
 *     before the record is marked "being put back as number n" in the log, and the record is
 *     marked "delivered again" after; a recovery first settles a record left "being put back"
 *     by asking the queue whether put n happened ({@link ByteQueue#requeueKept}: the tail
 *     repair settles the mark of a put cut short), and puts it back again only when it did not;</li>
 * <li>the slot is retired through a journal in the header (slot, count, "done retired" before):
 *     the count (the larger of the slot's and the log's done counts, plus the items delivered
 *     again, which count again as new puts) is journaled before the log is removed, then the
 *     slot is freed, then "done retired" is set to its journaled value plus the count unless it
 *     has it already, then the journal is cleared. "done retired" changes only under the get
 *     lock, so the journal tells whether the addition happened; and a slot stops counting before
 *     "done retired" takes it over, so the count never runs ahead meanwhile.</li>
 * </ul>
 * A log that was growing when its process died leaves its new or old segment named in it, and
 * the recovery removes those too ({@link InFlightLog}). The crash-point tests make the process
 * die at each of these steps ({@link CrashPoint}).
 */
public final class JoinableState {
    private final ByteQueue queue;
    private final JoinableStates table;
    private final SharedSegment header;
    private final SlotTable consumers;
    /** Who waits long in {@link #join}: rung by each taskDone(). */
    private final WaiterBoard joiners;
    private int slot = -1;
    private InFlightLog log;
    private long doneCount;
    /** When this process's next take looks for dead consumers ({@link System#nanoTime}): its first take does. */
    private long nextLivenessCheck = System.nanoTime();
    /** The last reader {@link #recording} made; any thread may replace it. */
    private volatile Recording<?> recording;
    private final Runnable livenessCheck = this::recoverDeadConsumers;
    /** Set once its table has dropped it: a queue object that kept it looks it up again. */
    private volatile boolean forgotten;

    JoinableState(ByteQueue queue, JoinableStates table) {
        this.queue = queue;
        this.table = table;
        this.header = queue.header();
        this.consumers = new SlotTable(header, CONSUMERS, CONSUMER_SLOTS);
        this.joiners = new WaiterBoard(header, QueueDescriptor.JOINERS, WaiterBoard.FOUR_SEATS);
    }

    /**
     * @return a reader that copies each record it reads into this process's in-flight log, then
     *     reads it with {@code reader}: what a take of a joinable queue reads with
     */
    @SuppressWarnings("unchecked")
    public <T> ByteQueue.RecordReader<T> recording(ByteQueue.RecordReader<T> reader) {
        Recording<?> made = recording;
        if (made == null || made.reader != reader) {
            made = new Recording<>(reader);
            recording = made;
        }
        return (Recording<T>) made;
    }

    /**
     * What {@link #recording} returns; the last one made is kept, since every take of the queue
     * asks for it with the same reader (and the queue keeps its waiting take's attempts for a reader).
     */
    private final class Recording<T> implements ByteQueue.RecordReader<T> {
        final ByteQueue.RecordReader<T> reader;

        Recording(ByteQueue.RecordReader<T> reader) {
            this.reader = reader;
        }

        @Override
        public T read(SharedSegment segment, int offset, int length, long itemNumber) {
            taking(itemNumber, segment, offset, length);
            try {
                return reader.read(segment, offset, length, itemNumber);
            } catch (RuntimeException | Error refused) {
                notTaken();
                throw refused;
            }
        }
    }

    /** @return whether its table dropped it ({@link #removeLogs}, or the table's close): it is stale */
    public boolean forgotten() {
        return forgotten;
    }

    /** Says that its table dropped it. */
    void forget() {
        forgotten = true;
    }

    /** @return what a waiting take runs at each liveness check: {@link #recoverDeadConsumers} */
    public Runnable livenessCheck() {
        return livenessCheck;
    }

    /**
     * Records an item this process is taking (called under the get lock, before the take is
     * final), after a recovery when one is due (see the class notes).
     */
    private synchronized void taking(long itemNumber, SharedSegment chunk, int offset, int length) {
        if (recoveryDueBeforeTaking()) {
            try {
                recoverDeadConsumersLocked();
            } catch (RuntimeException e) {
                // The take goes on: what decides it (the dead takers' records marked never taken)
                // was done before anything that can fail; the rest is tried again later.
                Log.of(JoinableState.class).log(System.Logger.Level.WARNING, "could not deliver again the items"
                        + " of a dead consumer of joinable queue " + header.name() + " (tried again later)", e);
            }
        }
        if (slot < 0) {
            claimSlot();
        }
        SharedSegment before = log.append(itemNumber, chunk, offset, length);
        if (before != null) {
            nameLog(slot, log.segment().name());
            CrashPoint.LOG_GROWTH_PUBLISHED.reach();
            before.unlink();
            log.moved();
        }
    }

    private synchronized void notTaken() {
        log.dropNewest();
    }

    /**
     * Marks the oldest item this process got and has not finished as finished.
     *
     * @throws IllegalStateException when this process has no unfinished item
     */
    public synchronized void taskDone() {
        if (log == null || log.pendingCount() == 0) {
            throw new IllegalStateException("taskDone() called more times than this process got items");
        }
        doneCount++;
        log.finishOldest(doneCount);
        CrashPoint.TASK_DONE_LOGGED.reach();
        consumers.set(slot, STAKE, doneCount);
        joiners.ring(); // whether this was the last, only a joiner's look can tell
    }

    /** @return how many items were put and are not finished yet (never below the true number) */
    public long unfinished() {
        long done = header.getLongVolatile(DONE_RETIRED);
        for (int i = 0; i < CONSUMER_SLOTS; i++) {
            long token = consumers.token(i);
            if (token != 0 && token != -1L) {
                done += consumers.get(i, STAKE);
            }
        }
        return queue.putCount() - done;
    }

    /**
     * Waits until every item put has been finished.
     *
     * @param timeoutNanos negative for ever
     * @return false on timeout
     * @throws InterruptedException when interrupted while waiting
     */
    public boolean join(long timeoutNanos) throws InterruptedException {
        return unfinished() <= 0 || Wait.interruptibly(timeoutNanos, () -> unfinished() <= 0, () -> {
            recoverDeadConsumers();
            return false;
        }, joiners);
    }

    /** Delivers again what consumers that died had got and not finished (see the class notes). */
    public void recoverDeadConsumers() {
        if (recoveryOwed() || anyDeadConsumer()) {
            queue.underGetLock(this::recoverDeadConsumersLocked);
        }
    }

    /**
     * Removes the in-flight logs of every consumer and this process's bookkeeping: the queue is
     * closed and finished, nothing can be got from it any more.
     */
    public void removeLogs() {
        table.forget(this, header);
        for (int i = 0; i < CONSUMER_SLOTS; i++) {
            SharedSegment named = namedLog(i);
            if (named != null) {
                InFlightLog.remove(named);
            }
        }
    }

    /** @return whether a recovery must run before the next take whatever the time (see the class notes) */
    private boolean recoveryOwed() {
        return queue.getLockTakeovers() != header.getLongVolatile(TAKEOVERS_SEEN)
                || header.getLongVolatile(RETIRING_SLOT) != 0;
    }

    /** @return whether this take must recover first: a recovery is owed, or the liveness check is due and finds a dead consumer */
    private boolean recoveryDueBeforeTaking() {
        if (recoveryOwed()) {
            return true;
        }
        long now = System.nanoTime();
        if (now - nextLivenessCheck < 0) {
            return false;
        }
        nextLivenessCheck = now + Wait.LIVENESS_CHECK_NANOS;
        return anyDeadConsumer();
    }

    private boolean anyDeadConsumer() {
        for (int i = 0; i < CONSUMER_SLOTS; i++) {
            if (consumers.isDead(i, consumers.token(i))) {
                return true;
            }
        }
        return false;
    }

    /** The recovery (see the class notes); under the get lock. */
    private void recoverDeadConsumersLocked() {
        long takeovers = queue.getLockTakeovers();
        finishRetiring();
        List<Integer> dead = new ArrayList<>();
        List<SharedSegment> deadLogs = new ArrayList<>();
        for (int i = 0; i < CONSUMER_SLOTS; i++) {
            if (consumers.isDead(i, consumers.token(i))) {
                dead.add(i);
                deadLogs.add(namedLog(i));
            }
        }
        for (SharedSegment deadLog : deadLogs) {
            settleInterruptedRequeue(deadLog); // before any new requeue overwrites the queue's mark
        }
        long getCount = queue.getCount();
        for (SharedSegment deadLog : deadLogs) {
            markNeverTaken(deadLog, getCount);
        }
        header.setLongVolatile(TAKEOVERS_SEEN, takeovers); // what only the first taker can decide is decided
        for (int k = 0; k < dead.size(); k++) {
            recover(dead.get(k), deadLogs.get(k));
        }
    }

    /** Marks the dead consumer's pending records numbered at or above the get count never taken: their items are still in the queue. */
    private static void markNeverTaken(SharedSegment deadLog, long getCount) {
        if (deadLog == null) {
            return;
        }
        InFlightLog.forEachRecord(deadLog, (at, state, itemNumber) -> {
            if (state == InFlightLog.PENDING && itemNumber >= getCount) {
                InFlightLog.setState(deadLog, at, InFlightLog.NEVER_TAKEN);
            }
        });
    }

    /** Settles a record that a recovering process died putting back: delivered again, or pending again. */
    private void settleInterruptedRequeue(SharedSegment deadLog) {
        if (deadLog == null) {
            return;
        }
        InFlightLog.forEachRecord(deadLog, (at, state, itemNumber) -> {
            if (state == InFlightLog.REQUEUING) {
                boolean kept = queue.requeueKept(InFlightLog.ordinal(deadLog, at));
                InFlightLog.setState(deadLog, at, kept ? InFlightLog.REQUEUED : InFlightLog.PENDING);
            }
        });
    }

    /** Delivers again the pending items of the dead consumer in slot {@code i}, then retires its slot. */
    private void recover(int i, SharedSegment deadLog) {
        long token = consumers.token(i);
        long done = consumers.get(i, STAKE);
        long requeued = 0;
        int[] newlyRequeued = {0};
        if (deadLog != null) {
            InFlightLog.forEachRecord(deadLog, (at, state, itemNumber) -> {
                if (state != InFlightLog.PENDING) {
                    return; // pending records left are final takes (see markNeverTaken)
                }
                queue.requeue(InFlightLog.payload(deadLog, at), number -> InFlightLog.setRequeuing(deadLog, at, number));
                CrashPoint.REQUEUE_APPENDED.reach();
                InFlightLog.setState(deadLog, at, InFlightLog.REQUEUED);
                newlyRequeued[0]++;
            });
            long[] counts = {done, 0};
            InFlightLog.forEachRecord(deadLog, (at, state, itemNumber) -> {
                if (state == InFlightLog.DONE) {
                    counts[0] = Math.max(counts[0], InFlightLog.ordinal(deadLog, at));
                } else if (state == InFlightLog.REQUEUED) {
                    counts[1]++;
                }
            });
            done = counts[0];
            requeued = counts[1];
        }
        header.setLongVolatile(RETIRING_COUNT, done + requeued);
        header.setLongVolatile(RETIRED_BEFORE, header.getLongVolatile(DONE_RETIRED));
        header.setLongVolatile(RETIRING_SLOT, i + 1);
        CrashPoint.RETIRE_JOURNALED.reach();
        finishRetiring();
        if (newlyRequeued[0] > 0) {
            Log.of(JoinableState.class).log(System.Logger.Level.WARNING,
                    "process {0} died holding {1} unfinished item(s) of joinable queue {2}: delivered again",
                    String.valueOf(Owner.pidOf(token)), newlyRequeued[0], header.name());
        }
    }

    /**
     * Carries out the retiring journaled in the header, if any, from wherever a recovery that
     * died left it (each step is idempotent; see the class notes).
     */
    private void finishRetiring() {
        long journal = header.getLongVolatile(RETIRING_SLOT);
        if (journal == 0) {
            return;
        }
        int i = (int) journal - 1;
        SharedSegment deadLog = namedLog(i);
        if (deadLog != null) {
            InFlightLog.remove(deadLog);
            CrashPoint.RETIRE_LOG_REMOVED.reach();
        }
        clearLogName(i);
        consumers.free(i);
        CrashPoint.RETIRE_SLOT_FREED.reach();
        long before = header.getLongVolatile(RETIRED_BEFORE);
        if (header.getLongVolatile(DONE_RETIRED) == before) {
            header.setLongVolatile(DONE_RETIRED, before + header.getLongVolatile(RETIRING_COUNT));
        }
        CrashPoint.RETIRE_COUNTED.reach();
        header.setLongVolatile(RETIRING_SLOT, 0);
    }

    /** @return the in-flight log that consumer slot {@code i} names, or null when none exists */
    private SharedSegment namedLog(int i) {
        String name = logNameInForce(header, i);
        if (name == null) {
            return null;
        }
        try {
            return SharedSegment.attach(header.treeId(), name);
        } catch (IllegalStateException gone) {
            return null; // its process died before the log existed, or it was removed already
        }
    }

    private void claimSlot() {
        long token = Owner.currentProcessToken();
        int claimed = consumers.claim(token, 0, 0);
        if (claimed < 0) {
            recoverDeadConsumersLocked(); // the caller holds the get lock
            claimed = consumers.claim(token, 0, 0);
        }
        if (claimed < 0) {
            throw new IllegalStateException("more than " + CONSUMER_SLOTS
                    + " live processes take items from this joinable queue");
        }
        String name = SharedSegment.reserveName("qflight"); // named before it exists: see ProcessRegistry
        nameLog(claimed, name);
        log = InFlightLog.create(name);
        slot = claimed;
    }

    /**
     * Names {@code name} as the in-flight log of consumer slot {@code i}: in the field of the
     * slot's pair that is not in force, then puts that field in force with one store (see
     * {@link QueueDescriptor}), so that a process killed on the way leaves the previous name.
     */
    private void nameLog(int i, String name) {
        long firstGeneration = header.getLongVolatile(logNameField(i, 0));
        long secondGeneration = header.getLongVolatile(logNameField(i, 1));
        int unused = logNameField(i, firstGeneration <= secondGeneration ? 0 : 1);
        SegmentNames.write(header, unused + Long.BYTES, name);
        CrashPoint.LOG_NAME_WRITTEN.reach();
        header.setLongVolatile(unused, Math.max(firstGeneration, secondGeneration) + 1);
    }

    /** Consumer slot {@code i} has no log any more: neither field of its pair is in force. */
    private void clearLogName(int i) {
        header.setLongVolatile(logNameField(i, 0), 0);
        header.setLongVolatile(logNameField(i, 1), 0);
    }

    /**
     * @param header a joinable queue's header
     * @param i a consumer slot
     * @return the name of that slot's in-flight log, the one in force (see {@link QueueDescriptor}); null when none is
     */
    static String logNameInForce(SharedSegment header, int i) {
        long firstGeneration = header.getLongVolatile(logNameField(i, 0));
        long secondGeneration = header.getLongVolatile(logNameField(i, 1));
        if (firstGeneration == 0 && secondGeneration == 0) {
            return null;
        }
        return SegmentNames.read(header, logNameField(i, firstGeneration >= secondGeneration ? 0 : 1) + Long.BYTES);
    }

    /** @return the offset of field {@code which} (0 or 1) of consumer slot {@code slot}'s pair: its generation, then the name */
    private static int logNameField(int slot, int which) {
        return CONSUMER_LOGS + slot * LOG_NAME_PAIR + which * NAME_SLOT;
    }
}
