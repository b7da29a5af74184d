package io.github.multiprocessing4j.cli.lesson;

import io.github.multiprocessing4j.cli.lesson.ProducerConsumer.Mode;
import io.github.multiprocessing4j.cli.lesson.ProducerConsumer.Outcome;
import io.github.multiprocessing4j.cli.lesson.ProducerConsumer.Plan;
import io.github.multiprocessing4j.cli.support.ChildGroup;
import io.github.multiprocessing4j.cli.support.Narrator;
import io.github.multiprocessing4j.cli.support.RedisUrl;
import io.github.multiprocessing4j.redis.Cluster;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;
import java.util.stream.Collectors;

import static io.github.multiprocessing4j.cli.support.Narrator.plural;

/**
 * {@code mp4j lesson producer-consumer}: the lesson's chapter 6, cooks and eaters around a queue,
 * stopping on sentinels or with a joinable queue and daemon eaters. See {@link ProducerConsumer}.
 */
@Command(name = "producer-consumer",
        description = {"Cooks and eaters around a queue (chapter 6, the producer-consumer model).",
                "Each cook and each eater is a process. With --joinable (the default, the lesson's final version)"
                        + " the queue is a ProcessJoinableQueue: eaters are daemons calling taskDone() after each item,"
                        + " cooks wait in q.join() until all is eaten, and the program ends when the cooks are joined,"
                        + " the daemon eaters with it. With --sentinel the main process joins the cooks and then puts"
                        + " one end marker per eater (the lesson's None). Either way the summary checks that every"
                        + " item was eaten exactly once.",
                "With --redis URL the same runs across machines: the queue on the Redis server, cooks and eaters as"
                        + " tasks on the cluster's worker agents (mp4j worker), their lines sent back with their"
                        + " host:pid."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:every item was eaten exactly once", "1:an item was lost or eaten twice, or a process"
                + " crashed; or the server or enough free agents are missing", "2:wrong usage"})
public final class ProducerConsumerCommand implements Callable<Integer> {
    /** Each cook and eater is a JVM of its own. */
    static final int MAX_PROCESSES = 20;
    static final int MAX_ITEMS = 1000;

    @Spec
    private CommandSpec spec;

    @ArgGroup(exclusive = true)
    private Stop stop = new Stop();

    @Option(names = "--producers", paramLabel = "N", defaultValue = "2",
            description = "Cook processes, 1.." + MAX_PROCESSES + " (default: ${DEFAULT-VALUE}, as in the lesson).")
    private int producers;

    @Option(names = "--consumers", paramLabel = "N", defaultValue = "2",
            description = "Eater processes, 1.." + MAX_PROCESSES + " (default: ${DEFAULT-VALUE}, as in the lesson).")
    private int consumers;

    @Option(names = "--items", paramLabel = "N", defaultValue = "10",
            description = "Items each cook makes, 0.." + MAX_ITEMS + " (default: ${DEFAULT-VALUE}, as in the lesson).")
    private int items;

    @Option(names = "--delay-ms", paramLabel = "MS", defaultValue = "100",
            description = "Making or eating an item takes a random 1..3 x MS ms, 0.." + Limits.MAX_DELAY_MILLIS
                    + " (default: ${DEFAULT-VALUE}; the lesson's random.randint(1, 3) seconds is 1000).")
    private long delayMillis;

    /** {@code --sentinel} or {@code --joinable}, not both. */
    static final class Stop {
        @Option(names = "--sentinel", description = "Eaters stop on a sentinel, one per eater, put by the main"
                + " process after joining the cooks.")
        boolean sentinel;

        @Option(names = "--joinable", description = "A joinable queue and daemon eaters (the default).")
        boolean joinable;
    }

    @Option(names = "--redis", paramLabel = "URL", arity = "0..1", fallbackValue = RedisUrl.FROM_ENVIRONMENT,
            description = {"Across machines: the queue on this Redis server, the cooks and eaters as tasks of a pool "
                    + "on its worker agents (start them first with 'mp4j worker'; they need one free process per cook "
                    + "and eater). Implies --joinable.",
                    "--redis without a URL: the URL in the environment variable " + RedisUrl.VARIABLE + "."})
    private String redis;

    @Option(names = "--prefix", paramLabel = "P", description = "With --redis: the cluster's key prefix (default: mp4j).")
    private String prefix;

    @Override
    public Integer call() throws Exception {
        Plan plan = plan();
        if (redis != null) {
            return acrossMachines(plan);
        }
        Narrator n = new Narrator(spec.commandLine().getOut());
        n.explain("The producer-consumer model: " + plan.describe() + ". Cooks and eaters never talk to each other:"
                + " a cook puts what it made into the queue and goes on cooking, an eater gets from the queue what"
                + " is there. The queue is a buffer that evens out their speeds. Each cook and each eater is a"
                + " process; lines starting with '|' are theirs.");
        n.explain(plan.mode() == Mode.SENTINEL
                ? "Sentinels: an eater loops on q.get() and stops when it gets ProducerConsumer.SENTINEL, the string '"
                        + ProducerConsumer.SENTINEL + "' (Python puts None, but Java's queues reject null). The main"
                        + " process puts one sentinel per eater once the cooks have ended, so they come after every"
                        + " item: with " + plural(plan.consumers(), "eater") + ", " + plural(plan.consumers(), "sentinel")
                        + ". This put is the main process talking to its children through the queue."
                : "A JoinableQueue: every put adds one to a counter, every taskDone() takes one off, and q.join()"
                        + " waits until it is 0. The cooks call q.join() after their last put, the main process joins"
                        + " the cooks: when they have ended, everything has been eaten, and the eaters, waiting in"
                        + " q.get() for food that will not come, are of no more use. As daemons they end with the"
                        + " main process: nobody has to count eaters and put sentinels. (The lesson's main program"
                        + " also calls q.join() after joining the cooks; by then it returns at once.)");
        ChildGroup group = new ChildGroup();
        Outcome outcome;
        try {
            outcome = ProducerConsumer.run(plan, n, group);
        } catch (Exception | Error e) {
            group.close();
            throw e;
        }
        n.observe("Summary: " + outcome.summary() + ".");
        n.confirm(outcome.exactlyOnce(), outcome.verdict());
        if (outcome.eatersAlive().isEmpty()) {
            group.close();
        } else {
            // Not closed: the daemon eaters, and the queue they wait on, are left to this process's end.
            n.explain("The main program ends here. Its daemon eaters ("
                    + outcome.eatersAlive().stream().map(e -> e.name() + " pid " + e.pid()).collect(Collectors.joining(", "))
                    + ") are still waiting in q.get(); they end with it.");
        }
        return n.surprises() == 0 ? 0 : 1;
    }

    /** The joinable version with the queue on a Redis server and the processes as tasks on its worker agents. */
    private int acrossMachines(Plan plan) throws InterruptedException {
        Cluster.Builder builder = RedisUrl.clusterBuilder(spec.commandLine(), redis, prefix);
        Narrator n = new Narrator(spec.commandLine().getOut());
        n.explain("The producer-consumer model across machines: " + plan.describe() + ". The queue is a cluster's"
                + " JoinableQueue on the Redis server; each cook and each eater is a task of a ProcessPool built with"
                + " .cluster(cluster), running in a worker process on one of the cluster's worker agents, on whichever"
                + " machine. The cooks return after their q.join(); the eaters loop for ever, like the lesson's daemon"
                + " eaters, and end when the main program terminates the pool. The queue is at least once: an item"
                + " whose eater dies before taskDone() goes to another eater.");
        try (Cluster cluster = builder.connect()) {
            Outcome outcome = ClusterProducerConsumer.run(plan, n, cluster);
            n.observe("Summary: " + outcome.summary() + ".");
            n.confirm(outcome.exactlyOnce(), outcome.verdict());
        }
        return n.surprises() == 0 ? 0 : 1;
    }

    private Plan plan() {
        if (redis != null && stop.sentinel) {
            throw new ParameterException(spec.commandLine(), "--redis runs the joinable version, not --sentinel");
        }
        if (redis == null && prefix != null) {
            throw new ParameterException(spec.commandLine(), "--prefix needs --redis");
        }
        try {
            Limits.atMost("--producers", producers, MAX_PROCESSES, " (each is a JVM)");
            Limits.atMost("--consumers", consumers, MAX_PROCESSES, " (each is a JVM)");
            Limits.atMost("--items", items, MAX_ITEMS, "");
            Limits.delayMillis("--delay-ms", delayMillis);
            return new Plan(stop.sentinel ? Mode.SENTINEL : Mode.JOINABLE, producers, consumers, items, delayMillis);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }
}
