package io.github.multiprocessing4j.internal.queue;

import io.github.multiprocessing4j.internal.sync.MutexDescriptor;
import io.github.multiprocessing4j.internal.sync.SlotTable;

/**
 * Layout of a queue's header segment ({@link ByteQueue}); the items live in chunk segments
 * ({@link ChunkDescriptor}).
 *
 * <pre>
 *  0               8               16              24              32
 *  +---------------+---------------+---------------+---------------+
 *  | put lock (a {@link MutexDescriptor mutex}: producers)                      |  0
 *  +---------------+---------------+---------------+---------------+
 *  | get lock (a {@link MutexDescriptor mutex}: consumers)                      | 32
 *  +---------------+---------------+---------------+---------------+
 *  | max size      | chunk size    | state         | put count     | 64
 *  +---------------+---------------+---------------+---------------+
 *  | get count     | tail          | head          | done retired  | 96
 *  +---------------+---------------+---------------+---------------+
 *  | tail names: 2 x (seq 8 + name 56)                              | 128
 *  | head names: 2 x (seq 8 + name 56)                              | 256
 *  | spare chunk: (present 8 + name 56)                             | 384
 *  +---------------+---------------+---------------+---------------+
 *  | consumers: a {@link SlotTable} of {@value #CONSUMER_SLOTS} slots (joinable queues)   | 448
 *  | consumer logs: {@value #CONSUMER_SLOTS} names of 56 bytes, one per consumer slot     |
 *  +---------------+---------------+---------------+---------------+
 *
 *  max size      items the queue holds before put() blocks; 0 for unbounded
 *  chunk size    bytes of a standard chunk (a larger one is made for an item that needs it)
 *  state         bit 0: closed
 *  put count     items committed so far; written under the put lock; also the next item's number
 *  get count     items taken so far; written under the get lock
 *  tail          where the next item is written: chunk number in the high 32 bits, offset low
 *  head          where the next item is read, the same way
 *  done retired  taskDone()s of consumers that are gone (joinable queues; see JoinableState)
 *  tail names    the segment names of tail chunks n and n+1, in slot n % 2, with n beside each
 *  head names    the same for head chunks: a chunk's name is written before tail/head moves to it,
 *                in the slot the current chunk does not use, so a process that holds the lock
 *                finds the current chunk's name whatever the previous holder died doing
 *  spare chunk   a drained standard chunk kept for the next switch (no file churn in steady state)
 *  consumers     one slot per process consuming a joinable queue: token, ticks, value A = how
 *                many taskDone()s it made; its in-flight log's segment name beside it
 * </pre>
 */
final class QueueDescriptor {
    static final int PUT_LOCK = 0;
    static final int GET_LOCK = MutexDescriptor.SIZE;
    static final int MAX_SIZE = 64;
    static final int CHUNK_SIZE = 72;
    static final int STATE = 80;
    static final int PUT_COUNT = 88;
    static final int GET_COUNT = 96;
    static final int TAIL = 104;
    static final int HEAD = 112;
    static final int DONE_RETIRED = 120;
    static final int TAIL_NAMES = 128;
    static final int HEAD_NAMES = 256;
    static final int SPARE = 384;
    static final int CONSUMERS = 448;
    static final int CONSUMER_SLOTS = 64;
    static final int CONSUMER_LOGS = CONSUMERS + SlotTable.bytes(CONSUMER_SLOTS);
    static final int SIZE = CONSUMER_LOGS + CONSUMER_SLOTS * SegmentNames.FIELD_SIZE;

    /** Bytes of a (number, name) slot of the tail names, head names and spare. */
    static final int NAME_SLOT = 64;
    static final long CLOSED = 1;

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
