package io.github.multiprocessing4j.cli.support;

import io.github.multiprocessing4j.ProcessPool;

import java.io.Console;
import java.util.Locale;

/**
 * Shows a pool call's progress as a bar, {@code [#########.....]  62%   620,000/1,000,000}. On a
 * terminal the bar is one line redrawn in place whenever the percentage moves; elsewhere (a pipe,
 * a file, a test) a plain line is printed at each quarter passed, and at the end.
 *
 * <p>Also notes when the first results came, which on a new pool tells how long its workers took
 * to boot and do a first chunk.
 */
public final class ProgressBar implements ProcessPool.ProgressListener {
    private static final int WIDTH = 30;
    private static final int PLAIN_STEPS = 4;

    private final Narrator narrator;
    private final boolean inPlace;
    private long firstResultAt;
    private boolean anyResult;
    private int shownPercent = -1;
    private int shownStep = 0;
    private boolean finished;

    /**
     * @param narrator where the bar goes
     * @param inPlace whether the output is a terminal, where the bar is redrawn with {@code \r}
     */
    public ProgressBar(Narrator narrator, boolean inPlace) {
        this.narrator = narrator;
        this.inPlace = inPlace;
    }

    /** @return whether this process's output is a terminal that understands {@code \r} redraws */
    public static boolean outputIsTerminal() {
        Console console = System.console();
        return console != null && isTerminal(console) && !"dumb".equals(System.getenv("TERM"));
    }

    /**
     * From JDK 22 a JVM may have a console whose output is redirected; {@code Console.isTerminal()},
     * which tells, exists from JDK 22 on, so it is looked up rather than called (the code is Java 17).
     */
    private static boolean isTerminal(Console console) {
        try {
            return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
        } catch (NoSuchMethodException e) {
            return true; // before JDK 22 a console exists only on a terminal
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false;
        }
    }

    @Override
    public void progress(long done, long total) {
        if (done > 0 && !anyResult) {
            firstResultAt = System.nanoTime();
            anyResult = true;
        }
        if (finished || total <= 0) {
            return; // a map over a list always knows its total
        }
        int percent = (int) (100 * done / total);
        boolean last = done >= total;
        if (inPlace ? percent != shownPercent || last : last || percent * PLAIN_STEPS / 100 > shownStep) {
            shownPercent = percent;
            shownStep = percent * PLAIN_STEPS / 100;
            finished = last;
            narrator.progress(bar(done, total), inPlace);
        }
    }

    /**
     * @param since a {@link System#nanoTime()}
     * @return nanoseconds from {@code since} to the first results, or -1 when none came
     */
    public long firstResultNanos(long since) {
        return anyResult ? firstResultAt - since : -1;
    }

    /** @return "[#########.....]  62%   620,000/1,000,000" */
    static String bar(long done, long total) {
        int filled = (int) (WIDTH * done / total);
        String count = String.format(Locale.ROOT, "%,d", total);
        return "[" + "#".repeat(filled) + ".".repeat(WIDTH - filled) + "] "
                + String.format(Locale.ROOT, "%3d%% %" + count.length() + "s/%s", 100 * done / total,
                String.format(Locale.ROOT, "%,d", done), count);
    }
}
