package io.github.multiprocessing4j;

import io.github.multiprocessing4j.testing.TestFiles;

import java.nio.file.Path;
import java.time.Duration;

/**
 * A program that is the root of its own process tree, for tests that need one besides the test
 * JVM: {@code TreeRoot FILE hang} starts a child that hangs and writes "rootPid childPid" to FILE;
 * {@code TreeRoot FILE once} starts one child, which writes its command-line arguments to
 * FILE.childargs, joins it and writes "done".
 */
public final class TreeRoot {
    private TreeRoot() {
    }

    public static void main(String[] args) throws Exception {
        String out = args[0];
        String childPidFile = out + ".child";
        if (args[1].equals("hang")) {
            ChildProcess child = new ChildProcess(() -> {
                TestFiles.write(childPidFile, Long.toString(Multiprocessing.currentProcess().pid()));
                Thread.sleep(120_000);
            });
            child.start();
            TestFiles.await(Path.of(childPidFile), Duration.ofSeconds(30));
            TestFiles.write(out, ProcessHandle.current().pid() + " " + child.pid());
            Thread.sleep(120_000);
        } else {
            String childArgsFile = out + ".childargs";
            ChildProcess child = new ChildProcess(() -> TestFiles.write(childArgsFile,
                    String.join(" ", ProcessHandle.current().info().arguments().orElse(new String[0]))));
            child.start();
            child.join();
            TestFiles.write(out, "done");
        }
    }

    /** @return a started {@code TreeRoot} JVM with the test class path */
    static Process launch(Path out, String mode) throws java.io.IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), TreeRoot.class.getName(),
                out.toString(), mode).inheritIO().start();
    }
}
