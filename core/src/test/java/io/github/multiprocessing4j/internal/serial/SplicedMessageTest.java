package io.github.multiprocessing4j.internal.serial;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A writer that splices large arrays ({@link Wire.Writer#putSizedBytesOrSplice}) makes the same
 * message as one that copies them, whole or part by part, and a value section written with it
 * reads back the same values, also when the section is rewritten after the splices.
 */
class SplicedMessageTest {
    private static final ClassLoader LOADER = SplicedMessageTest.class.getClassLoader();
    private static final int SPLICE_FROM = 1_000;

    @Test
    void aWriterThatSplicesLargeArraysMakesTheBytesOfOneThatCopiesThem() {
        byte[] large = random(300_000, 1);
        byte[] small = random(5, 2);
        byte[] last = random(4_000, 3);
        Wire.Writer copying = new Wire.Writer(16);
        Wire.Writer splicing = new Wire.Writer(16).spliceArraysFrom(SPLICE_FROM);
        for (Wire.Writer out : List.of(copying, splicing)) {
            out.putByte(1).putInt(7);
            out.putSizedBytesOrSplice(large);
            out.putLong(42);
            out.putSizedBytesOrSplice(small); // below the size: copied
            out.putSizedBytesOrSplice(last);
            out.putInt(9);
            out.setInt(1, 8); // before the first splice: the same place in both
        }
        byte[] expected = copying.toByteArray();
        assertThat(splicing.length()).isEqualTo(expected.length);
        assertThat(splicing.position()).isEqualTo(expected.length - large.length - last.length);

        Object message = splicing.toMessage();
        assertThat(message).isInstanceOf(Wire.Spliced.class);
        Wire.Spliced spliced = (Wire.Spliced) message;
        assertThat(spliced.length()).isEqualTo(expected.length);
        assertThat(spliced.toByteArray()).isEqualTo(expected);
        ByteArrayOutputStream parts = new ByteArrayOutputStream();
        spliced.forEachPart(parts::write);
        assertThat(parts.toByteArray()).isEqualTo(expected);
        assertThat(splicing.toByteArray()).isEqualTo(expected);
        assertThat(copying.toMessage()).as("nothing spliced: the array").isInstanceOf(byte[].class);
    }

    @Test
    void truncatingDropsTheArraysSplicedAfterThePointAndFlatteningCopiesThemIn() {
        Wire.Writer copying = new Wire.Writer(16);
        Wire.Writer splicing = new Wire.Writer(16).spliceArraysFrom(SPLICE_FROM);
        for (Wire.Writer out : List.of(copying, splicing)) {
            out.putSizedBytesOrSplice(random(2_000, 4));
            int mark = out.position();
            out.putSizedBytesOrSplice(random(3_000, 5));
            out.putByte(3);
            out.truncate(mark);
            out.putSizedBytesOrSplice(random(1_500, 6));
        }
        assertThat(splicing.length()).isEqualTo(copying.position());
        assertThat(splicing.toByteArray()).isEqualTo(copying.toByteArray());
        splicing.flattenSplices();
        assertThat(splicing.position()).isEqualTo(copying.position());
        assertThat(splicing.toMessage()).isInstanceOf(byte[].class);
        assertThat((byte[]) splicing.toMessage()).isEqualTo(copying.toByteArray());
    }

    @Test
    void aValueSectionWithSplicedArraysReadsBackTheSameValues() {
        byte[] first = random(50_000, 7);
        byte[] second = random(20_000, 8);
        List<Object> values = List.of(first, "between", 5, second, 2.5);
        assertThat(readBack(values)).containsExactly(first, "between", 5, second, 2.5);
    }

    @Test
    void aSectionRewrittenAfterItsSplicesForItsObjectsReadsBackTheSameValues() {
        // a compound (a list) and an object JDK serialization carries: the section is rewritten at
        // its end, which reads the values written so far, spliced arrays among them
        byte[] large = random(40_000, 9);
        StringBuilder serialized = new StringBuilder("serialized");
        List<Object> values = new ArrayList<>(List.of(large, List.of(1, 2), serialized, random(2_000, 10)));
        Object[] back = readBack(values);
        assertThat(back).hasSize(4);
        assertThat((byte[]) back[0]).isEqualTo(large);
        assertThat(back[1]).isEqualTo(List.of(1, 2));
        assertThat(back[2]).hasToString("serialized");
        assertThat((byte[]) back[3]).isEqualTo(values.get(3));
    }

    private static Object[] readBack(List<Object> values) {
        Wire.Writer out = new Wire.Writer(16).spliceArraysFrom(SPLICE_FROM);
        out.putByte(99); // a header before the section, as a pool chunk's
        ValueSection.Encoder encoder = new ValueSection.Encoder(out, "item", values.size());
        for (Object value : values) {
            encoder.add(value);
        }
        encoder.finish();
        Object message = out.toMessage();
        byte[] bytes = message instanceof Wire.Spliced spliced ? spliced.toByteArray() : (byte[]) message;
        Wire.Reader in = new Wire.Reader(bytes, 0, bytes.length);
        assertThat(in.getByte()).isEqualTo((byte) 99);
        return ValueSection.read(in, LOADER);
    }

    private static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }
}
