package io.github.multiprocessing4j.cli.lesson;

import io.github.multiprocessing4j.ChildProcess;
import io.github.multiprocessing4j.Multiprocessing;
import io.github.multiprocessing4j.ProcessJoinableQueue;
import io.github.multiprocessing4j.ProcessQueue;
import io.github.multiprocessing4j.SharedLong;
import io.github.multiprocessing4j.cli.support.ChildGroup;
import io.github.multiprocessing4j.cli.support.Narrator;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static io.github.multiprocessing4j.cli.support.Narrator.plural;

/**
 * The lesson's chapter 6, the producer-consumer model: cooks (producers) put food into a queue,
 * eaters (consumers) get it from there; neither waits for the other, the queue is the buffer in
 * between. Each cook and each eater is a {@link ChildProcess}. How the eaters learn that the food
 * is over is the lesson's two ways:
 *
 * <ul>
 *   <li>{@link Mode#SENTINEL}: the main process joins the cooks, then puts one end marker per
 *       eater (Python's {@code None}; Java's queues reject {@code null}, so a {@link #SENTINEL}
 *       string); an eater stops when it gets one.
 *   <li>{@link Mode#JOINABLE}: a {@link ProcessJoinableQueue}; eaters are daemons that loop for
 *       ever and call {@code taskDone()} after each item; each cook, after its last put, calls
 *       {@code q.join()}, which returns once every item put so far is done. When the main process
 *       has joined the cooks, every item has been eaten, and the eaters, blocked in {@code get()},
 *       are of no more use: as daemons they end with the main process. (A cook's {@code q.join()}
 *       may return while another cook is still cooking, whenever the eaters have caught up; but
 *       each cook waits after its own last put, so once all cooks have ended, all is eaten.)
 * </ul>
 *
 * <p>Counting. Besides printing what it ate, an eater puts {@link Eaten} into a second queue
 * before it calls {@code taskDone()}, so that when the main process has joined the cooks (or
 * the eaters, with sentinels) every record is there. The main process checks the records
 * against the items the cooks were to make: each exactly once. Used by
 * {@code mp4j lesson producer-consumer} and by the tour's "producer-consumer" chapter.
 */
public final class ProducerConsumer {
    /** The end marker of {@link Mode#SENTINEL}: no item is ever equal to it. */
    public static final String SENTINEL = "<no more food>";
    /** The lesson's two foods first (baozi and youtiao), then more for more cooks. */
    private static final List<String> FOODS = List.of("bun", "youtiao", "dumpling", "noodles", "pancake", "wonton");

    private ProducerConsumer() {
    }

    /** How the eaters learn that the food is over. */
    public enum Mode {
        /** One {@link #SENTINEL} per eater, put by the main process after joining the cooks. */
        SENTINEL,
        /** A joinable queue, daemon eaters calling {@code taskDone()}, cooks calling {@code q.join()}. */
        JOINABLE
    }

    /**
     * How to run the model.
     *
     * @param mode how the eaters stop
     * @param producers how many cooks, at least 1
     * @param consumers how many eaters, at least 1
     * @param items how many items each cook makes, 0 or more
     * @param delayMillis the unit of the random delays: a cook takes 1..3 units to make an item, an
     *     eater 1..3 units to eat one (the lesson's {@code random.randint(1, 3)} seconds)
     */
    public record Plan(Mode mode, int producers, int consumers, int items, long delayMillis) {
        /** @throws IllegalArgumentException when a number is out of range, with a one-line reason */
        public Plan {
            Limits.atLeast("--producers", producers, 1);
            Limits.atLeast("--consumers", consumers, 1);
            Limits.atLeast("--items", items, 0);
            Limits.atLeast("--delay-ms", delayMillis, 0);
        }

        /** @return "2 cooks making 10 items each, 2 eaters, with sentinels, delays 1..3 x 100 ms" */
        public String describe() {
            return plural(producers, "cook") + " making " + plural(items, "item") + " each, " + plural(consumers, "eater")
                    + ", " + (mode == Mode.SENTINEL ? "stopping on sentinels" : "a JoinableQueue and daemon eaters")
                    + ", delays 1..3 x " + delayMillis + " ms";
        }

        /** @return every item the cooks are to make, in order */
        public List<String> expectedItems() {
            List<String> all = new ArrayList<>();
            for (int cook = 1; cook <= producers; cook++) {
                for (int i = 0; i < items; i++) {
                    all.add(item(cookName(cook), food(cook), i));
                }
            }
            return all;
        }
    }

    /**
     * One item eaten, as the eater reports it to the main process.
     *
     * @param eater who ate it
     * @param item what was eaten
     */
    public record Eaten(String eater, String item) implements Serializable {
    }

    /**
     * What happened.
     *
     * @param plan how it was run
     * @param made how many items the cooks reported putting
     * @param eaten what the eaters reported, in the order they did
     * @param crashed cooks (and, with sentinels, eaters) that did not end with exit code 0
     * @param eatersAlive with {@link Mode#JOINABLE}: the eaters still running at the end, waiting in
     *     {@code get()}, which the caller's exit ends (they are daemons); empty with sentinels
     * @param millis from the first start to the end
     */
    public record Outcome(Plan plan, long made, List<Eaten> eaten, int crashed, List<ChildProcess> eatersAlive,
                          long millis) {
        /** @return the items eaten more than once, with how many times */
        public Map<String, Long> eatenTwice() {
            return eatenCounts().entrySet().stream().filter(e -> e.getValue() > 1)
                    .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a, TreeMap::new));
        }

        /** @return the items made (or to be made) that nobody ate */
        public List<String> neverEaten() {
            Map<String, Long> counts = eatenCounts();
            return plan.expectedItems().stream().filter(item -> !counts.containsKey(item)).toList();
        }

        /** @return the items eaten that no cook was to make */
        public Set<String> unknown() {
            Set<String> expected = new LinkedHashSet<>(plan.expectedItems());
            return eaten.stream().map(Eaten::item).filter(item -> !expected.contains(item))
                    .collect(Collectors.toCollection(LinkedHashSet::new));
        }

        /** @return whether every item was made and eaten exactly once, and no process crashed */
        public boolean exactlyOnce() {
            return crashed == 0 && made == plan.expectedItems().size() && eaten.size() == made && eatenTwice().isEmpty()
                    && neverEaten().isEmpty() && unknown().isEmpty();
        }

        /** @return "20 items made, 20 eaten (eater-1: 11, eater-2: 9) in 2.3 s" */
        public String summary() {
            Map<String, Long> perEater = new TreeMap<>(eaten.stream()
                    .collect(Collectors.groupingBy(Eaten::eater, Collectors.counting())));
            return plural(made, "item") + " made, " + eaten.size() + " eaten" + (perEater.isEmpty() ? "" : " ("
                    + perEater.entrySet().stream().map(e -> e.getKey() + ": " + e.getValue())
                    .collect(Collectors.joining(", ")) + ")") + (crashed > 0 ? ", " + plural(crashed, "process") + " crashed"
                    : "") + ", in " + Narrator.seconds(TimeUnit.MILLISECONDS.toNanos(millis));
        }

        /** @return in English, whether every item was eaten exactly once, and if not, which were not */
        public String verdict() {
            int expected = plan.expectedItems().size();
            if (exactlyOnce()) {
                return "Every one of the " + plural(expected, "item") + " made was eaten exactly once: none lost,"
                        + " none eaten twice.";
            }
            List<String> wrong = new ArrayList<>();
            if (crashed > 0) {
                wrong.add(plural(crashed, "process") + " did not end normally (see their errors above)");
            }
            if (made != expected) {
                wrong.add("the cooks made " + made + " of " + expected + " items");
            }
            if (!neverEaten().isEmpty()) {
                wrong.add("never eaten: " + shortList(neverEaten()));
            }
            if (!eatenTwice().isEmpty()) {
                wrong.add("eaten more than once: " + shortList(eatenTwice().entrySet().stream()
                        .map(e -> e.getKey() + " (" + e.getValue() + " times)").toList()));
            }
            if (!unknown().isEmpty()) {
                wrong.add("eaten but never made: " + shortList(List.copyOf(unknown())));
            }
            return "NOT exactly once: " + String.join("; ", wrong) + ".";
        }

        private Map<String, Long> eatenCounts() {
            return eaten.stream().collect(Collectors.groupingBy(Eaten::item, LinkedHashMap::new, Collectors.counting()));
        }

        private static String shortList(List<String> items) {
            return items.size() <= 10 ? String.join(", ", items)
                    : String.join(", ", items.subList(0, 10)) + " and " + (items.size() - 10) + " more";
        }
    }

    /**
     * Runs the model as the lesson's main program does, narrating it. The processes are started
     * in {@code group}, and the queues registered with it: with sentinels every process has ended
     * when this returns; with a joinable queue the eaters are still there, blocked in
     * {@code get()} (see {@link Outcome#eatersAlive()}), until the caller ends (they are daemons)
     * or closes the group.
     *
     * @param plan how to run it
     * @param n where to tell what the main program does
     * @param group where the processes are started; the caller closes it
     * @return what happened
     * @throws InterruptedException when interrupted while joining
     */
    public static Outcome run(Plan plan, Narrator n, ChildGroup group) throws InterruptedException {
        ProcessJoinableQueue<String> joinable = plan.mode() == Mode.JOINABLE ? new ProcessJoinableQueue<>() : null;
        ProcessQueue<String> q = group.closeAfter(joinable != null ? joinable : new ProcessQueue<>());
        ProcessQueue<Eaten> eatenQueue = group.closeAfter(new ProcessQueue<>());
        SharedLong made = group.closeAfter(new SharedLong());
        long started = System.nanoTime();
        n.act("q = new " + q.getClass().getSimpleName() + "<String>(); starting " + plural(plan.producers(), "cook")
                + " and " + plural(plan.consumers(), joinable != null ? "daemon eater" : "eater")
                + (joinable != null ? " (setDaemon(true) before start(), the lesson's c1.daemon = True)." : "."));
        List<ChildProcess> cooks = new ArrayList<>();
        for (int cook = 1; cook <= plan.producers(); cook++) {
            Cook program = new Cook(food(cook), plan.items(), plan.delayMillis(), q, made);
            cooks.add(group.start(new ChildProcess(cookName(cook), program::run)));
        }
        List<ChildProcess> eaters = new ArrayList<>();
        for (int eater = 1; eater <= plan.consumers(); eater++) {
            Eater program = new Eater(plan.delayMillis(), q, eatenQueue);
            ChildProcess child = new ChildProcess("eater-" + eater, program::run);
            child.setDaemon(joinable != null);
            eaters.add(group.start(child));
        }
        n.act("p1.join(); p2.join(); ...: waiting for the cooks"
                + (joinable != null ? ", each of which waits in q.join() until every item is eaten." : "."));
        int crashed = ChildGroup.joinAll(cooks);
        if (joinable != null) {
            joinable.join(); // the lesson's q.join() after p1.join(); p2.join(): returns at once now
            n.observe("The cooks have ended, so every item put was taskDone(): the main program's own q.join() (the"
                    + " lesson's) returns at once, " + plural(joinable.unfinishedTasks(), "unfinished task") + " left."
                    + " A cook's q.join() returns whenever the eaters have caught up, even while another cook is still"
                    + " cooking; but each cook waits after its own last put, so once every cook has ended, every"
                    + " item has been eaten.");
        } else {
            n.act("The cooks have ended. q.put(SENTINEL) " + plural(plan.consumers(), "time") + ", one per eater: they come"
                    + " after every item in the queue. Then waiting for the eaters.");
            for (int i = 0; i < plan.consumers(); i++) {
                q.put(SENTINEL);
            }
            crashed += ChildGroup.joinAll(eaters);
        }
        List<Eaten> eaten = new ArrayList<>();
        for (Eaten record = eatenQueue.poll(); record != null; record = eatenQueue.poll()) {
            eaten.add(record);
        }
        List<ChildProcess> alive = eaters.stream().filter(ChildProcess::isAlive).toList();
        return new Outcome(plan, made.get(), eaten, crashed, alive, (System.nanoTime() - started) / 1_000_000);
    }

    /** @return "cook-1" */
    static String cookName(int cook) {
        return "cook-" + cook;
    }

    static String food(int cook) {
        return FOODS.get((cook - 1) % FOODS.size());
    }

    /** @return "cook-1's bun #0": unique, and never equal to {@link #SENTINEL} */
    static String item(String cook, String food, int i) {
        return cook + "'s " + food + " #" + i;
    }

    /** Sleeps the lesson's {@code random.randint(1, 3)} units. */
    static void randomDelay(long unitMillis) throws InterruptedException {
        Thread.sleep(ThreadLocalRandom.current().nextLong(1, 4) * unitMillis);
    }

    /** The lesson's {@code producer(name, food, q)}; serializable, so it travels to the cook process. */
    private record Cook(String food, int items, long delayMillis, ProcessQueue<String> q, SharedLong made)
            implements Serializable {
        void run() throws InterruptedException {
            String me = Multiprocessing.currentProcess().name();
            for (int i = 0; i < items; i++) {
                randomDelay(delayMillis); // the lesson's "simulated delay"
                Narrator.childSays("made " + food + " #" + i);
                q.put(item(me, food, i));
                made.incrementAndGet();
            }
            if (q instanceof ProcessJoinableQueue<String> joinable) {
                Narrator.childSays("made all " + items + "; q.join() waits until every item in the queue is eaten");
                joinable.join();
                Narrator.childSays("q.join() returned: all that was put so far is eaten, mine included, so I end");
            }
        }
    }

    /** The lesson's {@code consumer(name, q)}: a big appetite, eats until told to stop. */
    private record Eater(long delayMillis, ProcessQueue<String> q, ProcessQueue<Eaten> eaten) implements Serializable {
        void run() throws InterruptedException {
            String me = Multiprocessing.currentProcess().name();
            while (true) {
                String food = q.get();
                if (food.equals(SENTINEL)) {
                    Narrator.childSays("got the sentinel: no more food, I stop");
                    return;
                }
                randomDelay(delayMillis);
                Narrator.childSays("ate " + food);
                eaten.put(new Eaten(me, food)); // before taskDone(): once q.join() returns, every record is here
                if (q instanceof ProcessJoinableQueue<String> joinable) {
                    joinable.taskDone(); // tells the queue this item is dealt with
                }
            }
        }
    }
}
