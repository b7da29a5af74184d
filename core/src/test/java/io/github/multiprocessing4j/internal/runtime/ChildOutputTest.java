package io.github.multiprocessing4j.internal.runtime;

import io.github.multiprocessing4j.ChildProcess;
import io.github.multiprocessing4j.StartMethod;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Where children print: with {@code mp4j.childOutput=forward} (the build's setting, which keeps
 * their output in the test reports), through this JVM's {@code System.out} and {@code System.err}.
 */
class ChildOutputTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream originalOut;
    private PrintStream originalErr;
    private String originalProperty;

    @BeforeEach
    void captureSystemStreams() {
        originalOut = System.out;
        originalErr = System.err;
        originalProperty = System.getProperty(ChildOutput.PROPERTY);
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restoreSystemStreams() {
        System.setOut(originalOut);
        System.setErr(originalErr);
        if (originalProperty == null) {
            System.clearProperty(ChildOutput.PROPERTY);
        } else {
            System.setProperty(ChildOutput.PROPERTY, originalProperty);
        }
    }

    @Test
    void withoutThePropertyAChildWritesToThisProcesssFileDescriptors() {
        System.clearProperty(ChildOutput.PROPERTY);
        ProcessBuilder builder = ChildOutput.redirect(new ProcessBuilder("true"));
        assertThat(List.of(builder.redirectOutput(), builder.redirectError()))
                .containsOnly(ProcessBuilder.Redirect.INHERIT);
    }

    @Test
    void forwardedOutputOfAChildAndItsChildReachesTheSystemStreamsOfTheMoment() throws Exception {
        System.setProperty(ChildOutput.PROPERTY, "forward");
        // Cold, so that the child is started now, under the property (a spare may predate it).
        ChildProcess child = ChildProcess.builder(() -> {
            System.out.println("child says out");
            System.err.println("child says err");
            // The grandchild inherits the child's pipes (its JVM has no property).
            ChildProcess grandchild = ChildProcess.builder(() -> System.out.println("grandchild says out"))
                    .startMethod(StartMethod.COLD).build();
            grandchild.start();
            grandchild.join();
        }).startMethod(StartMethod.COLD).build();
        child.start();
        child.join();
        assertThat(child.exitCode()).hasValue(0);

        awaitText(out, "child says out");
        awaitText(out, "grandchild says out");
        awaitText(err, "child says err");
        assertThat(text(out)).doesNotContain("child says err");
    }

    /** Forwarding is asynchronous: what the child printed arrives shortly after its end at the latest. */
    private static void awaitText(ByteArrayOutputStream stream, String expected) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!text(stream).contains(expected) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(text(stream)).contains(expected);
    }

    private static String text(ByteArrayOutputStream stream) {
        return stream.toString(StandardCharsets.UTF_8);
    }
}
