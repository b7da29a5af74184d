package io.github.multiprocessing4j.internal.pool;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The chunks one worker holds (sent, not answered), in the order sent, found by id. Guarded by
 * the pool's lock, as its {@link WorkerHandle}.
 *
 * <p>Implementation notes. A ring of chunks searched from its oldest, not a map by id: a worker
 * runs its chunks in the order it got them, so the chunk an answer names is nearly always the
 * oldest held, found at the first look, and a chunk given back unstarted is the newest
 * ({@link WorkerHandle#askRelease}). With chunks of one task the parent touches it twice a task.
 * It was a {@code LinkedHashMap<Long, Chunk>}, one of four hash maps a chunk went through in the
 * parent (with the worker's task time per kind and its functions, and a map call's results by
 * index): a boxed key each time, and the JDK's hash map code, shared by keys of {@code Long} and
 * {@code Integer}, which C2 compiled, threw away as the other key type came, and compiled again,
 * three times each for {@code HashMap.getNode}, {@code putVal} and {@code LinkedHashMap.get} during
 * a program's first calls of a map with chunks of one (on two processors, C2's thread then took
 * 0.7 s of the 0.9 s that 30 such calls lasted). See ARCHITECTURE's "The parent's work per chunk".
 */
final class HeldChunks {
    private Chunk[] ring = new Chunk[8];
    /** Where the oldest chunk is in {@link #ring}. */
    private int head;
    private int size;

    /** Adds the chunk last sent. */
    void add(Chunk chunk) {
        if (size == ring.length) {
            Chunk[] bigger = new Chunk[ring.length * 2];
            for (int i = 0; i < size; i++) {
                bigger[i] = at(i);
            }
            ring = bigger;
            head = 0;
        }
        ring[(head + size) & (ring.length - 1)] = chunk;
        size++;
    }

    /** @return the held chunk of id {@code chunkId}; null when none */
    Chunk get(long chunkId) {
        int i = find(chunkId);
        return i < 0 ? null : at(i);
    }

    /** @return the held chunk of id {@code chunkId}, held no more; null when none */
    Chunk remove(long chunkId) {
        int i = find(chunkId);
        if (i < 0) {
            return null;
        }
        Chunk chunk = at(i);
        if (i == 0) {
            ring[head] = null;
            head = (head + 1) & (ring.length - 1);
        } else {
            for (int j = i; j < size - 1; j++) { // the newer ones close the gap, in their order
                ring[(head + j) & (ring.length - 1)] = at(j + 1);
            }
            ring[(head + size - 1) & (ring.length - 1)] = null;
        }
        size--;
        return chunk;
    }

    /** @return the chunk sent last; null when none is held */
    Chunk newest() {
        return size == 0 ? null : at(size - 1);
    }

    boolean isEmpty() {
        return size == 0;
    }

    int size() {
        return size;
    }

    /** @return the chunks held, in the order sent */
    List<Chunk> inOrder() {
        List<Chunk> all = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            all.add(at(i));
        }
        return all;
    }

    /** Holds nothing more. */
    void clear() {
        Arrays.fill(ring, null);
        head = 0;
        size = 0;
    }

    private int find(long chunkId) {
        for (int i = 0; i < size; i++) {
            if (at(i).id == chunkId) {
                return i;
            }
        }
        return -1;
    }

    /** @return the {@code i}th chunk held, the oldest first */
    private Chunk at(int i) {
        return ring[(head + i) & (ring.length - 1)];
    }
}
