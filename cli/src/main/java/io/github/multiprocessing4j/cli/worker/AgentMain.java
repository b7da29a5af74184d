package io.github.multiprocessing4j.cli.worker;

import io.github.multiprocessing4j.redis.WorkerAgent;

import java.io.IOException;
import java.io.InputStream;

/**
 * The main class of the agent JVM that {@code mp4j worker} starts: {@link WorkerAgent#main} (the
 * URL from the environment, its other arguments from the command line), tied to the
 * {@code mp4j worker} process by a lifeline: the agent reads its standard input, a pipe from that
 * process, and stops (closing its workers and unregistering) when the pipe ends, that is when
 * {@code mp4j worker} is gone however it died, SIGKILL included.
 */
public final class AgentMain {
    private AgentMain() {
    }

    /**
     * Runs the agent until SIGTERM or SIGINT, or until standard input ends.
     *
     * @param args {@link WorkerAgent#main}'s arguments, without {@code --redis}
     * @throws InterruptedException when interrupted while running
     */
    public static void main(String[] args) throws InterruptedException {
        Thread lifeline = new Thread(() -> {
            awaitEnd(System.in);
            System.err.println("mp4j worker: the mp4j worker command that started this agent is gone; stopping");
            System.exit(0); // the agent's shutdown hook closes it
        }, "mp4j-worker-lifeline");
        lifeline.setDaemon(true);
        lifeline.start();
        WorkerAgent.main(args);
    }

    private static void awaitEnd(InputStream in) {
        byte[] buffer = new byte[64];
        try {
            while (in.read(buffer) >= 0) {
                // nothing is sent: the pipe only ends
            }
        } catch (IOException e) {
            // a broken pipe ends it too
        }
    }
}
