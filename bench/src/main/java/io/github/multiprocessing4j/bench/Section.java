package io.github.multiprocessing4j.bench;

/**
 * A group of figures measured together, named like the section of {@code bench_mp.py} that
 * measures the same thing with CPython (or like the one of {@code many_procs.py}), so that
 * {@code --only} selects the same work on both sides.
 */
abstract class Section {
    private final String name;

    protected Section(String name) {
        this.name = name;
    }

    /** @return the name used by {@code --only} and in every figure of this section */
    final String name() {
        return name;
    }

    /**
     * Starts and joins a few empty children, then {@linkplain #run runs} the section. The
     * warm-up does for every section what {@code bench_mp.py} does before its start timings
     * (page cache, the parent's JIT), and more: the first child started from a jar dumps the
     * library's class-data archive at its exit, and the figures are meant to show every later
     * child, which maps it.
     */
    final void measure(BenchConfig config, Results results) throws Exception {
        Children.warmUp(config, config.warmUps());
        run(config, results);
    }

    /**
     * Measures and records the section's figures. Every child started is joined (or killed and
     * joined) before this returns, also when it throws.
     */
    abstract void run(BenchConfig config, Results results) throws Exception;
}
