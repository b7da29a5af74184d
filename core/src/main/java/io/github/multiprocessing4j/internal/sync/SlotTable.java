package io.github.multiprocessing4j.internal.sync;

import io.github.multiprocessing4j.internal.shm.SharedSegment;

import static io.github.multiprocessing4j.internal.sync.SlotDescriptor.ARRIVAL;
import static io.github.multiprocessing4j.internal.sync.SlotDescriptor.STAKE;
import static io.github.multiprocessing4j.internal.sync.SlotDescriptor.START;
import static io.github.multiprocessing4j.internal.sync.SlotDescriptor.TOKEN;

/**
 * A fixed array of {@link SlotDescriptor slots} in a segment: who takes part in a primitive, so
 * that the others can find out who has died and recover what it held.
 *
 * <p>Implementation notes. A slot is taken with a compare-and-set of its token from 0 to the
 * taker's token, after which the taker writes its process's start ({@link Owner#start}); it is
 * given back by writing 0 to the token after everything else. Which of the stake and the arrival may change
 * under whom is each primitive's rule; a primitive reads and writes them through {@link #get}
 * and its relatives, with the name its descriptor gives them ({@code PERMITS_HELD},
 * {@code WAITER_STATE}, ...). Taking a slot scans from the start; a full table makes {@link #claim} return -1
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
     * Takes a free slot for {@code token}: a compare-and-set of its token, then its start
     * ({@link Owner#start}), stake and arrival are written.
     *
     * @return the slot's index, or -1 when no slot is free (the primitive may then free the
     *     slots of dead processes and try again)
     */
    public int claim(long token, long stake, long arrival) {
        return claim(token, Owner.currentStart(), stake, arrival);
    }

    /**
     * Takes a free slot, as {@link #claim(long, long, long)}, for a token of another process
     * whose {@linkplain Owner#start start} is {@code start} (a child the caller started).
     *
     * @return the slot's index, or -1 when no slot is free
     */
    public int claim(long token, long start, long stake, long arrival) {
        for (int i = 0; i < slots; i++) {
            if (segment.getLongVolatile(at(i, TOKEN)) == 0 && segment.compareAndSetLong(at(i, TOKEN), 0, token)) {
                segment.setLongVolatile(at(i, START), start);
                segment.setLongVolatile(at(i, STAKE), stake);
                segment.setLongVolatile(at(i, ARRIVAL), arrival);
                return i;
            }
        }
        return -1;
    }

    /**
     * Writes slot {@code i} for a caller that owns it by another rule than {@link #claim} (a
     * barrier's arrival index): the stake word is zeroed first and written last, and holds, beside
     * the stake, a check of what was written with it ({@link #checkedStake}). Two processes can
     * write one slot at once (one of them late, for an earlier stake); their stores can then
     * interleave, one's token and start under the other's stake: the check tells such a slot
     * from a consistent one, so a party is never judged by another's process.
     *
     * @param start the token's process's {@linkplain Owner#start start}
     * @param stake the stake, from 1 to {@code 2^31 - 1}
     * @param arrival when the caller arrived ({@link System#nanoTime}, the same clock in every
     *     process of the machine)
     */
    public void write(int i, long token, long start, long stake, long arrival) {
        segment.setLongVolatile(at(i, STAKE), 0);
        segment.setLongVolatile(at(i, TOKEN), token);
        segment.setLongVolatile(at(i, START), start);
        segment.setLongVolatile(at(i, ARRIVAL), arrival);
        segment.setLongVolatile(at(i, STAKE), checkedStake(stake, token, start, arrival));
    }

    /**
     * @return whether slot {@code i}, as {@link #write} wrote it with {@code stake} (read
     *     consistently: the same stake word before and after, which checks what was read), names
     *     a process that has died after waiting at least {@code minWaitNanos} since its arrival;
     *     false for a slot not written with that stake, or torn
     */
    public boolean isDeadWith(int i, long stake, long minWaitNanos) {
        long checked = get(i, STAKE);
        if ((int) checked != stake) {
            return false;
        }
        long token = token(i);
        long start = segment.getLongVolatile(at(i, START));
        long arrival = segment.getLongVolatile(at(i, ARRIVAL));
        if (get(i, STAKE) != checked || checked != checkedStake(stake, token, start, arrival)
                || System.nanoTime() - arrival < minWaitNanos) {
            return false;
        }
        return token != 0 && token != -1L && Owner.isDead(token, start);
    }

    /** @return the stake in the low half of a word and, in its high half, a hash of the rest of a slot */
    static long checkedStake(long stake, long token, long start, long arrival) {
        long h = token * 0x9E3779B97F4A7C15L ^ start * 0xC2B2AE3D27D4EB4FL ^ arrival * 0x165667B19E3779F9L ^ stake;
        h = (h ^ h >>> 33) * 0xFF51AFD7ED558CCDL;
        h ^= h >>> 33;
        return h << 32 | stake;
    }

    /** Gives slot {@code i} back: its stake and arrival are zeroed, then its token. */
    public void free(int i) {
        segment.setLongVolatile(at(i, STAKE), 0);
        segment.setLongVolatile(at(i, ARRIVAL), 0);
        segment.setLongVolatile(at(i, START), 0);
        segment.setLongRelease(at(i, TOKEN), 0);
    }

    /**
     * Frees the slot {@code i} of a process that died, when it still names {@code token}: a
     * compare-and-set of the token to a marker first, so that of several processes cleaning up
     * the same slot only one does, then the stake is read and cleared in one atomic step (so a
     * concurrent compare-and-set of it either lands before and is seen, or fails).
     *
     * @return the stake as it was, or -1 when another caller freed the slot first
     */
    public long takeFromDead(int i, long token) {
        if (!segment.compareAndSetLong(at(i, TOKEN), token, -1L)) {
            return -1;
        }
        long value = segment.getAndSetLong(at(i, STAKE), 0);
        free(i);
        return value;
    }

    /** @return the token in slot {@code i} (0 when free; -1 while being freed) */
    public long token(int i) {
        return segment.getLongVolatile(at(i, TOKEN));
    }

    /** @return whether slot {@code i} is taken by a process that has died */
    public boolean isDead(int i, long token) {
        return token != 0 && token != -1L && Owner.isDead(token, segment.getLongVolatile(at(i, START)));
    }

    /**
     * @param field {@link SlotDescriptor#STAKE} or {@link SlotDescriptor#ARRIVAL}, by the name the
     *     primitive's descriptor gives it
     * @return that word of slot {@code i}
     */
    public long get(int i, int field) {
        return segment.getLongVolatile(at(i, field));
    }

    /** Writes {@code field} of slot {@code i} (see {@link #get}). */
    public void set(int i, int field, long value) {
        segment.setLongVolatile(at(i, field), value);
    }

    /** @return whether {@code field} of slot {@code i} was {@code expected} and is now {@code value} */
    public boolean compareAndSet(int i, int field, long expected, long value) {
        return segment.compareAndSetLong(at(i, field), expected, value);
    }

    /** @return {@code field} of slot {@code i} before {@code delta} was added to it */
    public long getAndAdd(int i, int field, long delta) {
        return segment.getAndAddLong(at(i, field), delta);
    }

    private int at(int slot, int field) {
        return base + slot * SlotDescriptor.SIZE + field;
    }
}
