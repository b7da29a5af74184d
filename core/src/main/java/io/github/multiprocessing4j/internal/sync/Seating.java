package io.github.multiprocessing4j.internal.sync;

import java.util.List;

/**
 * Where a {@link Wait} sits so that the process that makes the change it waits for rings it:
 * one object's {@link WaiterBoard}, or the boards of several objects ({@link #onEach}) for a wait
 * that ends when any of them changes ({@code Multiprocessing.waitAny}).
 */
public interface Seating {
    /**
     * Seats {@code pid}.
     *
     * @return its seat, for {@link #leave}; -1 when it found none free
     */
    int sit(int pid);

    /**
     * Seats {@code pid} only when that leaves a seat free, for a wait whose process only its
     * parent rings ({@link Doorbell#LIFELINE_SEAT}): a seat left by such a process that died is
     * never freed by a ring, so these seats must not fill a board that other waits sit on.
     *
     * @return its seat, for {@link #leave}; -1 when it was not seated
     */
    default int sitLeavingOneFree(int pid) {
        return -1;
    }

    /** Frees {@code seat}, what {@link #sit} returned, when {@code pid} holds it. */
    void leave(int seat, int pid);

    /**
     * @param boards the boards of the objects a wait waits on, at least one
     * @return a seating on every one of them, for one wait only (it keeps the seats it takes)
     */
    static Seating onEach(List<WaiterBoard> boards) {
        return new SeatsOnEach(boards);
    }

    /** A seat on each of several boards (one wait's: not thread-safe). */
    final class SeatsOnEach implements Seating {
        private final WaiterBoard[] boards;
        private final int[] seats;

        private SeatsOnEach(List<WaiterBoard> boards) {
            if (boards.isEmpty()) {
                throw new IllegalArgumentException("no board to sit on");
            }
            this.boards = boards.toArray(new WaiterBoard[0]);
            this.seats = new int[this.boards.length];
        }

        /** @return 0 when it sat on at least one board (a ring from any of those objects comes), else -1 */
        @Override
        public int sit(int pid) {
            return sitOnEach(pid, false);
        }

        /** @return 0 when it sat on at least one board, each seat leaving one of its board's free, else -1 */
        @Override
        public int sitLeavingOneFree(int pid) {
            return sitOnEach(pid, true);
        }

        private int sitOnEach(int pid, boolean leavingOneFree) {
            boolean seated = false;
            for (int i = 0; i < boards.length; i++) {
                seats[i] = leavingOneFree ? boards[i].sitLeavingOneFree(pid) : boards[i].sit(pid);
                seated |= seats[i] >= 0;
            }
            return seated ? 0 : -1;
        }

        @Override
        public void leave(int seat, int pid) {
            for (int i = 0; i < boards.length; i++) {
                if (seats[i] >= 0) {
                    boards[i].leave(seats[i], pid);
                    seats[i] = -1;
                }
            }
        }
    }
}
