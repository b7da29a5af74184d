package io.github.multiprocessing4j.cli;

import io.github.multiprocessing4j.testing.PackageLayers;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The cli's packages depend on each other one way only: the command ({@code cli}) on everything,
 * {@code tour} on {@code lesson} (its chapters run the lessons) and {@code support}, {@code lesson}
 * on {@code support}, {@code ps} and {@code worker} on {@code support} (the server URL), and
 * {@code support} on no other cli package. Checked on the
 * compiled classes, so that an arrow back (a lesson reaching for a chapter's helper) fails the
 * build with the class that drew it.
 */
class PackageLayersTest {
    /** Which other cli packages each cli package may use; "" is {@code io.github.multiprocessing4j.cli} itself. */
    static final Map<String, Set<String>> ALLOWED = Map.of(
            "", Set.of("tour", "lesson", "ps", "worker", "support"),
            "tour", Set.of("lesson", "support"),
            "lesson", Set.of("support"),
            "ps", Set.of("support"),
            "worker", Set.of("support"),
            "support", Set.of());

    private final PackageLayers cli = PackageLayers.of(Main.class, "io.github.multiprocessing4j.cli");

    @Test
    void everyArrowBetweenTheCliPackagesPointsDownTheLayers() {
        assertThat(cli.violations(ALLOWED)).isEmpty();
    }

    @Test
    void anArrowAgainstTheLayersIsReportedWithTheClassThatDrewIt() {
        Map<String, Set<String>> lessonsMayNotUseSupport = new HashMap<>(ALLOWED);
        lessonsMayNotUseSupport.put("lesson", Set.of());

        assertThat(cli.violations(lessonsMayNotUseSupport)).contains(
                "io.github.multiprocessing4j.cli.lesson.IpcLesson -> io.github.multiprocessing4j.cli.support.Narrator"
                        + " (lesson may use only [])");
    }
}
