package io.github.multiprocessing4j;

import io.github.multiprocessing4j.testing.SharedObjects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/** SharedDouble (Python's Value('d')): its atomics, in one process and across processes. */
class SharedDoubleTest {
    @RegisterExtension
    final SharedObjects shared = new SharedObjects();

    @Test
    void itsAtomicsCompareRawBits() {
        SharedDouble d = shared.track(new SharedDouble(0.5));
        assertThat(d.get()).isEqualTo(0.5);
        assertThat(d.addAndGet(0.25)).isEqualTo(0.75);
        assertThat(d.getAndAdd(1.0)).isEqualTo(0.75);
        assertThat(d.getAndSet(-0.0)).isEqualTo(1.75);
        assertThat(d.compareAndSet(0.0, 1.0)).as("0.0 and -0.0 differ in their bits").isFalse();
        assertThat(d.compareAndSet(-0.0, Double.NaN)).isTrue();
        assertThat(d.compareAndSet(Double.NaN, 2.0)).as("the same NaN bits match").isTrue();
        assertThat(d.updateAndGet(x -> x * 3)).isEqualTo(6.0);
        assertThat(d.getAndUpdate(x -> x / 4)).isEqualTo(6.0);
        d.set(Double.MAX_VALUE);
        assertThat(d.get()).isEqualTo(Double.MAX_VALUE);
        assertThat(d).hasToString(Double.toString(Double.MAX_VALUE));
        assertThat(shared.track(new SharedDouble()).get()).isEqualTo(0.0);
    }

    @Test
    void processesAddingToItLoseNothing() throws Exception {
        SharedDouble sum = shared.track(new SharedDouble());
        SharedDouble written = shared.track(new SharedDouble(1.0));
        int perProcess = 20_000;
        ChildProcess child = new ChildProcess(() -> {
            for (int n = 0; n < perProcess; n++) {
                sum.addAndGet(0.5);
            }
            written.set(written.get() + 41.5);
        });
        child.start();
        for (int n = 0; n < perProcess; n++) {
            sum.getAndAdd(0.5);
        }
        child.join();
        assertThat(child.exitCode()).hasValue(0);
        assertThat(sum.get()).isEqualTo(perProcess * 1.0);
        assertThat(written.get()).isEqualTo(42.5);
    }
}
