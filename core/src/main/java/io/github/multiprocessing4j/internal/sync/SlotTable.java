package io.github.multiprocessing4j.internal.sync;

import io.github.multiprocessing4j.internal.shm.SharedSegment;

import static io.github.multiprocessing4j.internal.sync.SlotDescriptor.TICKS;
import static io.github.multiprocessing4j.internal.sync.SlotDescriptor.TOKEN;
import static io.github.multiprocessing4j.internal.sync.SlotDescriptor.VALUE_A;
import static io.github.multiprocessing4j.internal.sync.SlotDescriptor.VALUE_B;

/**
 * A fixed array of {@link SlotDescriptor slots} in a segment: who takes part in a primitive, so
 * that the others can find out who has died and recover what it held.
 *
 * <p>Implementation notes. A slot is taken with a compare-and-set of its token from 0 to the
 * taker's token, after which the taker writes its process's start ticks; it is given back by
 * writing 0 to the token after everything else. Which of the two values may change under whom is
 * each primitive's rule. Taking a slot scans from the start; a full table makes {@link #claim} return -1
 * and the primitive decide (typically: recover the slots of dead processes, try again).
 */
public final class SlotTable {
    private final SharedSegment segment;
    private final int base;
    private final int slots;

    /**
     * @param segment the segment holding the table
     * @param base the offset of slot 0 (8-aligned)
     * @param slots how many slots there are
     */
    public SlotTable(SharedSegment segment, int base, int slots) {
        this.segment = segment;
        this.base = base;
        this.slots = slots;
    }

    /** @return the number of bytes a table of {@code slots} slots takes */
    public static int bytes(int slots) {
        return slots * SlotDescriptor.SIZE;
    }

    /** @return how many slots there are */
    public int size() {
        return slots;
    }

    /**
     * Takes a free slot for {@code token}: a compare-and-set of its token, then its ticks and
     * values are written.
     *
     * @return the slot's index, or -1 when no slot is free (the primitive may then free the
     *     slots of dead processes and try again)
     */
    public int claim(long token, long valueA, long valueB) {
        for (int i = 0; i < slots; i++) {
            if (segment.getLongVolatile(at(i, TOKEN)) == 0 && segment.compareAndSetLong(at(i, TOKEN), 0, token)) {
                segment.setLongVolatile(at(i, TICKS), Owner.currentTicks());
                segment.setLongVolatile(at(i, VALUE_A), valueA);
                segment.setLongVolatile(at(i, VALUE_B), valueB);
                return i;
            }
        }
        return -1;
    }

    /**
     * Writes slot {@code i} for a caller that owns it by another rule than {@link #claim} (a
     * barrier's arrival index): value A is zeroed first and written last, so that a reader that
     * sees the same non-zero value A before and after reading the token and ticks has read a
     * consistent slot.
     */
    public void write(int i, long token, long valueA) {
        segment.setLongVolatile(at(i, VALUE_A), 0);
        segment.setLongVolatile(at(i, TOKEN), token);
        segment.setLongVolatile(at(i, TICKS), Owner.currentTicks());
        segment.setLongVolatile(at(i, VALUE_A), valueA);
    }

    /**
     * @return whether slot {@code i}, read consistently with value A equal to {@code valueA}
     *     (see {@link #write}), names a process that has died
     */
    public boolean isDeadWith(int i, long valueA) {
        if (valueA(i) != valueA) {
            return false;
        }
        long token = token(i);
        long ticks = segment.getLongVolatile(at(i, TICKS));
        if (valueA(i) != valueA) {
            return false;
        }
        return token != 0 && token != -1L && Owner.isDead(token, ticks);
    }

    /** Gives slot {@code i} back: its values are zeroed, then its token. */
    public void free(int i) {
        segment.setLongVolatile(at(i, VALUE_A), 0);
        segment.setLongVolatile(at(i, VALUE_B), 0);
        segment.setLongVolatile(at(i, TICKS), 0);
        segment.setLongRelease(at(i, TOKEN), 0);
    }

    /**
     * Frees the slot {@code i} of a process that died, when it still names {@code token}: a
     * compare-and-set of the token to a marker first, so that of several processes cleaning up
     * the same slot only one does, then value A is read and cleared in one atomic step (so a
     * concurrent compare-and-set of it either lands before and is seen, or fails).
     *
     * @return value A as it was, or -1 when another caller freed the slot first
     */
    public long takeFromDead(int i, long token) {
        if (!segment.compareAndSetLong(at(i, TOKEN), token, -1L)) {
            return -1;
        }
        long value = segment.getAndSetLong(at(i, VALUE_A), 0);
        free(i);
        return value;
    }

    /** @return the token in slot {@code i} (0 when free; -1 while being freed) */
    public long token(int i) {
        return segment.getLongVolatile(at(i, TOKEN));
    }

    /** @return whether slot {@code i} is taken by a process that has died */
    public boolean isDead(int i, long token) {
        return token != 0 && token != -1L && Owner.isDead(token, segment.getLongVolatile(at(i, TICKS)));
    }

    public long valueA(int i) {
        return segment.getLongVolatile(at(i, VALUE_A));
    }

    public void setValueA(int i, long value) {
        segment.setLongVolatile(at(i, VALUE_A), value);
    }

    public boolean compareAndSetValueA(int i, long expected, long value) {
        return segment.compareAndSetLong(at(i, VALUE_A), expected, value);
    }

    public long getAndSetValueA(int i, long value) {
        return segment.getAndSetLong(at(i, VALUE_A), value);
    }

    public long getAndAddValueA(int i, long delta) {
        return segment.getAndAddLong(at(i, VALUE_A), delta);
    }

    public long valueB(int i) {
        return segment.getLongVolatile(at(i, VALUE_B));
    }

    private int at(int slot, int field) {
        return base + slot * SlotDescriptor.SIZE + field;
    }
}
