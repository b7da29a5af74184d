package io.github.multiprocessing4j.cli.lesson;

import io.github.multiprocessing4j.ChildProcess;
import io.github.multiprocessing4j.Connection;
import io.github.multiprocessing4j.Multiprocessing;
import io.github.multiprocessing4j.Pipe;
import io.github.multiprocessing4j.ProcessInfo;
import io.github.multiprocessing4j.ProcessQueue;
import io.github.multiprocessing4j.QueueEmptyException;
import io.github.multiprocessing4j.cli.support.Await;
import io.github.multiprocessing4j.cli.support.ChildGroup;
import io.github.multiprocessing4j.cli.support.Narrator;

import java.io.EOFException;
import java.time.Duration;
import java.util.List;

/**
 * The lesson's chapter 5, inter-process communication (IPC): processes that share no memory of
 * their own talk through a queue or a pipe. Four short programs, each with real child processes:
 * the parent and a child through queues, two children through one queue (the lesson's program),
 * the parent and a child through a {@link Pipe}, and two children through a pipe, with the
 * {@link EOFException} a receiver gets once the other end is closed. Used by
 * {@code mp4j lesson ipc} and by the tour's "ipc" chapter.
 *
 * <p>Implementation notes. The children print their own lines, prefixed with their name and pid,
 * on the terminal they share with this process ({@link Narrator#childSays}). What the parent
 * checks, it learns from the queue or pipe itself, or from a child's exit code: a child whose
 * target throws (it received something else than expected) exits with 1. Every wait of the
 * parent has a deadline, so that a broken child makes the lesson fail rather than hang.
 */
public final class IpcLesson {
    /** Generous for a child JVM to boot and answer on a loaded machine. */
    private static final Duration ANSWER_TIMEOUT = Await.BOOT_TIMEOUT;

    private IpcLesson() {
    }

    /**
     * Runs the four programs, narrating them.
     *
     * @param n where to explain and confirm
     * @throws InterruptedException when interrupted while waiting for a child
     * @throws IllegalStateException when a child does not answer in time
     */
    public static void run(Narrator n) throws Exception {
        queueBetweenParentAndChild(n);
        queueBetweenChildren(n);
        pipeBetweenParentAndChild(n);
        pipeBetweenChildren(n);
    }

    /** Research idea 1 of the lesson: the main process and a child talk through queues. */
    static void queueBetweenParentAndChild(Narrator n) throws Exception {
        n.explain("1. The main process and a child, through queues. A queue carries items one way at a time: who"
                + " puts and then gets from the same queue may get its own item back. So for a question and an"
                + " answer, the parent makes two queues, toChild and toParent, and hands both to the child in its"
                + " target (a queue is a handle to shared memory: the child uses the very same queue).");
        try (ProcessQueue<String> toChild = new ProcessQueue<>();
             ProcessQueue<String> toParent = new ProcessQueue<>();
             ChildGroup group = new ChildGroup()) {
            String question = "hello child, I am pid " + ProcessHandle.current().pid();
            toChild.put(question);
            n.act("toChild.put(\"" + question + "\"), then start 'child', which calls toChild.get() and answers"
                    + " with toParent.put(...).");
            ChildProcess child = group.start(new ChildProcess("child", () -> answerParent(toChild, toParent)));
            String answer = await(toParent, "child");
            n.observe("toParent.get() returned \"" + answer + "\".");
            child.join();
            n.confirm(answer.endsWith("you are pid " + ProcessHandle.current().pid()) && child.exitCode().orElse(-1) == 0,
                    "the child (pid " + child.pid() + ") got the parent's question and answered it, through the queues");
            n.confirm(toChild.isEmpty() && toParent.isEmpty(), "both queues are empty again: each item was got once");
        }
    }

    /** The child's side of {@link #queueBetweenParentAndChild}. */
    private static void answerParent(ProcessQueue<String> toChild, ProcessQueue<String> toParent) throws Exception {
        String question = toChild.get();
        Narrator.childSays("toChild.get() -> \"" + question + "\"");
        ProcessInfo parent = Multiprocessing.parentProcess().orElseThrow();
        toParent.put("hello parent, I am pid " + Multiprocessing.currentProcess().pid() + ", you are pid " + parent.pid());
    }

    /** Research idea 2 of the lesson, its program: one child puts, another gets. */
    static void queueBetweenChildren(Narrator n) throws Exception {
        n.explain("2. Two children, through a queue: the lesson's program. The parent makes q and starts"
                + " 'producer', which puts \"zd\" into q and then prints 'hello llx', and 'consumer', which prints"
                + " what q.get() returns. The two never meet: the queue in between is all they share.");
        try (ProcessQueue<String> q = new ProcessQueue<>();
             ChildGroup group = new ChildGroup()) {
            n.act("p = new ChildProcess(\"producer\", () -> producer(q)); p1 = new ChildProcess(\"consumer\", () ->"
                    + " consumer(q)); p.start(); p1.start(); p.join(); p1.join();");
            ChildProcess producer = group.start(new ChildProcess("producer", () -> producer(q)));
            ChildProcess consumer = group.start(new ChildProcess("consumer", () -> consumer(q)));
            int crashed = ChildGroup.joinAll(List.of(producer, consumer));
            n.confirm(crashed == 0 && q.isEmpty(), "the consumer got 'zd' from the producer: both exited with 0 and"
                    + " q is empty again");
            n.explain("The lesson shows 'hello llx' and then 'zd'. Usually so, since the consumer can print only after"
                    + " the producer has put; but the producer prints after its put, so the consumer's line may come"
                    + " first: the two processes run independently, and only the item's way through the queue is"
                    + " ordered. If the consumer starts first, its get() simply waits for the item.");
        }
    }

    /** The lesson's {@code producer(q)}. */
    private static void producer(ProcessQueue<String> q) {
        q.put("zd");
        Narrator.childSays("hello llx");
    }

    /** The lesson's {@code consumer(q)}. */
    private static void consumer(ProcessQueue<String> q) throws InterruptedException {
        Narrator.childSays(q.get());
    }

    /** A pipe between the main process and a child, and the EOF once the child has closed its end. */
    static void pipeBetweenParentAndChild(Narrator n) throws Exception {
        n.explain("3. The main process and a child, through a pipe. Pipe.open() returns two connected ends,"
                + " left() and right(); what one end send()s, the other recv()s, in order, both ways (a duplex"
                + " pipe, Python's Pipe()). The parent keeps the left end and gives the right end to the child. A"
                + " pipe is for two parties; a queue for any number.");
        Pipe<String> pipe = Pipe.open();
        try (Connection<String> parentEnd = pipe.left();
             Connection<String> childEnd = pipe.right();
             ChildGroup group = new ChildGroup()) {
            n.act("pipe = Pipe.open(); start 'pipe-child' with pipe.right(); parentEnd = pipe.left();"
                    + " parentEnd.send(\"hello through the pipe\")");
            ChildProcess child = group.start(new ChildProcess("pipe-child", () -> answerThroughPipe(childEnd)));
            parentEnd.send("hello through the pipe");
            String answer = receive(parentEnd, "pipe-child");
            n.observe("parentEnd.recv() returned \"" + answer + "\".");
            n.act("parentEnd.recv() again: the child has closed its end (or is about to), and sends nothing more.");
            String eof = receiveEof(n, parentEnd, "pipe-child");
            n.confirm(eof != null, "recv() threw EOFException (\"" + eof + "\"): the other end is closed and"
                    + " nothing is left to receive, so recv() does not wait for ever");
            child.join();
            n.confirm(child.exitCode().orElse(-1) == 0, "pipe-child exited with 0");
            n.note("in Python the parent must also close its own copy of the child's end before it can see EOF"
                    + " (fork copied it). Here close() is per process too, and the parent may close its copy right"
                    + " after start(), but it need not: a process that never used an end is not its user. And recv()"
                    + " also ends with EOFException when every process that used the other end has died without"
                    + " closing it.");
        }
    }

    /** The child's side of {@link #pipeBetweenParentAndChild}. */
    private static void answerThroughPipe(Connection<String> end) throws EOFException {
        String message = end.recv();
        Narrator.childSays("recv() -> \"" + message + "\"; answering, then closing my end");
        end.send("hello back from pid " + Multiprocessing.currentProcess().pid());
        end.close();
    }

    /** Two children talking through a pipe; one sees EOF when the other closes. */
    static void pipeBetweenChildren(Narrator n) throws Exception {
        n.explain("4. Two children, through a pipe: 'ping' gets the left end, 'pong' the right one. ping sends,"
                + " pong answers and closes its end; ping's next recv() throws EOFException.");
        Pipe<String> pipe = Pipe.open();
        try (Connection<String> left = pipe.left();
             Connection<String> right = pipe.right();
             ChildGroup group = new ChildGroup()) {
            ChildProcess ping = group.start(new ChildProcess("ping", () -> ping(left)));
            ChildProcess pong = group.start(new ChildProcess("pong", () -> pong(right)));
            n.act("Started ping (pid " + ping.pid() + ") with pipe.left() and pong (pid " + pong.pid()
                    + ") with pipe.right().");
            int crashed = ChildGroup.joinAll(List.of(ping, pong));
            n.confirm(crashed == 0, "ping got pong's answer and then EOFException, and both exited with 0");
        }
    }

    /** ping: sends, receives the answer, then expects EOF; exits with 1 (throws) when anything else happens. */
    private static void ping(Connection<String> end) throws EOFException {
        end.send("ping");
        Narrator.childSays("send(\"ping\"); recv() -> \"" + end.recv() + "\"");
        try {
            String more = end.recv();
            throw new IllegalStateException("expected EOFException, received " + more);
        } catch (EOFException e) {
            Narrator.childSays("recv() again -> EOFException: " + e.getMessage());
        }
    }

    /** pong: answers one message and closes its end. */
    private static void pong(Connection<String> end) throws EOFException {
        String message = end.recv();
        end.send("pong");
        Narrator.childSays("recv() -> \"" + message + "\"; send(\"pong\"); close()");
        end.close();
    }

    /** @return the next item, waiting at most {@link #ANSWER_TIMEOUT} */
    private static String await(ProcessQueue<String> q, String from) throws InterruptedException {
        try {
            return q.get(ANSWER_TIMEOUT);
        } catch (QueueEmptyException e) {
            throw new IllegalStateException("no answer from " + from + " within " + ANSWER_TIMEOUT.toSeconds() + " s");
        }
    }

    /** @return the next message, waiting at most {@link #ANSWER_TIMEOUT} */
    private static String receive(Connection<String> end, String from) throws EOFException {
        if (!end.poll(ANSWER_TIMEOUT)) {
            throw new IllegalStateException("no message from " + from + " within " + ANSWER_TIMEOUT.toSeconds() + " s");
        }
        return end.recv();
    }

    /** @return the EOFException's message, or null when a message came instead (which is shown) */
    private static String receiveEof(Narrator n, Connection<String> end, String from) {
        try {
            n.observe("recv() returned \"" + receive(end, from) + "\" instead of throwing EOFException.");
            return null;
        } catch (EOFException e) {
            return e.getMessage();
        }
    }
}
