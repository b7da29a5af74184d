package io.github.multiprocessing4j.internal.queue;

/** What the tests of a {@link ByteQueue} share: reading records as arrays, and removing a queue. */
final class TestQueues {
    /** Reads a record as a fresh array of its bytes. */
    static final ByteQueue.RecordReader<byte[]> COPY = (segment, offset, length, itemNumber) -> {
        byte[] record = new byte[length];
        segment.getBytes(offset, record, 0, length);
        return record;
    };

    private TestQueues() {
    }

    /** Closes {@code queue} and takes what is left: the last take removes its segments. */
    static void closeAndDrain(ByteQueue queue) {
        queue.close();
        try {
            while (queue.takeUninterruptibly(0, COPY) != null) {
                // drained: the last take removes the segments
            }
        } catch (IllegalStateException closedAndEmpty) {
            // removed
        }
    }
}
