package io.github.multiprocessing4j.redis;

import io.github.multiprocessing4j.redis.testing.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClusterConnectTest {
    static RedisServer redis;
    static RedisServer secured;

    @BeforeAll
    static void start() {
        redis = RedisServer.start();
        secured = RedisServer.start("requirepass s3cret-pw", "user app on >app-pw ~mp4j:* &* +@all");
    }

    @AfterAll
    static void stop() {
        redis.close();
        secured.close();
    }

    @Test
    void connectsAndNamesTheServerWithoutCredentials() {
        try (Cluster cluster = Cluster.builder("redis://:s3cret-pw@127.0.0.1:" + secured.port() + "/0").connect()) {
            assertThat(cluster.toString()).doesNotContain("s3cret").contains("127.0.0.1:" + secured.port());
            assertThat(cluster.server()).isEqualTo("redis://127.0.0.1:" + secured.port() + "/0");
        }
        try (Cluster cluster = Cluster.connect("redis://app:app-pw@127.0.0.1:" + secured.port())) {
            assertThat(cluster.toString()).doesNotContain("app-pw").contains("redis://app@127.0.0.1");
        }
        try (Cluster cluster = Cluster.connect(redis.url())) {
            assertThat(cluster.prefix()).isEqualTo("mp4j");
        }
    }

    @Test
    void aWrongPasswordFailsAtConnectWithoutShowingIt() {
        assertThatThrownBy(() -> Cluster.connect("redis://app:wrong-pw@127.0.0.1:" + secured.port()))
                .isInstanceOf(ClusterException.class)
                .hasMessageContaining("refused the credentials")
                .hasMessageContaining("127.0.0.1:" + secured.port())
                .hasMessageNotContaining("wrong-pw");
    }

    @Test
    void anUnreachableServerFailsWithinTheTimeout() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        long start = System.nanoTime();
        assertThatThrownBy(() -> Cluster.builder("redis://:pw@127.0.0.1:" + closedPort).timeout(Duration.ofMillis(800)).connect())
                .isInstanceOf(ClusterException.class)
                .hasMessageContaining("cannot reach")
                .hasMessageNotContaining(":pw@");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void badUrlsAndOptionsAreRefusedAtTheCall() {
        assertThatThrownBy(() -> Cluster.connect("http://u:topsecret@host")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("topsecret");
        assertThatThrownBy(() -> Cluster.builder(redis.url()).prefix("a{b}")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Cluster.builder(redis.url()).timeout(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Cluster.builder(redis.url()).allowClasses("!com.evil.*")).isInstanceOf(IllegalArgumentException.class);
    }
}
