package io.github.multiprocessing4j.bench;

/**
 * A group of figures measured together, named like the section of {@code bench_mp.py} that
 * measures the same thing with CPython (or like the one of {@code many_procs.py}), so that
 * {@code --only} selects the same work on both sides.
 */
abstract class Section {
    private final String name;
    private final boolean warmUpFirst;

    /**
     * @param name see {@link #name()}
     * @param warmUpFirst whether to start and join a few empty children before measuring, as
     *     {@code bench_mp.py} does before its timings (page cache, the parent's own JIT)
     */
    protected Section(String name, boolean warmUpFirst) {
        this.name = name;
        this.warmUpFirst = warmUpFirst;
    }

    /** @return the name used by {@code --only} and in every figure of this section */
    final String name() {
        return name;
    }

    /** Warms up when the section wants it, then {@linkplain #run runs} it. */
    final void measure(BenchConfig config, Results results) throws Exception {
        if (warmUpFirst) {
            Children.warmUp(config, config.warmUps());
        }
        run(config, results);
    }

    /**
     * Measures and records the section's figures. Every child started is joined (or killed and
     * joined) before this returns, also when it throws.
     */
    abstract void run(BenchConfig config, Results results) throws Exception;
}
