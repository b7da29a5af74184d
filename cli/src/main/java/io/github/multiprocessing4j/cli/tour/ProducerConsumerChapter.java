package io.github.multiprocessing4j.cli.tour;

import io.github.multiprocessing4j.ChildProcess;
import io.github.multiprocessing4j.cli.lesson.ProducerConsumer.Mode;
import io.github.multiprocessing4j.cli.lesson.ProducerConsumer.Outcome;
import io.github.multiprocessing4j.cli.lesson.ProducerConsumer.Plan;
import io.github.multiprocessing4j.cli.lesson.ProducerConsumer;
import io.github.multiprocessing4j.cli.support.Await;
import io.github.multiprocessing4j.cli.support.ChildGroup;
import io.github.multiprocessing4j.cli.support.Narrator;
import io.github.multiprocessing4j.cli.support.ScratchDir;

/**
 * Lesson chapter 6, the producer-consumer model: the cooks and eaters of
 * {@code mp4j lesson producer-consumer}, first stopping on sentinels, then with a joinable queue
 * and daemon eaters, each run checked for every item eaten exactly once.
 *
 * <p>Implementation notes. In the lesson, the daemon eaters of the joinable run end with the main
 * program. The tour goes on after the chapter, so it does for them what the library does at a
 * main program's end: {@code terminate()} (SIGTERM) every daemon child still running, then waits
 * for it.
 */
final class ProducerConsumerChapter implements TourChapter {
    private static final int COOKS = 2;
    private static final int EATERS = 2;
    /** Few items and short delays: the chapter is mostly JVMs booting. */
    private static final int ITEMS = 3;
    private static final long DELAY_MILLIS = 20;

    @Override
    public void run(Narrator n, ScratchDir scratch) throws Exception {
        n.explain("First with sentinels: the main process joins the cooks, then puts one end marker per eater.");
        try (ChildGroup group = new ChildGroup()) {
            Outcome outcome = run(n, group, Mode.SENTINEL);
            n.confirm(outcome.eatersAlive().isEmpty(), "every eater stopped on its sentinel and ended");
        }
        n.explain("Then the lesson's final version: a joinable queue, daemon eaters calling taskDone(), cooks"
                + " calling q.join().");
        try (ChildGroup group = new ChildGroup()) {
            Outcome outcome = run(n, group, Mode.JOINABLE);
            n.confirm(outcome.eatersAlive().size() == EATERS, "when the cooks have ended, both daemon eaters are still"
                    + " alive, waiting in q.get(): nothing tells them that the food is over");
            n.act("The lesson's main program ends here, and its daemon children with it. The tour goes on, so it does"
                    + " what the end of a main program does to them: terminate() each.");
            for (ChildProcess eater : outcome.eatersAlive()) {
                eater.terminate();
            }
            for (ChildProcess eater : outcome.eatersAlive()) {
                eater.join(Await.BOOT_TIMEOUT);
                n.confirm(!eater.isAlive(), eater.name() + " (pid " + eater.pid() + ") has ended, exit code "
                        + Narrator.exitCodeOf(eater));
            }
        }
    }

    private static Outcome run(Narrator n, ChildGroup group, Mode mode) throws InterruptedException {
        Plan plan = new Plan(mode, COOKS, EATERS, ITEMS, DELAY_MILLIS);
        n.act("Running: " + plan.describe() + ".");
        Outcome outcome = ProducerConsumer.run(plan, n, group);
        n.observe(outcome.summary() + ".");
        n.confirm(outcome.exactlyOnce(), outcome.verdict());
        return outcome;
    }
}
