package io.github.multiprocessing4j.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * What a queue chunk costs when its memory is new: a 1 MiB segment in {@code /dev/shm} created,
 * reserved, mapped, written, mapped again and read, unmapped and deleted, step by step, against
 * the same writing and reading through a segment mapped long ago (hot). An unbounded queue whose
 * producer runs ahead of its consumer holds its backlog in new chunks, so the fresh figure is the
 * most such a queue can carry here; the hot one is what reusing its chunks could approach.
 *
 * <p>Implementation notes: each step is done as the library does it. The zeros are written
 * through the {@link FileChannel} (the library reserves a segment's pages so, its
 * {@code SegmentSpace.reserve}: Java 17 has no {@code fallocate}), one byte at the end first,
 * then 256 KiB blocks from one read-only direct buffer. The writes through the mapping are
 * 4 KiB {@code put}s of a {@code byte[]}, as a queue's 4 KiB items; the second mapping stands for
 * the consumer's, which maps the chunk in its own process (here in the same one: the page faults
 * of a new mapping are the same). The library leaves unmapping to the buffers' cleaners; here
 * both mappings are unmapped at once ({@code sun.misc.Unsafe.invokeCleaner}), so that a run
 * holds one segment at a time and the cost of {@code munmap} is counted in the step that
 * deletes. The segment's files are named {@code mp4j-bench-fresh-<pid>-<i>} and deleted even when
 * a step fails.
 */
final class FreshSharedMemory {
    static final int SEGMENT = 1 << 20;
    static final int ITEM = 4096;
    private static final int BLOCK = 1 << 18;
    private static final Path SHM = Path.of("/dev/shm");
    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(BLOCK).asReadOnlyBuffer();
    private static final sun.misc.Unsafe UNSAFE = UnsafeAccess.UNSAFE; // to unmap a segment at once

    /** The steps of one fresh segment, in the order they are taken. */
    enum Step {
        CREATE("create the file (open, CREATE_NEW)"),
        RESERVE("write 1 MiB of zeros through the FileChannel (the library's page reservation)"),
        MAP("map it (READ_WRITE)"),
        WRITE("write it through the mapping, 4 KiB puts (a page fault per 4 KiB page)"),
        MAP_AGAIN("map it again (the consumer's mapping)"),
        READ("read it through the second mapping, 4 KiB gets"),
        RELEASE("unmap both, close, delete");

        final String what;

        Step(String what) {
            this.what = what;
        }
    }

    /**
     * @param microsPerStep the median over the segments of each {@link Step}, in µs, by ordinal
     * @param freshMegabytesPerSecond 1 MiB (10^6 B units) over the mean time of all the steps
     *     of a segment
     */
    record Fresh(double[] microsPerStep, double freshMegabytesPerSecond) {
    }

    private final byte[] item = new byte[ITEM];
    private final byte[] into = new byte[ITEM];
    private int files;

    FreshSharedMemory() {
        Arrays.fill(item, (byte) 'x');
    }

    /** Uses {@code segments} new segments one after another (after two untimed ones). */
    Fresh fresh(int segments) throws IOException {
        for (int i = 0; i < 2; i++) {
            oneFresh(new long[Step.values().length]); // compiled, the zeros' buffer touched
        }
        long[][] nanos = new long[Step.values().length][segments];
        long total = 0;
        long[] steps = new long[Step.values().length];
        for (int s = 0; s < segments; s++) {
            oneFresh(steps);
            for (int k = 0; k < steps.length; k++) {
                nanos[k][s] = steps[k];
                total += steps[k];
            }
        }
        double[] micros = new double[steps.length];
        for (int k = 0; k < steps.length; k++) {
            Arrays.sort(nanos[k]);
            micros[k] = nanos[k][segments / 2] / 1e3;
        }
        return new Fresh(micros, (double) SEGMENT * segments / (total / 1e9) / 1e6);
    }

    /**
     * MB/s (10^6 B) of writing a segment through one mapping in 4 KiB puts and reading it
     * through another, both mapped long ago, over and over for {@code seconds}.
     */
    double hot(double seconds) throws IOException {
        Path path = SHM.resolve("mp4j-bench-fresh-" + ProcessHandle.current().pid() + "-hot");
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            reserve(channel);
            MappedByteBuffer producer = channel.map(FileChannel.MapMode.READ_WRITE, 0, SEGMENT);
            MappedByteBuffer consumer = channel.map(FileChannel.MapMode.READ_WRITE, 0, SEGMENT);
            try {
                for (int i = 0; i < 3; i++) {
                    writeAndRead(producer, consumer); // compiled, every page mapped in both
                }
                long passes = 0;
                long t0 = System.nanoTime();
                long elapsed;
                do {
                    writeAndRead(producer, consumer);
                    passes++;
                    elapsed = System.nanoTime() - t0;
                } while (elapsed < seconds * 1e9);
                return (double) SEGMENT * passes / (elapsed / 1e9) / 1e6;
            } finally {
                UNSAFE.invokeCleaner(producer);
                UNSAFE.invokeCleaner(consumer);
            }
        } finally {
            Files.deleteIfExists(path);
        }
    }

    private void writeAndRead(ByteBuffer producer, ByteBuffer consumer) {
        write(producer);
        read(consumer);
    }

    private void write(ByteBuffer mapping) {
        for (int at = 0; at < SEGMENT; at += ITEM) {
            mapping.put(at, item);
        }
    }

    private void read(ByteBuffer mapping) {
        for (int at = 0; at < SEGMENT; at += ITEM) {
            mapping.get(at, into);
            if (into[ITEM - 1] != 'x') {
                throw new IllegalStateException("read back " + into[ITEM - 1] + " at " + (at + ITEM - 1));
            }
        }
    }

    /** One fresh segment, each step's nanoseconds into {@code nanos} (by {@link Step} ordinal). */
    private void oneFresh(long[] nanos) throws IOException {
        Path path = SHM.resolve("mp4j-bench-fresh-" + ProcessHandle.current().pid() + "-" + files++);
        MappedByteBuffer producer = null;
        MappedByteBuffer consumer = null;
        FileChannel channel = null;
        try {
            long t0 = System.nanoTime();
            channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            long t1 = System.nanoTime();
            reserve(channel);
            long t2 = System.nanoTime();
            producer = channel.map(FileChannel.MapMode.READ_WRITE, 0, SEGMENT);
            long t3 = System.nanoTime();
            write(producer);
            long t4 = System.nanoTime();
            consumer = channel.map(FileChannel.MapMode.READ_WRITE, 0, SEGMENT);
            long t5 = System.nanoTime();
            read(consumer);
            long t6 = System.nanoTime();
            UNSAFE.invokeCleaner(producer);
            producer = null;
            UNSAFE.invokeCleaner(consumer);
            consumer = null;
            channel.close();
            Files.delete(path);
            long t7 = System.nanoTime();
            long[] t = {t0, t1, t2, t3, t4, t5, t6, t7};
            for (int k = 0; k < nanos.length; k++) {
                nanos[k] = t[k + 1] - t[k];
            }
        } finally {
            if (producer != null) {
                UNSAFE.invokeCleaner(producer);
            }
            if (consumer != null) {
                UNSAFE.invokeCleaner(consumer);
            }
            if (channel != null) {
                channel.close();
            }
            Files.deleteIfExists(path);
        }
    }

    /** The library's {@code SegmentSpace.reserve}: the last byte first, then every block. */
    private static void reserve(FileChannel channel) throws IOException {
        channel.write(ZEROS.duplicate().limit(1), SEGMENT - 1);
        long position = 0;
        while (position < SEGMENT) {
            ByteBuffer block = ZEROS.duplicate();
            block.limit((int) Math.min(BLOCK, SEGMENT - position));
            while (block.hasRemaining()) {
                position += channel.write(block, position);
            }
        }
    }
}
