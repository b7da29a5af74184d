package io.github.multiprocessing4j.bench;

import io.github.multiprocessing4j.ChildProcess;
import io.github.multiprocessing4j.Multiprocessing;
import io.github.multiprocessing4j.ProcessQueue;

import java.util.List;
import java.util.Set;

/**
 * "Start in a loop", the program a new user writes first, run by section "loop" as a program of
 * its own ({@link Programs}): {@code rounds} times, make a {@link ProcessQueue}, start a child
 * (the library's default start method, whatever {@code -Dmp4j.startMethod} says) whose target
 * puts its {@link System#nanoTime()}, take the value, join the child. Reports
 * {@code round_us}: microseconds from the {@code start()} call to the value taken, per round (the
 * first is the program's first child), {@code first_queue_us}: the first queue's constructor,
 * the program's first shared object, and {@code round_cpu_us}: the CPU time of the rounds after
 * the first, the program's and its children's, per round ({@link #ROUND_CPU_MICROS}).
 *
 * <pre>
 * java -cp mp4j-bench.jar io.github.multiprocessing4j.bench.StartLoopProgram ROUNDS [--wait-for-spares]
 * </pre>
 *
 * <p>Without {@code --wait-for-spares} nothing waits between rounds, as in a user's loop. With
 * it, the best case: before each round the spares the library boots in the background have
 * booted ({@link WarmSpare#awaitBooted}), and a round whose child was not one of them fails.
 */
public final class StartLoopProgram {
    static final String ROUND_MICROS = "round_us";
    static final String FIRST_QUEUE_MICROS = "first_queue_us";
    /**
     * CPU microseconds a round, from the first round's join to the last one's: this JVM's (its
     * threads, the compilers' included) and its children's that it reaped meanwhile, the children of
     * those rounds ({@code /proc/self/stat}: utime, stime, cutime, cstime; clock ticks of 10 ms). A
     * spare booting when the last round ends is not reaped yet and not counted; the one its
     * second round took, booted during the first, is counted whole. On a machine of N processors
     * a loop cannot run a round faster than this divided by N.
     */
    static final String ROUND_CPU_MICROS = "round_cpu_us";

    private StartLoopProgram() {
    }

    /**
     * @param args the number of rounds, then {@code --wait-for-spares} or nothing
     * @throws Exception when a round fails; its child is joined or killed first
     */
    public static void main(String[] args) throws Exception {
        int rounds = Integer.parseInt(args[0]);
        boolean waitForSpares = args.length > 1 && args[1].equals("--wait-for-spares");
        BenchConfig config = BenchConfig.full(List.of());
        if (waitForSpares) {
            WarmSpare.bootFirst(config);
        }
        long cpuAfterFirstRound = 0;
        try {
            for (int i = 0; i < rounds; i++) {
                Set<Long> spares = waitForSpares ? WarmSpare.awaitBooted(config) : Set.of();
                long made = System.nanoTime();
                try (ProcessQueue<Long> queue = new ProcessQueue<>()) {
                    if (i == 0) {
                        Programs.report(FIRST_QUEUE_MICROS, (System.nanoTime() - made) / 1e3);
                    }
                    ChildProcess child = new ChildProcess(ChildTargets.putNanoTime(queue));
                    long t0 = System.nanoTime();
                    child.start();
                    long inChild;
                    long received;
                    try {
                        inChild = queue.get();
                        received = System.nanoTime(); // before the join, as user_patterns.py's loop
                    } finally {
                        Children.joinChecked(child);
                    }
                    if (!(t0 <= inChild && inChild <= received)) {
                        throw new IllegalStateException("the child's time " + inChild + " is not within " + t0 + ".."
                                + received);
                    }
                    if (waitForSpares) {
                        WarmSpare.requireUsed(spares, child);
                    }
                    Programs.report(ROUND_MICROS, (received - t0) / 1e3);
                }
                if (i == 0) {
                    cpuAfterFirstRound = MachineLoad.cpuTicks("self", true);
                }
            }
            if (rounds > 1) {
                long ticks = MachineLoad.cpuTicks("self", true) - cpuAfterFirstRound;
                Programs.report(ROUND_CPU_MICROS, ticks / MachineLoad.TICKS_PER_SECOND * 1e6 / (rounds - 1));
            }
        } finally {
            Multiprocessing.discardSpares();
        }
    }
}
