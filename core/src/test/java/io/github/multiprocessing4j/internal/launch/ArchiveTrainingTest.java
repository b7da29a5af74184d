package io.github.multiprocessing4j.internal.launch;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The exercise a dumping child runs is found from the launch layer (the API registers it when
 * {@link ArchiveTraining#REGISTERING_CLASS} is initialised), runs to its end in a process of a
 * tree, once, and leaves nothing in the tree (the leak check after this class).
 */
class ArchiveTrainingTest {
    @Test
    void theExerciseIsFoundRunsOnceAndLeavesNothing() {
        assertThat(ArchiveTraining.train()).as("the exercise ran to its end").isTrue();
        assertThat(ArchiveTraining.train()).as("a second training in the same JVM").isFalse();
    }
}
