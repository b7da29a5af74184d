package io.github.multiprocessing4j;

import io.github.multiprocessing4j.testing.BlockingCall;
import io.github.multiprocessing4j.testing.SharedObjects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.EOFException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Multiprocessing.waitAny (CPython's multiprocessing.connection.wait) with real processes: a
 * pipe's message, a queue's item, a child's end and a pipe whose user died each end the wait and
 * are named, and only they; a timeout gives an empty list; an interrupt ends the wait; what cannot
 * be waited for is refused at the call.
 */
class WaitAnyTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @RegisterExtension
    final SharedObjects shared = new SharedObjects();

    @Test
    void namesTheObjectsThatBecameReadyAndOnlyThem() throws Exception {
        Pipe<String> pipe = Pipe.open();
        Connection<String> parentEnd = shared.track(pipe.left());
        Connection<String> childEnd = shared.track(pipe.right());
        ProcessQueue<String> queue = shared.track(new ProcessQueue<>());
        ProcessSimpleQueue<String> quiet = shared.track(new ProcessSimpleQueue<>());
        ProcessEvent go = shared.track(new ProcessEvent());
        ChildProcess child = new ChildProcess(() -> {
            go.await();
            childEnd.send("through the pipe");
            Thread.sleep(300);
            queue.put("through the queue");
            go.clear(); // the parent waits for its item before the child ends
            Thread.sleep(60_000);
        });
        child.start();

        long start = System.nanoTime();
        assertThat(Multiprocessing.waitAny(Duration.ofMillis(200), parentEnd, queue, quiet, child)).isEmpty();
        assertThat(System.nanoTime() - start).as("the timeout was waited").isGreaterThanOrEqualTo(150_000_000L);
        assertThat(Multiprocessing.waitAny(Duration.ZERO, parentEnd, queue, quiet, child)).isEmpty();

        go.set();
        assertThat(Multiprocessing.waitAny(WAIT, parentEnd, queue, quiet, child)).containsExactly(parentEnd);
        assertThat(parentEnd.recv()).isEqualTo("through the pipe");
        List<Object> ready = Multiprocessing.waitAny(WAIT, List.of(parentEnd, queue, quiet, child));
        assertThat(ready).containsExactly(queue);
        assertThat(queue.get()).isEqualTo("through the queue");

        child.terminate();
        assertThat(Multiprocessing.waitAny(null, queue, quiet, child)).containsExactly(child);
        assertThat(child.exitCode()).as("a ready child's exit code is known").hasValue(-15);

        quiet.put("x");
        queue.unlink();
        assertThat(Multiprocessing.waitAny(WAIT, queue, quiet, parentEnd, quiet))
                .as("an unlinked queue, and the pipe too: the only process that used its other end died")
                .containsExactly(queue, quiet, parentEnd, quiet);
        assertThat(quiet.get()).isEqualTo("x");
    }

    @Test
    void aPipeWhoseOtherEndsProcessDiedIsReadyWithItsEof() throws Exception {
        Pipe<String> pipe = Pipe.open();
        Connection<String> parentEnd = shared.track(pipe.left());
        Connection<String> childEnd = shared.track(pipe.right());
        ProcessEvent touched = shared.track(new ProcessEvent());
        ChildProcess child = new ChildProcess(() -> {
            childEnd.send("last words");
            touched.set();
            Thread.sleep(60_000);
        });
        child.start();
        assertThat(touched.await(WAIT)).isTrue();
        assertThat(parentEnd.recv()).isEqualTo("last words");
        child.kill();
        List<Connection<String>> ready = Multiprocessing.waitAny(WAIT, List.of(parentEnd));
        assertThat(ready).containsExactly(parentEnd);
        assertThatThrownBy(parentEnd::recv).isInstanceOf(EOFException.class);
        child.join();
    }

    @Test
    void aFutureAndAHandleAreReadyWhenDone() throws Exception {
        CompletableFuture<String> later = new CompletableFuture<>();
        ChildProcess child = new ChildProcess(() -> Thread.sleep(200));
        child.start();
        ProcessHandle handle = child.toHandle();
        assertThat(Multiprocessing.waitAny(WAIT, later, handle)).containsExactly(handle);
        later.complete("done");
        // The handle is ready when the OS says the process is gone; the ChildProcess once its exit
        // code is known too, which may come a moment later: wait for it alone first.
        assertThat(Multiprocessing.waitAny(WAIT, child)).containsExactly(child);
        assertThat(Multiprocessing.waitAny(WAIT, later, handle, child)).containsExactly(later, handle, child);
    }

    @Test
    void anInterruptEndsTheWait() throws Exception {
        ProcessQueue<String> queue = shared.track(new ProcessQueue<>());
        BlockingCall waiting = BlockingCall.start(() -> Multiprocessing.waitAny(null, queue));
        Thread.sleep(100);
        waiting.interrupt();
        assertThat(waiting.thrown(WAIT)).isInstanceOf(InterruptedException.class);
    }

    @Test
    void whatCannotBeWaitedForIsRefusedAtTheCall() {
        ProcessQueue<String> queue = shared.track(new ProcessQueue<>());
        assertThatThrownBy(() -> Multiprocessing.waitAny(WAIT, queue, "a string"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("java.lang.String")
                .hasMessageContaining("index 1");
        assertThatThrownBy(() -> Multiprocessing.waitAny(WAIT))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nothing to wait for");
        assertThatThrownBy(() -> Multiprocessing.waitAny(WAIT, queue, null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("index 1");
        assertThatThrownBy(() -> Multiprocessing.waitAny(WAIT, new ChildProcess(() -> { })))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("not been started");
        Pipe<String> oneWay = Pipe.open(false);
        Connection<String> receiver = shared.track(oneWay.left());
        Connection<String> sender = shared.track(oneWay.right());
        assertThatThrownBy(() -> Multiprocessing.waitAny(WAIT, sender))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("only sends");
        sender.close();
        assertThatThrownBy(() -> Multiprocessing.waitAny(WAIT, sender))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        assertThat(receiver.toString()).contains("left");
        ProcessQueue<String> closedHere = shared.track(new ProcessQueue<>());
        closedHere.close();
        assertThatThrownBy(() -> Multiprocessing.waitAny(WAIT, closedHere))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed in this process");
    }
}
