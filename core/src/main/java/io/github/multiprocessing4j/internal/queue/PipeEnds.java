package io.github.multiprocessing4j.internal.queue;

import io.github.multiprocessing4j.internal.os.Platform;
import io.github.multiprocessing4j.internal.shm.SharedSegment;
import io.github.multiprocessing4j.internal.sync.Owner;
import io.github.multiprocessing4j.internal.sync.SlotTable;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who uses each end of a pipe, so that a receiver can tell that nobody will ever send again: the
 * other end was closed, or every process that used it has died. The items themselves travel
 * through one {@link ByteQueue} per direction.
 *
 * <pre>
 *  0               8               16              24              32
 *  +---------------+---------------+---------------+---------------+
 *  | closed 0      | closed 1      | used 0        | used 1        |
 *  +---------------+---------------+---------------+---------------+
 *  | users of end 0: a {@link SlotTable} of {@value #USER_SLOTS} slots                  | 32
 *  | users of end 1: the same                                                           |
 *  +---------------+---------------+---------------+---------------+
 *
 *  closed n   1 once end n was closed (by any process)
 *  used n     1 once some process used end n (sent or received on it, or received the end
 *             itself from another process), or once a child whose target carries it was spawned
 *  users n    the live processes that used end n (process tokens); a slot whose process died
 *             is freed by whoever finds it
 * </pre>
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
    private static final int USERS = 32;
    static final int USER_SLOTS = 16;
    private static final int SIZE = USERS + 2 * SlotTable.bytes(USER_SLOTS);
    /** The ends this process is recorded as a user of: "tree/segment/end". */
    private static final Set<String> ATTACHED = ConcurrentHashMap.newKeySet();
    /** The handover whose target is being serialized on this thread, if any. */
    private static final ThreadLocal<Handover> HANDOVER = new ThreadLocal<>();

    private final SharedSegment segment;
    /**
     * Bit n: this handle has seen this process recorded as a user of end n ({@link #attach}); a
     * lost update between two threads only sends one of them to {@link #ATTACHED} once more.
     */
    private transient int attachedHere;

    private PipeEnds(SharedSegment segment) {
        this.segment = segment;
    }

    public static PipeEnds create() {
        return new PipeEnds(SharedSegment.create("pipe", SIZE));
    }

    /** Records the calling process as a user of {@code end}, once per process. */
    public void attach(int end) {
        if ((attachedHere & (1 << end)) != 0) {
            return; // every send and receive comes here: no key to build once this handle knows
        }
        String key = segment.treeId() + "/" + segment.name() + "/" + end;
        if (!ATTACHED.contains(key)) {
            synchronized (ATTACHED) {
                if (!ATTACHED.contains(key)) {
                    recordUser(end, Owner.currentProcessToken(), Owner.currentTicks());
                    ATTACHED.add(key);
                }
            }
        }
        attachedHere |= 1 << end;
    }

    /**
     * Notes that {@code end} is being serialized; when that is into a child's target (a
     * {@link Handover} is open on this thread), the child will be recorded as its user.
     */
    public void serializing(int end) {
        Handover handover = HANDOVER.get();
        if (handover != null) {
            handover.ends.add(new HandedEnd(this, end));
        }
    }

    /** Records the process named by {@code token}, started at {@code ticks}, as a user of {@code end}. */
    private void recordUser(int end, long token, long ticks) {
        SlotTable users = users(end);
        if (users.claim(token, ticks, 0, 0) < 0) {
            freeDeadUsers(users);
            users.claim(token, ticks, 0, 0); // a full table of live users: not tracked, still works
        }
        segment.setLongVolatile(USED + 8 * end, 1);
    }

    /** @return whether {@code end} was closed */
    public boolean isClosed(int end) {
        return segment.getLongVolatile(CLOSED + 8 * end) != 0;
    }

    /** @return whether {@code end} was closed, or was used and every process that used it has died */
    public boolean isGone(int end) {
        if (isClosed(end)) {
            return true;
        }
        if (segment.getLongVolatile(USED + 8 * end) == 0) {
            return false;
        }
        SlotTable users = users(end);
        freeDeadUsers(users);
        for (int i = 0; i < users.size(); i++) {
            if (users.token(i) != 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * Marks {@code end} closed; removes the segment once both ends are.
     *
     * @return whether this call closed it (false when it was closed already)
     */
    public boolean close(int end) {
        if (!segment.compareAndSetLong(CLOSED + 8 * end, 0, 1)) {
            return false;
        }
        if (isClosed(1 - end)) {
            segment.unlink();
        }
        return true;
    }

    /**
     * The pipe ends a child's target carries, noted while the target is serialized on the
     * starting thread and recorded as the child's once it is spawned:
     *
     * <pre>{@code
     * Handover handover = PipeEnds.beginHandover();
     * try { bytes = serialize(target); } finally { handover.endSerialization(); }
     * ... spawn the child ...
     * handover.recordChild(pid);   // before the child gets its target
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
         */
        public void recordChild(long pid) {
            if (ends.isEmpty()) {
                return;
            }
            long ticks = Platform.startTicks(pid).orElse(-1);
            for (HandedEnd handed : ends) {
                if (ticks < 0) {
                    handed.ends.segment.setLongVolatile(USED + 8 * handed.end, 1);
                } else {
                    handed.ends.recordUser(handed.end, Owner.processToken(pid), ticks);
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
}
