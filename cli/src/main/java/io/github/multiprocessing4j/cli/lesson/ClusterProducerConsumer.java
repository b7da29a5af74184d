package io.github.multiprocessing4j.cli.lesson;

import io.github.multiprocessing4j.ProcessJoinableQueue;
import io.github.multiprocessing4j.ProcessPool;
import io.github.multiprocessing4j.ProcessQueue;
import io.github.multiprocessing4j.SerializableCallable;
import io.github.multiprocessing4j.SharedLong;
import io.github.multiprocessing4j.cli.lesson.ProducerConsumer.Eaten;
import io.github.multiprocessing4j.cli.lesson.ProducerConsumer.Outcome;
import io.github.multiprocessing4j.cli.lesson.ProducerConsumer.Plan;
import io.github.multiprocessing4j.cli.support.Narrator;
import io.github.multiprocessing4j.redis.AgentStatus;
import io.github.multiprocessing4j.redis.Cluster;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

import static io.github.multiprocessing4j.cli.support.Narrator.plural;

/**
 * The lesson's producer-consumer model across machines ({@code mp4j lesson producer-consumer
 * --redis URL}): the same cooks and eaters around a {@link ProcessJoinableQueue}, but the queue is
 * a cluster's, on the Redis server, and each cook and each eater is a task of a cluster
 * {@link ProcessPool}, running in a worker on one of the cluster's worker agents
 * ({@code mp4j worker}), wherever they are.
 *
 * <p>What changes against {@link ProducerConsumer}'s joinable version: a task's output goes to
 * its own machine's terminal, so cooks and eaters send their lines back through a cluster queue
 * (the main program prints them, each saying who sent it and from which {@code host:pid}); eaters cannot be
 * daemons of the main process, so they are daemon-like: tasks that loop for ever, ended by
 * {@link ProcessPool#terminate()} once the cooks have returned and {@code q.join()} has returned.
 * The queue is at least once: an item whose eater dies before {@code taskDone()} is given to
 * another eater, so the summary could show it eaten twice (never lost).
 *
 * <p>Implementation notes. The pool has one worker per cook and per eater, and the eaters never
 * return: a cook queued behind an eater on one worker would wait for ever. The pool gives a
 * task to the worker holding the fewest, so with as many workers as tasks each gets one; and
 * the agents must have that many free slots, which is checked first. The eaters' records and
 * lines are puts that may travel behind (batched); each eater's {@code taskDone()} goes in order
 * after its put of the record, so once {@code q.join()} has returned, every record is on the
 * server. The objects are named after the run ({@code lesson-pc-XXXXXXXX-...}) and deleted at
 * the end.
 */
final class ClusterProducerConsumer {
    private static final Duration RELAY_POLL = Duration.ofMillis(100);

    private ClusterProducerConsumer() {
    }

    /**
     * Runs the model on the cluster's agents, narrating it. Every task has ended (the eaters
     * terminated) when this returns.
     *
     * @throws IllegalStateException when the cluster's agents have fewer free processes than
     *     cooks and eaters together
     * @throws InterruptedException when interrupted while waiting for the cooks
     */
    static Outcome run(Plan plan, Narrator n, Cluster cluster) throws InterruptedException {
        int needed = plan.producers() + plan.consumers();
        List<AgentStatus> agents = AgentStatus.list(cluster).stream()
                .filter(a -> a.state() == AgentStatus.State.RUNNING).toList();
        int free = agents.stream().mapToInt(a -> a.processes() - a.busy()).sum();
        if (free < needed) {
            throw new IllegalStateException("the worker agents of " + cluster.server() + " (prefix " + cluster.prefix()
                    + ") have " + free + " free processes, and this lesson needs " + needed + " (one per cook and eater):"
                    + " start more with 'mp4j worker', or lower --producers/--consumers");
        }
        n.observe(plural(agents.size(), "worker agent") + " on " + cluster.server() + ": " + agents.stream()
                .map(a -> a.id() + " (" + (a.processes() - a.busy()) + " free)").collect(Collectors.joining(", ")) + ".");
        String run = "lesson-pc-" + UUID.randomUUID().toString().substring(0, 8);
        ProcessJoinableQueue<String> q = cluster.joinableQueue(run + "-food");
        ProcessQueue<Eaten> eatenQueue = cluster.queue(run + "-eaten");
        ProcessQueue<String> lines = cluster.queue(run + "-lines");
        SharedLong made = cluster.sharedLong(run + "-made");
        long started = System.nanoTime();
        ProcessPool pool = ProcessPool.builder().cluster(cluster).processes(needed).build();
        try {
            n.act("q = cluster.joinableQueue(\"" + run + "-food\"); a pool of " + needed + " workers on the agents;"
                    + " submitting " + plural(plan.consumers(), "eater") + " (tasks that loop for ever) and "
                    + plural(plan.producers(), "cook") + ".");
            List<Future<String>> eaters = new ArrayList<>();
            for (int eater = 1; eater <= plan.consumers(); eater++) {
                eaters.add(pool.submit(new Eater("eater-" + eater, plan.delayMillis(), q, eatenQueue, lines)));
            }
            Map<String, Future<String>> cooks = new LinkedHashMap<>();
            for (int cook = 1; cook <= plan.producers(); cook++) {
                String name = ProducerConsumer.cookName(cook);
                cooks.put(name, pool.submit(new Cook(name, ProducerConsumer.food(cook), plan.items(), plan.delayMillis(),
                        q, made, lines)));
            }
            n.act("Waiting for the cooks' tasks, each of which waits in q.join() until every item is eaten; the lines"
                    + " starting with '|' are the tasks', sent back through a cluster queue.");
            while (!cooks.values().stream().allMatch(Future::isDone)) {
                relay(lines.poll(RELAY_POLL), n);
            }
            int crashed = 0;
            for (Map.Entry<String, Future<String>> cook : cooks.entrySet()) {
                try {
                    n.observe(cook.getKey() + " ran on " + cook.getValue().get() + ".");
                } catch (ExecutionException e) {
                    crashed++;
                    n.failed(cook.getKey() + " failed: " + e.getCause());
                }
            }
            q.join(); // the lesson's q.join(): returns at once now
            relay(lines.poll(RELAY_POLL), n);
            for (String line = lines.poll(); line != null; line = lines.poll()) {
                relay(line, n);
            }
            n.observe("The cooks have returned, so every item put was taskDone(): the main program's q.join() returns"
                    + " at once, " + plural(q.unfinishedTasks(), "unfinished task") + " left. The eaters wait in q.get()"
                    + " for food that will not come: pool.terminate() ends them, as the main process's end ends daemons.");
            List<Eaten> eaten = new ArrayList<>();
            for (Eaten record = eatenQueue.poll(); record != null; record = eatenQueue.poll()) {
                eaten.add(record);
            }
            pool.terminate();
            for (Future<String> eater : eaters) {
                if (eater.isDone() && !eater.isCancelled()) {
                    crashed += ended(eater, n);
                }
            }
            return new Outcome(plan, made.get(), eaten, crashed, List.of(), (System.nanoTime() - started) / 1_000_000);
        } finally {
            pool.terminate();
            q.close();
            eatenQueue.close();
            lines.close();
            made.close();
        }
    }

    /** @return 1 when an eater ended before it was terminated (it failed), else 0 */
    private static int ended(Future<String> eater, Narrator n) throws InterruptedException {
        try {
            eater.get();
            return 0;
        } catch (ExecutionException e) {
            n.failed("an eater failed: " + e.getCause());
            return 1;
        }
    }

    private static void relay(String line, Narrator n) {
        if (line != null) {
            n.relay(line);
        }
    }

    /** @return "host:pid" of the calling process */
    static String whereAmI() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "localhost";
        }
        return host + ":" + ProcessHandle.current().pid();
    }

    /** The lesson's {@code producer(name, food, q)} as a pool task; returns where it ran. */
    private record Cook(String name, String food, int items, long delayMillis, ProcessJoinableQueue<String> q,
                        SharedLong made, ProcessQueue<String> lines) implements SerializableCallable<String> {
        @Override
        public String call() throws InterruptedException {
            String me = name + " on " + whereAmI();
            for (int i = 0; i < items; i++) {
                ProducerConsumer.randomDelay(delayMillis);
                q.put(ProducerConsumer.item(name, food, i));
                made.incrementAndGet();
                lines.put(me + ": made " + food + " #" + i);
            }
            lines.put(me + ": made all " + items + "; q.join() waits until every item in the queue is eaten");
            q.join();
            lines.put(me + ": q.join() returned: all that was put so far is eaten, so I return");
            return whereAmI();
        }
    }

    /** The lesson's {@code consumer(name, q)} as a pool task that never returns: ended by the pool's terminate(). */
    private record Eater(String name, long delayMillis, ProcessJoinableQueue<String> q, ProcessQueue<Eaten> eaten,
                         ProcessQueue<String> lines) implements SerializableCallable<String> {
        @Override
        public String call() throws InterruptedException {
            String me = name + " on " + whereAmI();
            while (true) {
                String food = q.get();
                ProducerConsumer.randomDelay(delayMillis);
                eaten.put(new Eaten(me, food));
                lines.put(me + ": ate " + food);
                q.taskDone(); // after the record: once q.join() returns, every record is on the server
            }
        }
    }
}
