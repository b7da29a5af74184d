package io.github.multiprocessing4j;

import io.github.multiprocessing4j.testing.BlockingCall;
import io.github.multiprocessing4j.testing.SharedObjects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.EOFException;
import java.io.IOException;
import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** An end handed to a child in its target is gone when the child dies, even if it never touched it. */
class PipeUnusedEndTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    /** A liveness check every 250 ms: a few seconds is plenty, and a hang fails instead of hanging. */
    private static final Duration EOF_WITHIN = Duration.ofSeconds(10);

    @RegisterExtension
    final SharedObjects shared = new SharedObjects();

    @Test
    void aChildThatExitsBeforeTouchingItsEndLeavesTheOtherSideAnEof() throws Exception {
        Pipe<Object> pipe = Pipe.open();
        Connection<Object> left = shared.track(pipe.left());
        Connection<Object> right = shared.track(pipe.right());
        ChildProcess child = new ChildProcess(() -> {
            System.exit(0);
            right.send("never sent");
        });
        child.start();
        assertThat(BlockingCall.start(left::recv).thrown(EOF_WITHIN)).isInstanceOf(EOFException.class);
        assertThat(child.join(WAIT)).isTrue();
        assertThat(child.exitCode()).hasValue(0);
    }

    @Test
    void aChildWhoseTargetCannotBeReadBeforeItsEndLeavesTheOtherSideAnEof() throws Exception {
        Pipe<Object> pipe = Pipe.open();
        Connection<Object> left = shared.track(pipe.left());
        Carrier carrier = new Carrier(new Unreadable(), shared.track(pipe.right()));
        ChildProcess child = new ChildProcess(() -> carrier.b().send("never sent"));
        child.start();
        assertThat(child.join(WAIT)).isTrue();
        assertThat(child.exitCode().orElseThrow()).isNotZero();
        assertThat(BlockingCall.start(left::recv).thrown(EOF_WITHIN)).isInstanceOf(EOFException.class);
    }

    @Test
    void aChildThatFailsToBootLeavesTheOtherSideAnEof() throws Exception {
        Pipe<Object> pipe = Pipe.open();
        Connection<Object> left = shared.track(pipe.left());
        Connection<Object> right = shared.track(pipe.right());
        ChildProcess child = ChildProcess.builder(() -> right.send("never sent"))
                .jvmArgs("-XX:+NoSuchOption").build();
        child.start();
        assertThat(child.join(WAIT)).isTrue();
        assertThat(child.exitCode().orElseThrow()).isNotZero();
        assertThat(BlockingCall.start(left::recv).thrown(EOF_WITHIN)).isInstanceOf(EOFException.class);
    }

    /** Fails to deserialize, as a class the child cannot load would. */
    static final class Unreadable implements Serializable {
        private static final long serialVersionUID = 1L;

        private void readObject(ObjectInputStream in) throws IOException {
            throw new InvalidObjectException("not readable in the child");
        }
    }

    /** A target's state whose unreadable field is read before the pipe end (object fields go by name). */
    record Carrier(Unreadable a, Connection<Object> b) implements Serializable {
    }
}
