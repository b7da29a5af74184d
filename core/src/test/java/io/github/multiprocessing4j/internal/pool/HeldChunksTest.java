package io.github.multiprocessing4j.internal.pool;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The chunks a worker holds: found and removed by id wherever they are, kept in the order sent as the ring grows and wraps. */
class HeldChunksTest {
    private long ids;

    @Test
    void chunksAreFoundAndRemovedByIdAndTheRestKeepTheOrderSent() {
        HeldChunks held = new HeldChunks();
        List<Chunk> expected = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            expected.add(add(held));
        }
        assertThat(held.remove(expected.get(0).id)).as("the oldest, as answers mostly come").isSameAs(expected.remove(0));
        assertThat(held.remove(expected.get(1).id)).as("one in the middle").isSameAs(expected.remove(1));
        for (int i = 0; i < 20; i++) { // past the ring's first size, its start not at 0: it wraps, then grows
            expected.add(add(held));
        }
        assertThat(held.remove(expected.get(7).id)).isSameAs(expected.remove(7));
        assertThat(held.newest()).isSameAs(expected.get(expected.size() - 1));
        assertThat(held.remove(held.newest().id)).as("the newest, as one given back").isSameAs(expected.remove(expected.size() - 1));

        assertThat(held.inOrder()).containsExactlyElementsOf(expected);
        assertThat(held.size()).isEqualTo(expected.size());
        assertThat(held.get(expected.get(3).id)).isSameAs(expected.get(3));
        assertThat(held.get(ids + 1)).as("never held").isNull();
        assertThat(held.remove(ids + 1)).isNull();
        assertThat(held.inOrder()).as("a miss changes nothing").containsExactlyElementsOf(expected);

        held.clear();
        assertThat(held.isEmpty()).isTrue();
        assertThat(held.newest()).isNull();
        Chunk after = add(held);
        assertThat(held.inOrder()).containsExactly(after);
    }

    private Chunk add(HeldChunks held) {
        long id = ++ids;
        Chunk chunk = new Chunk(id, new byte[] {(byte) id}, 1, (int) id, null, 0, null, 0);
        held.add(chunk);
        return chunk;
    }
}
