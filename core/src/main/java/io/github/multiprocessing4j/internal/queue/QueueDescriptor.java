package io.github.multiprocessing4j.internal.queue;

import io.github.multiprocessing4j.internal.sync.MutexDescriptor;
import io.github.multiprocessing4j.internal.sync.SlotTable;
import io.github.multiprocessing4j.internal.sync.WaiterBoard;

/**
 * Layout of a queue's header segment ({@link ByteQueue}); the items live in chunks
 * ({@link ChunkDescriptor}): the first one in the header's segment, after the header (from the
 * page boundary {@link #FIRST_CHUNK}), the others in segments of their own. A duplex pipe's file
 * holds two such segments, one after the other ({@link ByteQueue#createPair}): the offsets below
 * are from a queue's own start.
 *
 * <p>Producers write only the first 128 bytes, consumers only the second 128 (two cache lines
 * each, since x86 fetches lines in pairs): a producer and a consumer never write the same line,
 * so a steady stream moves only the lines it must (the items, and one count each way).
 *
 * <pre>
 *  0               8               16              24              32
 *  +---------------+---------------+---------------+---------------+
 *  | put lock (a {@link MutexDescriptor mutex}: producers)                      |   0
 *  +---------------+---------------+---------------+---------------+
 *  | put count     | tail          | requeue mark  | first reserved|  32
 *  +---------------+---------------+---------------+---------------+
 *  | get lock (a {@link MutexDescriptor mutex}: consumers)                      | 128
 *  +---------------+---------------+---------------+---------------+
 *  | get count     | head          | done retired  | takeovers seen| 160
 *  +---------------+---------------+---------------+---------------+
 *  | retiring slot | retiring count| retired before| drained at    | 192
 *  +---------------+---------------+---------------+---------------+
 *  | max size      | chunk size    | state         |  (read-mostly)| 256
 *  +---------------+---------------+---------------+---------------+
 *  | takers: a {@link WaiterBoard} | putters: a {@link WaiterBoard}| 288  (four seats each)
 *  | joiners: a {@link WaiterBoard}|                                 320
 *  +---------------+---------------+---------------+---------------+
 *  | tail names: 2 x (seq 8 + name 56)                              | 384
 *  | head names: 2 x (seq 8 + name 56)                              | 512
 *  | spare chunks: (count and which name 8 + 2 names 2 x 56)        | 640
 *  +---------------+---------------+---------------+---------------+
 *  | consumers: a {@link SlotTable} of {@value #CONSUMER_SLOTS} slots (joinable queues)   | 768
 *  | consumer logs: {@value #CONSUMER_SLOTS} x 2 x (generation 8 + name 56), a pair per consumer slot |
 *  +---------------+---------------+---------------+---------------+
 *  | hosted: what the queue's user keeps with it (a pipe's ends), up to the page boundary |
 *  +---------------+---------------+---------------+---------------+
 *  | chunk 0, the first chunk: the rest of the segment               | FIRST_CHUNK
 *  +---------------+---------------+---------------+---------------+
 *
 *  max size      items the queue holds before put() blocks; 0 for unbounded
 *  chunk size    bytes of a standard chunk (a larger one is made for an item that needs it)
 *  state         bit 0: closed
 *  takers        the processes whose consumers wait long for an item (or the close): a put rings them
 *  putters       the processes whose producers wait long for room in a bounded queue: a take rings them
 *  joiners       the processes waiting long in a joinable queue's join(): a taskDone() rings them
 *  put count     items committed so far; written under the put lock; also the next item's number
 *  get count     items taken so far; written under the get lock
 *  tail          where the next item is written: chunk number in the high 32 bits, offset low
 *  head          where the next item is read, the same way
 *  done retired  taskDone()s of consumers that are gone (joinable queues; see JoinableState)
 *  first reserved bytes of the first chunk whose pages are allocated, from its start (the rest are
 *                allocated as the tail comes to need them, see ByteQueue); under the put lock
 *  requeue mark  the last put of an item given back by a joinable queue's recovery: its number
 *                &lt;&lt; 2 | 1 while under way, 2 once kept, 3 when the tail repair dropped it
 *                (its putter died before stamping it); under the put lock
 *  takeovers seen the get lock's takeover count when a joinable queue's recovery last ran: a
 *                higher count means a consumer died holding the get lock, and the next one
 *                recovers before it takes anything
 *  retiring      the journal of a recovery retiring a dead consumer's slot (see JoinableState):
 *                the slot + 1 (0 when none), the count it adds to done retired, and done
 *                retired before the addition; under the get lock
 *  drained at    System.nanoTime() when a consumer last left a drained chunk (0: never), for the
 *                pacing of an unbounded queue's producers (see ByteQueue); under the get lock
 *  tail names    the segment names of tail chunks n and n+1, in slot n % 2, with n beside each;
 *                the first chunk's name is the header's own
 *  head names    the same for head chunks: a chunk's name is written before tail/head moves to it,
 *                in the slot the current chunk does not use, so a process that holds the lock
 *                finds the current chunk's name whatever the previous holder died doing
 *  spare chunks  drained chunks kept for the next switches (no file churn in steady state): a
 *                word, the pages those made for large items hold &lt;&lt; 8 | how many (0 for
 *                none) &lt;&lt; 1 | which of
 *                the two name fields names the top one; each spare names the one below
 *                ({@link ChunkChain}). A change
 *                writes the field the word does not use, then the word, in one store: a process
 *                killed half-way leaves the spares as they were
 *  consumers     one slot per process consuming a joinable queue: token, ticks, stake = how
 *                many taskDone()s it made
 *  consumer logs the segment name of each consumer slot's in-flight log, in the field of its
 *                pair with the higher generation (both 0: no log). A new name (the log grew) is
 *                written in the other field, which is then put in force by one store of a
 *                generation above the current one: a process killed while writing a name
 *                leaves the previous one in force, never a mixture of the two
 * </pre>
 */
final class QueueDescriptor {
    static final int PUT_LOCK = 0;
    static final int PUT_COUNT = MutexDescriptor.SIZE;
    static final int TAIL = PUT_COUNT + 8;
    static final int GET_LOCK = 128;
    static final int GET_COUNT = GET_LOCK + MutexDescriptor.SIZE;
    static final int HEAD = GET_COUNT + 8;
    static final int DONE_RETIRED = HEAD + 8;
    static final int REQUEUE_MARK = TAIL + 8;
    static final int FIRST_RESERVED = REQUEUE_MARK + 8;
    static final int TAKEOVERS_SEEN = DONE_RETIRED + 8;
    static final int RETIRING_SLOT = TAKEOVERS_SEEN + 8;
    static final int RETIRING_COUNT = RETIRING_SLOT + 8;
    static final int RETIRED_BEFORE = RETIRING_COUNT + 8;
    static final int DRAINED_AT = RETIRED_BEFORE + 8;
    static final int MAX_SIZE = 256;
    static final int CHUNK_SIZE = 264;
    static final int STATE = 272;
    static final int TAKERS = 288;
    static final int PUTTERS = TAKERS + WaiterBoard.FOUR_SEATS;
    static final int JOINERS = PUTTERS + WaiterBoard.FOUR_SEATS;
    /** Bytes of a (number, name) slot of the tail names, head names and spare, and of a consumer log's name field. */
    static final int NAME_SLOT = 64;
    static final int TAIL_NAMES = 384;
    static final int HEAD_NAMES = 512;
    static final int SPARE = 640;
    /** The spare chunks' two name fields, {@link SegmentNames#FIELD_SIZE} bytes each. */
    static final int SPARE_NAMES = SPARE + 8;
    static final int CONSUMERS = 768;
    static final int CONSUMER_SLOTS = 64;
    static final int CONSUMER_LOGS = CONSUMERS + SlotTable.bytes(CONSUMER_SLOTS);
    /** Bytes of a consumer slot's pair of log name fields (each a generation and a name, {@link #NAME_SLOT} bytes). */
    static final int LOG_NAME_PAIR = 2 * NAME_SLOT;
    static final int SIZE = CONSUMER_LOGS + CONSUMER_SLOTS * LOG_NAME_PAIR;
    /** Where the bytes a queue hosts for its user start ({@link ByteQueue#hostedArea}): right after the header. */
    static final int HOSTED = SIZE;
    /** Where the first chunk starts in the header's segment: the first page boundary after the header. */
    static final int FIRST_CHUNK = (SIZE + 4095) / 4096 * 4096;

    static final long CLOSED = 1;
    /** States of the requeue mark (its low 2 bits). */
    static final long REQUEUE_UNDER_WAY = 1;
    static final long REQUEUE_KEPT = 2;
    static final long REQUEUE_DROPPED = 3;

    private QueueDescriptor() {
    }

    static long position(long chunk, long offset) {
        return chunk << 32 | offset;
    }

    static long chunkOf(long position) {
        return position >>> 32;
    }

    static int offsetOf(long position) {
        return (int) position;
    }
}
