package io.github.multiprocessing4j.redis.testing;

import io.github.multiprocessing4j.testing.TestFiles;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@code redis-server} of a test's own: started on a free port of 127.0.0.1 (never another
 * address), with its data in a temporary directory of the test JVM's ({@link TestFiles#tempDirectory},
 * deleted by {@link #close}), and stopped by its pid. Fails (not skips)
 * when no {@code redis-server} is installed: {@code .ci/run} installs it, and a test run that
 * silently skipped the cluster would prove nothing.
 *
 * <pre>{@code
 * static RedisServer redis;
 * @BeforeAll static void start() { redis = RedisServer.start(); }
 * @AfterAll static void stop() { redis.stop(); }
 * }</pre>
 */
public final class RedisServer implements AutoCloseable, BeforeAllCallback, AfterAllCallback {
    /** The password of {@link #trustStore()}. */
    public static final String TRUST_STORE_PASSWORD = "trust-pw";

    /** Null until a {@link #perClass} server first starts: a test class's static field is also made in the children that load the class. */
    private Path directory;
    private final int port;
    private final List<String> config;
    private final boolean tls;
    private Process process;

    private RedisServer(Path directory, int port, List<String> config, boolean tls) {
        this.directory = directory;
        this.port = port;
        this.config = config;
        this.tls = tls;
    }

    /**
     * Starts a server with default settings (no persistence, no password) and {@code configLines}
     * after them (a later line wins: {@code "appendonly yes"}, {@code "requirepass pw"}).
     */
    public static RedisServer start(String... configLines) {
        return start(false, List.of(configLines));
    }

    /**
     * Starts a server that speaks only TLS, on a free port of 127.0.0.1, with a certificate made
     * now: a test CA (in {@link #trustStore()}, PKCS12, password {@link #TRUST_STORE_PASSWORD})
     * and a server certificate for {@code 127.0.0.1} and {@code localhost} signed by it. Clients
     * need no certificate of their own.
     */
    public static RedisServer startTls(String... configLines) {
        return start(true, "IP:127.0.0.1,DNS:localhost", List.of(configLines));
    }

    /**
     * As {@link #startTls}, with a server certificate for {@code subjectAltNames} ({@code openssl}
     * syntax: {@code DNS:elsewhere.example}) instead: to test that a client checks the name.
     */
    public static RedisServer startTlsFor(String subjectAltNames, String... configLines) {
        return start(true, subjectAltNames, List.of(configLines));
    }

    /**
     * A test class's own server, as a JUnit extension: started before the class's first test and
     * closed (stopped by pid, its directory deleted) after its last one. Register it with
     * {@code @RegisterExtension static final RedisServer redis = RedisServer.perClass("appendonly yes");}
     *
     * @param configLines as for {@link #start}
     */
    public static RedisServer perClass(String... configLines) {
        try {
            return new RedisServer(null, freePort(), List.of(configLines), false);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Starts the server; its directory is made again, since one extension in a base class's
     * static field serves each subclass in turn (closed after each).
     */
    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        if (directory == null) {
            directory = TestFiles.tempDirectory("redis");
        } else {
            Files.createDirectories(directory);
        }
        launch();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    private static RedisServer start(boolean tls, List<String> configLines) {
        return start(tls, null, configLines);
    }

    private static RedisServer start(boolean tls, String subjectAltNames, List<String> configLines) {
        RedisServer server = create(tls, subjectAltNames, configLines);
        try {
            server.launch();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return server;
    }

    /** A server not started yet: its directory, port and configuration. */
    private static RedisServer create(boolean tls, String subjectAltNames, List<String> configLines) {
        try {
            Path directory = TestFiles.tempDirectory("redis");
            List<String> lines = new ArrayList<>();
            int port = freePort();
            if (tls) {
                TestCertificates.make(directory, "", TRUST_STORE_PASSWORD, subjectAltNames);
                lines.addAll(List.of("port 0", "tls-port " + port,
                        "tls-cert-file " + directory.resolve("server.crt"),
                        "tls-key-file " + directory.resolve("server.key"),
                        "tls-ca-cert-file " + directory.resolve("ca.crt"),
                        "tls-auth-clients no"));
            }
            lines.addAll(configLines);
            return new RedisServer(directory, port, List.copyOf(lines), tls);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @return {@code redis://127.0.0.1:port/0}, or {@code rediss://} for a TLS server (no credentials) */
    public String url() {
        return (tls ? "rediss" : "redis") + "://127.0.0.1:" + port + "/0";
    }

    /** @return the PKCS12 trust store holding the CA of a {@link #startTls TLS server}'s certificate */
    public Path trustStore() {
        if (!tls) {
            throw new IllegalStateException("not a TLS server");
        }
        return directory.resolve("truststore.p12");
    }

    /**
     * Sends the server a signal by its pid ({@code STOP} freezes it: it keeps its port and answers
     * nothing; {@code CONT} thaws it).
     */
    public void signal(String name) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** @return whether the server process is running */
    public boolean alive() {
        return process != null && process.isAlive();
    }

    public int port() {
        return port;
    }

    public Path directory() {
        return directory;
    }

    public long pid() {
        return process.pid();
    }

    /** Kills the server with SIGKILL (a crash: what it had not persisted is gone). */
    public void kill() {
        if (process.isAlive()) {
            signal("CONT"); // SIGKILL works on a frozen process, but a waiter on it would not see the exit otherwise
        }
        process.destroyForcibly();
        waitFor();
    }

    /** Stops the server (SIGTERM: it saves what its persistence settings say, then exits). */
    public void stop() {
        if (process != null && process.isAlive()) {
            signal("CONT"); // a frozen server would not hear SIGTERM
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
            waitFor();
        }
    }

    /** Starts the server again on the same port and directory (after {@link #stop} or {@link #kill}). */
    public void restart() {
        try {
            launch();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        stop();
        if (directory != null) {
            TestFiles.deleteRecursively(directory);
        }
    }

    private void launch() throws IOException {
        String binary = findBinary();
        Path conf = directory.resolve("redis.conf");
        List<String> lines = new ArrayList<>(List.of(
                "bind 127.0.0.1",
                "port " + port,
                "dir " + directory,
                "save \"\"",
                "appendonly no",
                "protected-mode yes",
                "daemonize no",
                "logfile " + directory.resolve("redis.log")));
        lines.addAll(config);
        Files.write(conf, lines);
        process = new ProcessBuilder(binary, conf.toString())
                .redirectErrorStream(true)
                .redirectOutput(directory.resolve("stdout.log").toFile())
                .start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("redis-server exited with " + process.exitValue() + ": "
                        + tail(directory.resolve("redis.log")));
            }
            if (accepts()) {
                return;
            }
            sleep(10);
        }
        process.destroyForcibly();
        throw new IllegalStateException("redis-server did not listen on 127.0.0.1:" + port + " within 10 s");
    }

    private boolean accepts() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private void waitFor() {
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String findBinary() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            Path candidate = Path.of(dir, "redis-server");
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        if (Files.isExecutable(Path.of("/usr/bin/redis-server"))) {
            return "/usr/bin/redis-server";
        }
        throw new IllegalStateException("no redis-server on the PATH: install it (Debian: apt-get install redis-server; "
                + ".ci/run does this)");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

}
