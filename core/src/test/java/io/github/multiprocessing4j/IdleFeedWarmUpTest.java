package io.github.multiprocessing4j;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link IdleFeedWarmUp}: a process that feeds a queue every so often, or is fed so, runs the
 * queue exercise once on a thread of its own; a process that streams does not, nor one that
 * turned it off. Each case in children of their own (the warm-up is once per JVM), which say
 * whether their warm-up ran to its end.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class IdleFeedWarmUpTest {
    private static final int FEED_ITEMS = IdleFeedWarmUp.NOTICES + 3;
    private static final long FEED_GAP_MILLIS = 25;

    @Test
    void aConsumerAndAProducerOfAFeedEverySoOftenWarmUp() throws Exception {
        assertThat(whatTheChildrenSay(FEED_ITEMS, FEED_GAP_MILLIS))
                .containsExactlyInAnyOrder("consumer warmed up: true", "producer warmed up: true");
    }

    @Test
    void aStreamDoesNotWarmUp() throws Exception {
        assertThat(whatTheChildrenSay(100_000, 0))
                .containsExactlyInAnyOrder("consumer warmed up: false", "producer warmed up: false");
    }

    @Test
    void aJvmThatTurnedItOffDoesNotWarmUp() throws Exception {
        assertThat(whatTheChildrenSay(FEED_ITEMS, FEED_GAP_MILLIS, "-D" + IdleFeedWarmUp.ENABLED_PROPERTY + "=false"))
                .containsExactlyInAnyOrder("consumer warmed up: false", "producer warmed up: false");
    }

    @Test
    void aPipeEndReceivingEverySoOftenWarmsUp() throws Exception {
        Pipe<Integer> pipe = Pipe.open(false);
        Connection<Integer> receiving = pipe.left();
        Connection<Integer> sending = pipe.right();
        ProcessQueue<String> said = new ProcessQueue<>();
        try {
            ChildProcess receiver = ChildProcess.builder(() -> {
                said.put("ready");
                for (int i = 0; i < FEED_ITEMS; i++) {
                    receiving.recv();
                }
                said.put("receiver warmed up: " + ranToItsEnd());
            }).startMethod(StartMethod.COLD).build();
            receiver.start();
            assertThat(said.get()).isEqualTo("ready"); // so that it waits for each message
            for (int i = 0; i < FEED_ITEMS; i++) {
                Thread.sleep(FEED_GAP_MILLIS);
                sending.send(i);
            }
            receiver.join();

            assertThat(said.get()).isEqualTo("receiver warmed up: true");
        } finally {
            sending.unlink(); // the pipe, for every process
            said.unlink();
        }
    }

    /**
     * A producer child puts {@code items} ints into a queue, {@code gapMillis} apart (0: at once,
     * a stream), once the consumer child that takes them is ready; then each says whether its
     * warm-up ran.
     */
    private static List<String> whatTheChildrenSay(int items, long gapMillis, String... jvmArgs) throws Exception {
        ProcessQueue<Integer> feed = new ProcessQueue<>();
        ProcessQueue<String> said = new ProcessQueue<>();
        ProcessEvent consumerReady = new ProcessEvent();
        try {
            ChildProcess consumer = ChildProcess.builder(() -> {
                consumerReady.set(); // a feed's consumer waits for each item, from the first
                for (int i = 0; i < items; i++) {
                    feed.get();
                }
                said.put("consumer warmed up: " + ranToItsEnd());
            }).startMethod(StartMethod.COLD).jvmArgs(jvmArgs).build();
            ChildProcess producer = ChildProcess.builder(() -> {
                consumerReady.await();
                for (int i = 0; i < items; i++) {
                    if (gapMillis > 0) {
                        Thread.sleep(gapMillis);
                    }
                    feed.put(i);
                }
                said.put("producer warmed up: " + ranToItsEnd());
            }).startMethod(StartMethod.COLD).jvmArgs(jvmArgs).build();
            consumer.start();
            producer.start();
            producer.join();
            consumer.join();
            assertThat(consumer.exitCode()).hasValue(0);
            assertThat(producer.exitCode()).hasValue(0);
            return List.of(said.get(), said.get());
        } finally {
            feed.unlink();
            said.unlink();
            consumerReady.unlink();
        }
    }

    /** In a child: whether its warm-up started and ran to its end (it takes well under a second). */
    private static boolean ranToItsEnd() throws InterruptedException {
        Thread warmUp = IdleFeedWarmUp.thread();
        if (warmUp == null) {
            return false;
        }
        warmUp.join(TimeUnit.SECONDS.toMillis(20));
        return !warmUp.isAlive() && IdleFeedWarmUp.exerciseRan();
    }
}
