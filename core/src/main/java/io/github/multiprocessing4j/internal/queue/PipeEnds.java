package io.github.multiprocessing4j.internal.queue;

import io.github.multiprocessing4j.internal.os.Platform;
import io.github.multiprocessing4j.internal.serial.Wire;
import io.github.multiprocessing4j.internal.shm.SharedSegment;
import io.github.multiprocessing4j.internal.sync.Owner;
import io.github.multiprocessing4j.internal.sync.SlotTable;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Who uses each end of a pipe, so that a receiver can tell that nobody will ever send again: every
 * process that used the other end closed it or has died, or the pipe was unlinked. The items
 * themselves travel through one {@link ByteQueue} per direction.
 *
 * <pre>
 *  0               8               16              24              32              40
 *  +---------------+---------------+---------------+---------------+---------------+
 *  | closed 0      | closed 1      | used 0        | used 1        | released      |
 *  +---------------+---------------+---------------+---------------+---------------+
 *  | users of end 0: a {@link SlotTable} of {@value #USER_SLOTS} slots                                  | 40
 *  | users of end 1: the same                                                                           |
 *  +---------------+---------------+---------------+---------------+---------------+
 *
 *  closed n   1 once end n was closed for every process (the pipe was unlinked)
 *  used n     1 once some process used end n (sent or received on it, or received the end
 *             itself from another process), or once a child whose target carries it was spawned,
 *             or once the only process that could have it closed it
 *  released   1 once some process took on freeing the pipe's memory (compare-and-set: one does)
 *  users n    the processes that use end n (process tokens): a process's slot is given back when
 *             it closes its end (Python's per-process close()), and a slot whose process died is
 *             freed by whoever finds it
 * </pre>
 *
 * <p>An end is gone once it was closed for every process, or was used and has no live user: every
 * process that used it closed its copy or died (Python's EOF once every copy of the other end is
 * closed, with death counted as a close). The pipe's memory goes once both ends are gone, freed
 * by the process whose close made it so (or by an unlink); when the last user of an end dies
 * instead of closing, it goes with the tree.
 *
 * <p>The table lives in the spare bytes of the header page of the pipe's first direction queue
 * (the one into the left end, which every pipe has: {@link ByteQueue#hostedArea}), not in a
 * segment of its own; a duplex pipe's two queues share one file ({@link ByteQueue#createPair}),
 * and a one-way pipe's queue is alone in its own ({@link ByteQueue#createHosted}), so any pipe is
 * one file, which its queues never remove. The pipe's freeing closes and drains its queues, then
 * removes that file ({@link #unlinkHost}); until then it stays, whichever direction is done with:
 * a process that decodes an end later (a child started after the other end's users closed it)
 * finds it.
 *
 * <p>An end that nobody has used yet is not gone: it may still be on its way to a child that has
 * not started. An end in a child's target is the child's from its spawn, before the child runs
 * ({@link Handover}): the parent records the child as a user of it, so that a child that dies
 * before it touches the end (a failed boot, an exit first thing) leaves it gone.
 */
public final class PipeEnds implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final int CLOSED = 0;
    private static final int USED = 16;
    private static final int RELEASED = 32;
    private static final int USERS = 40;
    static final int USER_SLOTS = 16;
    static final int SIZE = USERS + 2 * SlotTable.bytes(USER_SLOTS);
    /** The ends this process is recorded as a user of: "tree/segment/end". */
    private static final Set<String> ATTACHED = ConcurrentHashMap.newKeySet();
    /** The handover whose target is being serialized on this thread, if any. */
    private static final ThreadLocal<Handover> HANDOVER = new ThreadLocal<>();

    /** The file of the queue whose header page's spare bytes hold the table: what travels. */
    private final SharedSegment host;
    /** The table: a slice of {@link #host}. */
    private transient SharedSegment segment;
    /**
     * Counts this process's {@link #release}s: a handle's {@link #attachedHere} holds only while
     * none happened since it was set, because another handle of the same end may have given this
     * process's use back.
     */
    private static final AtomicInteger RELEASES = new AtomicInteger();

    /**
     * Bit n: this handle has seen this process recorded as a user of end n ({@link #attach}); a
     * lost update between two threads only sends one of them to {@link #ATTACHED} once more.
     */
    private transient int attachedHere;
    /** {@link #RELEASES} when {@link #attachedHere} was last set. */
    private transient int releasesSeen;
    /**
     * Whether this process made the pipe and no end of it was serialized since: no other process
     * has or will have it ({@link FreedPipeFiles}). Cleared by the first serialization; false in a
     * handle read from a stream.
     */
    private transient volatile boolean madeHereOnly;
    /** The names of the two ends in {@link #ATTACHED}, once asked ({@link #key}). */
    private transient String[] keys;

    private PipeEnds(SharedSegment host) {
        this.host = host;
        this.segment = ByteQueue.hostedArea(host, SIZE);
    }

    /**
     * Makes a new pipe's table, in the spare bytes of {@code host}'s header page.
     *
     * @param host the queue into the pipe's left end, new, its header at the start of its file:
     *     nothing else uses its spare bytes
     */
    public static PipeEnds in(ByteQueue host) {
        PipeEnds ends = new PipeEnds(host.segment());
        ends.madeHereOnly = true;
        return ends;
    }

    /** @return whether this process made the pipe and never serialized an end of it (see {@link #madeHereOnly}) */
    public boolean isMadeHereOnly() {
        return madeHereOnly;
    }

    /**
     * Removes the file the table lives in, which the pipe's queues share: the pipe's freeing does,
     * once it has drained them. Processes that mapped it keep using it. Idempotent.
     */
    public void unlinkHost() {
        host.unlink();
    }

    /** Writes what names the pipe, for {@link #readFrom} in a process of its tree. */
    public void writeTo(Wire.Writer out) {
        out.putSegment(host);
    }

    /**
     * @return the pipe {@link #writeTo} wrote, as JDK deserialization of it would give it
     * @throws IllegalStateException when the pipe no longer exists (freed, or its tree ended)
     */
    public static PipeEnds readFrom(Wire.Reader in) {
        return new PipeEnds(in.getSegment());
    }

    private void readObject(java.io.ObjectInputStream in) throws java.io.IOException, ClassNotFoundException {
        in.defaultReadObject();
        segment = ByteQueue.hostedArea(host, SIZE);
    }

    /** Records the calling process as a user of {@code end}, once per process (until it closes the end). */
    public void attach(int end) {
        int releases = RELEASES.get();
        if ((attachedHere & (1 << end)) != 0 && releasesSeen == releases) {
            return; // every send and receive comes here: no key to build once this handle knows
        }
        String key = key(end);
        if (!ATTACHED.contains(key)) {
            synchronized (ATTACHED) {
                if (!ATTACHED.contains(key)) {
                    recordUser(end, Owner.currentProcessToken(), Owner.currentStart());
                    ATTACHED.add(key);
                }
            }
        }
        attachedHere = (releasesSeen == releases ? attachedHere : 0) | 1 << end;
        releasesSeen = releases;
    }

    /**
     * Gives back the calling process's use of {@code end} (its close of the end): its slots in the
     * end's users are freed.
     *
     * @return whether the end is gone now
     */
    public boolean release(int end) {
        boolean noOtherUser;
        synchronized (ATTACHED) {
            RELEASES.incrementAndGet();
            ATTACHED.remove(key(end));
            noOtherUser = hasNoLiveUser(users(end), Owner.currentProcessToken());
        }
        return isClosed(end) || (wasUsed(end) && noOtherUser); // isGone's answer, the users just read
    }

    /**
     * Marks {@code end} used although no process is recorded as its user: the only process that
     * could have it closed it (a handle that never left its process), so that it counts as gone.
     */
    public void markUsed(int end) {
        segment.setLongVolatile(USED + 8 * end, 1);
    }

    /**
     * Notes that {@code end} is being serialized; when that is into a child's target (a
     * {@link Handover} is open on this thread), the child will be recorded as its user.
     */
    public void serializing(int end) {
        madeHereOnly = false;
        Handover handover = HANDOVER.get();
        if (handover != null) {
            handover.ends.add(new HandedEnd(this, end));
        }
    }

    /** Records the process named by {@code token}, whose {@linkplain Owner#start start} is {@code start}, as a user of {@code end}. */
    private void recordUser(int end, long token, long start) {
        SlotTable users = users(end);
        if (users.claim(token, start, 0, 0) < 0) {
            freeDeadUsers(users);
            users.claim(token, start, 0, 0); // a full table of live users: not tracked, still works
        }
        segment.setLongVolatile(USED + 8 * end, 1);
    }

    /** @return whether {@code end} was closed for every process (the pipe was unlinked) */
    public boolean isClosed(int end) {
        return segment.getLongVolatile(CLOSED + 8 * end) != 0;
    }

    /**
     * @return whether {@code end} was closed for every process, or was used and every process that
     *     used it closed it or has died
     */
    public boolean isGone(int end) {
        return isClosed(end) || (wasUsed(end) && hasNoLiveUser(users(end), 0));
    }

    /** @return whether {@code end} was ever used (see the table's {@code used n}) */
    private boolean wasUsed(int end) {
        return segment.getLongVolatile(USED + 8 * end) != 0;
    }

    /** Marks both ends closed for every process (the pipe's unlink). */
    public void closeForAll() {
        segment.setLongVolatile(CLOSED, 1);
        segment.setLongVolatile(CLOSED + 8, 1);
    }

    /**
     * Takes on freeing the pipe, once both ends are gone: only the first caller gets true, and
     * then frees the direction queues and removes the file that holds them and this table
     * ({@link #unlinkHost}).
     *
     * @return whether the caller is to free the pipe
     */
    public boolean takeRelease() {
        return isGone(0) && isGone(1) && segment.compareAndSetLong(RELEASED, 0, 1);
    }

    /**
     * The pipe ends a child's target carries, noted while the target is serialized on the
     * starting thread and recorded as the child's once it is spawned:
     *
     * <pre>{@code
     * Handover handover = PipeEnds.beginHandover();
     * try { bytes = serialize(target); } finally { handover.endSerialization(); }
     * ... spawn the child ...
     * handover.recordChild(pid, ticks);   // before the child gets its target
     * }</pre>
     */
    public static final class Handover {
        private final List<HandedEnd> ends = new ArrayList<>();

        private Handover() {
        }

        /** Stops noting the ends serialized on this thread. */
        public void endSerialization() {
            HANDOVER.remove();
        }

        /**
         * Records the child {@code pid} as a user of every end its target carries. A child that
         * is gone already leaves the ends used by nobody alive, that is gone.
         *
         * @param startTicks gives the child's start ticks ({@link Platform#startTicks}), empty when
         *     it is gone; asked only when the target carries an end
         */
        public void recordChild(long pid, Supplier<OptionalLong> startTicks) {
            if (ends.isEmpty()) {
                return;
            }
            long ticks = startTicks.get().orElse(-1);
            for (HandedEnd handed : ends) {
                if (ticks < 0) {
                    handed.ends.segment.setLongVolatile(USED + 8 * handed.end, 1);
                } else {
                    handed.ends.recordUser(handed.end, Owner.processToken(pid), Owner.start(pid, ticks));
                }
            }
        }
    }

    /** Starts noting the pipe ends serialized on the calling thread, for a child's target. */
    public static Handover beginHandover() {
        Handover handover = new Handover();
        HANDOVER.set(handover);
        return handover;
    }

    private record HandedEnd(PipeEnds ends, int end) {
    }

    /** @return the name of {@code end} in {@link #ATTACHED}: made once per handle (a pipe's every close asks it) */
    private String key(int end) {
        String[] known = keys;
        if (known == null) {
            String pipe = segment.treeId() + "/" + segment.name() + "/";
            known = new String[] {pipe + 0, pipe + 1};
            keys = known;
        }
        return known[end];
    }

    private SlotTable users(int end) {
        return new SlotTable(segment, USERS + end * SlotTable.bytes(USER_SLOTS), USER_SLOTS);
    }

    private static void freeDeadUsers(SlotTable users) {
        for (int i = 0; i < users.size(); i++) {
            long token = users.token(i);
            if (users.isDead(i, token)) {
                users.takeFromDead(i, token);
            }
        }
    }

    /**
     * One pass over an end's users: frees the slots of {@code releasing} (a process giving the end
     * back; 0 for none) and of dead processes, and tells whether a live user is left. Without a
     * process to release, it stops at the first live user. One pass, not a pass per question: a
     * pipe made, used once and closed asked each of its 16-slot tables four to six times, most of
     * a new program's close of a pipe, whose first hundreds of pipes run interpreted.
     *
     * @return whether no slot names a live process (other than {@code releasing})
     */
    private static boolean hasNoLiveUser(SlotTable users, long releasing) {
        boolean live = false;
        for (int i = 0; i < users.size(); i++) {
            long token = users.token(i);
            if (token == 0) {
                continue;
            }
            if (token == releasing) {
                users.free(i);
            } else if (users.isDead(i, token)) {
                users.takeFromDead(i, token);
            } else {
                live = true;
                if (releasing == 0) {
                    return false;
                }
            }
        }
        return !live;
    }
}
