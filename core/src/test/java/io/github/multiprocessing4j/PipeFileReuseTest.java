package io.github.multiprocessing4j;

import io.github.multiprocessing4j.internal.queue.FreedPipeFiles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A pipe that never left this process leaves its file to the next pipe of its kind (duplex or
 * one-way) when both its ends are closed here; a pipe another process had, or that was unlinked,
 * does not.
 */
class PipeFileReuseTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @AfterEach
    void removeKeptFiles() {
        FreedPipeFiles.discardAll();
    }

    @Test
    void aPipeUsedOnlyHereIsKeptAndItsMessagesDoNotReachTheNextPipe() throws Exception {
        Pipe<String> first = Pipe.open();
        first.left().send("never received");
        first.right().send("nor this");
        first.left().close();
        first.right().close();
        assertThat(FreedPipeFiles.keptCount()).isEqualTo(1);

        Pipe<String> next = Pipe.open();
        try {
            assertThat(FreedPipeFiles.keptCount()).as("taken by the next pipe").isZero();
            assertThat(next.left().poll(Duration.ZERO)).isFalse();
            assertThat(next.right().poll(Duration.ZERO)).isFalse();
            next.left().send("fresh");
            assertThat(next.right().recv()).isEqualTo("fresh");
        } finally {
            next.left().close();
            next.right().close();
        }
    }

    @Test
    void aOneWayPipesFileGoesToTheNextOneWayPipeNotToADuplexOne() throws Exception {
        Pipe<String> first = Pipe.open(false);
        first.right().send("never received");
        first.left().close();
        first.right().close();
        assertThat(FreedPipeFiles.keptCount()).isEqualTo(1);

        Pipe<String> duplex = Pipe.open();
        assertThat(FreedPipeFiles.keptCount()).as("a duplex pipe makes a file of its own").isEqualTo(1);
        Pipe<String> next = Pipe.open(false);
        try {
            assertThat(FreedPipeFiles.keptCount()).as("taken by the next one-way pipe").isZero();
            assertThat(next.left().poll(Duration.ZERO)).isFalse();
            next.right().send("fresh");
            assertThat(next.left().recv()).isEqualTo("fresh");
        } finally {
            for (Pipe<String> pipe : List.of(duplex, next)) {
                pipe.left().close();
                pipe.right().close();
            }
        }
    }

    @Test
    void aPipeWhoseEndWentToAChildIsNotKept() throws Exception {
        Pipe<String> pipe = Pipe.open();
        Connection<String> childEnd = pipe.right();
        ChildProcess child = new ChildProcess(() -> childEnd.send("from the child"));
        child.start();
        try {
            assertThat(pipe.left().recv()).isEqualTo("from the child");
            assertThat(child.join(WAIT)).isTrue();
        } finally {
            pipe.left().close();
            childEnd.close();
        }
        assertThat(FreedPipeFiles.keptCount()).isZero();
    }

    @Test
    void anUnlinkedPipeIsNotKeptNorMoreThanFourFiles() throws Exception {
        Pipe<String> unlinked = Pipe.open();
        unlinked.left().unlink();
        assertThat(FreedPipeFiles.keptCount()).isZero();

        List<Pipe<String>> pipes = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            pipes.add(Pipe.open());
        }
        for (Pipe<String> pipe : pipes) {
            pipe.left().close();
            pipe.right().close();
        }
        assertThat(FreedPipeFiles.keptCount()).isEqualTo(4);
    }
}
