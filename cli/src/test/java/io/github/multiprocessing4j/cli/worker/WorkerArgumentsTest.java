package io.github.multiprocessing4j.cli.worker;

import io.github.multiprocessing4j.cli.Mp4jRun;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Mistakes on the command line of {@code mp4j worker} and {@code mp4j ps --redis}: one line, exit code 2, no password. */
class WorkerArgumentsTest {
    private static final String URL = "redis://app:pa55word@127.0.0.1:6379/0";

    @Test
    void eachMistakeIsOneLineWithExitCode2AndNoPassword() {
        assertMistake("not a redis:// or rediss:// URL: http://***@h/", "worker", "--redis", "http://app:pa55word@h/");
        assertMistake("the path of redis://***@h/x is not a database number", "worker", "--redis",
                "redis://app:pa55word@h/x");
        assertMistake("an agent needs at least one process, not 0", "worker", "--redis", URL, "--processes", "0");
        assertMistake("a lease must be at least 300 ms", "worker", "--redis", URL, "--lease-ms", "10");
        assertMistake("a key prefix is 1 to 64 letters", "worker", "--redis", URL, "--prefix", "a b");
        assertMistake("not an allow pattern: '!com.acme.*'", "worker", "--redis", URL, "--allow", "!com.acme.*");
        assertMistake("--class-path: no such file or directory: /no/such/app.jar", "worker", "--redis", URL,
                "--class-path", "/no/such/app.jar");
        assertMistake("Unmatched argument at index 1: 'redis://***@127.0.0.1:6379/0'", "worker", URL);
        assertMistake("Unmatched argument at index 1: 'rediss://***@h'", "worker", "rediss://u:p/a@ss@h");
        assertMistake("--prefix needs --redis", "ps", "--prefix", "p");
        assertMistake("--tree is for this machine's trees, not with --redis", "ps", "--redis", URL, "--tree", "1");
        assertMistake("not a redis:// or rediss:// URL", "ps", "--redis", "localhost:6379");
    }

    @Test
    void withoutAServerItSaysHowToGiveOne() throws Exception {
        Mp4jRun.Result result = Mp4jRun.asProcess(Map.of("MP4J_REDIS_URL", ""), "worker", "--processes", "1");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.errLines()).containsExactly("mp4j: no server: give --redis URL (redis://host:port/db, rediss://"
                + " for TLS) or set MP4J_REDIS_URL (see 'mp4j worker --help')");
    }

    @Test
    void anUnreachableServerIsOneLineWithExitCode1() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        Mp4jRun.Result ps = Mp4jRun.inProcess("ps", "--redis", "redis://:pa55word@127.0.0.1:" + port);

        assertThat(ps.exitCode()).isEqualTo(1);
        assertThat(ps.errLines()).singleElement().asString().startsWith("mp4j: ps failed: redis://127.0.0.1:" + port + "/0")
                .doesNotContain("pa55word");
    }

    private static void assertMistake(String message, String... args) {
        Mp4jRun.Result result = Mp4jRun.inProcess(args);
        assertThat(result.exitCode()).as(String.join(" ", args)).isEqualTo(2);
        assertThat(result.out()).isEmpty();
        assertThat(result.errLines()).as(String.join(" ", args)).singleElement().asString()
                .startsWith("mp4j: " + message).endsWith("--help')").doesNotContain("pa55word");
    }
}
