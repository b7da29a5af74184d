package io.github.multiprocessing4j.bench;

import java.util.Arrays;

/**
 * One measured figure, in the shape of a record of CPython's {@code bench_mp.py}: section, what
 * was measured, start method, N, unit, the value of every repetition and their median, min and
 * max. Keeping the shape identical is what lets one table generator read both sides.
 */
final class Figure {
    private final String section;
    private final String what;
    private final String method;
    private final long n;
    private final String unit;
    private final double[] values;

    Figure(String section, String what, String method, long n, String unit, double[] values) {
        if (values.length == 0) {
            throw new IllegalArgumentException("figure '" + what + "' has no values");
        }
        this.section = section;
        this.what = what;
        this.method = method;
        this.n = n;
        this.unit = unit;
        this.values = values.clone();
    }

    String section() {
        return section;
    }

    String what() {
        return what;
    }

    String method() {
        return method;
    }

    long n() {
        return n;
    }

    String unit() {
        return unit;
    }

    /** Median as Python's {@code statistics.median}: the mean of the two middle values when even. */
    double median() {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    double min() {
        return Arrays.stream(values).min().getAsDouble();
    }

    double max() {
        return Arrays.stream(values).max().getAsDouble();
    }

    int repetitions() {
        return values.length;
    }

    String toJson() {
        return Json.object("section", section, "what", what, "method", method, "n", n, "unit", unit,
                "values", values, "median", median(), "min", min(), "max", max());
    }
}
