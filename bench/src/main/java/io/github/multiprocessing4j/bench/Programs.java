package io.github.multiprocessing4j.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a benchmark program as a user runs theirs: a new {@code java -cp <this jar> Main args}
 * with the JVM's default flags (G1, C2, no class-data archive of ours), the same {@code java}
 * as this JVM. The figures of a "cold program" are only honest so: the bench's own JVM has long
 * compiled the library's code and booted its spares.
 *
 * <p>A program reports on stdout, one figure a line: {@code name<TAB>value}; anything else on
 * stdout is an error. Its stderr goes to the bench's stderr. A program that fails, or has not
 * finished within {@link #DEADLINE_SECONDS}, stops the run (killed by its pid first).
 */
final class Programs {
    /** Far above a healthy program (a few seconds): only catches a hang. */
    private static final long DEADLINE_SECONDS = 180;

    private Programs() {
    }

    /**
     * Prints one figure of a program, in the format {@link #run} reads.
     *
     * @param name the figure's name within the program
     * @param value its value
     */
    static void report(String name, double value) {
        System.out.println(name + "\t" + value);
    }

    /**
     * @param jvmOptions options before the class name: none for a default-flags program (a
     *     library property such as {@code -Dmp4j.startMethod=cold} at most)
     * @return the figures the program printed, by name, each with its values in printing order
     */
    static Map<String, List<Double>> run(List<String> jvmOptions, Class<?> main, String... args)
            throws IOException, InterruptedException {
        return run(jvmOptions, System.getProperty("java.class.path"), main, args);
    }

    /**
     * @param classPath the program's class path (by default this jar's)
     * @return the figures the program printed, as {@link #run(List, Class, String...)}
     */
    static Map<String, List<Double>> run(List<String> jvmOptions, String classPath, Class<?> main, String... args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(BareJvm.command(jvmOptions, classPath, main));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = stdout(p, main.getSimpleName());
        if (p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " exited with " + p.exitValue()
                    + "; its stdout: " + out);
        }
        Map<String, List<Double>> figures = new LinkedHashMap<>();
        for (String line : out.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            String[] nameValue = line.split("\t");
            if (nameValue.length != 2) {
                throw new IllegalStateException(main.getSimpleName() + " printed a line that is no figure: " + line);
            }
            figures.computeIfAbsent(nameValue[0], k -> new ArrayList<>()).add(Double.parseDouble(nameValue[1]));
        }
        return figures;
    }

    /**
     * Reads everything {@code p} prints on stdout and waits for its exit.
     *
     * @param what the program, for the message
     * @throws IllegalStateException when it has not finished within {@link #DEADLINE_SECONDS}
     *     (killed by its pid first)
     */
    static String stdout(Process p, String what) throws IOException, InterruptedException {
        try (InputStream stdout = p.getInputStream()) {
            return new String(stdout.readAllBytes(), StandardCharsets.UTF_8);
        } finally {
            if (!p.waitFor(DEADLINE_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
                throw new IllegalStateException(what + " (pid " + p.pid() + ") did not finish within "
                        + DEADLINE_SECONDS + " s; killed it");
            }
        }
    }

    /** The one value of {@code name}, or the failure that says the program did not report it. */
    static List<Double> values(Map<String, List<Double>> figures, String name, Class<?> main) {
        List<Double> values = figures.get(name);
        if (values == null || values.isEmpty()) {
            throw new IllegalStateException(main.getSimpleName() + " reported no " + name + " (it reported "
                    + figures.keySet() + ")");
        }
        return values;
    }

    /** Python's {@code statistics.median}. */
    static double median(List<Double> values) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
