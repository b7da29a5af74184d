package io.github.multiprocessing4j.redis;

import io.github.multiprocessing4j.ChildProcess;
import io.github.multiprocessing4j.ProcessQueue;
import io.github.multiprocessing4j.QueueEmptyException;
import io.github.multiprocessing4j.QueueFullException;
import io.github.multiprocessing4j.StartMethod;
import io.github.multiprocessing4j.redis.testing.RedisServer;
import io.github.multiprocessing4j.testing.BlockingCall;
import org.example.refused.Parcel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClusterQueueTest {
    @RegisterExtension
    static final RedisServer redis = RedisServer.perClass();

    @Test
    void twoProgramsThatNameAQueueMeetItFirstInFirstOut() throws Exception {
        try (Cluster producer = Cluster.connect(redis.url()); Cluster consumer = Cluster.connect(redis.url())) {
            ProcessQueue<Object> out = producer.queue("fifo");
            ProcessQueue<Object> in = consumer.queue("fifo");
            assertThat(in.isEmpty()).isTrue();
            for (int i = 0; i < 100; i++) {
                out.put(i);
            }
            out.put("text");
            out.put(new byte[] {1, 2, 3});
            assertThat(out.qsize()).as("a program sees its own puts").isEqualTo(102);
            assertThat(in.qsize()).isEqualTo(102);
            for (int i = 0; i < 100; i++) {
                assertThat(in.get()).isEqualTo(i);
            }
            assertThat(in.get(Duration.ofSeconds(1))).isEqualTo("text");
            assertThat((byte[]) in.poll()).containsExactly(1, 2, 3);
            assertThat(in.isEmpty()).isTrue();
            assertThat(consumer.queue("fifo", 0).maxSize()).isZero();
            assertThat(producer.joinableQueue("fifo").qsize()).as("a joinable queue of the same name is another queue").isZero();
        }
    }

    @Test
    void aFullQueueMakesPutWaitThenTimeOutAndPutNowaitThrow() throws Exception {
        try (Cluster cluster = Cluster.connect(redis.url())) {
            ProcessQueue<Integer> q = cluster.queue("bounded", 2);
            q.put(1);
            q.put(2);
            assertThat(q.isFull()).isTrue();
            assertThat(cluster.queue("bounded").maxSize()).as("named without a size: as it is").isEqualTo(2);
            long start = System.nanoTime();
            assertThatThrownBy(() -> q.put(3, Duration.ofMillis(400))).isInstanceOf(QueueFullException.class);
            assertThat(System.nanoTime() - start).isBetween(350_000_000L, 5_000_000_000L);
            assertThatThrownBy(() -> q.putNowait(3)).isInstanceOf(QueueFullException.class);
            assertThat(q.offer(3)).isFalse();
            assertThat(q.qsize()).isEqualTo(2);

            // A blocked put goes on once a consumer (another program) makes room.
            AtomicLong putAt = new AtomicLong();
            Thread blocked = new Thread(() -> {
                q.put(3);
                putAt.set(System.nanoTime());
            });
            blocked.start();
            Thread.sleep(300);
            assertThat(putAt.get()).as("still blocked").isZero();
            long got;
            try (Cluster other = Cluster.connect(redis.url())) {
                assertThat(other.<Integer>queue("bounded").get()).isEqualTo(1);
                got = System.nanoTime();
            }
            blocked.join(5_000);
            assertThat(putAt.get()).isNotZero();
            assertThat(putAt.get() - got).as("woken by the get, not at the end of a long wait").isLessThan(2_000_000_000L);
            assertThat(q.get()).isEqualTo(2);
            assertThat(q.get()).isEqualTo(3);
        }
    }

    @Test
    void anInterruptEndsAPutInterruptiblyOnAFullQueueAndPutsNothing() throws Exception {
        try (Cluster cluster = Cluster.connect(redis.url())) {
            ProcessQueue<Integer> q = cluster.queue("interruptible", 1);
            q.put(1);
            BlockingCall blocked = BlockingCall.start(() -> q.putInterruptibly(2));
            Thread.sleep(300);
            assertThat(blocked.ended()).as("still blocked").isFalse();
            long interruptedAt = System.nanoTime();
            blocked.interrupt();
            assertThat(blocked.thrown(Duration.ofSeconds(5))).isInstanceOf(InterruptedException.class);
            assertThat(System.nanoTime() - interruptedAt).as("seen within a wait's slice").isLessThan(2_000_000_000L);
            assertThat(q.qsize()).isEqualTo(1);
            assertThatThrownBy(() -> q.putInterruptibly(2, Duration.ofMillis(300))).isInstanceOf(QueueFullException.class);

            assertThat(q.get()).isEqualTo(1);
            Thread.currentThread().interrupt(); // interrupted before: nothing put, even with room
            assertThatThrownBy(() -> q.putInterruptibly(3)).isInstanceOf(InterruptedException.class);
            assertThat(Thread.interrupted()).isFalse();
            q.putInterruptibly(4);
            assertThat(q.get()).isEqualTo(4);
            assertThat(q.poll()).isNull();
        }
    }

    @Test
    void anEmptyQueueMakesGetTimeOut() throws Exception {
        try (Cluster cluster = Cluster.connect(redis.url())) {
            ProcessQueue<String> q = cluster.queue("empty");
            long start = System.nanoTime();
            assertThatThrownBy(() -> q.get(Duration.ofMillis(400))).isInstanceOf(QueueEmptyException.class);
            assertThat(System.nanoTime() - start).isBetween(350_000_000L, 5_000_000_000L);
            assertThatThrownBy(q::getNowait).isInstanceOf(QueueEmptyException.class);
            assertThat(q.poll()).isNull();
            assertThat(q.poll(Duration.ofMillis(100))).isNull();

            // A waiting get is woken by a put, and by an interrupt.
            Thread putter = new Thread(() -> {
                sleep(300);
                q.put("late");
            });
            putter.start();
            assertThat(q.get(Duration.ofSeconds(10))).isEqualTo("late");
            putter.join();
            Thread.currentThread().interrupt();
            assertThatThrownBy(q::get).isInstanceOf(InterruptedException.class);
            assertThat(Thread.interrupted()).isFalse();
        }
    }

    @Test
    void aClosedQueueRefusesPutsDrainsThenFailsGetsAndItsNameCanBeUsedAgain() throws Exception {
        try (Cluster cluster = Cluster.connect(redis.url())) {
            ProcessQueue<String> q = cluster.queue("closing");
            q.put("last");
            Thread waiter;
            List<Throwable> seen = new ArrayList<>();
            try (Cluster other = Cluster.connect(redis.url())) {
                ProcessQueue<String> r = other.queue("closing");
                assertThat(r.get()).isEqualTo("last");
                waiter = new Thread(() -> {
                    try {
                        r.get();
                    } catch (Throwable t) {
                        synchronized (seen) {
                            seen.add(t);
                        }
                    }
                });
                waiter.start();
                Thread.sleep(200);
                q.close();
                waiter.join(5_000);
            }
            assertThat(waiter.isAlive()).isFalse();
            assertThat(seen).singleElement().isInstanceOf(IllegalStateException.class);
            assertThat(q.isClosed()).isTrue();
            assertThatThrownBy(() -> q.put("more")).isInstanceOf(IllegalStateException.class).hasMessageContaining("closing");
            assertThatThrownBy(q::get).isInstanceOf(IllegalStateException.class);

            ProcessQueue<String> again = cluster.queue("closing", 3);
            assertThat(again.isClosed()).isFalse();
            assertThat(again.maxSize()).isEqualTo(3);
            again.put("new");
            assertThat(q.get()).as("old handles meet the queue of that name").isEqualTo("new");
        }
    }

    @Test
    void putsBehindReachTheServerInTheOrderTheProgramMadeThemAcrossObjects() throws Exception {
        try (Cluster producer = Cluster.connect(redis.url()); Cluster consumer = Cluster.connect(redis.url())) {
            ProcessQueue<Integer> out = producer.queue("ordered");
            for (int i = 0; i < 5_000; i++) {
                out.put(i);
            }
            producer.sharedLong("ordered-mark").set(1); // a call after the puts: they are on the server first
            assertThat(consumer.sharedLong("ordered-mark").get()).isEqualTo(1);
            assertThat(consumer.queue("ordered").qsize()).isEqualTo(5_000);
            producer.sharedLong("ordered-mark").close();
        }
    }

    @Test
    void largeItemsGoInSmallerBatchesAndKeepTheirOrder() throws Exception {
        try (Cluster producer = Cluster.connect(redis.url()); Cluster consumer = Cluster.connect(redis.url())) {
            ProcessQueue<Object> out = producer.queue("large");
            for (int i = 0; i < 6; i++) {
                byte[] item = new byte[3 << 20];
                item[item.length - 1] = (byte) i;
                out.put(item);
                out.put(i);
            }
            ProcessQueue<Object> in = consumer.queue("large");
            for (int i = 0; i < 6; i++) {
                byte[] item = (byte[]) in.get(Duration.ofSeconds(30));
                assertThat(item).hasSize(3 << 20);
                assertThat(item[item.length - 1]).isEqualTo((byte) i);
                assertThat(in.get(Duration.ofSeconds(30))).isEqualTo(i);
            }
        }
    }

    @Test
    void aPutRefusedAfterItReturnedIsReportedByTheNextCallOfTheProducer() throws Exception {
        try (Cluster producer = Cluster.connect(redis.url()); Cluster other = Cluster.connect(redis.url())) {
            ProcessQueue<String> out = producer.queue("refusing");
            out.put("stored");
            assertThat(out.qsize()).as("any call of the producer waits for its puts").isEqualTo(1);
            other.queue("refusing").close();
            out.put("refused"); // returns: the server's answer comes after
            assertThatThrownBy(out::close).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("refusing").hasMessageContaining("1 items put into it were not stored");
            assertThatThrownBy(() -> out.put("again")).isInstanceOf(IllegalStateException.class);
            assertThat(other.<String>queue("refusing").get()).isEqualTo("stored");
        }
    }

    @Test
    void badInputFailsAtTheCall() {
        try (Cluster cluster = Cluster.connect(redis.url())) {
            assertThatThrownBy(() -> cluster.queue("neg", -1)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("-1");
            assertThatThrownBy(() -> cluster.joinableQueue("neg", -5)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> cluster.queue("bad{name}")).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> cluster.queue("")).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> cluster.queue(null)).isInstanceOf(NullPointerException.class);
            ProcessQueue<Object> q = cluster.queue("input", 5);
            assertThatThrownBy(() -> q.put(null)).isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> q.put(new Object())).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("java.lang.Object");
            assertThat(q.qsize()).isZero();
            assertThatThrownBy(() -> cluster.queue("input", 6)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("maxSize 5");
        }
    }

    @Test
    void aRefusedClassFailsThatGetAndTheNextGetWorks() throws Exception {
        try (Cluster allowing = Cluster.builder(redis.url()).allowClasses("org.example.refused.*").connect();
             Cluster strict = Cluster.connect(redis.url())) {
            ProcessQueue<Object> out = allowing.queue("parcels");
            out.put(new Parcel("first"));
            out.put("plain");
            out.put(new Parcel("second"));
            ProcessQueue<Object> in = strict.queue("parcels");
            assertThatThrownBy(in::get).isInstanceOf(ClusterException.class)
                    .hasMessageContaining("org.example.refused.Parcel")
                    .hasMessageContaining("allowClasses(\"org.example.refused.*\")");
            assertThat(in.get()).isEqualTo("plain");
            assertThat(allowing.queue("parcels").get()).isEqualTo(new Parcel("second"));
        }
    }

    @Test
    void producerAndConsumerProcessesDeliverEveryItemExactlyOnce() throws Exception {
        int items = 3_000;
        int consumers = 2;
        try (Cluster cluster = Cluster.connect(redis.url())) {
            ProcessQueue<Integer> q = cluster.queue("work", 100);
            ProcessQueue<ArrayList<Integer>> results = cluster.queue("work-results");
            List<ChildProcess> children = new ArrayList<>();
            for (int c = 0; c < consumers; c++) {
                children.add(child(() -> {
                    ArrayList<Integer> got = new ArrayList<>();
                    for (Integer x = q.get(); x >= 0; x = q.get()) {
                        got.add(x);
                    }
                    results.put(got);
                }));
            }
            children.add(child(() -> {
                for (int i = 0; i < items; i++) {
                    q.put(i);
                }
                for (int c = 0; c < consumers; c++) {
                    q.put(-1);
                }
            }));
            List<Integer> all = new ArrayList<>();
            for (int c = 0; c < consumers; c++) {
                ArrayList<Integer> got = results.get(Duration.ofSeconds(60));
                assertThat(got).as("one producer's items come out in its order").isSorted();
                all.addAll(got);
            }
            joinAll(children);
            assertThat(all).hasSize(items).doesNotHaveDuplicates();
            assertThat(q.isEmpty()).isTrue();
        }
    }

    /** Many items through the batched puts and gets; how many a second is the bench's figure (section "cluster"). */
    @Test
    void manyItemsFromOneProducerProcessReachOneConsumerProcessInOrder() throws Exception {
        int items = 20_000;
        try (Cluster cluster = Cluster.connect(redis.url())) {
            ProcessQueue<Integer> q = cluster.queue("many-in-order");
            ProcessQueue<Integer> report = cluster.queue("many-in-order-report");
            ChildProcess consumer = child(() -> {
                int n = 0;
                for (Integer x = q.get(); x >= 0; x = q.get()) {
                    if (x != n) {
                        report.put(-1 - n); // out of order at n
                        return;
                    }
                    n++;
                }
                report.put(n);
            });
            ChildProcess producer = child(() -> {
                for (int i = 0; i < items; i++) {
                    q.put(i);
                }
                q.put(-1);
            });
            assertThat(report.get(Duration.ofSeconds(120))).as("items got in order").isEqualTo(items);
            joinAll(List.of(consumer, producer));
        }
    }

    /**
     * A consumer killed (SIGKILL) while it holds items it fetched ahead: every item is delivered
     * to another consumer at least once (the dead one's come back when its lease lapses), none is
     * lost, and only the item it may have been returning can come twice.
     */
    @Test
    void aConsumerKilledWhileHoldingItemsFetchedAheadLosesNone() throws Exception {
        int items = 200;
        try (Cluster cluster = Cluster.connect(redis.url());
             redis.clients.jedis.Jedis raw = new redis.clients.jedis.Jedis("127.0.0.1", redis.port())) {
            ProcessQueue<Integer> q = cluster.queue("fetch-kill");
            ProcessQueue<Integer> got = cluster.queue("fetch-kill-got");
            for (int i = 0; i < items; i++) {
                q.put(i);
            }
            assertThat(q.qsize()).isEqualTo(items);
            ChildProcess doomed = child(() -> {
                while (true) {
                    got.put(q.get());
                    Thread.sleep(20); // keeps asking, so nothing is given back for being idle
                }
            });
            List<Integer> delivered = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                delivered.add(got.get(Duration.ofSeconds(60)));
            }
            long waiting = raw.llen("mp4j:queue:{fetch-kill}:items");
            assertThat(waiting).as("the consumer holds items fetched ahead").isLessThan(items - 10);
            assertThat((long) q.qsize()).as("qsize counts what consumers hold").isGreaterThan(waiting);
            doomed.kill();
            doomed.join();
            long killedAt = System.nanoTime();
            for (Integer x = got.poll(); x != null; x = got.poll()) {
                delivered.add(x); // what it returned before it died
            }
            int fromDead = delivered.size();
            java.util.Set<Integer> distinct = new java.util.TreeSet<>(delivered);
            while (distinct.size() < items) {
                Integer x = q.get(Duration.ofSeconds(30));
                delivered.add(x);
                distinct.add(x);
            }
            Integer extra = q.poll(); // the one it may have been returning, if it comes after the others
            if (extra != null) {
                delivered.add(extra);
            }
            System.out.printf("plain queue: %d items delivered after the kill of a consumer that held %d fetched ahead, "
                    + "the last %.2f s after it%n", delivered.size() - fromDead, items - fromDead - waiting,
                    (System.nanoTime() - killedAt) / 1e9);
            assertThat(new java.util.TreeSet<>(delivered)).as("none lost").hasSize(items);
            assertThat(delivered.size() - items).as("at most the one it was returning comes twice").isLessThanOrEqualTo(1);
            assertThat(q.isEmpty()).isTrue();
        }
    }

    /** Fetching ahead takes at most half of what waits: two consumers sharing a queue both get items. */
    @Test
    void twoConsumersSharingAQueueBothGetItems() throws Exception {
        int items = 2_000;
        try (Cluster cluster = Cluster.connect(redis.url())) {
            ProcessQueue<Integer> q = cluster.queue("fetch-share");
            ProcessQueue<ArrayList<Integer>> results = cluster.queue("fetch-share-results");
            List<ChildProcess> consumers = new ArrayList<>();
            for (int c = 0; c < 2; c++) {
                consumers.add(child(() -> {
                    ArrayList<Integer> mine = new ArrayList<>();
                    for (Integer x = q.get(); x >= 0; x = q.get()) {
                        mine.add(x);
                        Thread.sleep(0, 200_000); // some work per item
                    }
                    results.put(mine);
                }));
            }
            for (int i = 0; i < items; i++) {
                q.put(i);
            }
            q.put(-1);
            q.put(-1);
            List<Integer> all = new ArrayList<>();
            for (int c = 0; c < 2; c++) {
                ArrayList<Integer> mine = results.get(Duration.ofSeconds(60));
                System.out.printf("plain queue: one of two consumers got %d of %d items%n", mine.size(), items);
                assertThat(mine).as("each consumer gets items").hasSizeGreaterThan(items / 20).isSorted();
                all.addAll(mine);
            }
            joinAll(consumers);
            assertThat(all).hasSize(items).doesNotHaveDuplicates();
        }
    }

    static ChildProcess child(io.github.multiprocessing4j.SerializableRunnable target) {
        return child(redis.url(), target);
    }

    /** A child that connects to the server at {@code url} when it uses a cluster object it was given. */
    static ChildProcess child(String url, io.github.multiprocessing4j.SerializableRunnable target) {
        ChildProcess child = ChildProcess.builder(target).env("MP4J_REDIS_URL", url)
                .startMethod(StartMethod.COLD).build();
        child.start();
        return child;
    }

    static void joinAll(List<ChildProcess> children) throws InterruptedException {
        for (ChildProcess child : children) {
            if (!child.join(Duration.ofSeconds(60))) {
                child.kill();
                child.join();
            }
            assertThat(child.exitCode()).hasValue(0);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
