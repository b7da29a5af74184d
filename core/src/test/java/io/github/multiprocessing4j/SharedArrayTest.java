package io.github.multiprocessing4j;

import io.github.multiprocessing4j.testing.SharedObjects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;


import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** SharedLongArray and SharedDoubleArray: element-wise atomics, in one process and across processes. */
class SharedArrayTest {
    @RegisterExtension
    final SharedObjects shared = new SharedObjects();

    private <T extends AutoCloseable> T track(T object) {
        return shared.track(object);
    }

    @Test
    void aLongArrayHasElementWiseAtomics() {
        SharedLongArray a = track(new SharedLongArray(new long[] {1, 2, 3}));
        assertThat(a.length()).isEqualTo(3);
        assertThat(a.toArray()).containsExactly(1, 2, 3);
        a.set(0, 10);
        assertThat(a.get(0)).isEqualTo(10);
        assertThat(a.compareAndSet(1, 5, 6)).isFalse();
        assertThat(a.compareAndSet(1, 2, 6)).isTrue();
        assertThat(a.getAndAdd(2, 4)).isEqualTo(3);
        assertThat(a.addAndGet(2, 4)).isEqualTo(11);
        assertThat(a.toArray()).containsExactly(10, 6, 11);
        assertThat(track(new SharedLongArray(4)).toArray()).containsExactly(0, 0, 0, 0);
        assertThat(track(new SharedLongArray(0)).toArray()).isEmpty();
    }

    @Test
    void aDoubleArrayComparesRawBitsAndAddsWithACasLoop() {
        SharedDoubleArray d = track(new SharedDoubleArray(new double[] {0.5, -0.0, Double.NaN}));
        assertThat(d.toArray()).containsExactly(0.5, -0.0, Double.NaN);
        assertThat(d.addAndGet(0, 0.25)).isEqualTo(0.75);
        assertThat(d.compareAndSet(1, 0.0, 1.0)).as("0.0 and -0.0 differ in their bits").isFalse();
        assertThat(d.compareAndSet(1, -0.0, 1.0)).isTrue();
        assertThat(d.compareAndSet(2, Double.NaN, 2.0)).isTrue();
        d.set(2, 3.5);
        assertThat(d.toArray()).containsExactly(0.75, 1.0, 3.5);
        assertThat(track(new SharedDoubleArray(2)).toArray()).containsExactly(0.0, 0.0);
    }

    @Test
    void badIndexesAndLengthsAreRefused() {
        SharedLongArray a = track(new SharedLongArray(2));
        SharedDoubleArray d = track(new SharedDoubleArray(2));
        assertThatThrownBy(() -> a.get(2)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> a.set(-1, 0)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> a.getAndAdd(5, 1)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> d.get(2)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> d.addAndGet(-1, 1)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> new SharedLongArray(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SharedDoubleArray(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void processesAddingToTheSameElementsLoseNothing() throws Exception {
        SharedLongArray counts = track(new SharedLongArray(4));
        SharedDoubleArray sums = track(new SharedDoubleArray(1));
        int perProcess = 20_000;
        ChildProcess child = new ChildProcess(() -> {
            for (int n = 0; n < perProcess; n++) {
                counts.getAndAdd(n % 4, 1);
                sums.addAndGet(0, 1.0);
            }
        });
        child.start();
        for (int n = 0; n < perProcess; n++) {
            counts.addAndGet(n % 4, 1);
            sums.addAndGet(0, 1.0);
        }
        child.join();
        assertThat(child.exitCode()).hasValue(0);
        assertThat(counts.toArray()).containsOnly(2L * perProcess / 4);
        assertThat(sums.get(0)).isEqualTo(2.0 * perProcess);
    }

    @Test
    void whatAChildWritesTheParentReads() throws Exception {
        SharedLongArray longs = track(new SharedLongArray(3));
        SharedDoubleArray doubles = track(new SharedDoubleArray(3));
        ChildProcess child = new ChildProcess(() -> {
            for (int i = 0; i < 3; i++) {
                longs.set(i, 100L + i);
                doubles.set(i, i + 0.5);
            }
        });
        child.start();
        child.join();
        assertThat(child.exitCode()).hasValue(0);
        assertThat(longs.toArray()).containsExactly(100, 101, 102);
        assertThat(doubles.toArray()).containsExactly(0.5, 1.5, 2.5);
    }
}
