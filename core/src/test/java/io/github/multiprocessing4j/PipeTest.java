package io.github.multiprocessing4j;

import io.github.multiprocessing4j.testing.SharedObjects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.EOFException;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PipeTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @RegisterExtension
    final SharedObjects shared = new SharedObjects();

    @Test
    void parentAndChildTalkBothWays() throws Exception {
        Pipe<Object> pipe = Pipe.open();
        Connection<Object> mine = shared.track(pipe.left());
        Connection<Object> theirs = shared.track(pipe.right());
        ChildProcess child = new ChildProcess(() -> {
            theirs.send("hello from the child");
            theirs.send(theirs.recv() + " back");
            theirs.sendBytes(theirs.recvBytes());
        });
        child.start();
        assertThat(mine.recv()).isEqualTo("hello from the child");
        mine.send("ping");
        assertThat(mine.recv()).isEqualTo("ping back");
        mine.sendBytes(new byte[] {1, 2, 3});
        assertThat(mine.recvBytes()).containsExactly(1, 2, 3);
        assertThat(child.join(WAIT)).isTrue();
        assertThat(child.exitCode()).hasValue(0);
    }

    @Test
    void recvAfterTheOtherEndClosedGivesWhatWasSentThenEof() throws Exception {
        Pipe<Object> pipe = Pipe.open();
        Connection<Object> left = shared.track(pipe.left());
        Connection<Object> right = pipe.right();
        ChildProcess child = new ChildProcess(() -> {
            right.send(1);
            right.send(2);
            right.close();
        });
        child.start();
        assertThat(child.join(WAIT)).isTrue();
        assertThat(left.recv()).isEqualTo(1);
        assertThat(left.poll(Duration.ZERO)).isTrue();
        assertThat(left.recv()).isEqualTo(2);
        assertThat(left.poll(Duration.ofSeconds(5))).isTrue(); // recv would not block: it would throw
        assertThatThrownBy(left::recv).isInstanceOf(EOFException.class);
        assertThatThrownBy(() -> left.send("anyone?")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("other end");
        assertThatThrownBy(() -> right.send(3)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
    }

    @Test
    void recvWhenTheOtherEndsProcessWasKilledIsEofNotAHang() throws Exception {
        Pipe<Object> pipe = Pipe.open();
        Connection<Object> left = shared.track(pipe.left());
        Connection<Object> right = shared.track(pipe.right());
        ChildProcess child = new ChildProcess(() -> {
            right.send("last words");
            Thread.sleep(60_000);
        });
        child.start();
        assertThat(left.recv()).isEqualTo("last words");
        child.kill();
        assertThat(child.join(WAIT)).isTrue();
        long start = System.nanoTime();
        assertThatThrownBy(left::recv).isInstanceOf(EOFException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void sendingToAKilledReceiverFailsWithinAChunkInsteadOfPilingUp() throws Exception {
        Pipe<Object> pipe = Pipe.open(false);
        Connection<Object> receiver = pipe.left();
        Connection<Object> sender = shared.track(pipe.right());
        ChildProcess child = new ChildProcess(() -> {
            receiver.recvBytes();
            Thread.sleep(60_000);
        });
        child.start();
        receiver.close();
        sender.sendBytes(new byte[4096]);
        child.kill();
        assertThat(child.join(WAIT)).isTrue();
        int sent = 0;
        IllegalStateException refused = null;
        while (refused == null && sent < 10_000) { // 40 MB: ten times the chunks the check may let by
            try {
                sender.sendBytes(new byte[4096]);
                sent++;
            } catch (IllegalStateException e) {
                refused = e;
            }
        }
        assertThat(refused).as("a send after %d of 4 KiB to a dead receiver", sent).isNotNull()
                .hasMessageContaining("died").hasMessageContaining("dropped");
        assertThat(sent).isLessThan(1_000); // a MiB is 256 of them; the death is looked for within two
        assertThatThrownBy(() -> sender.send("again")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("other end");
    }

    @Test
    void aOneWayPipeSendsFromRightToLeftOnly() throws Exception {
        Pipe<Object> pipe = Pipe.open(false);
        Connection<Object> receiver = shared.track(pipe.left());
        Connection<Object> sender = shared.track(pipe.right());
        ChildProcess child = new ChildProcess(() -> sender.send("one way"));
        child.start();
        assertThat(receiver.recv()).isEqualTo("one way");
        assertThatThrownBy(() -> receiver.send("back")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("only receives");
        assertThatThrownBy(sender::recv).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("only sends");
        assertThat(child.join(WAIT)).isTrue();
    }

    @Test
    void twoChildrenTalkThroughAPipe() throws Exception {
        Pipe<Integer> pipe = Pipe.open();
        Connection<Integer> a = shared.track(pipe.left());
        Connection<Integer> b = shared.track(pipe.right());
        ProcessQueue<String> result = shared.track(new ProcessQueue<>());
        ChildProcess asker = new ChildProcess(() -> {
            a.send(21);
            result.put("answer " + a.recv());
        });
        ChildProcess answerer = new ChildProcess(() -> b.send(b.recv() * 2));
        asker.start();
        answerer.start();
        assertThat(result.get(WAIT)).isEqualTo("answer 42");
        assertThat(asker.join(WAIT)).isTrue();
        assertThat(answerer.join(WAIT)).isTrue();
    }

    /** A message of the application's own type. */
    record Ticket(int number, String holder) implements java.io.Serializable {
    }

    @Test
    void aTypedPipeCarriesTheApplicationsTypeWithoutACast() throws Exception {
        Pipe<Ticket> pipe = Pipe.open();
        Connection<Ticket> office = shared.track(pipe.left());
        Connection<Ticket> buyer = shared.track(pipe.right());
        ChildProcess child = new ChildProcess(() -> {
            Ticket offered = buyer.recv();
            buyer.send(new Ticket(offered.number() + 1, "pid " + Multiprocessing.currentProcess().pid()));
        });
        child.start();
        office.send(new Ticket(41, "office"));
        Ticket back = office.recv();
        assertThat(back.number()).isEqualTo(42);
        assertThat(back.holder()).isEqualTo("pid " + child.pid());
        assertThat(child.join(WAIT)).isTrue();
        assertThat(child.exitCode()).hasValue(0);
    }

    @Test
    void aClosedEndRefusesUseAndRecvBytesRefusesObjects() throws Exception {
        Pipe<Object> pipe = Pipe.open();
        Connection<Object> left = shared.track(pipe.left());
        Connection<Object> right = shared.track(pipe.right());
        right.send("an object");
        assertThatThrownBy(left::recvBytes).isInstanceOf(IllegalStateException.class).hasMessageContaining("recv()");
        assertThat(left.poll(Duration.ofMillis(50))).isFalse();
        left.close();
        left.close();
        assertThatThrownBy(left::recv).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        assertThatThrownBy(() -> left.send(1)).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        assertThatThrownBy(() -> right.send(null)).isInstanceOf(NullPointerException.class);
    }
}
