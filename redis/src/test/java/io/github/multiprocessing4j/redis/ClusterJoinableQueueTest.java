package io.github.multiprocessing4j.redis;

import io.github.multiprocessing4j.ChildProcess;
import io.github.multiprocessing4j.ProcessJoinableQueue;
import io.github.multiprocessing4j.ProcessQueue;
import io.github.multiprocessing4j.QueueEmptyException;
import io.github.multiprocessing4j.redis.testing.RedisServer;
import org.example.refused.Parcel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static io.github.multiprocessing4j.redis.ClusterQueueTest.joinAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClusterJoinableQueueTest {
    @RegisterExtension
    static final RedisServer redis = RedisServer.perClass();

    static String url() {
        return redis.url();
    }

    static ChildProcess child(io.github.multiprocessing4j.SerializableRunnable target) {
        return ClusterQueueTest.child(url(), target);
    }

    @Test
    void joinWaitsForTaskDoneOfEveryItem() throws Exception {
        try (Cluster producer = Cluster.connect(url()); Cluster consumer = Cluster.connect(url())) {
            ProcessJoinableQueue<String> out = producer.joinableQueue("dishes");
            ProcessJoinableQueue<String> in = consumer.joinableQueue("dishes");
            assertThat(out.join(Duration.ZERO)).as("nothing put: finished").isTrue();
            out.put("rice");
            out.put("noodles");
            assertThat(out.unfinishedTasks()).isEqualTo(2);
            assertThat(out.join(Duration.ofMillis(300))).isFalse();
            assertThatThrownBy(in::taskDone).isInstanceOf(IllegalStateException.class);
            assertThat(in.get()).isEqualTo("rice");
            assertThat(in.get()).isEqualTo("noodles");
            assertThat(out.unfinishedTasks()).isEqualTo(2);
            Thread joiner = new Thread(() -> {
                try {
                    out.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            joiner.start();
            in.taskDone();
            Thread.sleep(200);
            assertThat(joiner.isAlive()).isTrue();
            long done = System.nanoTime();
            in.taskDone();
            joiner.join(5_000);
            assertThat(joiner.isAlive()).isFalse();
            assertThat(System.nanoTime() - done).isLessThan(2_000_000_000L);
            assertThat(out.unfinishedTasks()).isZero();
            assertThatThrownBy(in::taskDone).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void anItemOfAKilledConsumerIsDeliveredAgainAndJoinReturns() throws Exception {
        try (Cluster cluster = Cluster.connect(url())) {
            ProcessJoinableQueue<String> q = cluster.joinableQueue("kill");
            ProcessQueue<String> took = cluster.queue("kill-took");
            ProcessQueue<String> seen = cluster.queue("kill-seen");
            for (String item : List.of("a", "b", "c", "d")) {
                q.put(item);
            }
            ChildProcess doomed = child(() -> {
                took.put(q.get());
                Thread.sleep(60_000); // never finishes it
            });
            String lost = took.get(Duration.ofSeconds(60));
            doomed.kill();
            doomed.join();
            long killedAt = System.nanoTime();
            ChildProcess survivor = child(() -> {
                while (true) {
                    String item;
                    try {
                        item = q.get(Duration.ofMillis(500));
                    } catch (QueueEmptyException e) {
                        if (q.unfinishedTasks() == 0) {
                            return;
                        }
                        continue;
                    }
                    seen.put(item);
                    q.taskDone();
                }
            });
            assertThat(q.join(Duration.ofSeconds(30))).isTrue();
            double seconds = (System.nanoTime() - killedAt) / 1e9;
            System.out.printf("joinable queue: join() returned %.2f s after the consumer holding '%s' was killed%n",
                    seconds, lost);
            assertThat(seconds).as("lease 1.5 s, a few slices, a cold child's start").isLessThan(10);
            joinAll(List.of(survivor));
            Set<String> delivered = new HashSet<>();
            for (String s = seen.poll(); s != null; s = seen.poll()) {
                delivered.add(s);
            }
            assertThat(delivered).contains(lost).containsExactlyInAnyOrder("a", "b", "c", "d");
            assertThat(q.unfinishedTasks()).isZero();
        }
    }

    @Test
    void itemsFetchedAheadByAConsumerThatStopsAskingGoToTheOthers() throws Exception {
        try (Cluster slow = Cluster.connect(url()); Cluster fast = Cluster.connect(url())) {
            ProcessJoinableQueue<Integer> q = slow.joinableQueue("ahead");
            for (int i = 0; i < 20; i++) {
                q.put(i);
            }
            assertThat(q.get()).isEqualTo(0); // fetches several ahead, then works on item 0 "for long"
            assertThat(q.qsize()).isLessThan(19);
            ProcessJoinableQueue<Integer> other = fast.joinableQueue("ahead");
            List<Integer> got = new ArrayList<>();
            long start = System.nanoTime();
            for (int i = 1; i < 20; i++) {
                got.add(other.get(Duration.ofSeconds(10)));
                other.taskDone();
            }
            assertThat(System.nanoTime() - start).as("given back within a renewal period or so").isLessThan(5_000_000_000L);
            assertThat(got).as("given back at the head, in order").containsExactlyInAnyOrderElementsOf(
                    java.util.stream.IntStream.range(1, 20).boxed().toList());
            assertThat(q.join(Duration.ofMillis(200))).isFalse();
            q.taskDone();
            assertThat(q.join(Duration.ofSeconds(5))).isTrue();
        }
    }

    @Test
    void waitingGetsRideOutARestartOfTheServer() throws Exception {
        try (RedisServer own = RedisServer.start("appendonly yes"); Cluster cluster = Cluster.connect(own.url())) {
            ProcessQueue<String> plain = cluster.queue("restart");
            ProcessJoinableQueue<String> joinable = cluster.joinableQueue("restart");
            joinable.put("before");
            assertThat(joinable.get()).isEqualTo("before");
            joinable.taskDone();
            List<Object> got = new ArrayList<>();
            List<Thread> waiters = new ArrayList<>();
            for (ProcessQueue<String> q : List.of(plain, joinable)) {
                Thread t = new Thread(() -> {
                    try {
                        Object item = q.get(Duration.ofSeconds(30));
                        synchronized (got) {
                            got.add(item);
                        }
                    } catch (Throwable e) {
                        synchronized (got) {
                            got.add(e);
                        }
                    }
                });
                t.start();
                waiters.add(t);
            }
            Thread.sleep(400);
            own.stop();
            Thread.sleep(500);
            own.restart();
            plain.put("after");
            joinable.put("after");
            for (Thread t : waiters) {
                t.join(30_000);
            }
            assertThat(got).containsExactly("after", "after");
            joinable.taskDone();
            assertThat(joinable.join(Duration.ofSeconds(10))).isTrue();
        }
    }

    @Test
    void aRefusedItemFailsItsGetAndCountsAsFinished() throws Exception {
        try (Cluster allowing = Cluster.builder(url()).allowClasses("org.example.refused.Parcel").connect();
             Cluster strict = Cluster.connect(url())) {
            ProcessJoinableQueue<Object> out = allowing.joinableQueue("parcels");
            out.put(new Parcel("refused"));
            out.put(7);
            ProcessJoinableQueue<Object> in = strict.joinableQueue("parcels");
            assertThatThrownBy(in::get).isInstanceOf(ClusterException.class).hasMessageContaining("org.example.refused.Parcel");
            assertThat(in.get()).isEqualTo(7);
            in.taskDone();
            assertThat(out.join(Duration.ofSeconds(5))).isTrue();
        }
    }

    @Test
    void manyItemsThroughPrefetchingConsumerProcessesAreEachFinishedOnce() throws Exception {
        int items = 20_000;
        try (Cluster cluster = Cluster.connect(url())) {
            ProcessJoinableQueue<Integer> q = cluster.joinableQueue("many");
            ProcessQueue<ArrayList<Integer>> results = cluster.queue("many-results");
            ProcessQueue<Boolean> ready = cluster.queue("many-ready");
            List<ChildProcess> children = new ArrayList<>();
            for (int c = 0; c < 2; c++) {
                children.add(child(() -> {
                    ready.put(q.unfinishedTasks() >= 0); // connected
                    ArrayList<Integer> got = new ArrayList<>();
                    for (Integer x = q.get(); x >= 0; x = q.get()) {
                        got.add(x);
                        q.taskDone();
                    }
                    q.taskDone();
                    results.put(got);
                }));
            }
            // This process is the producer (how many items a second is the bench's figure, section "cluster").
            ready.get(Duration.ofSeconds(60));
            ready.get(Duration.ofSeconds(60));
            for (int i = 0; i < items; i++) {
                q.put(i);
            }
            q.put(-1);
            q.put(-1);
            assertThat(q.join(Duration.ofSeconds(120))).isTrue();
            List<Integer> all = new ArrayList<>();
            for (int c = 0; c < 2; c++) {
                all.addAll(results.get(Duration.ofSeconds(30)));
            }
            joinAll(children);
            assertThat(all).hasSize(items).doesNotHaveDuplicates();
        }
    }
}
