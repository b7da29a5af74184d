package io.github.multiprocessing4j.internal.queue;

/**
 * Layout of a chunk segment of a {@link ByteQueue}: records one after another from offset 0,
 * each 8-aligned, the last one pointing to the next chunk.
 *
 * <pre>
 *  0       4       8               16
 *  +-------+-------+---------------+-------------------------------+
 *  | stamp | length| item number   | payload (length bytes, padded to 8)
 *  +-------+-------+---------------+-------------------------------+
 *
 *  stamp        chunk number &lt;&lt; 2 | kind, written last with release semantics: the record
 *               exists when its stamp names the chunk's current number, so a half-written
 *               record (its writer died) and the records of a chunk's earlier use never match
 *  kind         1 = an item; 2 = "continued in the chunk whose segment name is the payload"
 *  length       payload bytes
 *  item number  the queue's put count when the item was written: tells a dead consumer's
 *               half-finished take (number below the get count) from a fresh item
 * </pre>
 *
 * A chunk always keeps room for one link record at its end, and the stamp slot after the last
 * record is always 0 (see {@link ByteQueue}): a chunk is reused, so bytes past the last record
 * are old ones.
 */
final class ChunkDescriptor {
    static final int STAMP = 0;
    static final int LENGTH = 4;
    static final int ITEM_NUMBER = 8;
    static final int PAYLOAD = 16;
    static final int ITEM = 1;
    static final int LINK = 2;
    /** Bytes of a link record. */
    static final int LINK_SIZE = PAYLOAD + SegmentNames.FIELD_SIZE;

    private ChunkDescriptor() {
    }

    static int stamp(long chunk, int kind) {
        return (int) (chunk << 2) | kind;
    }

    /** @return the bytes a record with {@code length} payload bytes takes */
    static long recordSize(int length) {
        return PAYLOAD + ((length + 7L) & ~7L);
    }
}
