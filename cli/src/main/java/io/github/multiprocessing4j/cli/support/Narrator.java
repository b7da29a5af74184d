package io.github.multiprocessing4j.cli.support;

import io.github.multiprocessing4j.ChildProcess;
import io.github.multiprocessing4j.Multiprocessing;
import io.github.multiprocessing4j.ProcessInfo;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.regex.Pattern;

/**
 * How the tour and the lessons talk to the reader. Every line says who is speaking, so that their
 * own lines and the lines printed by their child processes (which write to the same terminal) can
 * be told apart:
 *
 * <pre>
 * Plain paragraphs        what the chapter is about (the lesson, in English)
 *   &gt; ...                 the program does something
 *   = ...                 the program observed something
 *   OK ...                a fact the chapter set out to show, confirmed
 *   !! ...                a fact that did not hold; the command then exits with 1
 *   note: ...             an honest caveat about this machine
 *     [####......]  40% ... how far a long step has got (redrawn in place on a terminal)
 *     | name (pid N): ... a line printed by a child process itself
 *     | host:pid name: ...  a line a task on another machine sent back ({@link #relay})
 * </pre>
 *
 * <p>Paragraphs are wrapped at spaces, never inside a JSON value or a quotation, nor between a
 * figure and its unit ({@link #unbreakable}).
 *
 * <p>Not thread-safe: one narrator serves one command, on one thread.
 */
public final class Narrator {
    private static final int WIDTH = 92;
    /** A figure that stays on the line of the word after it: "0.3", "1,000", "-2"; not "3," ending a list item. */
    private static final Pattern NUMBER = Pattern.compile("-?\\d+(?:[,.]\\d+)*");

    private final PrintWriter out;
    private int surprises;
    private boolean lastLineBlank = true;
    /** A line drawn by {@link #progress} in place, not ended yet: the next line starts below it. */
    private boolean drawnInPlace;

    /** @param out where the narration goes; flushed after every line, so children's lines interleave in order */
    public Narrator(PrintWriter out) {
        this.out = out;
    }

    /** Prints a chapter heading, with a second line saying where it comes from. */
    public void heading(String title, String subtitle) {
        String rule = "=".repeat(Math.min(WIDTH, Math.max(title.length() + 6, subtitle.length() + 3)));
        if (!lastLineBlank) {
            line("");
        }
        line(rule);
        line("== " + title + " ==");
        line("   " + subtitle);
        line(rule);
    }

    /** Prints an explanation: a wrapped paragraph set apart by blank lines. */
    public void explain(String paragraph) {
        if (!lastLineBlank) {
            line("");
        }
        wrapped("", paragraph);
        line("");
    }

    /** Says what the program is about to do. */
    public void act(String text) {
        wrapped("  > ", text);
    }

    /** Says what the program saw. */
    public void observe(String text) {
        wrapped("  = ", text);
    }

    /** Adds a caveat that is not a failure: something this machine does its own way. */
    public void note(String text) {
        wrapped("  note: ", text);
    }

    /**
     * Confirms one of the chapter's points, or reports loudly that it did not hold.
     *
     * @param holds whether the fact was observed
     * @param fact the fact, phrased as true
     * @return {@code holds}
     */
    public boolean confirm(boolean holds, String fact) {
        if (holds) {
            wrapped("  OK ", fact);
        } else {
            surprises++;
            wrapped("  !! ", "NOT AS EXPECTED: " + fact);
        }
        return holds;
    }

    /**
     * Shows how far a long step has got, indented under the step.
     *
     * @param text the progress, e.g. a bar with a percentage
     * @param inPlace true on a terminal: the text replaces the previous progress line ({@code \r}),
     *     and the next line of any kind starts below it; false: a line of its own
     */
    public void progress(String text, boolean inPlace) {
        if (inPlace) {
            out.print("\r    " + text);
            out.flush();
            drawnInPlace = true;
        } else {
            line("    " + text);
        }
    }

    /**
     * Prints a line that a process on another machine sent back (its own output goes to its
     * machine's terminal, not this one), as a child's line.
     *
     * @param text the line, starting with who sent it, e.g. "vm:1234 cook-1: made bun #0"
     */
    public void relay(String text) {
        line("    | " + text);
    }

    /** Reports that a chapter could not finish; counts as a surprise. */
    public void failed(String text) {
        surprises++;
        wrapped("  !! ", text);
    }

    /** @return how many facts did not hold so far */
    public int surprises() {
        return surprises;
    }

    /**
     * Prints a line on behalf of the calling child process, prefixed with its name and pid.
     * Called in children, which write straight to the terminal they share with their parent.
     */
    public static void childSays(String text) {
        ProcessInfo me = Multiprocessing.currentProcess();
        System.out.println("    | " + me.name() + " (pid " + me.pid() + "): " + text);
        System.out.flush();
    }

    /** @return seconds with one decimal, for "took 1.2 s" */
    public static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.1f s", nanos / 1e9);
    }

    /** @return the child's exit code as a number, or "none yet" while it runs */
    public static String exitCodeOf(ChildProcess child) {
        OptionalInt code = child.exitCode();
        return code.isPresent() ? Integer.toString(code.getAsInt()) : "none yet";
    }

    /** @return "1 ticket", "3 tickets", "2 successes": a count with its noun, in the plural when it is not 1 */
    public static String plural(long n, String word) {
        return n + " " + noun(n, word);
    }

    /**
     * Gives the noun in the number that follows a count.
     *
     * @param n the count
     * @param word the noun in the singular
     * @return "ticket" after 1, else "tickets", "successes"
     */
    public static String noun(long n, String word) {
        return n == 1 ? word : word + (word.endsWith("s") ? "es" : "s");
    }

    /** @return whole milliseconds, for "within 230 ms" */
    public static String millis(long nanos) {
        return (nanos / 1_000_000) + " ms";
    }

    private void wrapped(String prefix, String text) {
        String indent = " ".repeat(prefix.length());
        StringBuilder current = new StringBuilder(prefix);
        boolean empty = true;
        for (String word : unbreakable(text)) {
            if (!empty && current.length() + 1 + word.length() > WIDTH) {
                line(current.toString());
                current.setLength(0);
                current.append(indent);
                empty = true;
            }
            if (!empty) {
                current.append(' ');
            }
            current.append(word);
            empty = false;
        }
        line(current.toString());
    }

    /**
     * Splits a paragraph at the spaces where a line may break: between words, but never inside a
     * JSON value or a quotation ({@code {"ticket_num": 1}}, {@code [1, 2]}, {@code "a b"}: a group
     * that closes within the paragraph), nor between a number and the word after it
     * ({@code 0.3 s}, {@code 10 buyers}).
     *
     * @return the pieces, each to be kept on one line, in order
     */
    static List<String> unbreakable(String text) {
        String[] words = text.split(" ");
        List<String> pieces = new ArrayList<>();
        int start = 0;
        while (start < words.length) {
            int end = groupEnd(words, start);
            while (end + 1 < words.length && NUMBER.matcher(words[end]).matches()) {
                end = groupEnd(words, end + 1);
            }
            pieces.add(String.join(" ", Arrays.asList(words).subList(start, end + 1)));
            start = end + 1;
        }
        return pieces;
    }

    /** @return the index of the word that closes the group opened at {@code start}; {@code start} when none is opened or it never closes */
    private static int groupEnd(String[] words, int start) {
        int depth = 0;
        boolean quoted = false;
        for (int i = start; i < words.length; i++) {
            for (int k = 0; k < words[i].length(); k++) {
                char c = words[i].charAt(k);
                if (c == '"') {
                    quoted = !quoted;
                } else if (!quoted && (c == '{' || c == '[')) {
                    depth++;
                } else if (!quoted && (c == '}' || c == ']')) {
                    depth--;
                }
            }
            if (depth <= 0 && !quoted) {
                return i;
            }
        }
        return start;
    }

    private void line(String text) {
        if (drawnInPlace) {
            out.println();
            drawnInPlace = false;
        }
        lastLineBlank = text.isEmpty();
        out.println(text);
        out.flush();
    }
}
