package io.github.multiprocessing4j.cli.ps;

import io.github.multiprocessing4j.ProcessSnapshot;
import io.github.multiprocessing4j.StartMethod;
import io.github.multiprocessing4j.redis.AgentStatus;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import static io.github.multiprocessing4j.cli.ps.ProcessForestTest.NOW;
import static io.github.multiprocessing4j.cli.ps.ProcessForestTest.process;
import static org.assertj.core.api.Assertions.assertThat;

/** The JSON of {@code mp4j ps --json}: its exact form, which scripts rely on. */
class PsJsonTest {
    @Test
    void theJsonIsOneObjectWithTheTreesNested() {
        List<ProcessSnapshot> table = List.of(
                process("mp4j-100-1", 100, 0, "MainProcess", false, 75),
                new ProcessSnapshot("mp4j-100-1", 110, 100, "say \"hi\"\n", true, "booting", Optional.empty(),
                        Optional.of(NOW.minusSeconds(1)), OptionalLong.empty(), Optional.of(StartMethod.WARM)));

        String json = PsJson.local(ProcessForest.arrange(table, pid -> OptionalLong.of(4100)), NOW);

        assertThat(json).isEqualTo("{\"schema\":\"mp4j-ps/1\",\"time\":\"2026-01-01T12:00:00Z\",\"trees\":[{\"id\":\"mp4j-100-1\","
                + "\"processes\":[{\"pid\":100,\"ppid\":4100,\"name\":\"MainProcess\",\"state\":\"running\",\"osState\":\"S\","
                + "\"daemon\":false,\"startMethod\":null,\"startedAt\":\"2026-01-01T11:58:45Z\",\"rssBytes\":52428800,"
                + "\"orphan\":false,\"children\":[{\"pid\":110,\"ppid\":100,\"name\":\"say \\\"hi\\\"\\n\",\"state\":\"booting\","
                + "\"osState\":null,\"daemon\":true,\"startMethod\":\"warm\",\"startedAt\":\"2026-01-01T11:59:59Z\","
                + "\"rssBytes\":null,\"orphan\":false,\"children\":[]}]}]}]}");
        assertThat(PsJson.local(List.of(), NOW)).isEqualTo("{\"schema\":\"mp4j-ps/1\",\"time\":\"2026-01-01T12:00:00Z\","
                + "\"trees\":[]}");
        assertThat(PsJson.string("a\u0001b\\")).isEqualTo("\"a\\u0001b\\\\\"");
    }

    @Test
    void theClusterJsonListsAgentsWithTheirWorkers() {
        AgentStatus agent = new AgentStatus("vm-a:16803", "vm-a", 16803, AgentStatus.State.LOST, 2, 1, 10,
                NOW.minusSeconds(60), NOW.minusMillis(12_800),
                List.of(new AgentStatus.Worker("152e7ece", 1, "PoolWorker-1", 16866, 6, NOW.minusSeconds(30))));

        assertThat(PsJson.cluster("redis://h:6379/0", "mp4j", List.of(agent), Optional.of(List.of("vm-a:16803")), NOW))
                .isEqualTo("{\"schema\":\"mp4j-ps-cluster/1\",\"time\":\"2026-01-01T12:00:00Z\",\"server\":\"redis://h:6379/0\","
                        + "\"prefix\":\"mp4j\",\"agents\":[{\"id\":\"vm-a:16803\",\"host\":\"vm-a\",\"pid\":16803,"
                        + "\"state\":\"lost\",\"processes\":2,\"busy\":1,\"tasks\":10,\"startedAt\":\"2026-01-01T11:59:00Z\","
                        + "\"heartbeatAt\":\"2026-01-01T11:59:47.200Z\",\"workers\":[{\"pid\":16866,\"name\":\"PoolWorker-1\","
                        + "\"pool\":\"152e7ece\",\"worker\":1,\"tasks\":6,\"startedAt\":\"2026-01-01T11:59:30Z\"}]}],"
                        + "\"forgotten\":[\"vm-a:16803\"]}");
        assertThat(PsJson.cluster("redis://h:6379/0", "p", List.of(), Optional.empty(), NOW)).endsWith(",\"agents\":[]}");
    }
}
