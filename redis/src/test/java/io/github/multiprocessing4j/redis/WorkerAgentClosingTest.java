package io.github.multiprocessing4j.redis;

import io.github.multiprocessing4j.redis.internal.pool.AgentKeys;
import io.github.multiprocessing4j.redis.internal.pool.WorkerAgentCore;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** What a worker agent that is closing does with the placements it takes meanwhile. */
class WorkerAgentClosingTest extends ClusterTestBase {
    @Test
    void aPlacementTakenWhileTheAgentClosesGoesBackForAnotherAgent() throws Exception {
        AgentKeys keys = new AgentKeys(cluster.connection());
        WorkerAgentCore agent = WorkerAgentCore.start(cluster.connection(), keys, redis.url(), 1, List.of());
        ExecutorService closer = Executors.newSingleThreadExecutor();
        try (Jedis raw = new Jedis("127.0.0.1", redis.port())) {
            Thread.sleep(100); // its placement thread waits in BLPOP (half a second at a time)
            Future<?> closed = closer.submit(agent::close);
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!"stopping".equals(raw.hget(keys.info(agent.id()), "state"))) { // closing is set before that
                assertThat(System.nanoTime() - deadline).as("the agent says it is stopping").isNegative();
                Thread.sleep(1);
            }
            // Most likely still in the BLPOP it was in when close() began, which takes this.
            raw.rpush(keys.placements().getBytes(StandardCharsets.UTF_8), "a placement".getBytes(StandardCharsets.UTF_8));
            closed.get(WAIT.toSeconds(), TimeUnit.SECONDS);

            assertThat(raw.lrange(keys.placements(), 0, -1)).as("the placements list after the agent closed")
                    .containsExactly("a placement");
        } finally {
            agent.close();
            closer.shutdownNow();
        }
    }
}
