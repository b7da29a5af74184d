package io.github.multiprocessing4j;

import io.github.multiprocessing4j.testing.PackageLayers;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The core's packages form layers (docs/ARCHITECTURE.md, "Layers and packages"): the API package
 * on top, then the internal runtime, down to the operating system. A class may use its own
 * package and the packages below it, never one above: so no internal class uses the API package,
 * and no two internal packages depend on each other. Checked on the compiled classes, so an arrow
 * drawn by any means (a field type, a lambda, a nested class) fails with the class that drew it.
 */
class ArchitectureTest {
    /** Top first; "" is the API package {@code io.github.multiprocessing4j}. */
    static final List<String> LAYERS = List.of("", "internal.statics", "internal.runtime", "internal.pool", "internal.queue",
            "internal.launch", "internal.process", "internal.sync", "internal.registry", "internal.serial",
            "internal.shm", "internal.events", "internal.os", "internal.util", "spi");

    private final PackageLayers core = PackageLayers.of(ChildProcess.class, "io.github.multiprocessing4j");

    @Test
    void everyArrowBetweenTheCorePackagesPointsDownTheLayers() {
        assertThat(core.violations(PackageLayers.layered(LAYERS))).isEmpty();
    }

    @Test
    void anInternalClassUsingTheApiIsReportedWithTheClassThatDrewIt() {
        List<String> apiAtTheBottom = new ArrayList<>(LAYERS.subList(1, LAYERS.size()));
        apiAtTheBottom.add("");

        assertThat(core.violations(PackageLayers.layered(apiAtTheBottom))).contains(
                "io.github.multiprocessing4j.ChildProcess -> io.github.multiprocessing4j.internal.runtime.RuntimeContext"
                        + " (io.github.multiprocessing4j may use only [])");
    }

    @Test
    void aPackageMissingFromTheTableIsReported() {
        Map<String, Set<String>> withoutOs = new HashMap<>(PackageLayers.layered(LAYERS));
        withoutOs.remove("internal.os");

        assertThat(core.violations(withoutOs)).contains("io.github.multiprocessing4j.internal.os.Platform:"
                + " the package internal.os is not in the table; add it with the packages it may use");
    }
}
