package io.github.multiprocessing4j.redis.internal.connection;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ServerAddressTest {
    private static ServerAddress parse(String url) {
        return ServerAddress.parse(url).address();
    }

    @Test
    void theSameServerWrittenAnotherWayIsTheSameServer() {
        assertThat(parse("redis://localhost:6390/0").sameServer(parse("redis://127.0.0.1:6390"))).isTrue();
        assertThat(parse("redis://LOCALHOST:6390/0").sameServer(parse("redis://localhost:6390/0"))).isTrue();
        assertThat(parse("redis://u:pw@localhost:6390/0").sameServer(parse("redis://u:other@127.0.0.1:6390/0")))
                .as("the password is not part of where the server is").isTrue();
    }

    @Test
    void anotherPortDatabaseUserTlsOrUnknownHostIsAnotherServer() {
        ServerAddress local = parse("redis://127.0.0.1:6390/0");
        assertThat(local.sameServer(parse("redis://127.0.0.1:6391/0"))).isFalse();
        assertThat(local.sameServer(parse("redis://127.0.0.1:6390/1"))).isFalse();
        assertThat(local.sameServer(parse("redis://app@127.0.0.1:6390/0"))).isFalse();
        assertThat(local.sameServer(parse("rediss://127.0.0.1:6390/0"))).isFalse();
        assertThat(local.sameServer(parse("redis://no-such-host.invalid:6390/0"))).isFalse();
    }
}
