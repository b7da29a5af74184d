package io.github.multiprocessing4j.internal.sync;

import io.github.multiprocessing4j.internal.shm.SharedSegment;

/**
 * Where the processes waiting for one shared object put their names, so that the process
 * that changes the object can ring their {@linkplain Doorbell doorbells}: a few words of the
 * object's segment, at an offset its descriptor gives: one word (two seats) or two (four).
 *
 * <pre>
 *  0               4               8               12              16
 *  +---------------+---------------+---------------+---------------+
 *  | seat 0: pid   | seat 1: pid   | seat 2: pid   | seat 3: pid   |
 *  +---------------+---------------+---------------+---------------+
 *                                  (a board of two seats ends at 8)
 *
 *  pid   a process with a thread in a wait of a millisecond or more on the object, whose
 *        doorbell listens (0: the seat is free), or, with bit 30 set
 *        ({@link Doorbell#LIFELINE_SEAT}), a child with such a thread and no doorbell yet,
 *        which only its parent rings (through the child's lifeline); two
 *        seats to a word, each word changed by compare-and-set as a whole
 * </pre>
 *
 * <p>Implementation notes. A wait sits down once it has parked a millisecond ({@link Wait}'s
 * board argument), when its process's doorbell listens; a child's wait, until it is long (half a
 * second), sits as a lifeline seat unless its doorbell is there already: its parent rings it
 * through the pipe it holds to the child's stdin, and other processes leave such a seat alone, so
 * that a child makes no doorbell for a wait of a few milliseconds. Without the early seats, a
 * child that waited a few milliseconds to a few hundred for its parent's item saw it 0.3-1.6 ms
 * late (median), up to 2 ms, against CPython's 0.2-0.5 ms, and a pool's answer to a task of 5 ms
 * came 1 ms late (median) against CPython's 0.2. A steady stream never writes the board (a consumer that finds an item within a
 * millisecond never sits), and the side that changes the object pays a read of a line nobody writes
 * ({@link #ring}: a word per two seats) per change. A lock's release is short enough for that
 * read to show (5-8% of an uncontended acquire+release pair, and of two processes incrementing
 * under the lock, measured), so the boards of a lock, a semaphore, an event and a barrier have
 * two seats (one word), a queue's and a condition's four. A wait that finds every seat taken polls as before; so
 * does one whose ring is lost: a waiter that sits down while a change is being made may miss the
 * ring of that change (the changer's read of the board is not ordered after its own store of the
 * change, to keep a fence off every put), and sees it on its next look, as without a board. A
 * seat left by a process that died is freed by the first ring that finds its doorbell gone
 * ({@link Doorbell#ring}); a pid reused by another process with a doorbell gets a wake-up too many
 * now and then, nothing worse.
 */
public final class WaiterBoard implements Seating {
    /** Bytes a board of two seats takes in its segment: one word, aligned on 8. */
    public static final int TWO_SEATS = 8;
    /** Bytes a board of four seats takes: two words. */
    public static final int FOUR_SEATS = 16;
    private static final long LOW = 0xffff_ffffL;

    private final SharedSegment segment;
    private final int offset;
    private final int words;

    /**
     * @param segment the object's segment
     * @param offset where the board is, zeroed when the segment was made
     * @param bytes {@link #TWO_SEATS} or {@link #FOUR_SEATS}
     */
    public WaiterBoard(SharedSegment segment, int offset, int bytes) {
        if (bytes != TWO_SEATS && bytes != FOUR_SEATS) {
            throw new IllegalArgumentException("a board takes 8 or 16 bytes, not " + bytes);
        }
        this.segment = segment;
        this.offset = offset;
        this.words = bytes / 8;
    }

    /**
     * Rings the doorbell of every process seated: for the caller that has just made a change a
     * waiter may be waiting for (after the change). Never blocks: a ring is a non-blocking write
     * ({@link Doorbell#ring}), and nothing at all while no one is seated.
     *
     * @return whether anyone was seated (rung now, or a moment ago)
     */
    public boolean ring() {
        long word = segment.getLongVolatile(offset);
        boolean seated = word != 0;
        if (seated) {
            ringWord(word, 0);
        }
        if (words == 2) {
            long second = segment.getLongVolatile(offset + 8);
            if (second != 0) {
                seated = true;
                ringWord(second, 2);
            }
        }
        return seated;
    }

    private void ringWord(long word, int firstSeat) {
        ringSeat(word, firstSeat);
        ringSeat(word >>> 32, firstSeat + 1);
    }

    private void ringSeat(long half, int seat) {
        int pid = (int) (half & LOW);
        if (pid != 0) {
            Doorbell.ring(pid, this, seat);
        }
    }

    /**
     * Seats {@code pid}.
     *
     * @return the seat, for {@link #leave}; -1 when every seat is taken
     */
    @Override
    public int sit(int pid) {
        for (int w = 0; w < words; w++) {
            int at = offset + 8 * w;
            while (true) {
                long word = segment.getLongVolatile(at);
                int half = (word & LOW) == 0 ? 0 : (word >>> 32) == 0 ? 1 : -1;
                if (half < 0) {
                    break;
                }
                if (segment.compareAndSetLong(at, word, word | (pid & LOW) << (32 * half))) {
                    return 2 * w + half;
                }
            }
        }
        return -1;
    }

    /**
     * Seats {@code pid} when at least two seats are free, as a look at the board finds them (two
     * waits that sit at once may both take one).
     *
     * @return the seat, for {@link #leave}; -1 when it was not seated
     */
    @Override
    public int sitLeavingOneFree(int pid) {
        int free = 0;
        for (int w = 0; w < words; w++) {
            long word = segment.getLongVolatile(offset + 8 * w);
            free += ((word & LOW) == 0 ? 1 : 0) + ((word >>> 32) == 0 ? 1 : 0);
        }
        return free >= 2 ? sit(pid) : -1;
    }

    /** Frees {@code seat} when {@code pid} holds it: a waiter leaving, or a ring that found {@code pid}'s doorbell gone. */
    @Override
    public void leave(int seat, int pid) {
        int at = offset + 8 * (seat / 2);
        int shift = 32 * (seat % 2);
        while (true) {
            long word = segment.getLongVolatile(at);
            if ((word >>> shift & LOW) != (pid & LOW)) {
                return;
            }
            if (segment.compareAndSetLong(at, word, word & ~(LOW << shift))) {
                return;
            }
        }
    }

    /** @return the pid in {@code seat}, 0 when free (for tests) */
    int seated(int seat) {
        return (int) (segment.getLongVolatile(offset + 8 * (seat / 2)) >>> (32 * (seat % 2)) & LOW);
    }
}
