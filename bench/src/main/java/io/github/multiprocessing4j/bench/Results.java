package io.github.multiprocessing4j.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The figures of one benchmark run, in the order they were measured. Each is announced on
 * stderr as it is recorded, so that a long run shows progress, as {@code bench_mp.py} does.
 */
final class Results {
    private final List<Figure> figures = new ArrayList<>();
    private final List<NotMeasured> notMeasured = new ArrayList<>();

    /**
     * A figure that has its name, unit and place in the table but cannot be measured in this
     * build (say, the feature it measures does not exist yet): recorded with the reason, so that
     * both tables show the row as "not measured (reason)" rather than leaving it out or showing
     * a number that is not one.
     */
    record NotMeasured(String section, String what, String unit, String reason) {
        String toJson() {
            return Json.object("section", section, "what", what, "unit", unit, "reason", reason);
        }
    }

    void record(String section, String what, String method, long n, String unit, double[] values) {
        Figure f = new Figure(section, what, method, n, unit, values);
        figures.add(f);
        System.err.printf(Locale.ROOT, "  .. %-6s %-58s %-5s median=%s %s (min %s, max %s, reps %d)%n",
                section, what, method, format(f.median()), unit, format(f.min()), format(f.max()), f.repetitions());
    }

    /** Records that a figure was not measured, and why (see {@link NotMeasured}). */
    void notMeasured(String section, String what, String unit, String reason) {
        notMeasured.add(new NotMeasured(section, what, unit, reason));
        System.err.printf(Locale.ROOT, "  .. %-6s %-58s not measured (%s)%n", section, what, reason);
    }

    List<Figure> figures() {
        return List.copyOf(figures);
    }

    List<NotMeasured> notMeasured() {
        return List.copyOf(notMeasured);
    }

    /** Prints the figures as a Markdown table, with the columns of {@code bench_mp.py}'s table. */
    void printTable() {
        System.out.println("| benchmark | start method | N | median | min | max | unit |");
        System.out.println("|---|---|---:|---:|---:|---:|---|");
        for (Figure f : figures) {
            System.out.printf(Locale.ROOT, "| %s: %s | %s | %,d | %s | %s | %s | %s |%n", f.section(), f.what(),
                    f.method(), f.n(), format(f.median()), format(f.min()), format(f.max()), f.unit());
        }
        for (NotMeasured m : notMeasured) {
            System.out.printf(Locale.ROOT, "| %s: %s | - | - | not measured (%s) | | | %s |%n", m.section(), m.what(),
                    m.reason(), m.unit());
        }
    }

    /** Three significant digits or more, with thousands separators: {@code bench_mp.py}'s {@code fmt}. */
    static String format(double x) {
        double ax = Math.abs(x);
        if (ax >= 1000) {
            return String.format(Locale.ROOT, "%,.0f", x);
        }
        if (ax >= 100) {
            return String.format(Locale.ROOT, "%.0f", x);
        }
        if (ax >= 10) {
            return String.format(Locale.ROOT, "%.1f", x);
        }
        if (ax >= 1) {
            return String.format(Locale.ROOT, "%.2f", x);
        }
        return String.format(Locale.ROOT, "%.3g", x);
    }
}
