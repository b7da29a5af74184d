package io.github.multiprocessing4j.testing;

/**
 * A Java agent that does nothing, for tests of children started with an agent (a coverage
 * tool's or a monitoring agent's, say), which a JVM that dumps a class-data archive refuses.
 */
public final class EmptyAgent {
    private EmptyAgent() {
    }

    /**
     * Called by the JVM before {@code main} when the agent's jar is given with {@code -javaagent:}.
     *
     * @param arguments the agent's arguments, ignored
     */
    public static void premain(String arguments) {
        // nothing: the agent's presence is what is tested
    }
}
