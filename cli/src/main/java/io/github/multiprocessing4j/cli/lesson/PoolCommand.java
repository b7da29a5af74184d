package io.github.multiprocessing4j.cli.lesson;

import io.github.multiprocessing4j.cli.lesson.PoolLesson.Outcome;
import io.github.multiprocessing4j.cli.lesson.PoolLesson.Plan;
import io.github.multiprocessing4j.cli.support.Narrator;
import io.github.multiprocessing4j.cli.support.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/**
 * {@code mp4j lesson pool}: a million squares with {@code ProcessPool.map}, with a progress bar,
 * timed against one process, then a heavier function the same way. See {@link PoolLesson}.
 */
@Command(name = "pool",
        description = {"A pool of worker processes: map() with a progress bar, timed against one process.",
                "Squares the numbers 0..items-1 with ProcessPool.map(x -> (long) x * x, ...) and with a loop in this"
                        + " process, checks that both give the same results, and prints both times: for a function"
                        + " as cheap as x * x one process is faster, and the lesson says why. Then the same with a"
                        + " heavier function (--work rounds of a bit mixer per item), where the pool can win when"
                        + " there are cores for its workers."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:the pool's results were the loop's", "1:they were not (marked !! in the output), or the"
                + " pool failed", "2:wrong usage"})
public final class PoolCommand implements Callable<Integer> {
    /** Each worker is a JVM of its own. */
    static final int MAX_PROCESSES = 64;
    /** The results are kept twice, boxed from the pool and in a long[]: about 30 bytes per item. */
    static final int MAX_ITEMS = 10_000_000;
    static final int MAX_WORK = 1_000_000;
    /**
     * About 2 us of computing per item here, several times what sending an item costs: enough for
     * a pool of two to win on two cores, even with other programs around, in about two seconds.
     */
    static final int DEFAULT_WORK = 1000;

    @Spec
    private CommandSpec spec;

    @Option(names = "--items", paramLabel = "N", defaultValue = "1000000",
            description = "How many numbers to map, 0..N-1; N is 1.." + MAX_ITEMS + " (default: ${DEFAULT-VALUE}).")
    private int items;

    @Option(names = "--processes", paramLabel = "N",
            description = "Worker processes of the pool, 1.." + MAX_PROCESSES + " (default: the number of CPUs, as"
                    + " Python's Pool()).")
    private Integer processes;

    @Option(names = "--chunk-size", paramLabel = "N",
            description = "Items per chunk, 1 or more (default: the pool's automatic size, items / (4 x processes)"
                    + " rounded up, as Python's).")
    private Integer chunkSize;

    @Option(names = "--work", paramLabel = "N", defaultValue = "" + DEFAULT_WORK,
            description = "Rounds of the bit mixer per item in the second, heavier round; 0 skips it; 0.." + MAX_WORK
                    + " (default: ${DEFAULT-VALUE}).")
    private int work;

    @Override
    public Integer call() throws Exception {
        Plan plan = plan();
        Narrator n = new Narrator(spec.commandLine().getOut());
        n.explain("A pool of worker processes, Python's multiprocessing.Pool: a fixed number of processes started"
                + " once, to which the program hands work. map(f, items) applies f to every item in the workers and"
                + " returns the results in the items' order, like a plain loop would. Here the pool is a"
                + " ProcessPool of " + Narrator.plural(plan.processes(), "worker") + " (this machine has "
                + Narrator.plural(PoolLesson.DEFAULT_PROCESSES, "CPU") + "), and a progress bar shows how far map()"
                + " has got.");
        Outcome outcome = PoolLesson.run(plan, n, ProgressBar.outputIsTerminal());
        return n.surprises() == 0 && outcome.same() ? 0 : 1;
    }

    private Plan plan() {
        int workers = processes != null ? processes : Math.min(PoolLesson.DEFAULT_PROCESSES, MAX_PROCESSES);
        try {
            Limits.atLeast("--items", items, 1);
            Limits.atMost("--items", items, MAX_ITEMS, "");
            Limits.atLeast("--processes", workers, 1);
            Limits.atMost("--processes", workers, MAX_PROCESSES, " (each is a JVM)");
            if (chunkSize != null) {
                Limits.atLeast("--chunk-size", chunkSize, 1);
            }
            Limits.atLeast("--work", work, 0);
            Limits.atMost("--work", work, MAX_WORK, "");
            return new Plan(items, workers, chunkSize != null ? chunkSize : 0, work);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }
}
