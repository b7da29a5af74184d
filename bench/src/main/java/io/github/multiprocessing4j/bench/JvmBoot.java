package io.github.multiprocessing4j.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * What one JVM costs this machine to boot and exit, with nothing run: the floor under every
 * figure that needs a new JVM (a cold start, a start loop that outruns its spares, 200 processes,
 * the pool's first call in a new program). Section "limits" measures it.
 *
 * <p>Implementation notes: the boots run one after another from a {@code bash} loop
 * ({@link #LOOP}), not from this JVM, because the CPU time of a process that has exited can only
 * be read from its parent once it has been reaped ({@code ProcessHandle.Info.totalCpuDuration()}
 * is empty by then): bash's builtin {@code times} prints the user and system time of the
 * children it has reaped, which are the boots and nothing else (this JVM may have other children,
 * a library spare say, whose CPU {@code /proc/self/stat}'s {@code cutime} would mix in). bash
 * also takes each boot's wall time from {@code $EPOCHREALTIME}, around its fork, exec and wait:
 * the same work {@link ProcessBuilder#start()} and {@code waitFor} do. {@code times} counts in
 * clock ticks (10 ms here), so the CPU figure is the loop's total divided by its boots.
 */
public final class JvmBoot {
    /**
     * {@code bash -c LOOP bash N command...}: runs the command N times, prints
     * {@code wall <start µs> <end µs>} per run, then the output of {@code times} (this shell's
     * CPU, then its reaped children's: {@code 0m1.234s 0m0.321s}).
     */
    private static final String LOOP = """
            n=$1; shift
            for ((i = 0; i < n; i++)); do
                s=$EPOCHREALTIME
                "$@" > /dev/null || { echo "JvmBoot: $* failed" >&2; exit 1; }
                e=$EPOCHREALTIME
                echo "wall ${s/./} ${e/./}"
            done
            times
            """;

    private JvmBoot() {
    }

    /**
     * The booted JVM's side: returns at once.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        // nothing: the figure is the JVM's own cost
    }

    /**
     * The boots of one run of the loop.
     *
     * @param wallMillis each boot's wall time, from the fork to the reaped exit
     * @param cpuMillisPerBoot user+system CPU time of all the boots, divided by their number
     */
    record Boots(double[] wallMillis, double cpuMillisPerBoot) {
    }

    /** @return the command of a JVM with these options that returns from {@code main} at once */
    static List<String> bareJvm(List<String> options) {
        return BareJvm.command(options, JvmBoot.class);
    }

    /**
     * Runs {@code command} {@code boots} times, one after another.
     *
     * @throws IllegalStateException when a run fails or the loop's output cannot be read
     */
    static Boots measure(List<String> command, int boots) throws IOException, InterruptedException {
        List<String> loop = new ArrayList<>(List.of("bash", "-c", LOOP, "bash", Integer.toString(boots)));
        loop.addAll(command);
        ProcessBuilder builder = new ProcessBuilder(loop).redirectError(ProcessBuilder.Redirect.INHERIT);
        builder.environment().put("LC_ALL", "C"); // a '.' in $EPOCHREALTIME and in times' output
        Process p = builder.start();
        String out = Programs.stdout(p, "the boot loop of " + command);
        if (p.exitValue() != 0) {
            throw new IllegalStateException("the boot loop of " + command + " failed (exit " + p.exitValue() + ")");
        }
        return parse(out, boots, command);
    }

    private static Boots parse(String out, int boots, List<String> command) {
        List<Double> wall = new ArrayList<>();
        List<String> times = new ArrayList<>();
        for (String line : out.strip().split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 3 && f[0].equals("wall")) {
                wall.add((Long.parseLong(f[2]) - Long.parseLong(f[1])) / 1e3);
            } else if (f.length == 2) {
                times.add(line);
            } else {
                throw new IllegalStateException("unexpected line from the boot loop of " + command + ": " + line);
            }
        }
        if (wall.size() != boots || times.size() != 2) {
            throw new IllegalStateException("the boot loop of " + command + " printed " + wall.size() + " boots of "
                    + boots + " and " + times.size() + " lines of times (2 expected):\n" + out);
        }
        String[] children = times.get(1).trim().split("\\s+");
        double cpuMillis = timesMillis(children[0]) + timesMillis(children[1]);
        return new Boots(wall.stream().mapToDouble(Double::doubleValue).toArray(), cpuMillis / boots);
    }

    /** @return milliseconds of bash's {@code times} format, {@code 1m2.345s} */
    private static double timesMillis(String value) {
        int m = value.indexOf('m');
        if (m < 0 || !value.endsWith("s")) {
            throw new IllegalStateException("not a time of bash's times: " + value);
        }
        return (Long.parseLong(value.substring(0, m)) * 60 + Double.parseDouble(value.substring(m + 1,
                value.length() - 1))) * 1e3;
    }
}
