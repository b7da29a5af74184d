package io.github.multiprocessing4j.internal.shm;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A segment's words are the same whichever way they are read or written (and its bytes, copied
 * out into a new array of any length): its loads and stores
 * (plain accesses with fences) and its read-modify-write operations agree on the platform's byte
 * order, which is also the order of the file that every other process maps, and of the buffer
 * views handed out; whichever way this JVM reaches them ({@link MappedWords}: {@code Unsafe} up
 * to JDK 23, the buffer from 24), a word outside the segment is refused, never touched, and so is
 * a misaligned atomic operation (a misaligned load or store is the buffer's, unchecked).
 */
class SharedSegmentWordsTest {
    private static final long LONG = 0x0102030405060708L;
    private static final int INT = 0x0a0b0c0d;

    private SharedSegment segment;

    @BeforeEach
    void create() {
        segment = SharedSegment.create("words", 4096);
    }

    @AfterEach
    void unlink() {
        segment.unlink();
    }

    @Test
    void storesLoadsAndReadModifyWritesAgreeOnALong() throws Exception {
        segment.setLongVolatile(8, LONG);
        assertThat(segment.compareAndSetLong(8, LONG, LONG + 1)).isTrue();
        assertThat(segment.getLongVolatile(8)).isEqualTo(LONG + 1);
        assertThat(segment.getAndAddLong(8, 1)).isEqualTo(LONG + 1);
        segment.setLongRelease(16, segment.getAndSetLong(8, -LONG));

        assertThat(segment.getLongVolatile(8)).isEqualTo(-LONG);
        assertThat(segment.getLongVolatile(16)).isEqualTo(LONG + 2);
        assertThat(fileBytes().getLong(16)).isEqualTo(LONG + 2);
        assertThat(segment.buffer().getLong(8)).isEqualTo(-LONG);
    }

    @Test
    void storesLoadsAndReadModifyWritesAgreeOnAnInt() throws Exception {
        segment.setIntRelease(4, INT);
        assertThat(segment.compareAndSetInt(4, INT, INT + 1)).isTrue();
        assertThat(segment.getIntAcquire(4)).isEqualTo(INT + 1);
        segment.setIntVolatile(12, segment.getIntVolatile(4) + 1);

        assertThat(fileBytes().getInt(12)).isEqualTo(INT + 2);
        assertThat(segment.buffer().getInt(4)).isEqualTo(INT + 1);
    }

    @Test
    void bytesCopiedOutIntoANewArrayAreTheSegmentsWhateverTheirLength() {
        byte[] written = new byte[3000];
        for (int i = 0; i < written.length; i++) {
            written[i] = (byte) (i * 31 + 7);
        }
        segment.putBytes(100, written, 0, written.length);

        // below and above the length from which the runtime allocates the array
        for (int length : new int[] {0, 1, 64, 1023, 1024, 1025, 3000}) {
            byte[] read = segment.getBytes(100, length);
            assertThat(read).hasSize(length).containsExactly(java.util.Arrays.copyOf(written, length));
        }
        assertThat(segment.getBytes(101, 2048)).containsExactly(java.util.Arrays.copyOfRange(written, 1, 2049));
        assertThatThrownBy(() -> segment.getBytes(4096 - 1024, 1025)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void arraysCopiedInAndOutAtAnyOffsetAndLengthKeepEveryByteAndTouchNoOther() throws Exception {
        // short copies go word by word, unaligned, long ones in bulk: every length up to past the
        // switch, at offsets of every alignment on both sides, between sentinels that must survive
        byte[] source = new byte[400];
        for (int i = 0; i < source.length; i++) {
            source[i] = (byte) (i * 37 + 11);
        }
        for (int length = 0; length <= 300; length++) {
            int offset = 1000 + length % 8;
            int sourceOffset = length % 5;
            segment.putByte(offset - 1, (byte) 0x55);
            segment.putByte(offset + length, (byte) 0x66);

            segment.putBytes(offset, source, sourceOffset, length);
            byte[] target = new byte[length + 10];
            java.util.Arrays.fill(target, (byte) 0x77);
            segment.getBytes(offset, target, 3, length);

            byte[] expected = java.util.Arrays.copyOfRange(source, sourceOffset, sourceOffset + length);
            assertThat(fileBytes().slice(offset, length).equals(ByteBuffer.wrap(expected))).as("length %d", length)
                    .isTrue();
            assertThat(java.util.Arrays.copyOfRange(target, 3, 3 + length)).containsExactly(expected);
            assertThat(target[2]).isEqualTo((byte) 0x77);
            assertThat(target[3 + length]).isEqualTo((byte) 0x77);
            assertThat(segment.getByte(offset - 1)).isEqualTo((byte) 0x55);
            assertThat(segment.getByte(offset + length)).isEqualTo((byte) 0x66);

            // and from one mapping to another (a record into a joinable consumer's log)
            int otherOffset = 2000 + length % 7;
            segment.putByte(otherOffset - 1, (byte) 0x44);
            segment.putByte(otherOffset + length, (byte) 0x33);
            segment.copyTo(offset, segment, otherOffset, length);
            assertThat(segment.getBytes(otherOffset, length)).as("copied within, length %d", length).containsExactly(expected);
            assertThat(segment.getByte(otherOffset - 1)).isEqualTo((byte) 0x44);
            assertThat(segment.getByte(otherOffset + length)).isEqualTo((byte) 0x33);
        }
        byte[] small = new byte[16];
        assertThatThrownBy(() -> segment.putBytes(4096 - 8, small, 0, 16)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> segment.putBytes(0, small, 4, 16)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> segment.getBytes(-1, small, 0, 8)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> segment.getBytes(0, small, 10, 8)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThat(segment.getLongVolatile(4096 - 8)).isZero();
        assertThat(small).containsOnly(0);
    }

    @Test
    void aWordOutsideTheSegmentIsRefusedAndNothingIsWritten() throws Exception {
        int size = 4096;
        segment.setLongRelease(size - 8, LONG); // the last word is inside
        assertThatThrownBy(() -> segment.setLongRelease(size, 1)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> segment.getLongVolatile(-8)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> segment.compareAndSetLong(size, 0, 1)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> segment.getAndAddLong(Integer.MAX_VALUE & ~7, 1))
                .isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> segment.setIntRelease(size, 1)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> segment.compareAndSetInt(-4, 0, 1)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> segment.putByte(size, (byte) 1)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> segment.getByte(-1)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThat(segment.getLongVolatile(size - 8)).isEqualTo(LONG);
    }

    @Test
    void aMisalignedAtomicOperationIsRefused() {
        // not atomic, or a fault, on some processors: refused as a buffer's VarHandle view refuses it
        assertThatThrownBy(() -> segment.compareAndSetLong(4, 0, 1)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> segment.getAndAddLong(12, 1)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> segment.getAndSetLong(2, 1)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> segment.compareAndSetInt(6, 0, 1)).isInstanceOf(IllegalStateException.class);
        assertThat(segment.getLongVolatile(0)).isZero();
    }

    @Test
    void unsafeReachesTheWordsOnlyWhereTheJdkIsSilentAboutIt() {
        // JDK 24 and later warn about sun.misc.Unsafe's memory access on the first use (JEP 498),
        // unless told --sun-misc-unsafe-memory-access=allow (as the library's children are)
        String choice = System.getProperty("sun.misc.unsafe.memory.access");
        assertThat(MappedWords.usesUnsafe())
                .isEqualTo(choice == null ? Runtime.version().feature() <= 23 : choice.equals("allow"));
    }

    /** The segment's file as another process would map it, read in the platform's order. */
    private ByteBuffer fileBytes() throws Exception {
        byte[] bytes = Files.readAllBytes(InstalledTrees.get().own().segmentFile(segment.name()));
        return ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
    }

    @Test
    void aRehearsedMappingLeavesItsFileAsItWas(@org.junit.jupiter.api.io.TempDir java.nio.file.Path directory)
            throws Exception {
        java.nio.file.Path file = directory.resolve("probe");
        byte[] bytes = ByteBuffer.allocate(Long.BYTES).order(ByteOrder.nativeOrder()).putLong(LONG).array();
        Files.write(file, bytes);

        SharedSegment.rehearseMapping(file);

        assertThat(Files.readAllBytes(file)).containsExactly(bytes);
        assertThatThrownBy(() -> SharedSegment.rehearseMapping(directory.resolve("missing")))
                .isInstanceOf(java.nio.file.NoSuchFileException.class);
    }

    /**
     * A slice's offset 0 is its offset in the segment, its words and copies stay inside it, and it
     * cannot travel to another process (which would map the segment's start under its size).
     */
    @Test
    void aSliceIsAPartOfItsSegmentThatCannotTravel() {
        SharedSegment slice = segment.slice(1024, 2048);
        slice.setLongVolatile(8, LONG);
        assertThat(segment.getLongVolatile(1024 + 8)).isEqualTo(LONG);
        assertThat(slice.size()).isEqualTo(2048);
        assertThat(slice.name()).isEqualTo(segment.name());
        assertThatThrownBy(() -> slice.getLong(2048)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> segment.slice(4000, 200)).isInstanceOf(IndexOutOfBoundsException.class);

        assertThatThrownBy(() -> new java.io.ObjectOutputStream(new java.io.ByteArrayOutputStream()).writeObject(slice))
                .isInstanceOf(java.io.NotSerializableException.class).hasMessageContaining("slice");
        assertThatThrownBy(() -> new io.github.multiprocessing4j.internal.serial.Wire.Writer(64).putSegment(slice))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("slice");
    }
}
