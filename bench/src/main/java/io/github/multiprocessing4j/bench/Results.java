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

    void record(String section, String what, String method, long n, String unit, double[] values) {
        Figure f = new Figure(section, what, method, n, unit, values);
        figures.add(f);
        System.err.printf(Locale.ROOT, "  .. %-6s %-58s %-5s median=%s %s (min %s, max %s, reps %d)%n",
                section, what, method, format(f.median()), unit, format(f.min()), format(f.max()), f.repetitions());
    }

    List<Figure> figures() {
        return List.copyOf(figures);
    }

    /** Prints the figures as a Markdown table, with the columns of {@code bench_mp.py}'s table. */
    void printTable() {
        System.out.println("| benchmark | start method | N | median | min | max | unit |");
        System.out.println("|---|---|---:|---:|---:|---:|---|");
        for (Figure f : figures) {
            System.out.printf(Locale.ROOT, "| %s: %s | %s | %,d | %s | %s | %s | %s |%n", f.section(), f.what(),
                    f.method(), f.n(), format(f.median()), format(f.min()), format(f.max()), f.unit());
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
