package io.github.multiprocessing4j.redis;

import io.github.multiprocessing4j.SharedLong;
import io.github.multiprocessing4j.redis.internal.connection.Server;
import io.github.multiprocessing4j.redis.testing.RedisServer;
import io.github.multiprocessing4j.redis.testing.TestCertificates;
import io.github.multiprocessing4j.testing.TestFiles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

import java.io.ByteArrayOutputStream;
import java.io.ObjectOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Passwords, ACL users, TLS, and the credentials never showing: not in messages, stack traces,
 * {@code toString()}, serialized handles, or any log record (all of them captured at level ALL).
 */
class ClusterSecurityTest {
    static final String ADMIN_PW = "adm1n-Secret-pw";
    static final String APP_PW = "app-Secret-pw";
    static final String TLS_PW = "tls-Secret-pw";
    static final String WRONG_PW = "wr0ng-Secret-pw";
    static final List<String> SECRETS = List.of(ADMIN_PW, APP_PW, TLS_PW, WRONG_PW, RedisServer.TRUST_STORE_PASSWORD);
    /**
     * An application's ACL: its keys and channels under its prefix, the commands a cluster
     * uses, nothing dangerous. docs/CLUSTER.md shows the same line.
     */
    static final String APP_ACL = "user mp4japp on >" + APP_PW + " resetkeys ~mp4j:* resetchannels &mp4j:* "
            + "-@all +@connection +@read +@write +@scripting +@blocking +@transaction -@dangerous";

    static RedisServer secured;
    static RedisServer tls;
    static RedisServer tlsForAnotherName;
    static Path otherCa;
    static final ConcurrentLinkedQueue<String> LOGGED = new ConcurrentLinkedQueue<>();
    static final Handler CAPTURE = new Handler() {
        private final SimpleFormatter format = new SimpleFormatter();

        @Override
        public void publish(LogRecord record) {
            LOGGED.add(format.format(record));
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    static Level rootLevel;

    @BeforeAll
    static void start() throws Exception {
        secured = RedisServer.start("requirepass " + ADMIN_PW, APP_ACL);
        tls = RedisServer.startTls("requirepass " + TLS_PW);
        tlsForAnotherName = RedisServer.startTlsFor("DNS:elsewhere.example");
        otherCa = TestFiles.tempDirectory("other-ca");
        TestCertificates.make(otherCa, RedisServer.TRUST_STORE_PASSWORD);
        // Captured from here on: the fixture above gives keytool the trust store's password on its
        // command line, and JDK 25 logs every ProcessBuilder command line at FINER.
        Logger root = Logger.getLogger("");
        rootLevel = root.getLevel();
        CAPTURE.setLevel(Level.ALL);
        root.addHandler(CAPTURE);
        root.setLevel(Level.ALL);
    }

    @AfterAll
    static void stop() throws Exception {
        System.getLogger(ClusterSecurityTest.class.getName()).log(System.Logger.Level.DEBUG, "capture probe");
        assertThat(LOGGED).as("System.Logger records reach the capture").anyMatch(r -> r.contains("capture probe"));
        Logger root = Logger.getLogger("");
        root.removeHandler(CAPTURE);
        root.setLevel(rootLevel);
        secured.close();
        tls.close();
        tlsForAnotherName.close();
        TestFiles.deleteRecursively(otherCa);
        System.out.println("log records captured at level ALL: " + LOGGED.size());
        for (String record : LOGGED) {
            for (String secret : SECRETS) {
                assertThat(record).as("a log record").doesNotContain(secret);
            }
        }
    }

    @Test
    void passwordsAndAclUsersConnect() {
        try (Cluster admin = Cluster.connect("redis://:" + ADMIN_PW + "@127.0.0.1:" + secured.port());
             Cluster app = Cluster.connect("redis://mp4japp:" + APP_PW + "@127.0.0.1:" + secured.port() + "/0")) {
            admin.sharedLong("who").set(1);
            assertThat(app.sharedLong("who").get()).isEqualTo(1);
            app.sharedLong("who").close();
            assertThat(app.server()).isEqualTo("redis://mp4japp@127.0.0.1:" + secured.port() + "/0");
        }
    }

    @Test
    void wrongPasswordsFailAtOnceWithoutShowingThem() {
        for (String url : List.of("redis://:" + WRONG_PW + "@127.0.0.1:" + secured.port(),
                "redis://mp4japp:" + WRONG_PW + "@127.0.0.1:" + secured.port(),
                "redis://nobody:" + WRONG_PW + "@127.0.0.1:" + secured.port(),
                "redis://127.0.0.1:" + secured.port())) {
            long start = System.nanoTime();
            Throwable failure = catchThrowable(() -> Cluster.builder(url).timeout(Duration.ofSeconds(40)).connect());
            assertThat(failure).isInstanceOf(ClusterException.class)
                    .hasMessageContaining("127.0.0.1:" + secured.port());
            assertThat(failure.getMessage()).containsAnyOf("refused the credentials", "NOAUTH");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("not retried").isLessThan(Duration.ofSeconds(20));
            assertShowsNoSecret(failure);
        }
    }

    @Test
    void nothingShowsTheCredentials() throws Exception {
        try (Cluster app = Cluster.connect("redis://mp4japp:" + APP_PW + "@127.0.0.1:" + secured.port())) {
            SharedLong n = app.sharedLong("shown");
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
                out.writeObject(n);
            }
            String serialized = new String(bytes.toByteArray(), StandardCharsets.ISO_8859_1);
            assertThat(n.toString()).doesNotContain(APP_PW);
            assertThat(serialized).as("a handle as it travels").contains("127.0.0.1", "mp4japp").doesNotContain(APP_PW);
            for (String shown : List.of(app.toString(), app.server(), app.connection().toString(),
                    app.connection().server().toString(), app.connection().ref().toString())) {
                assertThat(shown).contains("127.0.0.1:" + secured.port()).doesNotContain(APP_PW);
            }
        }
        assertThatThrownBy(() -> Cluster.connect("redis://mp4japp:" + APP_PW + "@127.0.0.1:" + secured.port() + "/notadb"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageNotContaining(APP_PW);
    }

    @Test
    void malformedUrlsNeverShowTheirPassword() {
        for (String url : List.of("http://u:" + WRONG_PW + "@host", "redis://u:" + WRONG_PW + "@", "redis://u:" + WRONG_PW + "@host/db",
                "redis://u:" + WRONG_PW + "@host:port", "redis://u:wr0ng/Secret-pw@host", "redis://u:wr0ng@Secret-pw@host",
                "redis://u:wr0ng Secret-pw@host", "u:" + WRONG_PW + "@host")) {
            Throwable failure = catchThrowable(() -> Cluster.connect(url));
            assertThat(failure).as(url).isInstanceOf(IllegalArgumentException.class);
            assertThat(failure.getMessage()).doesNotContain("Secret");
            assertShowsNoSecret(failure);
        }
    }

    @Test
    void anAclUserLimitedToThePrefixDoesEverythingAClusterDoes() throws Exception {
        try (Jedis admin = new Jedis("127.0.0.1", secured.port())) {
            admin.auth(ADMIN_PW);
            admin.aclLogReset();
            try (Cluster app = Cluster.connect("redis://mp4japp:" + APP_PW + "@127.0.0.1:" + secured.port())) {
                everythingAClusterDoes(app);
                // The ACL is in force: the same user under another prefix is refused, and that is told clearly.
                try (Cluster elsewhere = Cluster.builder("redis://mp4japp:" + APP_PW + "@127.0.0.1:" + secured.port())
                        .prefix("other").connect()) {
                    assertThatThrownBy(() -> elsewhere.sharedLong("x").set(1)).isInstanceOf(ClusterException.class)
                            .hasMessageContaining("NOPERM").hasMessageNotContaining(APP_PW);
                }
            }
            List<?> denials = admin.aclLog();
            assertThat(denials).as("ACL denials").hasSize(1); // the refused write under "other", nothing else
            assertThat(denials.toString()).contains("other:long");
            List<String> keys = new ArrayList<>();
            String cursor = ScanParams.SCAN_POINTER_START;
            do {
                ScanResult<String> page = admin.scan(cursor);
                keys.addAll(page.getResult());
                cursor = page.getCursor();
            } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
            assertThat(keys).isNotEmpty().allSatisfy(k -> assertThat(k).startsWith("mp4j:"));
            admin.flushAll();
        }
    }

    /** What a cluster does on the server; each object's helper adds its own traffic here. */
    static void everythingAClusterDoes(Cluster cluster) throws InterruptedException {
        SharedLong n = cluster.sharedLong("acl-long");
        n.set(10);
        assertThat(n.incrementAndGet()).isEqualTo(11);
        assertThat(n.compareAndSet(11, 20)).isTrue();
        assertThat(n.get()).isEqualTo(20);
        n.close();
        cluster.sharedLong("acl-kept").set(7);
        Server server = cluster.connection().server();
        String list = cluster.connection().key("test", "acl", "list");
        server.call("push", j -> j.rpush(list, "x"));
        String taken = server.callBlocking("take", TimeUnit.SECONDS.toNanos(2),
                (j, seconds) -> ClusterEngineFailureTest.value(j.blpop(seconds, list)));
        assertThat(taken).isEqualTo("x");
    }

    @Test
    void tlsWithTheTrustStoreCarriesTheCluster() {
        for (String host : List.of("127.0.0.1", "localhost")) {
            try (Cluster cluster = Cluster.builder("rediss://:" + TLS_PW + "@" + host + ":" + tls.port())
                    .trustStore(tls.trustStore(), RedisServer.TRUST_STORE_PASSWORD.toCharArray()).connect()) {
                assertThat(cluster.server()).startsWith("rediss://" + host);
                SharedLong n = cluster.sharedLong("over-tls");
                assertThat(n.incrementAndGet()).isPositive();
            }
        }
    }

    @Test
    void tlsWithoutTheRightTrustStoreFailsClearlyAndAtOnce() {
        String url = "rediss://:" + TLS_PW + "@127.0.0.1:" + tls.port();
        List<Cluster.Builder> wrong = List.of(
                Cluster.builder(url), // the JDK's default trust store: does not know the test CA
                Cluster.builder(url).trustStore(otherCa.resolve("truststore.p12"), RedisServer.TRUST_STORE_PASSWORD.toCharArray()),
                Cluster.builder("rediss://127.0.0.1:" + tlsForAnotherName.port()) // trusted CA, certificate for another name
                        .trustStore(tlsForAnotherName.trustStore(), RedisServer.TRUST_STORE_PASSWORD.toCharArray()));
        for (Cluster.Builder builder : wrong) {
            long start = System.nanoTime();
            // A long timeout, to tell "failed at once" from "retried until the timeout" on a loaded machine
            // (the JDK's default trust store alone takes seconds to load there).
            Throwable failure = catchThrowable(() -> builder.timeout(Duration.ofSeconds(40)).connect());
            assertThat(failure).isInstanceOf(ClusterException.class)
                    .hasMessageContaining("rediss://127.0.0.1:")
                    .hasMessageContaining("TLS handshake failed")
                    .hasMessageContaining("trustStore");
            System.out.println("after " + Duration.ofNanos(System.nanoTime() - start).toMillis() + " ms");
            assertShowsNoSecret(failure);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("not retried").isLessThan(Duration.ofSeconds(20));
        }
        assertThatThrownBy(() -> Cluster.builder("redis://127.0.0.1:" + tls.port()).timeout(Duration.ofMillis(500)).connect())
                .as("plain text to a TLS port").isInstanceOf(ClusterException.class);
        assertThatThrownBy(() -> Cluster.builder(url).trustStore(tls.trustStore(), WRONG_PW.toCharArray()).connect())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("trust store").hasMessageNotContaining(WRONG_PW);
    }

    static void assertShowsNoSecret(Throwable failure) {
        System.out.println("told: " + failure.getMessage());
        StringWriter trace = new StringWriter();
        failure.printStackTrace(new PrintWriter(trace));
        for (String secret : SECRETS) {
            assertThat(trace.toString()).doesNotContain(secret);
        }
    }
}
