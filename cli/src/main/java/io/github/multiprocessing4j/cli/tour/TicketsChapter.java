package io.github.multiprocessing4j.cli.tour;

import io.github.multiprocessing4j.cli.lesson.TicketSale.Outcome;
import io.github.multiprocessing4j.cli.lesson.TicketSale.Plan;
import io.github.multiprocessing4j.cli.lesson.TicketSale;
import io.github.multiprocessing4j.cli.support.Narrator;
import io.github.multiprocessing4j.cli.support.ScratchDir;

/**
 * Lesson chapter 4, the mutex: the ticket sale of {@code mp4j lesson tickets}, first without
 * the lock (tickets oversold), then with it (exactly one sold).
 *
 * <p>Implementation notes. Whether the unlocked run oversells is a matter of timing: the buyers
 * start together and the first write comes one network delay (at least 100 ms) after the reads,
 * so it practically always does, but not by law; when it does not, the tour says so in a note
 * rather than calling it a failure. The locked run has no such luck involved and is checked.
 */
final class TicketsChapter implements TourChapter {
    private static final int BUYERS = 10;
    private static final int TICKETS = 1;
    /** Half the lesson command's default, to keep the chapter short: still far above the start-line spread. */
    private static final long MIN_DELAY_MILLIS = 50;
    private static final long MAX_DELAY_MILLIS = 150;

    @Override
    public void run(Narrator n, ScratchDir dir) throws Exception {
        Outcome unlocked = sale(n, dir, false);
        if (unlocked.oversold() > 0) {
            n.confirm(true, "without the lock the only ticket was sold " + unlocked.successes() + " times");
        } else {
            n.note("without the lock the ticket was not oversold this time (see below).");
        }
        n.explain(unlocked.verdict());
        Outcome locked = sale(n, dir, true);
        n.confirm(locked.dataSafe() && locked.successes() == 1, "with the lock exactly one buyer got the ticket,"
                + " and the file says 0");
        n.explain(locked.verdict());
        n.observe("The price of safety: buying took " + seconds(unlocked) + " without the lock and "
                + seconds(locked) + " with it, where the buyers queued for buy() one after another.");
    }

    private static Outcome sale(Narrator n, ScratchDir dir, boolean withLock) throws Exception {
        Plan plan = new Plan(BUYERS, TICKETS, withLock, MIN_DELAY_MILLIS, MAX_DELAY_MILLIS);
        n.act("Selling: " + plan.describe() + ". The file '" + TicketSale.DATA_FILE + "' says {\"ticket_num\": "
                + TICKETS + "}; the buyers begin together once all have booted.");
        Outcome outcome = TicketSale.run(plan, dir);
        n.observe(outcome.summary() + ".");
        if (outcome.crashed() > 0) {
            n.failed(Narrator.plural(outcome.crashed(), "buyer process") + " did not end normally; see their errors above");
        }
        return outcome;
    }

    private static String seconds(Outcome outcome) {
        return Narrator.seconds(outcome.saleMillis() * 1_000_000);
    }
}
