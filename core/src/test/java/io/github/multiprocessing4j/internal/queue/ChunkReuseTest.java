package io.github.multiprocessing4j.internal.queue;

import io.github.multiprocessing4j.ChildProcess;
import io.github.multiprocessing4j.internal.os.Platform;
import io.github.multiprocessing4j.internal.shm.SharedSegment;
import io.github.multiprocessing4j.internal.sync.RobustMutex;
import io.github.multiprocessing4j.testing.TestFiles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static io.github.multiprocessing4j.internal.queue.QueueDescriptor.PUT_LOCK;
import static io.github.multiprocessing4j.internal.queue.QueueDescriptor.TAIL;
import static io.github.multiprocessing4j.internal.queue.QueueDescriptor.TAIL_NAMES;
import static io.github.multiprocessing4j.internal.queue.QueueDescriptor.NAME_SLOT;
import static io.github.multiprocessing4j.internal.queue.QueueDescriptor.chunkOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The spares of a queue's chunk chain: a queue that holds a few chunks' worth of items, drained
 * and filled again, cycles through the same segments (no new file per chunk switch), keeps at
 * most {@link ChunkChain#MAX_SPARES}, and removes them all with its last item; a consumer does
 * not wait for a producer holding the put lock to retire a chunk.
 */
class ChunkReuseTest {
    private static final int CHUNK = 4096;
    /** One item per chunk: a second one does not fit beside it. */
    private static final int ITEM_SIZE = 2500;
    private static final ByteQueue.RecordReader<byte[]> COPY = TestQueues.COPY;

    private ByteQueue queue;
    private SharedSegment header;
    private final Set<String> chunksSeen = new HashSet<>();

    @BeforeEach
    void createQueue() {
        queue = ByteQueue.create(0, CHUNK);
        header = queue.header();
    }

    @AfterEach
    void removeQueue() {
        TestQueues.closeAndDrain(queue);
    }

    @Test
    void aQueueFilledAndDrainedAgainCyclesThroughTheSameChunks() {
        int held = 5;
        for (int round = 0; round < 10; round++) {
            for (int i = 0; i < held; i++) {
                put(item(round * held + i));
            }
            for (int i = 0; i < held; i++) {
                assertThat(queue.takeUninterruptibly(0, COPY)).isEqualTo(item(round * held + i));
            }
        }
        assertThat(chunksSeen.size()).as("chunk segments used over 10 rounds of " + held + " chunks")
                .isLessThanOrEqualTo(held + 2);
    }

    @Test
    void atMostMaxSparesAreKeptAndClosingRemovesThemAll() {
        int held = ChunkChain.MAX_SPARES + 4;
        for (int i = 0; i < held; i++) {
            put(item(i));
        }
        for (int i = 0; i < held; i++) {
            assertThat(queue.takeUninterruptibly(0, COPY)).isEqualTo(item(i));
        }
        assertThat(ChunkChain.spareCount(header)).isEqualTo(ChunkChain.MAX_SPARES);
        for (int i = 0; i < 3; i++) {
            put(item(100 + i)); // takes spares off the stack: the ones below stay usable
        }
        assertThat(ChunkChain.spareCount(header)).isEqualTo(ChunkChain.MAX_SPARES - 3);
        for (int i = 0; i < 3; i++) {
            assertThat(queue.takeUninterruptibly(0, COPY)).isEqualTo(item(100 + i));
        }

        queue.close();

        for (String name : chunksSeen) {
            assertThatThrownBy(() -> SharedSegment.attach(header.treeId(), name)).as(name)
                    .isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // such a take never ends
    void aConsumerPutsOffRetiringAChunkWhileAProducerHoldsThePutLock() throws InterruptedException {
        for (int i = 0; i < 4; i++) {
            put(item(i)); // four chunks
        }
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch letGo = new CountDownLatch(1);
        Thread producer = new Thread(() -> {
            RobustMutex putLock = new RobustMutex(header, PUT_LOCK, false, "put lock");
            putLock.acquireUninterruptibly();
            held.countDown();
            try {
                letGo.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                putLock.release();
            }
        });
        producer.start();
        held.await();
        try {
            assertThat(queue.takeUninterruptibly(0, COPY)).isEqualTo(item(0));
            // chunk 0 lives in the header's segment: retired without the put lock, never a spare
            assertThat(queue.takeUninterruptibly(0, COPY)).as("the take that leaves chunk 0").isEqualTo(item(1));
            assertThat(queue.takeUninterruptibly(0, COPY)).as("the take that leaves chunk 1").isEqualTo(item(2));
            assertThat(ChunkChain.spareCount(header)).as("chunk 1, put off").isZero();
        } finally {
            letGo.countDown();
            producer.join();
        }
        assertThat(queue.takeUninterruptibly(0, COPY)).as("the take that leaves chunk 2").isEqualTo(item(3));
        assertThat(ChunkChain.spareCount(header)).as("chunk 1 retired now, then chunk 2").isEqualTo(2);
    }

    /**
     * An item larger than a chunk gets a chunk of its own, which is kept as a spare once drained
     * too: a stream of large items of about one size cycles through a few segments instead of
     * making one per item (each of whose pages faults in the producer and in every consumer).
     */
    @Test
    void largeItemsOfAboutOneSizeReuseTheirChunks() {
        int held = 3;
        for (int round = 0; round < 10; round++) {
            int size = 5 * CHUNK + 37 * (round % 3); // not quite one size: a serialized object's varies
            for (int i = 0; i < held; i++) {
                put(item(round * held + i, size));
            }
            for (int i = 0; i < held; i++) {
                assertThat(queue.takeUninterruptibly(0, COPY)).isEqualTo(item(round * held + i, size));
            }
        }
        assertThat(chunksSeen.size()).as("chunk segments used over 10 rounds of " + held + " large items")
                .isLessThanOrEqualTo(held + 2);
    }

    /** A large item finds the large spare under a standard one: the standard one on top, too small, is removed. */
    @Test
    void aLargeItemTakesALargeSpareFromUnderASmallerOne() {
        int large = 5 * CHUNK;
        put(item(0, large));
        String largeChunk = tailChunkName();
        put(item(1)); // beside it
        put(item(2)); // a standard chunk
        String standardChunk = tailChunkName();
        put(item(3)); // another, which stays the head chunk once all are taken
        for (int i = 0; i < 4; i++) {
            queue.takeUninterruptibly(0, COPY);
        }
        assertThat(ChunkChain.spareCount(header)).as("the large one, then the standard one on top").isEqualTo(2);

        put(item(4, large));

        assertThat(tailChunkName()).isEqualTo(largeChunk);
        assertThat(ChunkChain.spareCount(header)).isZero();
        assertThatThrownBy(() -> SharedSegment.attach(header.treeId(), standardChunk)).isInstanceOf(IllegalStateException.class);
        assertThat(queue.takeUninterruptibly(0, COPY)).isEqualTo(item(4, large));
    }

    /** Large spares are kept only within their bytes: a queue that once held large items does not hold them all idle. */
    @Test
    void theSparesOfLargeItemsStayWithinTheirBytes() {
        long most = ChunkChain.maxLargeSpareBytes();
        int size = (int) (most / 3);
        int held = 6;
        for (int i = 0; i < held; i++) {
            put(item(i, size));
        }
        for (int i = 0; i < held; i++) {
            assertThat(queue.takeUninterruptibly(0, COPY)).isEqualTo(item(i, size));
        }
        assertThat(ChunkChain.largeSpareBytes(header)).isBetween(2L * size, most);
        assertThat(ChunkChain.spareCount(header)).as("two of the large ones (a third of the bytes and some room each)")
                .isEqualTo(2);
    }

    /**
     * A first chunk smaller than the standard ones (every queue starts so) lives in the header's
     * segment, so a new queue is one file; it holds the first items, is never kept as a spare
     * once drained, and the queue goes on in standard chunks, which are kept and reused as in any
     * queue; an item larger than a standard chunk gets its own as usual.
     */
    @Test
    void aSmallFirstChunkInTheHeadersSegmentIsNeverASpareAndTheQueueGoesOnInStandardChunks() throws Exception {
        TestQueues.closeAndDrain(queue);
        Path tree = TestFiles.treeDirectory(Platform.currentPid());
        Set<String> otherChunkFiles = chunkFiles(tree);
        queue = ByteQueue.create(0, 4 * CHUNK, CHUNK);
        header = queue.header();
        String first = tailChunkName();
        assertThat(first).as("chunk 0's name: the header's").isEqualTo(header.name());
        assertThat(ChunkChain.attachNamed(header, first).size()).isEqualTo(CHUNK);
        assertThat(chunkFiles(tree)).as("chunk files of the tree, the new queue's none").isEqualTo(otherChunkFiles);

        int held = 8; // a whole standard chunk's worth and more
        for (int round = 0; round < 5; round++) {
            for (int i = 0; i < held; i++) {
                put(item(round * held + i, 1000));
            }
            for (int i = 0; i < held; i++) {
                assertThat(queue.takeUninterruptibly(0, COPY)).isEqualTo(item(round * held + i, 1000));
            }
            assertThat(ChunkChain.spareCount(header) == 0 || !ChunkChain.topSpareName(header).equals(first))
                    .as("the first chunk, drained, on top of the spares").isTrue();
        }
        chunksSeen.remove(first);
        for (String chunk : chunksSeen) {
            assertThat(SharedSegment.attach(header.treeId(), chunk).size()).as(chunk).isEqualTo(4 * CHUNK);
        }
        assertThat(chunksSeen.size()).as("standard chunks used over 5 rounds of two chunks' worth").isLessThanOrEqualTo(4);
        assertThat(ChunkChain.spareCount(header)).isPositive();

        put(item(99, 5 * CHUNK));
        assertThat(queue.takeUninterruptibly(0, COPY)).isEqualTo(item(99, 5 * CHUNK));
    }

    /**
     * A new queue allocates the pages of its header and of its first chunk's first page only
     * (zeros written cost a queue's creation a third of its time); a put allocates more, doubling
     * them, before its record and a link after it would reach beyond them.
     */
    @Test
    void theFirstChunksPagesAreAllocatedAsTheTailNeedsThem() throws Exception {
        TestQueues.closeAndDrain(queue);
        queue = ByteQueue.create(0, 16 * CHUNK, 16 * CHUNK);
        header = queue.header();
        Path file = TestFiles.treeDirectory(Platform.currentPid()).resolve("seg-" + header.name());
        assertThat(header.getLongVolatile(QueueDescriptor.FIRST_RESERVED)).isEqualTo(ByteQueue.FIRST_CHUNK_RESERVED);
        assertThat(allocatedBytes(file)).as("allocated by a new queue")
                .isEqualTo(QueueDescriptor.FIRST_CHUNK + ByteQueue.FIRST_CHUNK_RESERVED);

        int items = 20;
        for (int i = 0; i < items; i++) {
            put(item(i, 1000)); // 20 KB: still in the first chunk of 64 KiB
        }
        long reserved = header.getLongVolatile(QueueDescriptor.FIRST_RESERVED);
        long tailOffset = header.getLongVolatile(TAIL) & 0xffffffffL;
        assertThat(chunkOf(header.getLongVolatile(TAIL))).isZero();
        assertThat(reserved).as("reserved after %d bytes of records, doubling from a page", tailOffset)
                .isGreaterThanOrEqualTo(tailOffset + ChunkDescriptor.LINK_SIZE).isLessThanOrEqualTo(2 * tailOffset)
                .isIn(2L * ByteQueue.FIRST_CHUNK_RESERVED, 4L * ByteQueue.FIRST_CHUNK_RESERVED, 8L * ByteQueue.FIRST_CHUNK_RESERVED);
        assertThat(allocatedBytes(file)).isEqualTo(QueueDescriptor.FIRST_CHUNK + reserved);
        for (int i = 0; i < items; i++) {
            assertThat(queue.takeUninterruptibly(0, COPY)).isEqualTo(item(i, 1000));
        }
    }

    /**
     * The two queues of a pair (a duplex pipe's) share a file, each its half: the second one's
     * header is a slice in the middle of the file, and its first chunk's pages are allocated
     * there, as its tail needs them; its records come back whole, and the first queue's pages
     * stay as they were. Draining both leaves the file, which is its host's to remove.
     */
    @Test
    void theSecondQueueOfAPairAllocatesThePagesOfItsOwnHalf() throws Exception {
        ByteQueue[] pair = ByteQueue.createPair(16 * CHUNK);
        SharedSegment file = pair[0].segment();
        assertThat(pair[1].segment()).isSameAs(file);
        Path path = TestFiles.treeDirectory(Platform.currentPid()).resolve("seg-" + file.name());
        try {
            long half = QueueDescriptor.FIRST_CHUNK + ByteQueue.FIRST_CHUNK_BYTES;
            assertThat(file.size()).isEqualTo(2 * half);
            long newPair = 2 * (QueueDescriptor.FIRST_CHUNK + ByteQueue.FIRST_CHUNK_RESERVED);
            assertThat(allocatedBytes(path)).as("allocated by a new pair").isEqualTo(newPair);

            int items = 20;
            for (int i = 0; i < items; i++) {
                assertThat(pair[1].put(item(i, 1000), ByteQueue.BYTE_ARRAY, 0)).isTrue(); // 20 KB: its first chunk
            }
            SharedSegment second = pair[1].header();
            long reserved = second.getLongVolatile(QueueDescriptor.FIRST_RESERVED);
            assertThat(reserved).isGreaterThan(ByteQueue.FIRST_CHUNK_RESERVED);
            assertThat(pair[0].header().getLongVolatile(QueueDescriptor.FIRST_RESERVED)).isEqualTo(ByteQueue.FIRST_CHUNK_RESERVED);
            assertThat(allocatedBytes(path)).as("the second queue's pages, no more")
                    .isEqualTo(newPair + reserved - ByteQueue.FIRST_CHUNK_RESERVED);
            assertThat(pair[0].put(item(99, 10), ByteQueue.BYTE_ARRAY, 0)).isTrue();
            for (int i = 0; i < items; i++) {
                assertThat(pair[1].takeUninterruptibly(0, COPY)).isEqualTo(item(i, 1000));
            }
            assertThat(pair[0].takeUninterruptibly(0, COPY)).isEqualTo(item(99, 10));
            TestQueues.closeAndDrain(pair[0]);
            TestQueues.closeAndDrain(pair[1]);
            assertThat(path).as("the host's to remove").exists();
        } finally {
            file.unlink();
        }
        assertThat(path).doesNotExist();
    }

    /** @return the bytes of {@code file} that hold allocated pages (its blocks, as stat(1) counts them) */
    private static long allocatedBytes(Path file) throws Exception {
        Process stat = new ProcessBuilder("stat", "-c", "%b %B", file.toString()).start();
        String[] blocks = new String(stat.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).trim().split(" ");
        assertThat(stat.waitFor()).isZero();
        return Long.parseLong(blocks[0]) * Long.parseLong(blocks[1]);
    }

    @Test
    void aFirstChunkLargerThanTheStandardOnesIsRefused() {
        assertThatThrownBy(() -> ByteQueue.create(0, CHUNK, 2 * CHUNK)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("larger than the standard");
    }

    /**
     * A producer killed while it takes a spare for its next chunk, between writing the new top's
     * name and the store of the spare word ({@link CrashPoint#SPARES_NAMED}), leaves every spare
     * named: the queue goes on reusing them, and once drained and closed it leaves none of its
     * chunk segments in the tree's directory. A pop used to zero the count, write the name, then
     * the count: a producer killed in between left the spares below it forgotten, their files
     * kept until the tree ended (QueueRobustnessTest's leak check met two on JDK 25).
     */
    @Test
    void aProducerKilledWhileTakingASpareLeavesEverySpareNamed() throws Exception {
        Path tree = TestFiles.treeDirectory(Platform.currentPid());
        Set<String> otherChunkFiles = chunkFiles(tree);
        otherChunkFiles.remove("seg-" + SegmentNames.read(header, TAIL_NAMES + 8)); // this queue's chunk 0
        int drained = 4;
        for (int i = 0; i < drained; i++) {
            put(item(i));
        }
        for (int i = 0; i < drained; i++) {
            assertThat(queue.takeUninterruptibly(0, COPY)).isEqualTo(item(i));
        }
        long spares = ChunkChain.spareCount(header);
        assertThat(spares).as("spares after draining " + drained + " chunks").isGreaterThan(1);
        ByteQueue shared = queue;
        ChildProcess producer = ChildProcess.builder(() -> shared.put(item(9), ByteQueue.BYTE_ARRAY, 0))
                .jvmArgs(CrashPoint.option(CrashPoint.SPARES_NAMED, 1)).build();
        producer.start();
        assertThat(producer.join(Duration.ofSeconds(60))).isTrue();
        assertThat(producer.exitCode()).as("died taking the spare").hasValue(CrashPoint.EXIT_CODE);
        assertThat(ChunkChain.spareCount(header)).as("the spares, as before its death").isEqualTo(spares);

        int more = (int) spares + 2; // the first takes the put lock over and repairs; they use every spare, then a new chunk
        for (int i = 0; i < more; i++) {
            put(item(20 + i));
        }
        for (int i = 0; i < more; i++) {
            assertThat(queue.takeUninterruptibly(0, COPY)).isEqualTo(item(20 + i));
        }
        TestQueues.closeAndDrain(queue);
        assertThat(chunkFiles(tree)).as("chunk segments left in the tree's directory").isEqualTo(otherChunkFiles);
    }

    private static Set<String> chunkFiles(Path tree) throws java.io.IOException {
        try (java.util.stream.Stream<Path> files = Files.list(tree)) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.startsWith("seg-qchunk-"))
                    .collect(java.util.stream.Collectors.toCollection(HashSet::new));
        }
    }

    private void put(byte[] item) {
        assertThat(queue.put(item, ByteQueue.BYTE_ARRAY, 0)).isTrue();
        chunksSeen.add(tailChunkName());
    }

    private String tailChunkName() {
        long chunk = chunkOf(header.getLongVolatile(TAIL));
        return SegmentNames.read(header, TAIL_NAMES + (int) (chunk & 1) * NAME_SLOT + 8);
    }

    private static byte[] item(int n) {
        return item(n, ITEM_SIZE);
    }

    private static byte[] item(int n, int size) {
        byte[] item = new byte[size];
        Arrays.fill(item, (byte) n);
        return item;
    }
}
