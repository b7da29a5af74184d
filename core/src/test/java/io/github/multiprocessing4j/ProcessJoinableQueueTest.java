package io.github.multiprocessing4j;

import io.github.multiprocessing4j.internal.os.Platform;
import io.github.multiprocessing4j.testing.SharedObjects;
import io.github.multiprocessing4j.testing.TestFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

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
    void aDeadConsumersLogCutShortByItsDeathIsRemovedAndTheQueueGoesOn() throws Exception {
        // A consumer killed while it made its in-flight log leaves the file shorter than the log's
        // header (a segment's file is created empty, then sized): the fresh-clone CI met it once,
        // as an IndexOutOfBoundsException at the queue's unlink. Made here by cutting a dead
        // consumer's log to nothing; it had finished its item, which its slot counts too.
        ProcessJoinableQueue<String> q = shared.track(new ProcessJoinableQueue<>());
        ProcessQueue<String> gotIt = shared.track(new ProcessQueue<>());
        q.put("first");
        ChildProcess doomed = new ChildProcess(() -> {
            String item = q.get();
            q.taskDone();
            gotIt.put(item);
            Thread.sleep(60_000);
        });
        doomed.start();
        assertThat(gotIt.get(WAIT)).isEqualTo("first");
        doomed.kill();
        assertThat(doomed.join(WAIT)).isTrue();
        Path log = inFlightLogOf(doomed.pid());
        try (FileChannel file = FileChannel.open(log, StandardOpenOption.WRITE)) {
            file.truncate(0);
        }

        q.put("second");
        assertThat(q.get(WAIT)).isEqualTo("second");
        q.taskDone();
        assertThat(q.join(WAIT)).isTrue();
        assertThat(q.unfinishedTasks()).isZero();
        assertThat(log).as("the dead consumer's log, retired").doesNotExist();
    }

    /** @return the in-flight log file of the consumer process {@code pid}, in this test JVM's tree */
    private static Path inFlightLogOf(long pid) throws IOException {
        try (Stream<Path> files = Files.list(TestFiles.treeDirectory(Platform.currentPid()))) {
            List<Path> logs = files.filter(f -> f.getFileName().toString().contains("qflight-" + pid + "-"))
                    .collect(Collectors.toList());
            assertThat(logs).as("consumer %d's in-flight log", pid).hasSize(1);
            return logs.get(0);
        }
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
