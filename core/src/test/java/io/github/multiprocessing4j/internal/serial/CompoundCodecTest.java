package io.github.multiprocessing4j.internal.serial;

import org.junit.jupiter.api.Test;

import java.io.InvalidClassException;
import java.io.InvalidObjectException;
import java.io.ObjectInputFilter;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The direct encoding of lists, sets, maps, arrays, records and enum constants, as items and in sections. */
class CompoundCodecTest {
    private static final ClassLoader LOADER = CompoundCodecTest.class.getClassLoader();

    enum Size { SMALL, LARGE { @Override public String toString() { return "large"; } } }

    record Order(int id, String name, double price, Size size, List<String> tags) implements Serializable {
    }

    record Positive(long value) implements Serializable {
        Positive {
            if (value <= 0) {
                throw new IllegalArgumentException("not positive: " + value);
            }
        }
    }

    record Replaced(int value) implements Serializable {
        private Object writeReplace() {
            return new Replaced(value + 1);
        }
    }

    record NotSerializable(int value) {
    }

    /** Every primitive type as a component, and a component declared as an interface. */
    record Primitives(int i, long l, double d, float f, short s, byte b, char c, boolean z, CharSequence text)
            implements Serializable {
    }

    /** A list of its own class: not the JDK's, so not encoded here. */
    static final class NamedList extends ArrayList<String> {
    }

    private static Object item(Object value) {
        return ItemCodec.decode(ItemCodec.encode(value, "item"), LOADER);
    }

    private static byte tagOf(Object value) {
        return ItemCodec.encode(value, "item").tag;
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyKindComesBackAsItsOwnClassWithItsElementsInOrder() {
        List<Object> values = List.of(
                new ArrayList<>(Arrays.asList(1, null, "two", 3.0, true, 'c', (short) 4, (byte) 5, 6L, 7f)),
                List.of("a", "b"), List.of(), List.of(1, 2, 3, 4),
                Arrays.asList("x", "y"),
                new HashSet<>(List.of(1, 2, 3)), new LinkedHashSet<>(List.of("z", "a", "m")), Set.of(9, 8, 7),
                new HashMap<>(Map.of("k", 1, "n", "v")), Map.of("one", 1), Map.of("a", 1, "b", 2, "c", 3),
                new Object[] {1, "o", null}, new int[] {1, -2, Integer.MAX_VALUE}, new long[] {Long.MIN_VALUE, 0},
                new double[] {Double.NaN, -0.0, 1.5},
                new Order(7, "tea", 2.5, Size.LARGE, List.of("hot")), Size.SMALL, Size.LARGE,
                new Primitives(Integer.MIN_VALUE, Long.MAX_VALUE, Double.NaN, -0f, (short) -3, (byte) 9, 'q', true, "text"),
                new Primitives(0, 0, -0.0, 0, (short) 0, (byte) 0, '\0', false, null),
                List.of(Map.of("orders", List.of(new Order(1, "a", 1, Size.SMALL, List.of())))));
        for (Object value : values) {
            assertThat(tagOf(value)).as("tag of %s", value).isEqualTo(ValueCodec.COMPOUND);
            Object back = item(value);
            assertThat(back).as("%s", value).isEqualTo(value).hasSameClassAs(value);
            if (value instanceof List<?> || value instanceof LinkedHashSet<?>) {
                assertThat((Iterable<Object>) back).containsExactlyElementsOf((Iterable<Object>) value);
            }
        }
        assertThat(item(Size.LARGE)).isSameAs(Size.LARGE);
        List<Object> immutable = (List<Object>) item(List.of(1, 2, 3));
        assertThatThrownBy(() -> immutable.add(4)).isInstanceOf(UnsupportedOperationException.class);
        List<Object> mutable = (List<Object>) item(new ArrayList<>(List.of(1)));
        mutable.add(2);
        assertThat(mutable).containsExactly(1, 2);
    }

    @Test
    @SuppressWarnings("unchecked")
    void whatTheEncodingCannotKeepGoesToJdkSerializationAndComesBackTheSame() {
        List<Object> shared = new ArrayList<>(List.of("s"));
        List<Object> twice = new ArrayList<>(List.of(shared, shared));
        List<Object> itself = new ArrayList<>();
        itself.add(itself);
        byte[] bytes = {1, 2};
        List<Object> deep = new ArrayList<>();
        List<Object> innermost = deep;
        for (int i = 0; i < CompoundCodec.MAX_DEPTH + 2; i++) {
            List<Object> next = new ArrayList<>();
            innermost.add(next);
            innermost = next;
        }
        LinkedHashMap<String, Integer> accessOrdered = new LinkedHashMap<>(16, 0.75f, true);
        accessOrdered.put("a", 1);
        accessOrdered.put("b", 2);
        accessOrdered.get("a");
        NamedList named = new NamedList();
        named.add("n");
        List<Object> fallbacks = List.of(twice, new ArrayList<>(List.of(bytes, bytes)), deep, accessOrdered,
                new TreeMap<>(Map.of(1, 1)), named, new Replaced(1), List.of(new BigDecimal("1.5")),
                Stream.of("a", null).toList(), new String[] {"s"});
        for (Object value : fallbacks) {
            assertThat(tagOf(value)).as("tag of %s", value.getClass()).isEqualTo(ValueCodec.SERIALIZED);
        }
        assertThat(tagOf(itself)).isEqualTo(ValueCodec.SERIALIZED);

        Order order = new Order(1, "o", 1, Size.SMALL, List.of());
        List<Object> immutableTwice = (List<Object>) item(List.of(order, order));
        assertThat(immutableTwice).containsExactly(order, order);
        assertThat(tagOf(List.of(order, order))).as("equal copies, as strings").isEqualTo(ValueCodec.COMPOUND);

        List<?> twiceBack = (List<?>) item(twice);
        assertThat(twiceBack.get(0)).isEqualTo(shared).isSameAs(twiceBack.get(1));
        List<?> itselfBack = (List<?>) item(itself);
        assertThat(itselfBack.get(0)).isSameAs(itselfBack);
        assertThat(item(new Replaced(1))).as("writeReplace ran").isEqualTo(new Replaced(2));
        assertThat(item(Stream.of("a", null).toList())).isEqualTo(Arrays.asList("a", null));
        assertThat(item(named)).isInstanceOf(NamedList.class);
    }

    @Test
    void aRecordThatIsNotSerializableIsRefusedNamingItsClass() {
        assertThatThrownBy(() -> ItemCodec.encode(new NotSerializable(1), "item"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(NotSerializable.class.getName());
        assertThatThrownBy(() -> ItemCodec.encode(List.of(new NotSerializable(1)), "item"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(NotSerializable.class.getName());
    }

    @Test
    void aRecordIsRebuiltThroughItsCanonicalConstructorWhoseChecksRun() {
        ItemCodec.Encoded encoded = ItemCodec.encode(new Positive(5), "item");
        assertThat(encoded.tag).isEqualTo(ValueCodec.COMPOUND);
        assertThat(ItemCodec.decode(encoded, LOADER)).isEqualTo(new Positive(5));
        byte[] body = encoded.body.clone();
        Wire.putLong(body, body.length - 8, -5); // the one component is the last 8 bytes
        assertThatThrownBy(() -> ItemCodec.decode(new ItemCodec.Encoded(ValueCodec.COMPOUND, body), LOADER))
                .isInstanceOf(UncheckedIOException.class).cause().isInstanceOf(InvalidObjectException.class)
                .hasMessageContaining("not positive: -5");
        body[body.length - 9] = ValueCodec.DOUBLE; // a component of another type than the class declares
        assertThatThrownBy(() -> ItemCodec.decode(new ItemCodec.Encoded(ValueCodec.COMPOUND, body), LOADER))
                .isInstanceOf(UncheckedIOException.class).cause().isInstanceOf(InvalidObjectException.class)
                .hasMessageContaining("other types");
    }

    /**
     * The two ways a record is made (a JVM whose reflection uses native accessors, as the
     * library's children of JDK 22 and later, goes through a method handle): the same record, the
     * same refusals.
     */
    @Test
    void aRecordIsMadeAlikeThroughItsConstructorAndThroughAMethodHandle() throws Exception {
        for (boolean throughHandle : new boolean[] {false, true}) {
            RecordShape primitives = RecordShape.lookUp(Primitives.class, throughHandle);
            Primitives made = new Primitives(1, 2, 3.0, 4f, (short) 5, (byte) 6, '7', true, null);
            assertThat(primitives.construct(new Object[] {1, 2L, 3.0, 4f, (short) 5, (byte) 6, '7', true, null}))
                    .as("through a handle: %s", throughHandle).isEqualTo(made);
            RecordShape positive = RecordShape.lookUp(Positive.class, throughHandle);
            assertThatThrownBy(() -> positive.construct(new Object[] {-5L})).isInstanceOf(InvalidObjectException.class)
                    .hasMessageContaining("refused its components").hasMessageContaining("not positive: -5")
                    .cause().isInstanceOf(IllegalArgumentException.class);
            for (Object[] wrong : List.of(new Object[] {5.0}, new Object[] {null}, new Object[] {5L, 6L}, new Object[0])) {
                assertThatThrownBy(() -> positive.construct(wrong)).as("%s", Arrays.toString(wrong))
                        .isInstanceOf(InvalidObjectException.class).hasMessageContaining("other types");
            }
            assertThatThrownBy(() -> primitives.construct(new Object[] {1, 2L, 3.0, 4f, (short) 5, (byte) 6, '7', true, 9}))
                    .isInstanceOf(InvalidObjectException.class).hasMessageContaining("other types");
        }
    }

    @Test
    void everyDamagedOrShortEncodingIsAnIoErrorNeverAnotherException() {
        Object value = List.of(new Order(1, "name", 2.0, Size.SMALL, List.of("t")), Map.of("k", new int[] {1, 2}),
                new long[] {3}, "end");
        byte[] whole = ItemCodec.encode(value, "item").body;
        for (int length = 0; length < whole.length; length++) {
            byte[] shorter = Arrays.copyOf(whole, length);
            assertThatThrownBy(() -> ItemCodec.decode(new ItemCodec.Encoded(ValueCodec.COMPOUND, shorter), LOADER))
                    .as("the first %d bytes", length).isInstanceOf(UncheckedIOException.class);
        }
        for (int at = 0; at < whole.length; at++) {
            byte[] damaged = whole.clone();
            damaged[at] ^= (byte) 0x5A;
            try {
                ItemCodec.decode(new ItemCodec.Encoded(ValueCodec.COMPOUND, damaged), LOADER);
            } catch (UncheckedIOException | IllegalStateException expected) {
                // damaged bytes, or a class name damaged into one that is missing
            }
        }
    }

    @Test
    void theThreadsFilterSeesTheClassesAStreamWouldName() {
        ItemCodec.Encoded order = ItemCodec.encode(new Order(1, "n", 1, Size.SMALL, List.of()), "item");
        ObjectInputFilter noOrders = ObjectInputFilter.Config.createFilter("!" + Order.class.getName());
        assertThatThrownBy(() -> ItemCodec.decode(order, LOADER, noOrders)).isInstanceOf(UncheckedIOException.class)
                .cause().isInstanceOf(InvalidClassException.class).hasMessageContaining(Order.class.getName());
        ObjectInputFilter noSizes = ObjectInputFilter.Config.createFilter("!" + Size.class.getName());
        assertThatThrownBy(() -> ItemCodec.decode(order, LOADER, noSizes)).isInstanceOf(UncheckedIOException.class)
                .cause().hasMessageContaining(Size.class.getName());
        ObjectInputFilter noLists = ObjectInputFilter.Config.createFilter("!java.util.*");
        assertThatThrownBy(() -> ItemCodec.decode(ItemCodec.encode(new ArrayList<>(List.of(1)), "item"), LOADER, noLists))
                .isInstanceOf(UncheckedIOException.class).cause().isInstanceOf(InvalidClassException.class);
        ObjectInputFilter everything = ObjectInputFilter.Config.createFilter("*");
        assertThat(ItemCodec.decode(order, LOADER, everything)).isEqualTo(new Order(1, "n", 1, Size.SMALL, List.of()));
    }

    @Test
    void aSectionOfCompoundsWritesThemDirectlyAndOneWithOtherObjectsKeepsWhatTheyShare() {
        Object[] direct = {new Order(1, "a", 1, Size.SMALL, List.of()), List.of(1, 2), 3, Map.of("k", "v")};
        byte[] message = ValueCodecTest.section(direct);
        assertThat(ValueSection.hasObjects(new Wire.Reader(message))).as("no JDK stream").isFalse();
        assertThat(ValueSection.read(new Wire.Reader(message), LOADER)).containsExactly(direct);

        List<Object> shared = new ArrayList<>(List.of("s"));
        Object[] sharing = {new ArrayList<>(List.of(shared)), 1, shared};
        Object[] back = ValueSection.read(new Wire.Reader(ValueCodecTest.section(sharing)), LOADER);
        assertThat(back).containsExactly(sharing);
        assertThat(((List<?>) back[0]).get(0)).isSameAs(back[2]);

        Object[] withAnObject = {List.of("x"), new BigDecimal("2.5"), new Order(2, "b", 2, Size.LARGE, List.of("t"))};
        byte[] mixed = ValueCodecTest.section(withAnObject);
        assertThat(ValueSection.hasObjects(new Wire.Reader(mixed))).isTrue();
        assertThat(ValueSection.read(new Wire.Reader(mixed), LOADER)).containsExactly(withAnObject);
    }

    @Test
    void aClassIsNamedOnceInAnItemAndOnceInASection() {
        List<Order> orders = IntStream.range(0, 100).mapToObj(i -> new Order(i, "o" + i, i, Size.values()[i % 2], List.of()))
                .collect(Collectors.toList());
        byte[] item = ItemCodec.encode(orders, "item").body;
        assertThat(occurrences(item, Order.class.getName())).isEqualTo(1);
        assertThat(occurrences(item, Size.class.getName())).isEqualTo(1);
        assertThat(item(orders)).isEqualTo(orders);

        Object[] values = orders.toArray();
        byte[] section = ValueCodecTest.section(values);
        assertThat(occurrences(section, Order.class.getName())).isEqualTo(1);
        assertThat(ValueSection.read(new Wire.Reader(section), LOADER)).containsExactly(values);
        ValueSection.Decoder oneByOne = ValueSection.decoder(new Wire.Reader(section), LOADER);
        for (Object value : values) {
            assertThat(oneByOne.next()).isEqualTo(value);
        }
    }

    @Test
    void aClassNumberNotNamedBeforeIsDamage() {
        byte[] body = ItemCodec.encode(Size.SMALL, "item").body; // kind | int -1 | name | constant
        Wire.putInt(body, 1, 0);
        assertThatThrownBy(() -> ItemCodec.decode(new ItemCodec.Encoded(ValueCodec.COMPOUND, body), LOADER))
                .isInstanceOf(UncheckedIOException.class).cause().hasMessageContaining("class number 0 of 0");
    }

    private static int occurrences(byte[] bytes, String text) {
        byte[] pattern = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        int count = 0;
        for (int i = 0; i + pattern.length <= bytes.length; i++) {
            if (Arrays.equals(bytes, i, i + pattern.length, pattern, 0, pattern.length)) {
                count++;
            }
        }
        return count;
    }

    /**
     * A writer that splices large arrays (a lambda target's encoding, a pool's messages) keeps
     * those a compound holds by reference too: the compound's length counts them, and each comes
     * back in its place.
     */
    @Test
    void largeArraysInsideCompoundsOfASplicingWriterComeBackInTheirPlaces() {
        byte[] large = new byte[(64 << 10) + 5];
        Arrays.fill(large, (byte) 3);
        large[large.length - 1] = 7;
        byte[] small = {1, 2, 3};
        Map<String, byte[]> byName = new HashMap<>(Map.of("large", large.clone(), "small", small));
        Object[] values = {new ArrayList<>(List.of("before", large.clone(), 42)), byName, "after", large};
        Wire.Writer out = new Wire.Writer(64).spliceArraysFrom(64 << 10);
        ValueSection.Encoder encoder = new ValueSection.Encoder(out, "value");
        for (Object value : values) {
            encoder.add(value);
        }
        encoder.finish();
        assertThat(out.position()).isLessThan(large.length); // each large one spliced, none copied into the buffer
        assertThat(out.length()).isGreaterThan(3 * large.length);

        Object[] back = ValueSection.read(new Wire.Reader(out.toByteArray()), LOADER);

        assertThat(back).hasSize(values.length);
        List<?> list = (List<?>) back[0];
        assertThat(list.get(0)).isEqualTo("before");
        assertThat((byte[]) list.get(1)).isEqualTo(large);
        assertThat(list.get(2)).isEqualTo(42);
        Map<?, ?> map = (Map<?, ?>) back[1];
        assertThat((byte[]) map.get("large")).isEqualTo(large);
        assertThat((byte[]) map.get("small")).isEqualTo(small);
        assertThat(back[2]).isEqualTo("after");
        assertThat((byte[]) back[3]).isEqualTo(large);
    }

    @Test
    void aLargeCompoundComesBack() {
        Map<String, List<Integer>> large = IntStream.range(0, 5_000).boxed()
                .collect(Collectors.toMap(i -> "key" + i, i -> List.of(i, -i), (a, b) -> a, HashMap::new));
        assertThat(item(large)).isEqualTo(large);
        assertThat(item(new int[100_000])).isEqualTo(new int[100_000]);
    }
}
