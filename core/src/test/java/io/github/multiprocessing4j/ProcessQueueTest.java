package io.github.multiprocessing4j;

import io.github.multiprocessing4j.testing.SharedObjects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class ProcessQueueTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @RegisterExtension
    final SharedObjects shared = new SharedObjects();

    @Test
    void aChildPutsAndTheParentGetsInOrder() throws Exception {
        ProcessQueue<Integer> q = shared.track(new ProcessQueue<>());
        int n = 200_000;
        ChildProcess producer = new ChildProcess(() -> {
            for (int i = 0; i < n; i++) {
                q.put(i);
            }
        });
        long start = System.nanoTime();
        producer.start();
        for (int i = 0; i < n; i++) {
            assertThat(q.get()).isEqualTo(i);
        }
        long took = System.nanoTime() - start;
        System.out.println("200k ints: " + took / 1_000_000 + " ms");
        assertThat(producer.join(WAIT)).isTrue();
        assertThat(producer.exitCode()).hasValue(0);
        assertThat(q.isEmpty()).isTrue();
    }
}
