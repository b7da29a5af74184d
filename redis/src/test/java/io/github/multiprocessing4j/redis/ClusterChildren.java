package io.github.multiprocessing4j.redis;

import io.github.multiprocessing4j.ChildProcess;
import io.github.multiprocessing4j.SerializableRunnable;
import io.github.multiprocessing4j.StartMethod;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Child JVMs that find the test's Redis through {@code MP4J_REDIS_URL}, and signals sent to them by pid. */
final class ClusterChildren {
    private ClusterChildren() {
    }

    /** Starts a child (cold: a warm spare is booted before the environment is known). */
    static ChildProcess start(String url, SerializableRunnable target) {
        ChildProcess child = ChildProcess.builder(target).env("MP4J_REDIS_URL", url).startMethod(StartMethod.COLD).build();
        child.start();
        return child;
    }

    /** Sends {@code signal} (e.g. {@code STOP}, {@code CONT}) to one process this test started. */
    static void signal(ChildProcess child, String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(child.pid())).inheritIO().start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IllegalStateException("kill -" + signal + " " + child.pid() + " failed");
        }
    }

    /** Waits for the child to end; kills it if it does not within {@code timeout}. */
    static void joinOrKill(ChildProcess child, Duration timeout) throws InterruptedException {
        if (!child.join(timeout)) {
            child.kill();
            child.join();
            throw new AssertionError(child + " did not end within " + timeout);
        }
    }
}
