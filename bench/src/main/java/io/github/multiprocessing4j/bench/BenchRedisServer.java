package io.github.multiprocessing4j.bench;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The section "cluster"'s own {@code redis-server}: on a free port of 127.0.0.1 only, without
 * persistence (as {@code bench_cluster.py} starts its own: {@code --save '' --appendonly no}),
 * its files in a scratch directory, and stopped by its pid when closed. Never a server someone
 * else runs: the section writes and deletes keys freely.
 */
final class BenchRedisServer implements AutoCloseable {
    private static final long START_TIMEOUT_MILLIS = 10_000;

    private final Process process;
    private final int port;
    private final ScratchDirectory directory;

    private BenchRedisServer(Process process, int port, ScratchDirectory directory) {
        this.process = process;
        this.port = port;
        this.directory = directory;
    }

    /** @return the {@code redis-server} on the PATH, if there is one */
    static Optional<Path> binary() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, "redis-server");
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /**
     * Starts the server and waits until it accepts connections.
     *
     * @throws IllegalStateException when it exits or does not listen within 10 s (it is stopped then)
     */
    static BenchRedisServer start(Path binary) throws IOException, InterruptedException {
        ScratchDirectory directory = ScratchDirectory.create();
        int port = freePort();
        Process process = new ProcessBuilder(binary.toString(), "--port", Integer.toString(port),
                "--bind", "127.0.0.1", "--protected-mode", "yes", "--save", "", "--appendonly", "no",
                "--daemonize", "no", "--dir", directory.file(""), "--loglevel", "warning")
                .redirectErrorStream(true)
                .redirectOutput(new File(directory.file("redis-server.log")))
                .start();
        BenchRedisServer server = new BenchRedisServer(process, port, directory);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MILLIS);
        while (!server.accepts()) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                String log = Files.readString(Path.of(directory.file("redis-server.log")));
                server.close();
                throw new IllegalStateException("redis-server did not start on 127.0.0.1:" + port + ": " + log.strip());
            }
            Thread.sleep(10);
        }
        return server;
    }

    /** @return {@code redis://127.0.0.1:port/0} */
    String url() {
        return "redis://127.0.0.1:" + port + "/0";
    }

    int port() {
        return port;
    }

    long pid() {
        return process.pid();
    }

    /** Stops the server by its pid (SIGTERM, then SIGKILL after 10 s) and removes its directory. */
    @Override
    public void close() throws IOException, InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor();
        }
        directory.close();
    }

    private boolean accepts() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
