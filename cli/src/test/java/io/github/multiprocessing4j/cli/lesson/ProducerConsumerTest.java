package io.github.multiprocessing4j.cli.lesson;

import io.github.multiprocessing4j.ChildProcess;
import io.github.multiprocessing4j.cli.Mp4jRun;
import io.github.multiprocessing4j.cli.lesson.ProducerConsumer.Eaten;
import io.github.multiprocessing4j.cli.lesson.ProducerConsumer.Mode;
import io.github.multiprocessing4j.cli.lesson.ProducerConsumer.Outcome;
import io.github.multiprocessing4j.cli.lesson.ProducerConsumer.Plan;
import io.github.multiprocessing4j.cli.support.ChildGroup;
import io.github.multiprocessing4j.cli.support.Narrator;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The cooks and eaters of {@code mp4j lesson producer-consumer}, with real processes, in both
 * modes: every item made is eaten exactly once, the sentinels stop the eaters, the daemon eaters
 * end with the main process. The command runs as its own JVM, so that its children's lines are
 * read here; the in-process run prints them on this JVM's stdout, unchecked.
 */
class ProducerConsumerTest {
    private static final Pattern ATE = Pattern.compile("\\| (eater-\\d+) \\(pid \\d+\\): ate (cook-\\d+'s \\S+ #\\d+)");

    private static Mp4jRun.Result command(String... options) throws Exception {
        List<String> args = new ArrayList<>(List.of("lesson", "producer-consumer"));
        args.addAll(List.of(options));
        Mp4jRun.Result result = Mp4jRun.asProcess(args.toArray(String[]::new));
        assertThat(result.exitCode()).as("exit code; it printed:%n%s%s", result.out(), result.err()).isZero();
        assertThat(result.err()).isEmpty();
        assertThat(result.out()).doesNotContain("!!");
        return result;
    }

    /** Checks that each item of the plan was made, and eaten exactly once, by the lines the processes printed. */
    private static void assertEveryItemMadeAndEatenOnce(String out, Plan plan) {
        Map<String, Long> eaten = ATE.matcher(out).results().map(m -> m.group(2))
                .collect(Collectors.groupingBy(item -> item, Collectors.counting()));
        List<String> expected = plan.expectedItems();
        assertThat(eaten).as("items eaten, with how many times").hasSize(expected.size())
                .allSatisfy((item, times) -> assertThat(times).as(item).isEqualTo(1L));
        assertThat(eaten.keySet()).containsExactlyInAnyOrderElementsOf(expected);
        for (String item : expected) {
            Matcher m = Pattern.compile("(cook-\\d+)'s (\\S+) (#\\d+)").matcher(item);
            assertThat(m.matches()).isTrue();
            assertThat(out).contains("| " + m.group(1) + " (pid ").containsPattern("\\| " + m.group(1)
                    + " \\(pid \\d+\\): made " + m.group(2) + " " + m.group(3) + "\\R");
        }
        assertThat(out.replaceAll("\\s+", " ")).contains("Summary: " + expected.size() + " items made, "
                + expected.size() + " eaten").contains("OK Every one of the " + expected.size()
                + " items made was eaten exactly once: none lost, none eaten twice.");
    }

    @Test
    void joinableByDefaultEveryItemIsEatenOnceAndTheDaemonEatersEndWithTheMainProcess() throws Exception {
        Mp4jRun.Result result = command("--items", "4", "--delay-ms", "5");

        String out = result.out();
        String flat = out.replaceAll("\\s+", " ");
        assertEveryItemMadeAndEatenOnce(out, new Plan(Mode.JOINABLE, 2, 2, 4, 5));
        assertThat(flat).contains("q = new ProcessJoinableQueue<String>()").doesNotContain("sentinel: no more food")
                .contains("returns at once, 0 unfinished tasks left");
        assertThat(out).containsPattern("\\| cook-1 \\(pid \\d+\\): made all 4; q.join\\(\\) waits")
                .containsPattern("\\| cook-2 \\(pid \\d+\\): q.join\\(\\) returned");
        assertThat(flat).contains("Its daemon eaters");
        Matcher daemons = Pattern.compile("(eater-\\d) pid (\\d+)").matcher(flat.substring(flat.indexOf("Its daemon eaters")));
        List<Long> eaterPids = daemons.results().map(m -> Long.parseLong(m.group(2))).toList();
        assertThat(eaterPids).as("the daemon eaters named at the end").hasSize(2);
        for (long pid : eaterPids) {
            ProcessHandle.of(pid).ifPresent(eater -> eater.onExit().orTimeout(5, TimeUnit.SECONDS).join());
            assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).as("daemon eater %d", pid).isEmpty();
        }
    }

    @Test
    void withSentinelsEveryEaterStopsOnOneAndEveryItemIsEatenOnce() throws Exception {
        Mp4jRun.Result result = command("--sentinel", "--producers", "3", "--consumers", "2", "--items", "3",
                "--delay-ms", "5");

        String out = result.out();
        assertEveryItemMadeAndEatenOnce(out, new Plan(Mode.SENTINEL, 3, 2, 3, 5));
        assertThat(out.replaceAll("\\s+", " ")).contains("q = new ProcessQueue<String>()")
                .contains("q.put(SENTINEL) 2 times").doesNotContain("Its daemon eaters");
        assertThat(out).containsPattern("\\| cook-3 \\(pid \\d+\\): made dumpling #2");
        assertThat(out.indexOf("q.put(SENTINEL)")).as("the sentinels are put after the cooks have ended")
                .isGreaterThan(out.lastIndexOf("): made "));
        for (String eater : List.of("eater-1", "eater-2")) {
            Pattern sentinel = Pattern.compile("\\| " + eater + " \\(pid \\d+\\): got the sentinel");
            assertThat(sentinel.matcher(out).results().count()).as("sentinels got by %s", eater).isEqualTo(1);
            int lastAte = ATE.matcher(out).results().filter(m -> m.group(1).equals(eater)).mapToInt(m -> m.start())
                    .max().orElse(-1);
            assertThat(out.indexOf("| " + eater + " (pid ", Math.max(0, lastAte + 1))).as("%s stops after its last item", eater)
                    .isEqualTo(sentinel.matcher(out).results().findFirst().orElseThrow().start());
        }
    }

    @Test
    void runLeavesTheDaemonEatersWaitingUntilTheGroupIsClosed() throws Exception {
        Plan plan = new Plan(Mode.JOINABLE, 3, 3, 5, 0);
        StringWriter narration = new StringWriter();
        Outcome outcome;
        List<ChildProcess> eaters;
        try (ChildGroup group = new ChildGroup()) {
            outcome = ProducerConsumer.run(plan, new Narrator(new PrintWriter(narration)), group);
            eaters = outcome.eatersAlive();
            assertThat(eaters).as("daemon eaters still waiting in get()").hasSize(3).allMatch(ChildProcess::isDaemon);
        }

        assertThat(outcome.exactlyOnce()).as(outcome.verdict()).isTrue();
        assertThat(outcome.made()).isEqualTo(15);
        assertThat(outcome.eaten()).extracting(Eaten::item).containsExactlyInAnyOrderElementsOf(plan.expectedItems());
        assertThat(eaters).noneMatch(ChildProcess::isAlive);
    }

    @Test
    void withNoItemsTheEatersStopAtOnce() throws Exception {
        Plan plan = new Plan(Mode.SENTINEL, 1, 2, 0, 0);
        try (ChildGroup group = new ChildGroup()) {
            Outcome outcome = ProducerConsumer.run(plan, new Narrator(new PrintWriter(new StringWriter())), group);

            assertThat(outcome.exactlyOnce()).isTrue();
            assertThat(outcome.eaten()).isEmpty();
            assertThat(outcome.eatersAlive()).isEmpty();
            assertThat(outcome.verdict()).startsWith("Every one of the 0 items");
        }
    }

    @Test
    void theVerdictNamesItemsLostEatenTwiceOrNeverMade() {
        Plan plan = new Plan(Mode.SENTINEL, 1, 2, 3, 0);
        List<Eaten> eaten = List.of(new Eaten("eater-1", "cook-1's bun #0"), new Eaten("eater-2", "cook-1's bun #0"),
                new Eaten("eater-1", "cook-1's bun #1"), new Eaten("eater-2", "cook-9's cake #7"));

        Outcome outcome = new Outcome(plan, 3, eaten, 0, List.of(), 100);

        assertThat(outcome.exactlyOnce()).isFalse();
        assertThat(outcome.neverEaten()).containsExactly("cook-1's bun #2");
        assertThat(outcome.eatenTwice()).containsExactly(Map.entry("cook-1's bun #0", 2L));
        assertThat(outcome.unknown()).containsExactly("cook-9's cake #7");
        assertThat(outcome.verdict()).isEqualTo("NOT exactly once: never eaten: cook-1's bun #2; eaten more than once:"
                + " cook-1's bun #0 (2 times); eaten but never made: cook-9's cake #7.");
        assertThat(outcome.summary()).startsWith("3 items made, 4 eaten (eater-1: 2, eater-2: 2)");
    }

    @Test
    void aCrashedProcessOrAMissingItemIsNotExactlyOnce() {
        Plan plan = new Plan(Mode.JOINABLE, 1, 1, 1, 0);
        List<Eaten> all = List.of(new Eaten("eater-1", "cook-1's bun #0"));

        assertThat(new Outcome(plan, 1, all, 0, List.of(), 0).exactlyOnce()).isTrue();
        assertThat(new Outcome(plan, 1, all, 1, List.of(), 0).verdict())
                .startsWith("NOT exactly once: 1 process did not end normally");
        assertThat(new Outcome(plan, 0, List.of(), 0, List.of(), 0).verdict())
                .isEqualTo("NOT exactly once: the cooks made 0 of 1 items; never eaten: cook-1's bun #0.");
    }

}
