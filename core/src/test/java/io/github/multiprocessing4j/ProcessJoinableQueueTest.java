package io.github.multiprocessing4j;

import io.github.multiprocessing4j.testing.SharedObjects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProcessJoinableQueueTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @RegisterExtension
    final SharedObjects shared = new SharedObjects();

    @Test
    void joinReturnsWhenDaemonConsumersFinishedEveryItem() throws Exception {
        ProcessJoinableQueue<Integer> q = shared.track(new ProcessJoinableQueue<>());
        SharedLong eaten = shared.track(new SharedLong());
        List<ChildProcess> eaters = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            ChildProcess eater = ChildProcess.builder(() -> {
                while (true) {
                    q.get();
                    eaten.incrementAndGet();
                    q.taskDone();
                }
            }).daemon(true).build();
            eater.start();
            eaters.add(eater);
        }
        for (int i = 0; i < 1000; i++) {
            q.put(i);
        }
        q.join();
        assertThat(eaten.get()).isEqualTo(1000);
        assertThat(q.unfinishedTasks()).isZero();
        assertThat(q.join(Duration.ZERO)).isTrue();
        for (ChildProcess e : eaters) {
            assertThat(e.isAlive()).isTrue();
            e.terminate();
            assertThat(e.join(WAIT)).isTrue();
        }
    }

    @Test
    void joinWaitsForTaskDoneNotForGet() throws Exception {
        ProcessJoinableQueue<String> q = shared.track(new ProcessJoinableQueue<>());
        q.put("dish");
        assertThat(q.join(Duration.ofMillis(50))).isFalse();
        assertThat(q.get()).isEqualTo("dish");
        assertThat(q.unfinishedTasks()).isEqualTo(1);
        assertThat(q.join(Duration.ofMillis(50))).isFalse();
        q.taskDone();
        assertThat(q.join(Duration.ofSeconds(1))).isTrue();
    }

    @Test
    void taskDoneCalledTooOftenIsRefused() throws Exception {
        ProcessJoinableQueue<String> q = shared.track(new ProcessJoinableQueue<>());
        assertThatThrownBy(q::taskDone).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("more times");
        q.put("a");
        q.get();
        q.taskDone();
        assertThatThrownBy(q::taskDone).isInstanceOf(IllegalStateException.class);
        assertThat(q.join(Duration.ofSeconds(1))).isTrue();
    }

    @Test
    void aFailedPutDoesNotCountAsUnfinished() throws Exception {
        ProcessJoinableQueue<Object> q = shared.track(new ProcessJoinableQueue<>());
        assertThatThrownBy(() -> q.put(new Object())).isInstanceOf(IllegalArgumentException.class);
        assertThat(q.unfinishedTasks()).isZero();
        assertThat(q.join(Duration.ZERO)).isTrue();
    }

    @Test
    void anItemGotByAConsumerThatDiesIsDeliveredAgainAndJoinCompletes() throws Exception {
        ProcessJoinableQueue<String> q = shared.track(new ProcessJoinableQueue<>());
        ProcessQueue<String> gotIt = shared.track(new ProcessQueue<>());
        q.put("fragile");
        q.put("plain");
        ChildProcess doomed = new ChildProcess(() -> {
            gotIt.put(q.get());
            Thread.sleep(60_000); // killed before taskDone()
        });
        doomed.start();
        assertThat(gotIt.get(WAIT)).isEqualTo("fragile");
        doomed.kill();
        assertThat(doomed.join(WAIT)).isTrue();
        ChildProcess survivor = new ChildProcess(() -> {
            for (int i = 0; i < 2; i++) {
                gotIt.put(q.get());
                q.taskDone();
            }
        });
        survivor.start();
        assertThat(q.join(WAIT)).isTrue();
        assertThat(List.of(gotIt.get(WAIT), gotIt.get(WAIT))).containsExactlyInAnyOrder("plain", "fragile");
        assertThat(survivor.join(WAIT)).isTrue();
        assertThat(q.unfinishedTasks()).isZero();
    }

    @Test
    void aConsumerThatEndsWithoutTaskDoneHasItsItemsDeliveredAgain() throws Exception {
        ProcessJoinableQueue<Integer> q = shared.track(new ProcessJoinableQueue<>(3));
        for (int i = 0; i < 3; i++) {
            q.put(i);
        }
        ChildProcess forgetful = new ChildProcess(() -> {
            q.get();
            q.get();
            q.taskDone();
        });
        forgetful.start();
        assertThat(forgetful.join(WAIT)).isTrue();
        assertThat(q.unfinishedTasks()).isEqualTo(2);
        List<Integer> rest = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            rest.add(q.get(WAIT));
            q.taskDone();
        }
        assertThat(q.join(WAIT)).isTrue();
        assertThat(rest).hasSize(2).contains(2);
    }
}
