package io.github.multiprocessing4j.redis;

import io.github.multiprocessing4j.ChildProcess;
import io.github.multiprocessing4j.SharedLong;
import io.github.multiprocessing4j.redis.testing.RedisServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ClusterSharedLongTest {
    @RegisterExtension
    static final RedisServer redis = RedisServer.perClass();

    @Test
    void twoConnectionsThatNameTheSameLongMeetIt() {
        try (Cluster a = Cluster.connect(redis.url()); Cluster b = Cluster.builder(redis.url()).prefix("other").connect()) {
            SharedLong counter = a.sharedLong("meet");
            counter.set(40);
            assertThat(counter.addAndGet(2)).isEqualTo(42);
            assertThat(a.sharedLong("meet").get()).isEqualTo(42);
            assertThat(b.sharedLong("meet").get()).as("another prefix is another application").isZero();
            assertThat(counter.compareAndSet(41, 0)).isFalse();
            assertThat(counter.compareAndSet(42, 7)).isTrue();
            assertThat(counter.get()).isEqualTo(7);
            counter.close();
            assertThat(a.sharedLong("meet").get()).isZero();
        }
    }

    @Test
    void childrenWithTheUrlInTheirEnvironmentIncrementTheSameLong() throws Exception {
        try (Cluster cluster = Cluster.connect(redis.url())) {
            SharedLong counter = cluster.sharedLong("children");
            counter.set(0);
            List<ChildProcess> children = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                ChildProcess child = ChildProcess.builder(() -> {
                    for (int k = 0; k < 100; k++) {
                        counter.incrementAndGet();
                    }
                }).env("MP4J_REDIS_URL", redis.url()).startMethod(io.github.multiprocessing4j.StartMethod.COLD).build();
                child.start();
                children.add(child);
            }
            for (ChildProcess child : children) {
                child.join();
                assertThat(child.exitCode()).hasValue(0);
            }
            assertThat(counter.get()).isEqualTo(300);
            counter.close();
        }
    }

    @Test
    void aHandleFindsItsServerNamedAnotherWayInTheReceivingProcess() throws Exception {
        String byName = "redis://localhost:" + redis.port() + "/0";
        try (Cluster cluster = Cluster.connect(byName)) {
            SharedLong counter = cluster.sharedLong("named-another-way");
            counter.set(0);
            // The child knows the server as 127.0.0.1 (its environment), the handle as localhost.
            ChildProcess child = ChildProcess.builder(() -> counter.addAndGet(5))
                    .env("MP4J_REDIS_URL", redis.url()).build();
            child.start();
            child.join();
            assertThat(child.exitCode()).hasValue(0);
            assertThat(counter.get()).isEqualTo(5);
            counter.close();
        }
    }
}
