package io.github.multiprocessing4j.internal.queue;

import io.github.multiprocessing4j.internal.shm.SharedSegment;

import java.util.ArrayDeque;

/**
 * The items one process got from a joinable queue, kept in a segment of their own until the
 * process calls {@code taskDone()} for them, so that another process can deliver them again if
 * this one dies first ({@link JoinableState}). Written by its own process (under the
 * {@link JoinableState}'s monitor) while it lives; once it is dead, by the process recovering it
 * (under the queue's get lock).
 *
 * <pre>
 *  0               8                               64                              120
 *  +---------------+-------------------------------+-------------------------------+--------------
 *  | end           | next (a segment name field)   | previous (a segment name field)| records ...
 *  +---------------+-------------------------------+-------------------------------+--------------
 *  record:
 *  0       4       8               16              24
 *  +-------+-------+---------------+---------------+--------------------------------+
 *  | state | length| item number   | ordinal       | payload (length bytes, padded to 8)
 *  +-------+-------+---------------+---------------+--------------------------------+
 *
 *  end           the offset after the last record
 *  next          while the log grows: the name of the larger segment it moves to, written
 *                before that segment exists (0 length when none)
 *  previous      in the larger segment, until the old one is removed: the old one's name
 *  state         1 pending (got, not done), 2 done, 3 delivered again after this process died,
 *                4 being delivered again (ordinal = the number it is put back as), 5 never
 *                taken (its taker died before the take was final); written last
 *  item number   the item's number in the queue
 *  ordinal       for a done record, this process's taskDone() count including it: the count is
 *                also kept in the process's consumer slot, but written after the record, so
 *                a dead process's true count is the larger of the two
 * </pre>
 *
 * <p>Implementation notes. When the log has no room it moves to a larger segment, in the
 * order that leaves no file nobody knows of, whatever step the process dies at: the new name
 * goes into "next" of the old log, then the segment is made (with "previous" naming the old one)
 * and the pending records copied; the caller then names it in the queue's header and removes the
 * old log, and "previous" is cleared. Recovery reads the log the header names and removes what
 * its "next" and "previous" name ({@link #remove}): a "next" that was never published, an old log
 * that was not removed yet.
 */
final class InFlightLog {
    static final int END = 0;
    static final int NEXT = 8;
    static final int PREVIOUS = NEXT + SegmentNames.FIELD_SIZE;
    static final int FIRST = PREVIOUS + SegmentNames.FIELD_SIZE;
    static final int STATE = 0;
    static final int LENGTH = 4;
    static final int ITEM_NUMBER = 8;
    static final int ORDINAL = 16;
    static final int PAYLOAD = 24;
    static final int PENDING = 1;
    static final int DONE = 2;
    static final int REQUEUED = 3;
    static final int REQUEUING = 4;
    static final int NEVER_TAKEN = 5;
    private static final int INITIAL_SIZE = 64 * 1024;

    private SharedSegment segment;
    /** Offsets of the pending records, oldest first. */
    private final ArrayDeque<Integer> pending = new ArrayDeque<>();

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
     * the caller then publishes the new name, unlinks the old segment and calls {@link #moved()},
     * in that order (see the class notes).
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
            String name = SharedSegment.reserveName("qflight");
            SegmentNames.write(segment, NEXT, name); // named before it exists (see the class notes)
            CrashPoint.LOG_GROWTH_NAMED.reach();
            SharedSegment larger = SharedSegment.createNamedSpillable(name, Math.max(2L * segment.size(), pendingBytes() + size + FIRST));
            SegmentNames.write(larger, PREVIOUS, segment.name());
            end = copyPendingTo(larger);
            before = segment;
            segment = larger;
        }
        int at = (int) end;
        segment.setIntRelease(at + LENGTH, length);
        segment.setLongRelease(at + ITEM_NUMBER, itemNumber);
        chunk.copyTo(offset, segment, at + PAYLOAD, length);
        segment.setIntRelease(at + STATE, PENDING);
        segment.setLongVolatile(END, end + size);
        pending.addLast(at);
        if (before != null) {
            CrashPoint.LOG_GROWTH_MADE.reach();
        }
        return before;
    }

    /** The log moved (see {@link #append}) and the old segment is gone: "previous" is cleared. */
    void moved() {
        segment.setIntVolatile(PREVIOUS, 0);
    }

    /** Takes back the newest record: its take did not happen (the reader refused it); it is marked never taken. */
    void dropNewest() {
        int at = pending.removeLast();
        segment.setIntVolatile(at + STATE, NEVER_TAKEN);
    }

    /** Marks the oldest pending record done, with the process's done count including it. */
    void finishOldest(long doneOrdinal) {
        int at = pending.removeFirst();
        segment.setLongRelease(at + ORDINAL, doneOrdinal);
        segment.setIntVolatile(at + STATE, DONE);
    }

    void unlink() {
        segment.unlink();
    }

    // ------------------------------------------------------------- the log of a dead process

    /** What recovery does with a record of a dead process's log. */
    interface RecordVisitor {
        /**
         * @param at the record's offset
         * @param state its state
         * @param itemNumber the item's number in the queue
         */
        void visit(int at, int state, long itemNumber);
    }

    /**
     * Gives every record of {@code log} (a dead process's) to {@code visitor}, oldest first. A log
     * shorter than its header has none: its process was killed while it made the file, which is
     * created empty and then sized ({@code SegmentSpace.reserve}), before it took anything.
     */
    static void forEachRecord(SharedSegment log, RecordVisitor visitor) {
        if (!hasHeader(log)) {
            return;
        }
        long end = Math.min(log.getLongVolatile(END), log.size());
        for (int at = FIRST; at + PAYLOAD <= end; ) {
            int length = log.getIntVolatile(at + LENGTH);
            visitor.visit(at, log.getIntVolatile(at + STATE), log.getLongVolatile(at + ITEM_NUMBER));
            at += recordSize(length);
        }
    }

    /** @return the queue record's bytes kept in the record at {@code at} */
    static byte[] payload(SharedSegment log, int at) {
        return log.getBytes(at + PAYLOAD, log.getIntVolatile(at + LENGTH));
    }

    /** @return the ordinal of the record at {@code at} (a done count, or the number it is put back as) */
    static long ordinal(SharedSegment log, int at) {
        return log.getLongVolatile(at + ORDINAL);
    }

    static void setState(SharedSegment log, int at, int state) {
        log.setIntVolatile(at + STATE, state);
    }

    /** Marks the record at {@code at} as being put back as item {@code number}: the ordinal, then the state. */
    static void setRequeuing(SharedSegment log, int at, long number) {
        log.setLongVolatile(at + ORDINAL, number);
        log.setIntVolatile(at + STATE, REQUEUING);
    }

    /**
     * Removes a dead process's log, and the segments its "next" and "previous" name (see the class
     * notes); a log shorter than its header names none (see {@link #forEachRecord}).
     */
    static void remove(SharedSegment log) {
        for (int field : new int[] {NEXT, PREVIOUS}) {
            if (hasHeader(log) && log.getIntVolatile(field) > 0) {
                SharedSegment.unlink(log.treeId(), SegmentNames.read(log, field));
            }
        }
        log.unlink();
    }

    /** @return whether {@code log} is long enough for its header: its process lived to size its file */
    private static boolean hasHeader(SharedSegment log) {
        return log.size() >= FIRST;
    }

    /** @return the bytes a record with {@code length} payload bytes takes (8-aligned) */
    private static int recordSize(int length) {
        return PAYLOAD + ((length + 7) & ~7);
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
            target.setIntRelease(end + LENGTH, length);
            target.setLongRelease(end + ITEM_NUMBER, segment.getLongVolatile(at + ITEM_NUMBER));
            segment.copyTo(at + PAYLOAD, target, end + PAYLOAD, length);
            target.setIntRelease(end + STATE, PENDING);
            pending.addLast(end);
            end += recordSize(length);
        }
        target.setLongVolatile(END, end);
        return end;
    }
}
