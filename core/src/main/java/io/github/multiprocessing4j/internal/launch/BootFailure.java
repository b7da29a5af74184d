package io.github.multiprocessing4j.internal.launch;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Explains why a child JVM exited before it took its target, in the JVM's own words.
 *
 * <p>Implementation notes. A child's stderr is the parent's (as in Python), so the parent does
 * not see what a failing JVM printed. Failures at that stage are almost always deterministic (a
 * bad JVM option, a missing class path entry, too small a heap), so the parent runs the same
 * command line once more with stdin closed and stderr captured. Only the failure path pays for
 * this. When the rerun boots fine (it then ends at once, having no message), the failure was
 * transient and the explanation says so.
 */
public final class BootFailure {
    private static final int MAX_OUTPUT = 8192;
    private static final long RERUN_TIMEOUT_SECONDS = 20;

    private BootFailure() {
    }

    /**
     * @param command the child's command line, run again
     * @param template how the child was started (environment, working directory)
     * @param exitCode the child's exit code
     * @param note what the library added to the command line that the JVM may have refused, or an empty string
     * @return a message describing the failure of a child that exited with {@code exitCode}
     */
    public static String explain(List<String> command, ProcessBuilder template, int exitCode, String note) {
        String head = "the child JVM exited with code " + exitCode + " before it could run its target" + note;
        try {
            ProcessBuilder rerun = new ProcessBuilder(command)
                    .directory(template.directory())
                    .redirectInput(ProcessBuilder.Redirect.PIPE)
                    .redirectErrorStream(true);
            rerun.environment().clear();
            rerun.environment().putAll(template.environment());
            Process p = rerun.start();
            p.getOutputStream().close();
            String output = readLimited(p.getInputStream());
            if (!p.waitFor(RERUN_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
            if (p.exitValue() == ChildMain.NO_MESSAGE_EXIT || output.isBlank()) {
                return head + " (a second start of the same command line booted fine: the cause was not permanent)";
            }
            return head + "; its error output:\n" + output.strip();
        } catch (IOException e) {
            return head + " (and a second start to capture its error output failed: " + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return head;
        }
    }

    private static String readLimited(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[4096];
        int n;
        while ((n = in.read(buffer)) >= 0) {
            if (out.size() < MAX_OUTPUT) {
                out.write(buffer, 0, Math.min(n, MAX_OUTPUT - out.size()));
            }
        }
        return out.toString(Charset.defaultCharset());
    }
}
