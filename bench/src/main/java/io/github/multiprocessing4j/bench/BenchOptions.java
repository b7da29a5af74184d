package io.github.multiprocessing4j.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The command line, with {@code bench_mp.py}'s options: {@code --quick}, {@code --only a,b},
 * {@code --json FILE}; plus {@code --child-jvm-arg OPTION} (repeatable) to try JVM options on the
 * children, and {@code --list-sections}, which prints the section names for {@code bench/run}.
 *
 * @param quick smoke-test sizes
 * @param only the sections to run; empty for all
 * @param json where to write the raw figures
 * @param childJvmArgs extra options for every child JVM
 * @param listSections print the section names and exit
 */
record BenchOptions(boolean quick, Set<String> only, Optional<String> json, List<String> childJvmArgs,
                    boolean listSections) {

    static final String USAGE = "usage: BenchMain [--quick] [--only SECTION,...] [--json FILE]"
            + " [--child-jvm-arg OPTION]... | --list-sections";

    static BenchOptions parse(String[] args) {
        boolean quick = false;
        boolean list = false;
        Set<String> only = new LinkedHashSet<>();
        String json = null;
        List<String> childJvmArgs = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> quick = true;
                case "--list-sections" -> list = true;
                case "--only" -> only.addAll(Arrays.asList(value(args, ++i).split(",")));
                case "--json" -> json = value(args, ++i);
                case "--child-jvm-arg" -> childJvmArgs.add(value(args, ++i));
                default -> throw new IllegalArgumentException("unknown option " + args[i] + "\n" + USAGE);
            }
        }
        only.remove("");
        return new BenchOptions(quick, Set.copyOf(only), Optional.ofNullable(json), List.copyOf(childJvmArgs), list);
    }

    BenchConfig config() {
        return quick ? BenchConfig.quick(childJvmArgs) : BenchConfig.full(childJvmArgs);
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) {
            throw new IllegalArgumentException(args[i - 1] + " needs a value\n" + USAGE);
        }
        return args[i];
    }
}
