package io.github.multiprocessing4j.cli.lesson;

import io.github.multiprocessing4j.cli.lesson.TicketSale.Outcome;
import io.github.multiprocessing4j.cli.lesson.TicketSale.Plan;
import io.github.multiprocessing4j.cli.support.Narrator;
import io.github.multiprocessing4j.cli.support.ScratchDir;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

import java.util.concurrent.Callable;

/**
 * {@code mp4j lesson tickets}: the lesson's chapter 4, buyer processes racing for tickets in a
 * JSON file, with the mutex (the default) or without it ({@code --no-lock}). See {@link TicketSale}.
 */
@Command(name = "tickets",
        description = {"Buying tickets with and without a lock (chapter 4, the mutex).",
                "Buyer processes search and buy tickets in one JSON file. With the lock (the default) exactly"
                        + " min(tickets, buyers) buy one, every run; with --no-lock the tickets are usually oversold."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:the sale ran (with the lock: and the data stayed safe)",
                "1:a buyer crashed, or the data was not safe although the lock was held", "2:wrong usage"})
public final class TicketsCommand implements Callable<Integer> {
    /** Each buyer is a JVM of its own: beyond this, a laptop spends the lesson swapping. */
    static final int MAX_BUYERS = 100;

    @Spec
    private CommandSpec spec;

    @Option(names = "--buyers", paramLabel = "N", defaultValue = "10",
            description = "Buyer processes, 1.." + MAX_BUYERS + " (default: ${DEFAULT-VALUE}, as in the lesson).")
    private int buyers;

    @Option(names = "--tickets", paramLabel = "N", defaultValue = "1",
            description = "Tickets in the file at the start, 0 or more (default: ${DEFAULT-VALUE}).")
    private int tickets;

    @Option(names = "--no-lock", description = "Buy without the lock, to see the race.")
    private boolean noLock;

    @Option(names = "--delay-ms", paramLabel = "MIN..MAX|MAX", defaultValue = "100..300", converter = DelayConverter.class,
            description = "The simulated network delay inside buy(), drawn at random in MIN..MAX ms, 0.."
                    + Limits.MAX_DELAY_MILLIS + " (MAX alone means 0..MAX; N..N is fixed). Default: ${DEFAULT-VALUE}, the lesson's 1..3 s scaled down;"
                    + " 1000..3000 is the lesson's own.")
    private Delay delay;

    @Override
    public Integer call() throws Exception {
        Plan plan;
        try {
            Limits.atMost("--buyers", buyers, MAX_BUYERS, " (each buyer is a JVM)");
            Limits.delayMillis("--delay-ms", delay.maxMillis());
            plan = new Plan(buyers, tickets, !noLock, delay.minMillis(), delay.maxMillis());
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        Narrator n = new Narrator(spec.commandLine().getOut());
        n.explain("The lesson's ticket sale: " + plan.describe() + ". Each buyer is a process running"
                + " search(), then buy() " + (plan.locked() ? "between mutex.acquire() and mutex.release() of one"
                + " ProcessLock." : "with no lock around it.") + " buy() reads the file, waits for the 'network',"
                + " and writes the count minus one back if it saw a ticket.");
        Outcome outcome;
        try (ScratchDir dir = ScratchDir.create("lesson-tickets")) {
            n.act("The ticket file " + dir.file(TicketSale.DATA_FILE) + " says {\"ticket_num\": " + plan.tickets()
                    + "}. Starting " + plan.buyers() + " buyers; they begin together once all have booted.");
            outcome = TicketSale.run(plan, dir);
        }
        n.observe("Summary: " + outcome.summary() + ".");
        n.explain(outcome.verdict());
        boolean failed = outcome.crashed() > 0 || (plan.locked() && !outcome.dataSafe());
        return failed ? 1 : 0;
    }

    /** The value of {@code --delay-ms}. */
    record Delay(long minMillis, long maxMillis) {
    }

    /** Reads {@code --delay-ms}: "MIN..MAX" or "MAX". */
    static final class DelayConverter implements ITypeConverter<Delay> {
        @Override
        public Delay convert(String value) {
            String[] parts = value.split("\\.\\.", -1);
            try {
                long[] range = parts.length == 1 ? new long[] {0, Long.parseLong(parts[0].strip())}
                        : parts.length == 2 ? new long[] {Long.parseLong(parts[0].strip()), Long.parseLong(parts[1].strip())}
                        : null;
                if (range != null && range[0] >= 0 && range[1] >= range[0]) {
                    return new Delay(range[0], range[1]);
                }
            } catch (NumberFormatException e) {
                // reported below, with the expected shape
            }
            throw new TypeConversionException("'" + value + "' is not a delay: give MIN..MAX or MAX in ms, with"
                    + " 0 <= MIN <= MAX (e.g. 100..300)");
        }
    }
}
