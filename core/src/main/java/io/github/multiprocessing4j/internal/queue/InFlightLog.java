package io.github.multiprocessing4j.internal.queue;

import io.github.multiprocessing4j.internal.shm.SharedSegment;

import java.util.ArrayDeque;

/**
 * The items one process got from a joinable queue, kept in a segment of their own until the
 * process calls {@code taskDone()} for them, so that another process can deliver them again if
 * this one dies first ({@link JoinableState}). Written only by its own process (under the
 * {@link JoinableState}'s monitor); read by others only once that process is dead.
 *
 * <pre>
 *  0               8
 *  +---------------+----------------------------------------------------------------+
 *  | end           | records ...
 *  +---------------+----------------------------------------------------------------+
 *  record:
 *  0       4       8               16              24
 *  +-------+-------+---------------+---------------+--------------------------------+
 *  | state | length| item number   | done ordinal  | payload (length bytes, padded to 8)
 *  +-------+-------+---------------+---------------+--------------------------------+
 *
 *  end           the offset after the last record
 *  state         1 pending (got, not done), 2 done, 3 delivered again after this process died;
 *                written last
 *  item number   the item's number in the queue: an item numbered at or above the queue's get
 *                count was never taken (its taker died before the take was final)
 *  done ordinal  for a done record, this process's taskDone() count including it: the count is
 *                also kept in the process's consumer slot, but written after the record, so
 *                a dead process's true count is the larger of the two
 * </pre>
 */
final class InFlightLog {
    static final int END = 0;
    static final int FIRST = 8;
    static final int STATE = 0;
    static final int LENGTH = 4;
    static final int ITEM_NUMBER = 8;
    static final int DONE_ORDINAL = 16;
    static final int PAYLOAD = 24;
    static final int PENDING = 1;
    static final int DONE = 2;
    static final int REQUEUED = 3;
    private static final int INITIAL_SIZE = 64 * 1024;

    private SharedSegment segment;
    /** Offsets of the pending records, oldest first. */
    private final ArrayDeque<Integer> pending = new ArrayDeque<>();
    /** Where an item's bytes pass from the queue's chunk to the log, reused (one writer: see the class comment). */
    private byte[] copyBuffer = new byte[256];

    private InFlightLog(SharedSegment segment) {
        this.segment = segment;
    }

    static InFlightLog create(String name) {
        SharedSegment segment = SharedSegment.createNamedSpillable(name, INITIAL_SIZE);
        segment.setLongVolatile(END, FIRST);
        return new InFlightLog(segment);
    }

    SharedSegment segment() {
        return segment;
    }

    int pendingCount() {
        return pending.size();
    }

    /**
     * Records an item as pending: a copy of the {@code length} bytes of its queue record at
     * {@code offset} of {@code chunk}. When the log has no room, it moves to a new, larger segment:
     * the caller then publishes the new name and unlinks the old segment, in that order.
     *
     * @return the segment the log was in before, when it moved; else null
     */
    SharedSegment append(long itemNumber, SharedSegment chunk, int offset, int length) {
        SharedSegment before = null;
        long size = recordSize(length);
        if (pending.isEmpty()) {
            segment.setLongVolatile(END, FIRST); // before any byte of the old records is overwritten
        }
        long end = segment.getLongVolatile(END);
        if (end + size > segment.size()) {
            SharedSegment larger = SharedSegment.createSpillable("qflight", Math.max(2L * segment.size(), pendingBytes() + size + FIRST));
            end = copyPendingTo(larger);
            before = segment;
            segment = larger;
        }
        int at = (int) end;
        segment.setIntRelease(at + LENGTH, length);
        segment.setLongRelease(at + ITEM_NUMBER, itemNumber);
        if (copyBuffer.length < length) {
            copyBuffer = new byte[Math.max(length, 2 * copyBuffer.length)];
        }
        chunk.getBytes(offset, copyBuffer, 0, length);
        segment.putBytes(at + PAYLOAD, copyBuffer, 0, length);
        segment.setIntRelease(at + STATE, PENDING);
        segment.setLongVolatile(END, end + size);
        pending.addLast(at);
        return before;
    }

    /** Marks the oldest pending record done, with the process's done count including it. */
    void finishOldest(long doneOrdinal) {
        int at = pending.removeFirst();
        segment.setLongRelease(at + DONE_ORDINAL, doneOrdinal);
        segment.setIntVolatile(at + STATE, DONE);
    }

    void unlink() {
        segment.unlink();
    }

    /**
     * Reads the log of a dead process: gives each pending record to {@code pendingItem} (item
     * number, payload) and marks it delivered again, and returns the largest done ordinal.
     */
    static long recover(SharedSegment log, PendingItem pendingItem) {
        long end = Math.min(log.getLongVolatile(END), log.size());
        long doneOrdinal = 0;
        for (int at = FIRST; at + PAYLOAD <= end; ) {
            int length = log.getIntVolatile(at + LENGTH);
            int state = log.getIntVolatile(at + STATE);
            if (state == DONE) {
                doneOrdinal = Math.max(doneOrdinal, log.getLongVolatile(at + DONE_ORDINAL));
            } else if (state == PENDING) {
                byte[] record = new byte[length];
                log.getBytes(at + PAYLOAD, record, 0, length);
                pendingItem.accept(log.getLongVolatile(at + ITEM_NUMBER), record);
                log.setIntVolatile(at + STATE, REQUEUED);
            }
            at += recordSize(length);
        }
        return doneOrdinal;
    }

    /** @return the bytes a record with {@code length} payload bytes takes (8-aligned) */
    private static int recordSize(int length) {
        return PAYLOAD + ((length + 7) & ~7);
    }

    /** What recovery does with a dead process's pending item: its number and its queue record's bytes. */
    interface PendingItem {
        void accept(long itemNumber, byte[] record);
    }

    private long pendingBytes() {
        long bytes = 0;
        for (int at : pending) {
            bytes += recordSize(segment.getIntVolatile(at + LENGTH));
        }
        return bytes;
    }

    /** Copies the pending records, in order, to the start of {@code target}; returns the end. */
    private long copyPendingTo(SharedSegment target) {
        int end = FIRST;
        int count = pending.size();
        for (int i = 0; i < count; i++) {
            int at = pending.removeFirst();
            int length = segment.getIntVolatile(at + LENGTH);
            byte[] payload = new byte[length];
            segment.getBytes(at + PAYLOAD, payload, 0, length);
            target.setIntRelease(end + LENGTH, length);
            target.setLongRelease(end + ITEM_NUMBER, segment.getLongVolatile(at + ITEM_NUMBER));
            target.putBytes(end + PAYLOAD, payload, 0, length);
            target.setIntRelease(end + STATE, PENDING);
            pending.addLast(end);
            end += recordSize(length);
        }
        target.setLongVolatile(END, end);
        return end;
    }
}
