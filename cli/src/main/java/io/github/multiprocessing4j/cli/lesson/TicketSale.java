package io.github.multiprocessing4j.cli.lesson;

import io.github.multiprocessing4j.ChildProcess;
import io.github.multiprocessing4j.ProcessLock;
import io.github.multiprocessing4j.SharedLong;
import io.github.multiprocessing4j.cli.support.Await;
import io.github.multiprocessing4j.cli.support.ChildGroup;
import io.github.multiprocessing4j.cli.support.Narrator;
import io.github.multiprocessing4j.cli.support.ScratchDir;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.github.multiprocessing4j.cli.support.Narrator.plural;

/**
 * The lesson's ticket sale (chapter 4, the mutex): buyer processes search and buy through one
 * JSON file, {@code {"ticket_num": N}}, with or without a {@link ProcessLock} around
 * {@code buy()}. Used by {@code mp4j lesson tickets} and by the tour's "tickets" chapter.
 *
 * <p>Each buyer is a {@link ChildProcess} running the lesson's {@code run(i, mutex)}:
 * {@code search()} reads and prints the count; {@code buy()} reads the file, sleeps a random
 * "network" delay, and writes the count minus one back if it saw a ticket. The buyers print their
 * own lines, prefixed with their name and pid, on the terminal they share with this process.
 *
 * <p>Implementation notes. Python forks its buyers within a millisecond of each other; a child
 * JVM takes a good part of a second to boot, and ten of them boot spread over a few hundred
 * milliseconds, which is more than the scaled-down delay. So the buyers wait at a start line (a
 * {@link SharedLong} counting the booted ones) and all begin together, as in Python; otherwise
 * the early ones would finish before the late ones read, and the race would hide. A buyer writes
 * the file {@linkplain ScratchDir#writeWhole whole}, so that a reader never sees a half-written
 * file: the race shown is the lesson's lost update (read, wait, write back), not a torn write.
 * The counts come back through {@link SharedLong}s, because the buyers' stdout is the terminal.
 */
public final class TicketSale {
    /** The lesson's file name. */
    public static final String DATA_FILE = "data";

    private static final Pattern TICKET_NUM = Pattern.compile("\"ticket_num\"\\s*:\\s*(-?\\d+)");
    /** A buyer that never sees all its siblings arrive (one failed to boot) starts anyway after this. */
    private static final Duration START_LINE_TIMEOUT = Duration.ofSeconds(30);
    /**
     * Short naps at the start line, so that the buyers begin within a fraction of a millisecond of
     * each other; napping, not spinning, which would steal the CPU from the siblings still booting.
     */
    private static final Duration START_LINE_POLL = Duration.ofNanos(200_000);

    private TicketSale() {
    }

    /**
     * How to run the sale.
     *
     * @param buyers how many buyer processes, at least 1
     * @param tickets the tickets in the file at the start, at least 0
     * @param locked whether {@code buy()} runs under the lock
     * @param minDelayMillis the shortest simulated network delay in {@code buy()}
     * @param maxDelayMillis the longest one; each buyer draws uniformly in between
     */
    public record Plan(int buyers, int tickets, boolean locked, long minDelayMillis, long maxDelayMillis) {
        /** @throws IllegalArgumentException when a number is out of range, with a one-line reason */
        public Plan {
            Limits.atLeast("--buyers", buyers, 1);
            Limits.atLeast("--tickets", tickets, 0);
            if (minDelayMillis < 0 || maxDelayMillis < minDelayMillis) {
                throw new IllegalArgumentException("--delay-ms must be 0 or more, and MIN no more than MAX, not "
                        + minDelayMillis + ".." + maxDelayMillis);
            }
        }

        /** @return "10 buyers, 1 ticket, with the lock, network delay 100..300 ms" */
        public String describe() {
            return plural(buyers, "buyer") + ", " + plural(tickets, "ticket") + ", "
                    + (locked ? "with the lock" : "WITHOUT the lock") + ", network delay "
                    + (minDelayMillis == maxDelayMillis ? minDelayMillis : minDelayMillis + ".." + maxDelayMillis) + " ms";
        }

        /** @return how many buyers should succeed when the data is kept safe */
        public int fairSuccesses() {
            return Math.min(tickets, buyers);
        }

        /** @return what the file should say at the end when the data is kept safe */
        public int fairFinalCount() {
            return Math.max(0, tickets - buyers);
        }
    }

    /**
     * What happened.
     *
     * @param plan how it was run
     * @param successes buyers who printed success
     * @param failures buyers who printed failure
     * @param finalCount what the file says at the end
     * @param crashed buyers that did not end with exit code 0 (a bug, or a killed process)
     * @param saleMillis from the start line to the last buyer's end: the cost of serial buying
     */
    public record Outcome(Plan plan, long successes, long failures, int finalCount, int crashed, long saleMillis) {
        /** @return tickets sold beyond those that existed */
        public long oversold() {
            return Math.max(0, successes - plan.tickets());
        }

        /** @return whether the sale kept the data safe: the fair number of successes, the file at the fair count */
        public boolean dataSafe() {
            return crashed == 0 && successes == plan.fairSuccesses() && failures == plan.buyers() - plan.fairSuccesses()
                    && finalCount == plan.fairFinalCount();
        }

        /** @return "1 success, 9 failures; the file says {"ticket_num": 0}; the sale took 2.1 s" */
        public String summary() {
            return plural(successes, "success") + ", " + plural(failures, "failure") + (crashed > 0
                    ? ", " + plural(crashed, "buyer") + " crashed" : "") + "; the file now says " + json(finalCount)
                    + "; buying took " + Narrator.seconds(TimeUnit.MILLISECONDS.toNanos(saleMillis));
        }

        /** @return in English, whether the data stayed safe, and why */
        public String verdict() {
            int fair = plan.fairSuccesses();
            String should = "exactly min(tickets, buyers) = " + plural(fair, "success")
                    + " and the file at max(0, tickets - buyers) = " + plan.fairFinalCount();
            if (crashed > 0) {
                return "INCOMPLETE: " + plural(crashed, "buyer process") + " did not end normally (see their errors above), "
                        + "so the counts prove nothing.";
            }
            if (plan.locked()) {
                return dataSafe()
                        ? "Data safe, as every run with the lock: " + should + ". The lock let one buyer at a time"
                                + " into buy(), so each read the count the previous one had written. The concurrent"
                                + " purchases became a queue: safe, but slower, one network delay after another."
                        : "WRONG, although the lock was held: expected " + should + ". This is a bug.";
            }
            if (dataSafe()) {
                return "No ticket was oversold this time: the delays happened to keep the buyers apart. The race is"
                        + " still there (read, wait, write back, with nothing to stop another buyer in between); run"
                        + " it again, or widen the window with --delay-ms.";
            }
            long soldPerFile = plan.tickets() - finalCount;
            String how = plan.tickets() == 1
                    // Nobody writes a count higher than the one they read, so once a 0 is written it stays:
                    // every buyer that succeeded must have read 1 before the first 0 was written.
                    ? "all " + successes + " of them read 1 ticket before the first of them wrote 0, and each then wrote 0"
                    : successes + " of them read a count above 0 that another buyer was about to decrement, and each"
                            + " wrote its own stale count minus one over the others'";
            return "Data NOT safe: " + plural(successes, "buyer") + (successes == 1 ? " was" : " were")
                    + " told they got a ticket, but only "
                    + plural(plan.tickets(), "ticket") + " existed" + (oversold() > 0 ? ": " + oversold() + " oversold" : "")
                    + ", and the file counts " + soldPerFile + " sold. Why: without the lock, buy() is read, wait,"
                    + " write back, and nothing keeps the others out in between; during the network delay " + how
                    + ". With the lock (the default) buy() runs one buyer at a time and this cannot happen.";
        }
    }

    /**
     * Runs the sale: writes the ticket file in {@code dir}, starts the buyers, joins every one,
     * reads the file, and removes the lock and the counters again.
     *
     * @param plan how to run it
     * @param dir where the ticket file goes; the caller deletes it
     * @return what happened
     * @throws IOException when the ticket file cannot be written or read
     * @throws InterruptedException when interrupted while joining; the buyers are killed and joined first
     */
    public static Outcome run(Plan plan, ScratchDir dir) throws IOException, InterruptedException {
        ProcessLock mutex = plan.locked() ? new ProcessLock() : null;
        try (Counters counters = new Counters(mutex)) {
            Path data = Path.of(dir.file(DATA_FILE));
            Files.writeString(data, json(plan.tickets()));
            Buyer sale = new Buyer(data.toString(), plan.buyers(), plan.minDelayMillis(), plan.maxDelayMillis(),
                    mutex, counters.atStartLine, counters.started, counters.finished, counters.successes,
                    counters.failures);
            int crashed = runBuyers(sale, plan.buyers());
            return new Outcome(plan, counters.successes.get(), counters.failures.get(), readTicketNum(data), crashed,
                    Math.max(0, counters.finished.get() - counters.started.get()));
        }
    }

    /** @return how many buyers did not end with exit code 0 */
    private static int runBuyers(Buyer sale, int buyers) throws InterruptedException {
        try (ChildGroup group = new ChildGroup()) { // its close() only does something after a failure
            for (int i = 1; i <= buyers; i++) {
                group.start(new ChildProcess("buyer-" + i, sale::run));
            }
            return ChildGroup.joinAll(group.started());
        }
    }

    /** The shared numbers of one sale, and its lock if any, unlinked together (the buyers are done with them). */
    private static final class Counters implements AutoCloseable {
        final ProcessLock mutex;
        final SharedLong atStartLine = new SharedLong();
        final SharedLong started = new SharedLong();
        final SharedLong finished = new SharedLong();
        final SharedLong successes = new SharedLong();
        final SharedLong failures = new SharedLong();

        Counters(ProcessLock mutex) {
            this.mutex = mutex;
        }

        @Override
        public void close() {
            for (SharedLong each : List.of(atStartLine, started, finished, successes, failures)) {
                each.unlink();
            }
            if (mutex != null) {
                mutex.unlink();
            }
        }
    }

    /**
     * One buyer's program, the lesson's {@code run(i, mutex)} (the buyer's name stands for
     * {@code i}), with what it shares with its siblings; serializable, so it travels to each
     * buyer process in its target.
     *
     * @param mutex the lock, or null to buy without it
     * @param started when the last buyer reached the start line (epoch ms), set once
     * @param finished when the latest buyer ended (epoch ms)
     */
    private record Buyer(String dataFile, int buyers, long minDelayMillis, long maxDelayMillis, ProcessLock mutex,
                         SharedLong atStartLine, SharedLong started, SharedLong finished, SharedLong successes,
                         SharedLong failures) implements Serializable {
        void run() throws InterruptedException {
            waitAtStartLine();
            search();
            if (mutex == null) {
                buy();
            } else {
                mutex.acquire();
                try {
                    buy();
                } finally {
                    mutex.release();
                }
            }
            long now = System.currentTimeMillis();
            long latest;
            do {
                latest = finished.get();
            } while (latest < now && !finished.compareAndSet(latest, now));
        }

        private void waitAtStartLine() throws InterruptedException {
            if (atStartLine.incrementAndGet() == buyers) {
                started.set(System.currentTimeMillis());
            }
            Await.until(() -> atStartLine.get() >= buyers, START_LINE_TIMEOUT, START_LINE_POLL);
        }

        private void search() {
            Narrator.childSays("searches: " + plural(readTicketNum(Path.of(dataFile)), "ticket") + " left");
        }

        private void buy() throws InterruptedException {
            Path data = Path.of(dataFile);
            int ticketNum = readTicketNum(data);
            Thread.sleep(ThreadLocalRandom.current().nextLong(minDelayMillis, maxDelayMillis + 1)); // the network
            if (ticketNum > 0) {
                ScratchDir.writeWhole(data, json(ticketNum - 1));
                successes.incrementAndGet();
                Narrator.childSays("bought a ticket (read " + ticketNum + ", wrote " + (ticketNum - 1) + ")");
            } else {
                failures.incrementAndGet();
                Narrator.childSays("could not buy: no ticket left");
            }
        }
    }

    /** @return the ticket count in a file holding {@code {"ticket_num": N}} */
    public static int readTicketNum(Path data) {
        String text;
        try {
            text = Files.readString(data);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + data, e);
        }
        Matcher m = TICKET_NUM.matcher(text);
        if (!m.find()) {
            throw new IllegalStateException(data + " holds no \"ticket_num\": " + text);
        }
        return Integer.parseInt(m.group(1));
    }

    private static String json(int ticketNum) {
        return "{\"ticket_num\": " + ticketNum + "}";
    }
}
