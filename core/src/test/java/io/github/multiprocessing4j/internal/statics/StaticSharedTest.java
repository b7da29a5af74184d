package io.github.multiprocessing4j.internal.statics;

import io.github.multiprocessing4j.internal.process.ProcessContext;
import io.github.multiprocessing4j.internal.registry.ProcessRegistry;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/** How the objects of a static initialiser are named and counted, in one JVM (StaticFieldsTest has the processes). */
class StaticSharedTest {

    @Test
    void aPlainClassNameIsKeptInThePublicationsNameAndAnyOtherIsHashed() {
        Runnable lambda = () -> { };

        assertThat(StaticShared.publicationName(String.class, 2)).isEqualTo("static-java.lang.String-2");
        assertThat(lambda.getClass().getName()).contains("/"); // a hidden class: not a file name
        assertThat(StaticShared.publicationName(lambda.getClass(), 0)).matches("static-sha256-[0-9a-f]{64}-0");
    }

    @Test
    void outsideAStaticInitialiserItOnlyMakes() {
        assertThat(StaticShared.resolve("Kind", () -> "made", discarded -> fail("nothing to discard"))).isEqualTo("made");
    }

    @Test
    void whatAnObjectsMakerMakesIsPartOfItAndNotCounted() throws IOException {
        ProcessRegistry table = ProcessContext.current().registry();

        assertThat(Nesting.OUTER).isEqualTo("outer with inner");
        assertThat(Nesting.NEXT).isEqualTo("next");
        assertThat(kindPublishedAs(table, 0)).hasValue("Outer");
        assertThat(kindPublishedAs(table, 1)).hasValue("Next");
        assertThat(kindPublishedAs(table, 2)).isEmpty();
    }

    private static Optional<String> kindPublishedAs(ProcessRegistry table, int ordinal) throws IOException {
        Optional<byte[]> published = table.findPublished(StaticShared.publicationName(Nesting.class, ordinal));
        if (published.isEmpty()) {
            return Optional.empty();
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(published.get()))) {
            return Optional.of(in.readUTF());
        }
    }

    /** A static initialiser whose first object's maker makes another one. */
    static final class Nesting {
        static final String OUTER = StaticShared.resolve("Outer",
                () -> "outer with " + StaticShared.resolve("Inner", () -> "inner", discarded -> { }), discarded -> { });
        static final String NEXT = StaticShared.resolve("Next", () -> "next", discarded -> { });
    }
}
