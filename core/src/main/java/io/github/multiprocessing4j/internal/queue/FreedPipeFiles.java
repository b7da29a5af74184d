package io.github.multiprocessing4j.internal.queue;

import io.github.multiprocessing4j.internal.process.ProcessContext;
import io.github.multiprocessing4j.internal.shm.SharedSegment;
import io.github.multiprocessing4j.internal.util.Log;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;

/**
 * The files of pipes that this process made, used only itself and closed, kept for its next
 * pipes: a pipe made, used and closed in a loop (a pipe per request) then creates, reserves, maps
 * and removes no file.
 *
 * <p>Implementation notes. A pipe is one file holding the queues of its directions (two for a
 * duplex pipe, one for a one-way pipe) and its table of ends ({@link ByteQueue#createPair},
 * {@link ByteQueue#createHosted}, {@link PipeEnds}). Making it costs a file's creation, the
 * allocation of its first pages (zeros written) and a mapping, and its freeing the file's
 * removal: measured on the 2-core development VM (JDK 17), 54% and 7% of what a duplex pipe made,
 * given one message, read and closed cost once compiled (38 µs a pipe), CPython's {@code Pipe()}
 * the same way 12 µs. A file can be given to a new pipe only when no other process can come to
 * it, and no thread of this one can still be inside the old pipe:
 * <ul>
 * <li>no other process has or will have the pipe: its ends were made here and never serialized
 *     (not into a target, a task, a queue item, a message, nor the tree's table of static
 *     objects: {@link PipeEnds#isMadeHereOnly}), and both are closed here (the caller frees the
 *     pipe on the close of its second end, not on an {@code unlink()}, whose handles may be
 *     open), so nobody knows the file's name;</li>
 * <li>nothing of the pipe lives outside the file: its directions stayed in their first chunks
 *     ({@link ByteQueue#inFirstChunkOnly});</li>
 * <li>a receive or send of the old ends still under way in another thread (it passed its
 *     handle's closed check before the close) never sees the new pipe: the old queue handles are
 *     {@linkplain ByteQueue#retire retired} before the file is kept, so such an operation ends as
 *     on a closed queue. (A receive that sat on the old queue's board of waiters for long may
 *     free, as it leaves, a seat that a new receiver took in the same slot meanwhile: that
 *     receiver is then not rung and sees its message at its next look, 20 ms later at most.)</li>
 * </ul>
 * At most {@link #MAX_KEPT} files are kept (a program holds few pipes at once, and each kept file
 * holds its allocated pages, 16 KiB a direction at least); the others are removed as before. Kept
 * files go with {@link #discardAll} ({@code Multiprocessing.discardSpares()}), when the process
 * exits (an exit action), and with the tree; a file is given only to a pipe of the same number of
 * directions and of the tree it was made in, and only while it still exists (an ended tree
 * removed it).
 */
public final class FreedPipeFiles {
    /** The most files this process keeps. */
    static final int MAX_KEPT = 4;

    /** The kept files, the last kept on top; guarded by itself. */
    private static final Deque<Kept> KEPT = new ArrayDeque<>();
    /** Whether the exit action that removes the kept files is registered; guarded by {@link #KEPT}. */
    private static boolean removedAtExit;

    /** A kept file of {@code directions} queues. Its {@code equals} is never called: see {@link #take}. */
    private record Kept(SharedSegment file, int directions, int chunkSize) {
    }

    private FreedPipeFiles() {
    }

    /**
     * Keeps the file of a freed pipe for a next one, when it may be (see the class notes): the
     * caller has closed and drained its directions, and both ends were made here, never left this
     * process and are closed here.
     *
     * @param directions the pipe's queues in the order of its file (a duplex pipe's: the one into
     *     the left end first)
     * @return whether the file was kept; when not, the caller removes it
     */
    public static boolean keep(ByteQueue... directions) {
        SharedSegment file = directions[0].segment();
        if (!ByteQueue.fillOneFile(directions) || file.spilled()) {
            return false;
        }
        for (ByteQueue direction : directions) {
            if (!direction.inFirstChunkOnly()) {
                return false;
            }
        }
        synchronized (KEPT) {
            if (KEPT.size() >= MAX_KEPT) {
                return false;
            }
        }
        for (ByteQueue direction : directions) {
            direction.retire(); // without the monitor: it may wait for another thread's put or take to end
        }
        boolean registerExit;
        synchronized (KEPT) {
            if (KEPT.size() >= MAX_KEPT) {
                return false; // retired all the same: the caller removes the file
            }
            KEPT.push(new Kept(file, directions.length, directions[0].chunkSize()));
            registerExit = !removedAtExit;
            removedAtExit = true;
        }
        if (registerExit) {
            ProcessContext.current().onExit(FreedPipeFiles::discardAll);
        }
        return true;
    }

    /**
     * @return the queues of a kept file of {@code directions} queues made new
     *     ({@link ByteQueue#reopen}), or null when no such file of {@code chunkSize} and of this
     *     process's tree is kept
     */
    static ByteQueue[] take(int directions, int chunkSize) {
        SharedSegment file = null;
        synchronized (KEPT) {
            if (KEPT.isEmpty()) {
                return null;
            }
            String tree = SharedSegment.ownTreeId();
            for (Iterator<Kept> it = KEPT.iterator(); it.hasNext(); ) {
                Kept kept = it.next();
                if (kept.directions == directions && kept.chunkSize == chunkSize && kept.file.treeId().equals(tree)) {
                    it.remove(); // not remove(kept): a record's equals() is bootstrapped at its first call, tens of ms
                    file = kept.file;
                    break;
                }
            }
        }
        if (file == null) {
            return null;
        }
        if (!file.exists()) { // its tree ended
            return take(directions, chunkSize);
        }
        return ByteQueue.reopen(file, directions, chunkSize);
    }

    /** Removes every kept file. Idempotent; never throws (a file that cannot be removed goes with its tree). */
    public static void discardAll() {
        List<Kept> discarded;
        synchronized (KEPT) {
            discarded = new ArrayList<>(KEPT);
            KEPT.clear();
        }
        for (Kept kept : discarded) {
            try {
                kept.file.unlink();
            } catch (RuntimeException e) {
                Log.of(FreedPipeFiles.class).log(System.Logger.Level.DEBUG, "a kept pipe file could not be removed", e);
            }
        }
    }

    /** @return how many files are kept now, for tests */
    public static int keptCount() {
        synchronized (KEPT) {
            return KEPT.size();
        }
    }
}
