package io.github.multiprocessing4j.bench;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.ref.Reference;
import java.lang.reflect.Field;
import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The floor under the throughput rows of new children: two new JVMs with the library's child
 * options, one putting items and one taking them through a ring in a {@code /dev/shm} file, with
 * no library: no lock, no record header, no chunk, no wake-up, no encoding; one writer of each
 * index, each side spinning while the ring is full or empty. A new child's items cost it the
 * JVM's own first run (the interpreter, then C1 compiling while the item loop runs on the same
 * two processors, a fresh heap); this measures that cost with the least code a queue can have,
 * so the gap between a row of new children and this figure is the library's. Section "limits"
 * runs it with the item counts of section "tput" (ints, and 64 B and 4 KiB {@code byte[]}, each
 * taken into a new array as a queue's {@code get} returns one), timed as that section is: from the
 * producer's clock after both have mapped the ring to the consumer's after the last item, and a
 * second time warmed up (the same items moved once before the clock).
 *
 * <p>Implementation notes. The file:
 * <pre>
 *   0    producer ready       64   consumer ready        (each side's phase, written by it only)
 *   128  tail: items written (producer)   192  head: items read (consumer)
 *   256  producer's start time   264  consumer's end time   272  consumer's checksum
 *   4096 the slots: {@link #RING_BYTES} bytes, each slot the item's size (8 for an int)
 * </pre>
 * A slot is written before the tail passes it (an ordered store) and read after the tail was
 * seen beyond it (a volatile load); the head guards the slots the producer reuses the same way.
 * Each side keeps the other's index it saw last and reads it again only when the ring looks full
 * or empty. The accesses are {@code sun.misc.Unsafe}'s at the mapping's address, as the library's
 * children make theirs on JDK 17 (its {@code MappedWords}): in a new JVM's interpreter each is
 * one native call, where a buffer's is a dozen calls. A 4 KiB item is taken into an array from
 * {@link Array#newInstance}, as the library's {@code SharedSegment.getBytes} does (C1 zeroes it
 * with {@code memset} there).
 */
public final class BareRing {
    static final String PRODUCE = "produce";
    static final String CONSUME = "consume";
    private static final long PRODUCER_READY = 0;
    private static final long CONSUMER_READY = 64;
    private static final long TAIL = 128;
    private static final long HEAD = 192;
    private static final long STARTED = 256;
    private static final long ENDED = 264;
    private static final long CHECKSUM = 272;
    private static final long SLOTS = 4096;
    /** The slots' bytes: a queue's standard chunk, as hot as one a queue reuses. */
    static final int RING_BYTES = 1 << 20;
    /** What every byte of a {@code byte[]} item holds: the consumer adds each item's last byte. */
    private static final byte FILL = 7;
    private static final int SPINS_BEFORE_YIELD = 100;
    private static final long DEADLINE_SECONDS = 120;

    private BareRing() {
    }

    /**
     * One side of the ring, in a new JVM.
     *
     * @param args {@link #PRODUCE} or {@link #CONSUME}, the ring's file, the items to time, their
     *     size in bytes (0: ints), the items to move first, untimed
     * @throws Exception when the file cannot be mapped
     */
    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[1]);
        int items = Integer.parseInt(args[2]);
        int size = Integer.parseInt(args[3]);
        int warmUp = Integer.parseInt(args[4]);
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw"); FileChannel channel = f.getChannel()) {
            MappedByteBuffer mapping = channel.map(FileChannel.MapMode.READ_WRITE, 0, SLOTS + RING_BYTES);
            Side ring = new Side(mapping, size);
            if (args[0].equals(PRODUCE)) {
                ring.produce(items, size, warmUp);
            } else {
                ring.consume(items, size, warmUp);
            }
            Reference.reachabilityFence(mapping); // the side reads and writes it by address
        }
    }

    /**
     * Moves {@code items} items of {@code size} bytes (0: ints) from one new JVM to another,
     * after {@code warmUp} untimed ones.
     *
     * @return seconds from the producer's first timed item to the consumer's last
     * @throws IOException when a JVM fails, overruns its deadline, or the items do not add up
     */
    static double seconds(int items, int size, int warmUp) throws IOException, InterruptedException {
        Path file = Files.createTempFile(Path.of("/dev/shm"), "mp4j-bench-ring-", "");
        try {
            try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
                f.setLength(SLOTS + RING_BYTES);
            }
            List<Process> sides = new ArrayList<>();
            try {
                for (String role : List.of(CONSUME, PRODUCE)) {
                    List<String> command = BareJvm.command(BareJvm.childOptions(), BareRing.class, role, file.toString(),
                            Integer.toString(items), Integer.toString(size), Integer.toString(warmUp));
                    sides.add(new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                            .redirectError(ProcessBuilder.Redirect.INHERIT).start());
                }
                for (Process side : sides) {
                    if (!side.waitFor(DEADLINE_SECONDS, TimeUnit.SECONDS) || side.exitValue() != 0) {
                        throw new IOException("a side of the bare ring failed or overran " + DEADLINE_SECONDS + " s");
                    }
                }
            } finally {
                for (Process side : sides) {
                    side.destroyForcibly();
                    side.waitFor();
                }
            }
            try (FileChannel channel = FileChannel.open(file)) {
                ByteBuffer header = ByteBuffer.allocate((int) SLOTS).order(ByteOrder.nativeOrder());
                if (channel.read(header, 0) != SLOTS) {
                    throw new IOException("the bare ring's header could not be read whole");
                }
                long expected = size == 0 ? (long) items * (items - 1) / 2 : (long) items * FILL;
                if (header.getLong((int) CHECKSUM) != expected) {
                    throw new IOException("the bare ring's consumer took other items than were put");
                }
                return (header.getLong((int) ENDED) - header.getLong((int) STARTED)) / 1e9;
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** A side of the ring, in its own JVM: the bench's JVM never loads it (nor, so, {@code Unsafe}'s memory access). */
    private static final class Side {
        private static final sun.misc.Unsafe UNSAFE = UnsafeAccess.UNSAFE;
        private static final long BYTE_ARRAY_BASE = UNSAFE.arrayBaseOffset(byte[].class);
        /** The length from which the library copies an item in bulk (its {@code MappedWords}). */
        private static final int WORD_COPY_BELOW = 128;

        private final long base;
        private final long slotSize;
        private final long capacity;
        private long tail;
        private long head;
        private long seenHead;
        private long seenTail;

        Side(MappedByteBuffer mapping, int size) throws ReflectiveOperationException {
            Field address = Buffer.class.getDeclaredField("address");
            base = UNSAFE.getLong(mapping, UNSAFE.objectFieldOffset(address));
            slotSize = size == 0 ? Long.BYTES : size;
            capacity = RING_BYTES / slotSize;
        }

        private void produce(int items, int size, int warmUp) {
            byte[] payload = new byte[size];
            Arrays.fill(payload, FILL);
            for (int i = 0; i < warmUp; i++) {
                put(i, payload);
            }
            meet(PRODUCER_READY, CONSUMER_READY);
            UNSAFE.putLongVolatile(null, base + STARTED, System.nanoTime());
            for (int i = 0; i < items; i++) {
                put(i, payload);
            }
        }

        private void consume(int items, int size, int warmUp) {
            for (int i = 0; i < warmUp; i++) {
                take(size);
            }
            meet(CONSUMER_READY, PRODUCER_READY);
            long sum = 0;
            for (int i = 0; i < items; i++) {
                sum += take(size);
            }
            UNSAFE.putLongVolatile(null, base + ENDED, System.nanoTime());
            UNSAFE.putLongVolatile(null, base + CHECKSUM, sum);
        }

        /** Says this side is ready and waits until the other one is. */
        private void meet(long mine, long theirs) {
            UNSAFE.putLongVolatile(null, base + mine, 1);
            for (int spins = 0; UNSAFE.getLongVolatile(null, base + theirs) == 0; spins++) {
                pause(spins);
            }
        }

        private void put(long value, byte[] payload) {
            for (int spins = 0; tail - seenHead >= capacity; spins++) {
                seenHead = UNSAFE.getLongVolatile(null, base + HEAD);
                if (tail - seenHead < capacity) {
                    break;
                }
                pause(spins);
            }
            long slot = base + SLOTS + (tail % capacity) * slotSize;
            if (payload.length == 0) {
                UNSAFE.putLong(slot, value);
            } else {
                copy(payload, BYTE_ARRAY_BASE, null, slot, payload.length);
            }
            UNSAFE.putOrderedLong(null, base + TAIL, ++tail);
        }

        /** @return the int taken, or a {@code byte[]} item's last byte */
        private long take(int size) {
            for (int spins = 0; head >= seenTail; spins++) {
                seenTail = UNSAFE.getLongVolatile(null, base + TAIL);
                if (head < seenTail) {
                    break;
                }
                pause(spins);
            }
            long slot = base + SLOTS + (head % capacity) * slotSize;
            long taken;
            if (size == 0) {
                taken = UNSAFE.getLong(slot);
            } else {
                byte[] item = new byte[size];
                copy(null, slot, item, BYTE_ARRAY_BASE, size);
                taken = item[size - 1];
            }
            UNSAFE.putOrderedLong(null, base + HEAD, ++head);
            return taken;
        }

        /**
         * Copies as the library's shared memory does: word by word below {@link #WORD_COPY_BELOW}
         * bytes, where C1 makes a loop of plain moves of it, else in one {@code copyMemory}, a call
         * into the JVM's runtime whatever the length (about 30 ns in C1: most of a 64-byte item's
         * cost, which a floor must not carry when the library does not). Written out here rather
         * than called from the library's {@code MappedWords}: the ring's JVMs run none of the
         * library's code, so that the floor stays a figure of the JVM alone.
         */
        private static void copy(Object fromBase, long from, Object toBase, long to, int length) {
            if (length < WORD_COPY_BELOW) {
                int at = 0;
                for (; at <= length - Long.BYTES; at += Long.BYTES) {
                    UNSAFE.putLong(toBase, to + at, UNSAFE.getLong(fromBase, from + at));
                }
                for (; at < length; at++) {
                    UNSAFE.putByte(toBase, to + at, UNSAFE.getByte(fromBase, from + at));
                }
            } else {
                UNSAFE.copyMemory(fromBase, from, toBase, to, length);
            }
        }

        private static void pause(int spins) {
            if (spins < SPINS_BEFORE_YIELD) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
    }
}
