package io.github.multiprocessing4j;

import io.github.multiprocessing4j.internal.launch.ChildMain;
import io.github.multiprocessing4j.internal.runtime.ChildOutput;
import io.github.multiprocessing4j.internal.runtime.RuntimeContext;
import io.github.multiprocessing4j.testing.TestFiles;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A program that is the root of its own process tree, for tests that need one besides the test
 * JVM: {@code TreeRoot FILE hang} starts a child that hangs and writes "rootPid childPid" to FILE;
 * {@code TreeRoot FILE once} starts one child, which writes its command-line arguments to
 * FILE.childargs, joins it and writes "done"; {@code TreeRoot FILE hang-shared} is {@code hang}
 * with shared objects made first: a held {@link ProcessLock}, a {@link SharedLong} and a
 * {@link SharedMemory}, whose segments stay in the tree's directory; {@code TreeRoot FILE
 * spare-unused} prestarts a spare, waits until it is ready, writes "done" and exits without
 * using it; {@code TreeRoot FILE once-elsewhere} is {@code once} with a target made in another
 * class ({@link Elsewhere}); {@code TreeRoot FILE
 * close-shared} gives a queue, a lock and a pipe's end to a child, closes its copies right after
 * {@code start()} (Python's habit; the child closes its own when done), joins it, and writes
 * "rootPid seg-files..." (what the tree's directory holds then) to FILE before it exits;
 * {@code TreeRoot FILE first-use} makes and closes a queue, writes "done" and exits: a program
 * whose first use of its tree is its last.
 */
public final class TreeRoot {
    private TreeRoot() {
    }

    public static void main(String[] args) throws Exception {
        String out = args[0];
        String childPidFile = out + ".child";
        if (args[1].startsWith("hang")) {
            Object[] kept = args[1].equals("hang-shared") ? sharedObjects() : new Object[0];
            ChildProcess child = new ChildProcess(() -> {
                TestFiles.write(childPidFile, Long.toString(Multiprocessing.currentProcess().pid()));
                Thread.sleep(120_000);
            });
            child.start();
            TestFiles.await(Path.of(childPidFile), Duration.ofSeconds(30));
            TestFiles.write(out, ProcessHandle.current().pid() + " " + child.pid());
            Thread.sleep(120_000);
            java.lang.ref.Reference.reachabilityFence(kept); // not reached: the test kills this process
        } else if (args[1].equals("first-use")) {
            new ProcessQueue<String>().close();
            TestFiles.write(out, "done");
        } else if (args[1].equals("close-shared")) {
            closeShared(out);
        } else if (args[1].equals("spare-unused")) {
            Multiprocessing.prestart(1);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!RuntimeContext.get().spares().readyPids().stream()
                    .allMatch(pid -> java.nio.file.Files.exists(ChildMain.spareReadyMarker(pid)))
                    || RuntimeContext.get().spares().readyPids().isEmpty()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the prestarted spare did not get ready");
                }
                Thread.sleep(20);
            }
            TestFiles.write(out, "done");
        } else {
            String childArgsFile = out + ".childargs";
            ChildProcess child = new ChildProcess(args[1].equals("once-elsewhere") ? Elsewhere.writingArguments(childArgsFile)
                    : () -> TestFiles.write(childArgsFile,
                            String.join(" ", ProcessHandle.current().info().arguments().orElse(new String[0]))));
            child.start();
            child.join();
            TestFiles.write(out, "done");
        }
    }

    /** Makes the target of mode {@code once-elsewhere}: a lambda whose class is not {@code TreeRoot}. */
    static final class Elsewhere {
        private Elsewhere() {
        }

        static SerializableRunnable writingArguments(String file) {
            return () -> TestFiles.write(file,
                    String.join(" ", ProcessHandle.current().info().arguments().orElse(new String[0])));
        }
    }

    private static void closeShared(String out) throws Exception {
        ProcessQueue<String> queue = new ProcessQueue<>();
        ProcessLock lock = new ProcessLock();
        Pipe<String> pipe = Pipe.open();
        Connection<String> childEnd = pipe.right();
        ChildProcess child = new ChildProcess(() -> {
            queue.put("left in the queue");
            lock.lock();
            lock.unlock();
            childEnd.send("done");
            queue.close();
            lock.close();
            childEnd.close();
        });
        child.start();
        queue.close();
        lock.close();
        childEnd.close();
        child.join();
        pipe.left().recv();
        pipe.left().close();
        Path tree = TestFiles.treeDirectory(ProcessHandle.current().pid());
        String files;
        try (java.util.stream.Stream<Path> list = java.nio.file.Files.list(tree)) {
            files = list.map(f -> f.getFileName().toString()).filter(n -> n.startsWith("seg-")).sorted()
                    .collect(java.util.stream.Collectors.joining(" "));
        }
        TestFiles.write(out, ProcessHandle.current().pid() + " " + files);
    }

    /** @return a held lock, a long and a memory block of this process's tree (their segments stay) */
    private static Object[] sharedObjects() {
        ProcessLock lock = new ProcessLock();
        lock.acquire();
        SharedMemory memory = SharedMemory.create(4096);
        memory.buffer().put(0, (byte) 1);
        return new Object[] {lock, new SharedLong(7), memory};
    }

    /**
     * SIGKILLs a tree started in a {@code hang} mode, child first, and waits until both are gone:
     * nobody is left to clean up.
     */
    static void killTree(Process root, long childPid, Duration timeout) throws InterruptedException {
        ProcessHandle.of(childPid).ifPresent(ProcessHandle::destroyForcibly);
        root.destroyForcibly();
        root.waitFor();
        TestFiles.awaitGone(childPid, timeout);
    }

    /** @return a started {@code TreeRoot} JVM with the test class path */
    static Process launch(Path out, String mode) throws java.io.IOException {
        // Its output (and its child's, which inherits it) joins this test's through System.out/err.
        return ChildOutput.start(new ProcessBuilder(command(out, mode)));
    }

    /** @return the command line of a {@code TreeRoot} JVM with the test class path and {@code jvmOptions} */
    static List<String> command(Path out, String mode, String... jvmOptions) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(jvmOptions));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), TreeRoot.class.getName(), out.toString(),
                mode));
        return command;
    }

    /**
     * Waits for a {@code TreeRoot} in mode {@code once} to end.
     *
     * @throws AssertionError when it did not end within {@code timeout}; it and its children are
     *     SIGKILLed first
     */
    static void awaitExit(Process root, Duration timeout) throws InterruptedException {
        if (!root.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            root.descendants().forEach(ProcessHandle::destroyForcibly);
            root.destroyForcibly().waitFor();
            throw new AssertionError("TreeRoot did not end within " + timeout.toSeconds() + " s");
        }
    }
}
