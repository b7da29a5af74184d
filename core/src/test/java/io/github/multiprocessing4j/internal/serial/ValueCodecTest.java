package io.github.multiprocessing4j.internal.serial;

import org.junit.jupiter.api.Test;

import java.io.NotSerializableException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The one tag table in both framings: a queue item ({@link ItemCodec}) and a section ({@link ValueSection}). */
class ValueCodecTest {
    private static final ClassLoader LOADER = ValueCodecTest.class.getClassLoader();

    record Point(int x, int y) implements Serializable {
    }

    /** Not serializable. */
    static final class Opaque {
    }

    /** One value of each tag a value can have, with the tag it must get. */
    private static final Object[][] EVERY_TAG = {
        {Integer.MIN_VALUE, ValueCodec.INT},
        {Long.MAX_VALUE, ValueCodec.LONG},
        {-0.0d, ValueCodec.DOUBLE},
        {true, ValueCodec.TRUE},
        {false, ValueCodec.FALSE},
        {"grüße, 世界 🙂", ValueCodec.STRING},
        {new byte[] {-1, 0, 1}, ValueCodec.BYTES},
        {null, ValueCodec.NULL},
        {Float.NaN, ValueCodec.FLOAT},
        {Short.MIN_VALUE, ValueCodec.SHORT},
        {Byte.MIN_VALUE, ValueCodec.BYTE},
        {'\uffff', ValueCodec.CHAR},
        {new Point(3, 4), ValueCodec.COMPOUND},
        {new java.math.BigDecimal("3.40"), ValueCodec.SERIALIZED},
    };

    @Test
    void everyTagIsBelowTheFirstByteOfTheOtherEncodingsAndFixedSizesMatchTheTable() {
        for (byte tag = 1; tag <= ValueCodec.OBJECT; tag++) {
            assertThat(ValueCodec.isTag(tag)).isTrue();
        }
        assertThat(ValueCodec.isTag(ValueCodec.COMPOUND)).isTrue();
        assertThat(ValueCodec.isTag(ValueCodec.HANDLE)).as("a section's only").isFalse();
        assertThat(ValueCodec.isTag((byte) 0)).isFalse();
        assertThat(ValueCodec.isTag((byte) 0xAC)).isFalse();
        assertThat(ValueCodec.isTag(LambdaEncoding.TAG)).isFalse();
        assertThat(ValueCodec.fixedSize(ValueCodec.INT)).isEqualTo(4);
        assertThat(ValueCodec.fixedSize(ValueCodec.CHAR)).isEqualTo(2);
        assertThat(ValueCodec.fixedSize(ValueCodec.OBJECT)).isEqualTo(-1);
        assertThat(ValueCodec.fixedSize((byte) -84)).as("a damaged tag").isEqualTo(-1);
    }

    @Test
    void everyValueComesBackFromAnItemWithItsTagAndItsClass() {
        for (Object[] row : EVERY_TAG) {
            ItemCodec.Encoded encoded = ItemCodec.encode(row[0], "item");
            assertThat(encoded.tag).as("tag of %s", row[0]).isEqualTo(row[1]);
            assertThat(encoded.length()).isEqualTo(encoded.body.length + 1);
            assertThat(ItemCodec.decode(encoded, LOADER)).as("value of tag %s", row[1]).isEqualTo(row[0]);
            if (row[0] != null) {
                assertThat(ItemCodec.decode(encoded, LOADER)).isInstanceOf(row[0].getClass());
            }
        }
    }

    @Test
    void anItemHasTheBytesOfTheTable() {
        assertThat(ItemCodec.encode(0x01020304, "item").body).containsExactly(1, 2, 3, 4);
        assertThat(ItemCodec.encode('A', "item").body).containsExactly(0, 65);
        assertThat(ItemCodec.encode(true, "item").body).isEmpty();
        assertThat(ItemCodec.encode("é", "item").body).containsExactly(0xC3, 0xA9);
        assertThat(ItemCodec.encode(java.math.BigInteger.TEN, "item").body[0]).as("a JDK stream").isEqualTo((byte) 0xAC);
    }

    @Test
    void aByteArrayItemIsNotCopiedEitherWay() {
        byte[] bytes = {5, 6};
        ItemCodec.Encoded encoded = ItemCodec.encode(bytes, "item");
        assertThat(encoded.body).isSameAs(bytes);
        assertThat(ItemCodec.decode(encoded, LOADER)).isSameAs(bytes);
        assertThat(ItemCodec.isByteArrayTag(encoded.tag)).isTrue();
    }

    @Test
    void emptyAndLargeItemsComeBack() {
        String large = "x".repeat(70_000) + "ü".repeat(30_000); // past writeUTF's 64 KiB
        assertThat(ItemCodec.decode(ItemCodec.encode(large, "item"), LOADER)).isEqualTo(large);
        assertThat(ItemCodec.decode(ItemCodec.encode("", "item"), LOADER)).isEqualTo("");
        assertThat((byte[]) ItemCodec.decode(ItemCodec.encode(new byte[0], "item"), LOADER)).isEmpty();
    }

    @Test
    void aRecordWithoutTagIsAStreamAndAnUnknownTagOrShortBodyIsDamage() {
        byte[] stream = Serialization.serialize(new Point(5, 6), "item");
        assertThat(ItemCodec.decode(new ItemCodec.Encoded((byte) 0, stream), LOADER)).isEqualTo(new Point(5, 6));
        assertThat(new ItemCodec.Encoded((byte) 0, stream).length()).isEqualTo(stream.length);
        assertThatThrownBy(() -> ItemCodec.decode(new ItemCodec.Encoded(ValueCodec.OBJECT, new byte[0]), LOADER))
                .isInstanceOf(UncheckedIOException.class).hasMessageContaining("unknown tag 15");
        assertThatThrownBy(() -> ItemCodec.decode(new ItemCodec.Encoded(ValueCodec.LONG, new byte[4]), LOADER))
                .isInstanceOf(UncheckedIOException.class).hasMessageContaining("4 bytes");
    }

    @Test
    void anItemThatCannotBeSerializedNamesItsClass() {
        assertThatThrownBy(() -> ItemCodec.encode(new Opaque(), "item"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the item is not serializable").hasMessageContaining(Opaque.class.getName())
                .hasCauseInstanceOf(NotSerializableException.class);
    }

    @Test
    void everyValueComesBackFromATaggedSectionAfterAHeaderOfItsMessage() {
        Wire.Writer out = new Wire.Writer(0).putLong(42); // a message's header before the section
        ValueSection.Encoder encoder = new ValueSection.Encoder(out, "item");
        List<Object> values = new ArrayList<>();
        encoder.add("first"); // variable size first: tagged from the start
        values.add("first");
        for (Object[] row : EVERY_TAG) {
            encoder.add(row[0]);
            values.add(row[0]);
        }
        encoder.add(new byte[0]);
        values.add(new byte[0]);
        encoder.finish();
        byte[] message = out.toByteArray();
        assertThat(message[16]).as("layout").isEqualTo((byte) 0);
        assertThat(readSection(message, 8)).containsExactly(values.toArray());
    }

    @Test
    void sectionsOfOneFixedSizeTagArePackedAndTheGuessIsExact() {
        for (Object[] row : EVERY_TAG) {
            byte tag = (byte) row[1];
            if (ValueCodec.fixedSize(tag) < 0) {
                continue;
            }
            Object[] values = new Object[1000];
            Arrays.fill(values, row[0]);
            byte[] message = section(values);
            assertThat(message[8]).as("layout of %s", row[0]).isEqualTo(tag);
            int size = ValueCodec.fixedSize(tag);
            assertThat(message.length).isEqualTo(9 + 1000 * size);
            if (size > 0) {
                assertThat(ValueSection.sizeGuess(row[0], 1000)).isEqualTo(message.length);
            }
            assertThat(readSection(message, 0)).containsExactly(values);
        }
        Object[] ints = {0, -1, Integer.MAX_VALUE, Integer.MIN_VALUE};
        byte[] packed = section(ints);
        assertThat(packed).hasSize(9 + 16);
        assertThat(Arrays.copyOfRange(packed, 9, 13)).containsExactly(0, 0, 0, 0);
        assertThat(Arrays.copyOfRange(packed, 13, 17)).containsExactly(-1, -1, -1, -1);
        assertThat(readSection(packed, 0)).containsExactly(ints);
    }

    @Test
    void aMixedSectionFallsBackToTagsAtTheFirstValueOfAnotherTag() {
        Object[] intsThenLong = {1, 2, 3, 4L, 5};
        byte[] message = section(intsThenLong);
        assertThat(message[8]).as("layout").isEqualTo((byte) 0);
        assertThat(message).hasSize(9 + 4 * 5 + 9);
        assertThat(readSection(message, 0)).containsExactly(intsThenLong);
        assertThat(readSection(message, 0)[3]).isInstanceOf(Long.class);

        Object[] trueThenFalse = {true, true, false, null};
        assertThat(readSection(section(trueThenFalse), 0)).containsExactly(trueThenFalse);
        Object[] intsThenString = {7, 8, "nine"};
        assertThat(readSection(section(intsThenString), 0)).containsExactly(intsThenString);
        Object[] longsThenObject = {1L, new Point(1, 1), 2L, new Point(2, 2)};
        assertThat(readSection(section(longsThenObject), 0)).containsExactly(longsThenObject);
    }

    @Test
    void anEmptySectionAndAnEmptyMessageTailComeBack() {
        byte[] message = section();
        assertThat(message).hasSize(9);
        assertThat(readSection(message, 0)).isEmpty();
    }

    @Test
    void objectsShareOneStreamAndKeepWhatTheyShare() {
        List<String> shared = new ArrayList<>(List.of("a"));
        Object[] values = {shared, 1, shared, new Point(0, 0)};
        Object[] back = readSection(section(values), 0);
        assertThat(back).containsExactly(values);
        assertThat(back[0]).isSameAs(back[2]);
    }

    @Test
    void objectsThatCannotBeSerializedFailTheSectionOrOnlyThemselvesWhenEachIsSerializedOnItsOwn() {
        Wire.Writer together = new Wire.Writer(0);
        ValueSection.Encoder encoder = new ValueSection.Encoder(together, "result");
        encoder.add(new Opaque());
        assertThatThrownBy(encoder::finish).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the result is not serializable").hasMessageContaining(Opaque.class.getName());

        Wire.Writer out = new Wire.Writer(0);
        out.putByte(42); // the section need not start its message
        ValueSection.Encoder each = new ValueSection.Encoder(out, "result");
        each.add(1);
        each.add(new Point(1, 2));
        each.add(new Opaque());
        each.addFailure(new IllegalStateException("boom"));
        each.add("three");
        each.add(new byte[] {4});
        each.add(5L);
        each.finishEachSerializable();
        Object[] back = readSection(out.toByteArray(), 1);
        assertThat(back).hasSize(7);
        assertThat(back[0]).isEqualTo(1);
        assertThat(back[1]).isEqualTo(new Point(1, 2));
        assertThat(((ValueSection.Failed) back[2]).cause()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(Opaque.class.getName());
        assertThat(((ValueSection.Failed) back[3]).cause()).isInstanceOf(IllegalStateException.class).hasMessage("boom");
        assertThat(back[4]).isEqualTo("three");
        assertThat((byte[]) back[5]).containsExactly(4);
        assertThat(back[6]).isEqualTo(5L);

        Wire.Writer serializable = new Wire.Writer(0);
        ValueSection.Encoder shared = new ValueSection.Encoder(serializable, "result");
        List<String> list = new ArrayList<>(List.of("a"));
        shared.add(list);
        shared.add(list);
        shared.finishEachSerializable(); // all serializable: one stream, as finish() writes it
        Object[] sharedBack = readSection(serializable.toByteArray(), 0);
        assertThat(sharedBack[0]).isEqualTo(list).isSameAs(sharedBack[1]);
    }

    @Test
    void aSectionReadValueByValueGivesWhatReadingItWholeGives() {
        Object[] values = {1, 2L, "x", null, new Point(3, 4), true, 2.5};
        byte[] message = section(values);
        ValueSection.Decoder decoder = ValueSection.decoder(new Wire.Reader(message, 0, message.length), LOADER);
        assertThat(decoder.count()).isEqualTo(values.length);
        for (Object value : values) {
            assertThat(decoder.next()).isEqualTo(value);
        }
        assertThatThrownBy(decoder::next).isInstanceOf(java.util.NoSuchElementException.class);

        byte[] packed = section(7L, 8L);
        ValueSection.Decoder longs = ValueSection.decoder(new Wire.Reader(packed, 0, packed.length), LOADER);
        assertThat(longs.next()).isEqualTo(7L);
        assertThat(longs.next()).isEqualTo(8L);
        packed[3] = 9; // nine longs in the bytes of two
        assertThatThrownBy(() -> ValueSection.decoder(new Wire.Reader(packed, 0, packed.length), LOADER))
                .isInstanceOf(UncheckedIOException.class);
    }

    @Test
    void aFailureAfterPackedValuesTurnsTheSectionTagged() {
        Wire.Writer out = new Wire.Writer(0);
        ValueSection.Encoder encoder = new ValueSection.Encoder(out, "result");
        encoder.add(10L);
        encoder.add(11L);
        encoder.addFailure(new ArithmeticException("/ by zero"));
        encoder.finish();
        Object[] back = readSection(out.toByteArray(), 0);
        assertThat(back[0]).isEqualTo(10L);
        assertThat(back[1]).isEqualTo(11L);
        assertThat(((ValueSection.Failed) back[2]).cause()).isInstanceOf(ArithmeticException.class);
    }

    @Test
    void anUnknownTagOrLayoutIsReportedAsDamage() {
        byte[] message = section("x");
        message[9] = 0x7f;
        assertThatThrownBy(() -> readSection(message, 0)).isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("unknown value tag 127");
        byte[] packed = section(1, 2);
        packed[8] = ValueCodec.STRING;
        assertThatThrownBy(() -> readSection(packed, 0)).isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("unknown layout 6");
    }

    /**
     * Short ASCII strings are written char by char, others through their UTF-8 bytes: the same
     * bytes either way, at the edges of the short ones, with a non-ASCII char first, last, or
     * past an ASCII start the writer had already copied, and in a buffer that must grow.
     */
    @Test
    void everyStringComesBackWhicheverWayItWasWritten() {
        String ascii64 = "a".repeat(64);
        List<String> strings = List.of("", "x", ascii64, ascii64 + "b", "é", "abcé", ascii64.substring(1) + "é",
                "ascii then 中文", "\uD83D\uDE00 surrogates", "\u007f\u0080", "z".repeat(100_000));
        Wire.Writer out = new Wire.Writer(1);
        for (String s : strings) {
            out.putString(s);
        }
        Wire.Writer expected = new Wire.Writer(1);
        for (String s : strings) {
            expected.putSizedBytes(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        assertThat(out.toByteArray()).isEqualTo(expected.toByteArray());
        Wire.Reader in = new Wire.Reader(out.toByteArray());
        for (String s : strings) {
            assertThat(in.getString()).isEqualTo(s);
        }
    }

    @Test
    void theWireWritesBigEndianAndStringsWithTheirLength() {
        Wire.Writer out = new Wire.Writer(1);
        out.putInt(0x01020304).putLong(-2).putBoolean(true).putString("hé").putSizedBytes(new byte[] {9});
        out.setInt(0, 7);
        byte[] bytes = out.toByteArray();
        assertThat(bytes).hasSize(4 + 8 + 1 + 4 + 3 + 4 + 1);
        Wire.Reader in = new Wire.Reader(bytes);
        assertThat(in.getInt()).isEqualTo(7);
        assertThat(in.getLong()).isEqualTo(-2);
        assertThat(in.getBoolean()).isTrue();
        assertThat(in.getString()).isEqualTo("hé");
        assertThat(in.getSizedBytes()).containsExactly(9);
        assertThat(in.position()).isEqualTo(in.end());
        assertThat(Wire.getShort(new byte[] {1, 2}, 0)).isEqualTo((short) 0x0102);
        out.truncate(4);
        assertThat(out.toByteArray()).containsExactly(0, 0, 0, 7);
    }

    @Test
    void aPackedSectionOfIntsLongsOrDoublesIsReadUnboxedInOneCopyAndAnyOtherLayoutIsLeftUnread() {
        Object[] ints = {0, -1, 7, Integer.MAX_VALUE, Integer.MIN_VALUE};
        byte[] packed = section(ints);
        byte[] buffer = new byte[packed.length + 5];
        System.arraycopy(packed, 0, buffer, 3, packed.length);
        Wire.Reader in = new Wire.Reader(buffer, 3, 3 + packed.length);
        assertThat((int[]) ValueSection.readPacked(in)).containsExactly(0, -1, 7, Integer.MAX_VALUE, Integer.MIN_VALUE);
        assertThat(in.position()).isEqualTo(3 + packed.length);

        byte[] longs = section(1L, -2L, Long.MAX_VALUE, Long.MIN_VALUE);
        Wire.Reader longReader = new Wire.Reader(longs, 0, longs.length);
        assertThat((long[]) ValueSection.readPacked(longReader)).containsExactly(1L, -2L, Long.MAX_VALUE, Long.MIN_VALUE);
        assertThat(longReader.position()).isEqualTo(longs.length);
        double nan = Double.longBitsToDouble(0x7ff8_0000_0000_0123L);
        byte[] doubles = section(0.5, -0.0, nan, Double.NEGATIVE_INFINITY);
        double[] back = (double[]) ValueSection.readPacked(new Wire.Reader(doubles, 0, doubles.length));
        assertThat(back).hasSize(4);
        assertThat(Double.doubleToRawLongBits(back[1])).isEqualTo(Double.doubleToRawLongBits(-0.0));
        assertThat(Double.doubleToRawLongBits(back[2])).isEqualTo(Double.doubleToRawLongBits(nan));
        assertThat(PackedValues.boxed(back)).containsExactly(0.5, -0.0, nan, Double.NEGATIVE_INFINITY);
        for (int count : new int[] {1, 8, 9, 100}) { // a few are read value by value, more through a view
            Object[][] sections = {
                IntStream.range(0, count).mapToObj(i -> i * 0x0101_0101 - 7).toArray(),
                IntStream.range(0, count).mapToObj(i -> i * 0x0101_0101_0101_0101L - 7).toArray(),
                IntStream.range(0, count).mapToObj(i -> i / 3.0 - 7).toArray()};
            for (Object[] values : sections) {
                byte[] message = section(values);
                Wire.Reader reader = new Wire.Reader(message, 0, message.length);
                assertThat(PackedValues.boxed(ValueSection.readPacked(reader))).as("%s", Arrays.toString(values))
                        .containsExactly(values);
                assertThat(reader.position()).isEqualTo(message.length);
            }
        }

        for (Object[] other : new Object[][] {{1, 2L}, {1L, "two"}, {1, null}, {"a"}, {(short) 1}, {1.0f}, {}}) {
            byte[] message = section(other);
            Wire.Reader reader = new Wire.Reader(message, 0, message.length);
            assertThat(ValueSection.readPacked(reader)).as("%s", Arrays.toString(other)).isNull();
            assertThat(reader.position()).isZero();
            assertThat(ValueSection.read(reader, LOADER)).containsExactly(other);
        }

        byte[] damaged = section(ints);
        damaged[0] = 0x7f; // a count beyond the message
        assertThatThrownBy(() -> ValueSection.readPacked(new Wire.Reader(damaged, 0, damaged.length)))
                .isInstanceOf(UncheckedIOException.class);
    }

    /** @return a message holding only a section of {@code values} */
    static byte[] section(Object... values) {
        Wire.Writer out = new Wire.Writer(ValueSection.sizeGuess(values.length > 0 ? values[0] : null, values.length));
        ValueSection.Encoder encoder = new ValueSection.Encoder(out, "item");
        for (Object value : values) {
            encoder.add(value);
        }
        encoder.finish();
        return out.toByteArray();
    }

    /** Reads a section at {@code at} of a message that starts at 3 of a larger buffer, as in a batch. */
    private static Object[] readSection(byte[] message, int at) {
        byte[] buffer = new byte[message.length + 5];
        System.arraycopy(message, 0, buffer, 3, message.length);
        Wire.Reader in = new Wire.Reader(buffer, 3, 3 + message.length);
        in.position(3 + at);
        return ValueSection.read(in, LOADER);
    }
}
