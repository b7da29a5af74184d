package io.github.multiprocessing4j;

import io.github.multiprocessing4j.internal.runtime.ChildOutput;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A program unrelated to the test JVM (no process of its tree), for {@link NamedLockTest}:
 * {@code NamedLockPeer hold NAME} acquires the named lock and keeps it until it is killed;
 * {@code NamedLockPeer take NAME} acquires it within 60 s, releases it and exits with 0, or with 2
 * when it did not get it. An exception exits with status 1.
 */
public final class NamedLockPeer {
    private NamedLockPeer() {
    }

    public static void main(String[] args) throws Exception {
        ProcessLock lock = ProcessLock.named(args[1]);
        if (args[0].equals("hold")) {
            lock.acquire();
            Thread.sleep(TimeUnit.MINUTES.toMillis(5)); // killed by the test long before
            System.exit(3);
        }
        if (!lock.acquire(Duration.ofSeconds(60))) {
            System.exit(2);
        }
        lock.release();
    }

    /** Starts {@code NamedLockPeer MODE NAME} with the test class path; its output joins the test's. */
    static Process start(String mode, String name) throws Exception {
        String javaCommand = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return ChildOutput.start(new ProcessBuilder(javaCommand, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), NamedLockPeer.class.getName(), mode, name)
                .redirectOutput(ProcessBuilder.Redirect.PIPE).redirectError(ProcessBuilder.Redirect.PIPE));
    }

    /** Runs {@code NamedLockPeer MODE NAME} to its end and returns its exit status. */
    static int run(String mode, String name) throws Exception {
        Process peer = start(mode, name);
        if (!peer.waitFor(90, TimeUnit.SECONDS)) {
            peer.destroyForcibly().waitFor();
            throw new AssertionError("NamedLockPeer " + mode + " " + name + " did not end within 90 s");
        }
        return peer.exitValue();
    }
}
