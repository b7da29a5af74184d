package io.github.multiprocessing4j.internal.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.function.Supplier;

/**
 * Where a child's stdout and stderr go: this process's file descriptors 1 and 2 (the default,
 * as in Python), or, with the system property {@code mp4j.childOutput=forward}, this JVM's
 * {@link System#out} and {@link System#err}.
 *
 * <p>Implementation notes. A test runner or an IDE that captures a test's output replaces
 * {@code System.out} and {@code System.err}; an inherited file descriptor bypasses them, so
 * what a child prints lands on the runner's own stdout (Maven Surefire reads its forked JVM's
 * stdout as its event channel and reports it corrupted) instead of in the test's output.
 * Forwarding pipes the child's two streams and copies each through one daemon thread per stream
 * to the {@code System} stream of the moment, so that what a child prints while a test runs
 * is captured with that test's output. Grandchildren inherit the child's pipes and are
 * forwarded with it; a stream's thread ends at its end of file, when the last process holding
 * the pipe has closed it. Only forwarding costs anything (two threads per child), so the
 * property is read at each start and the default path is unchanged.
 */
public final class ChildOutput {
    /** The system property that selects forwarding. */
    static final String PROPERTY = "mp4j.childOutput";
    private static final long FORWARDER_STACK_BYTES = 64 * 1024;

    private ChildOutput() {
    }

    /**
     * Redirects a child's stdout and stderr as the property says: inherited, or pipes to forward.
     *
     * @param builder a child's process builder
     * @return {@code builder}
     */
    static ProcessBuilder redirect(ProcessBuilder builder) {
        ProcessBuilder.Redirect redirect = "forward".equals(System.getProperty(PROPERTY))
                ? ProcessBuilder.Redirect.PIPE : ProcessBuilder.Redirect.INHERIT;
        return builder.redirectOutput(redirect).redirectError(redirect);
    }

    /**
     * Starts {@code builder}'s process and, for each of its output streams that is a pipe, the
     * thread that forwards it. Tests start the JVMs they launch themselves with it too, with
     * piped output, so that what those print joins the test's output.
     *
     * @param builder the process to start
     * @return the started process
     * @throws IOException when the process cannot be started
     */
    public static Process start(ProcessBuilder builder) throws IOException {
        Process process = builder.start();
        if (builder.redirectOutput() == ProcessBuilder.Redirect.PIPE) {
            forward(process.getInputStream(), () -> System.out, "mp4j-stdout-" + process.pid());
        }
        if (builder.redirectError() == ProcessBuilder.Redirect.PIPE) {
            forward(process.getErrorStream(), () -> System.err, "mp4j-stderr-" + process.pid());
        }
        return process;
    }

    private static void forward(InputStream from, Supplier<PrintStream> to, String threadName) {
        Thread thread = new Thread(null, () -> copy(from, to), threadName, FORWARDER_STACK_BYTES);
        thread.setDaemon(true);
        thread.start();
    }

    private static void copy(InputStream from, Supplier<PrintStream> to) {
        byte[] buffer = new byte[8192];
        try (from) {
            int n;
            while ((n = from.read(buffer)) >= 0) {
                PrintStream out = to.get();
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // The pipe broke (the process was destroyed): nothing more to forward.
        }
    }
}
