package io.github.multiprocessing4j.redis;

import io.github.multiprocessing4j.testing.PackageLayers;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The redis module's packages form layers as the core's do (docs/ARCHITECTURE.md, "Across
 * machines: the redis module"): the API package ({@code Cluster}, {@code WorkerAgent}) on top, one
 * package per kind of object below it, and the connection to the server, which every object uses,
 * at the bottom. No arrow goes up, and no two object packages use each other. Checked on the
 * compiled classes. One arrow up is allowed: to {@link ClusterException}, the public exception
 * that the connection's own failure ({@code ClusterFailure}) extends, so that what any layer
 * throws reaches the user as the documented type without being wrapped again.
 */
class RedisArchitectureTest {
    /** Top first; "" is the API package {@code io.github.multiprocessing4j.redis}. */
    static final List<String> LAYERS = List.of("", "internal.pool", "internal.queue", "internal.sync",
            "internal.value", "internal.connection");

    @Test
    void everyArrowBetweenTheRedisPackagesPointsDownTheLayers() {
        PackageLayers redis = PackageLayers.of(Cluster.class, "io.github.multiprocessing4j.redis");

        assertThat(redis.violations(PackageLayers.layered(LAYERS)))
                .filteredOn(arrow -> !arrow.contains(" -> " + ClusterException.class.getName() + " ("))
                .isEmpty();
    }
}
