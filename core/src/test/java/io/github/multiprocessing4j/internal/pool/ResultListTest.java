package io.github.multiprocessing4j.internal.pool;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A map's results over its chunks' arrays, object arrays and unboxed int, long and double arrays alike. */
class ResultListTest {
    @Test
    void chunksOfIntsAndOfObjectsReadAsOneListInOrder() throws Exception {
        List<Object> chunks = List.of(new int[] {1, 2, 3}, new Object[] {4, null, "six"}, new int[] {-7});
        ResultList<Object> list = new ResultList<>(chunks);

        assertThat(list).containsExactly(1, 2, 3, 4, null, "six", -7);
        assertThat(list.get(0)).isInstanceOf(Integer.class);
        assertThat(list).isEqualTo(Arrays.asList(1, 2, 3, 4, null, "six", -7));
        assertThatThrownBy(() -> list.get(7)).isInstanceOf(IndexOutOfBoundsException.class);

        assertThat(list.set(1, 20)).isEqualTo(2); // boxes the int chunk, then sets
        assertThat(list.set(2, "three")).isEqualTo(3);
        assertThat(list).containsExactly(1, 20, "three", 4, null, "six", -7);

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(list);
        }
        Object back = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray())).readObject();
        assertThat(back).isInstanceOf(ArrayList.class).isEqualTo(list);
    }

    @Test
    void chunksOfLongsAndDoublesAreBoxedWhereRead() {
        ResultList<Object> list = new ResultList<>(List.of(new long[] {1L, Long.MAX_VALUE}, new double[] {0.5, -1.0},
                new Object[] {"x"}));

        assertThat(list).containsExactly(1L, Long.MAX_VALUE, 0.5, -1.0, "x");
        assertThat(list.set(3, 2.5)).isEqualTo(-1.0);
        assertThat(list).containsExactly(1L, Long.MAX_VALUE, 0.5, 2.5, "x");
    }

    @Test
    void anEmptyListHasNoChunks() {
        assertThat(new ResultList<>(List.of())).isEmpty();
    }
}
