package io.github.multiprocessing4j.internal.queue;

import io.github.multiprocessing4j.internal.shm.SharedSegment;
import io.github.multiprocessing4j.internal.sync.Owner;
import io.github.multiprocessing4j.internal.sync.SlotTable;
import io.github.multiprocessing4j.internal.sync.Wait;
import io.github.multiprocessing4j.internal.util.Log;

import static io.github.multiprocessing4j.internal.queue.QueueDescriptor.CONSUMERS;
import static io.github.multiprocessing4j.internal.queue.QueueDescriptor.CONSUMER_LOGS;
import static io.github.multiprocessing4j.internal.queue.QueueDescriptor.CONSUMER_SLOTS;
import static io.github.multiprocessing4j.internal.queue.QueueDescriptor.DONE_RETIRED;
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
 * <p>A process that finds a slot whose process died (waiting consumers and {@code join()} look
 * every {@link Wait#LIVENESS_CHECK_NANOS}) recovers it under the get lock: every pending item of
 * the dead process that had really been taken (its number is below the get count) is put back
 * at the tail, then the slot is freed, then its done count plus the items put back go to "done
 * retired" (the put-back items are counted again as new puts). A process that finished all it
 * got leaves only its count. The recovery is idempotent per item (each is marked once put
 * back), except that a recovering process killed between freeing the slot and adding the
 * count loses that count.
 */
public final class JoinableState {
    private final ByteQueue queue;
    private final JoinableStates table;
    private final SharedSegment header;
    private final SlotTable consumers;
    private int slot = -1;
    private InFlightLog log;
    private long doneCount;

    JoinableState(ByteQueue queue, JoinableStates table) {
        this.queue = queue;
        this.table = table;
        this.header = queue.header();
        this.consumers = new SlotTable(header, CONSUMERS, CONSUMER_SLOTS);
    }

    /**
     * @return a reader that copies each record it reads into this process's in-flight log, then
     *     reads it with {@code reader}: what a take of a joinable queue reads with
     */
    public <T> ByteQueue.RecordReader<T> recording(ByteQueue.RecordReader<T> reader) {
        return (segment, offset, length, itemNumber) -> {
            taking(itemNumber, segment, offset, length);
            return reader.read(segment, offset, length, itemNumber);
        };
    }

    /** Records an item this process is taking (called under the get lock, before the take is final). */
    private synchronized void taking(long itemNumber, SharedSegment chunk, int offset, int length) {
        if (slot < 0) {
            claimSlot();
        }
        SharedSegment before = log.append(itemNumber, chunk, offset, length);
        if (before != null) {
            SegmentNames.write(header, logName(slot), log.segment().name());
            before.unlink();
        }
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
        consumers.set(slot, STAKE, doneCount);
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
        });
    }

    /** Delivers again what consumers that died had got and not finished (see the class notes). */
    public void recoverDeadConsumers() {
        if (anyDeadConsumer()) {
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
            if (header.getIntVolatile(logName(i)) > 0) {
                SharedSegment.unlink(header.treeId(), SegmentNames.read(header, logName(i)));
            }
        }
    }

    private boolean anyDeadConsumer() {
        for (int i = 0; i < CONSUMER_SLOTS; i++) {
            if (consumers.isDead(i, consumers.token(i))) {
                return true;
            }
        }
        return false;
    }

    private void recoverDeadConsumersLocked() {
        for (int i = 0; i < CONSUMER_SLOTS; i++) {
            long token = consumers.token(i);
            if (!consumers.isDead(i, token)) {
                continue;
            }
            long done = consumers.get(i, STAKE);
            long[] requeued = {0};
            SharedSegment deadLog = null;
            if (header.getIntVolatile(logName(i)) > 0) {
                String name = SegmentNames.read(header, logName(i));
                try {
                    deadLog = SharedSegment.attach(header.treeId(), name);
                } catch (IllegalStateException gone) {
                    deadLog = null; // it died before its log existed
                }
            }
            if (deadLog != null) {
                long getCount = queue.getCount();
                done = Math.max(done, InFlightLog.recover(deadLog, (number, record) -> {
                    if (number < getCount) {
                        queue.requeue(record);
                        requeued[0]++;
                    }
                }));
            }
            header.setIntVolatile(logName(i), 0);
            consumers.free(i);
            header.getAndAddLong(DONE_RETIRED, done + requeued[0]);
            if (deadLog != null) {
                deadLog.unlink();
            }
            if (requeued[0] > 0) {
                Log.of(JoinableState.class).log(System.Logger.Level.WARNING,
                        "process {0} died holding {1} unfinished item(s) of joinable queue {2}: delivered again",
                        String.valueOf(Owner.pidOf(token)), requeued[0], header.name());
            }
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
        SegmentNames.write(header, logName(claimed), name);
        log = InFlightLog.create(name);
        slot = claimed;
    }

    private static int logName(int slot) {
        return CONSUMER_LOGS + slot * SegmentNames.FIELD_SIZE;
    }
}
