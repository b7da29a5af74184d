package io.github.multiprocessing4j;

import io.github.multiprocessing4j.internal.pool.PoolParking;
import io.github.multiprocessing4j.internal.runtime.RuntimeContext;
import io.github.multiprocessing4j.internal.runtime.Spares;
import io.github.multiprocessing4j.testing.SharedObjects;
import io.github.multiprocessing4j.testing.TestFiles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class StartMethodTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @RegisterExtension
    final SharedObjects shared = new SharedObjects();

    @BeforeEach
    @AfterEach
    void noSpares() {
        Multiprocessing.discardSpares();
    }

    /** Starts and joins a warm child, then waits for the spare booted after it. */
    private static void bootASpareAfterAWarmStart() throws Exception {
        bootASpareAfterAWarmStart(() -> { });
    }

    /** @param target the first child's target, which tells the spare what the next one likely needs */
    private static void bootASpareAfterAWarmStart(SerializableRunnable target) throws Exception {
        ChildProcess first = ChildProcess.builder(target).startMethod(StartMethod.WARM).build();
        first.start();
        assertThat(first.join(WAIT)).isTrue();
        TestFiles.awaitCondition(() -> RuntimeContext.get().spares().readyCount() == 1, WAIT, "a spare JVM booted after a warm start");
    }

    /**
     * A spare makes a probe file in the shared-memory directory and deletes it at once; one killed
     * in between left it there for good. Named by the spare's pid now, the next spare removes it.
     */
    @Test
    void aSpareRemovesTheProbeFileOfASpareThatDiedBeforeDeletingIt() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Path leftOver = io.github.multiprocessing4j.internal.os.Platform.sharedMemoryRoot()
                .resolve("mp4j-spare-" + gone.pid() + ".tmp");
        Files.createFile(leftOver);
        try {
            bootASpareAfterAWarmStart(); // a spare counts as ready once launched: it prepares after
            TestFiles.awaitCondition(() -> !Files.exists(leftOver), WAIT, "the spare removing a dead spare's probe file");
        } finally {
            Files.deleteIfExists(leftOver);
        }
    }

    /**
     * Maven's {@code exec:java} interrupts the threads a program leaves behind and waits 15 s for
     * each one that does not end: the spares' thread ends when interrupted, and the next warm
     * start makes a new one, which boots spares again.
     */
    @Test
    void theSparesThreadEndsWhenInterruptedAndTheNextWarmStartBootsSparesAgain() throws Exception {
        bootASpareAfterAWarmStart();
        Thread spares = sparesThread();
        assertThat(spares).as("the spares' thread").isNotNull();
        spares.interrupt();
        spares.join(WAIT.toMillis());
        assertThat(spares.isAlive()).as("the spares' thread, interrupted").isFalse();

        Multiprocessing.discardSpares();
        bootASpareAfterAWarmStart();
        assertThat(sparesThread()).isNotNull().isNotSameAs(spares);
    }

    private static Thread sparesThread() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("mp4j-spares"))
                .findFirst().orElse(null);
    }

    /**
     * The first lambda a JVM links loads the lambda machinery, tens of milliseconds of a cold start
     * even with class-data sharing: nothing on a child's boot path may use one (a method reference
     * in a helper the boot calls did, unnoticed, until the benchmark showed it).
     */
    @Test
    void aColdChildBootsAndRunsALambdaTargetWithoutLinkingALambda(@TempDir Path dir) throws Exception {
        Path classes = dir.resolve("classes.txt");
        ChildProcess child = ChildProcess.builder(() -> System.out.print("")).startMethod(StartMethod.COLD)
                .jvmArgs("-Xlog:class+load:file=" + classes).build();
        child.start();
        assertThat(child.join(WAIT)).isTrue();
        assertThat(child.exitCode()).hasValue(0);
        assertThat(Files.readString(classes)).as("the classes the child loaded")
                .contains("io.github.multiprocessing4j.internal.launch.ChildMain")
                .doesNotContain("java.lang.invoke.LambdaMetafactory");
    }

    /**
     * A record's generated {@code equals}, {@code hashCode} and {@code toString} are linked at
     * their first call through {@code java.lang.runtime.ObjectMethods}, about 60 ms in a new JVM,
     * and a JVM's first regular expression (a glob included) costs it milliseconds: a program's
     * first start (and the spare booted after it) must use neither (the spares' map key, a record
     * once, and the listing of the machine's trees, by a glob, did, unnoticed, until timed).
     */
    @Test
    void aProgramsFirstStartLinksNoGeneratedRecordMethodOfTheLibraryNorARegularExpression(@TempDir Path dir)
            throws Exception {
        Path out = dir.resolve("root");
        Path linkage = dir.resolve("linkage.txt");
        Path classes = dir.resolve("classes.txt");
        Process root = new ProcessBuilder(TreeRoot.command(out, "once",
                "-Djava.lang.invoke.MethodHandle.TRACE_METHOD_LINKAGE=true", "-Xlog:class+load:file=" + classes))
                .redirectOutput(linkage.toFile()).redirectError(ProcessBuilder.Redirect.appendTo(linkage.toFile()))
                .start();
        TreeRoot.awaitExit(root, Duration.ofSeconds(120));
        assertThat(root.exitValue()).isZero();
        assertThat(Files.readString(out)).isEqualTo("done");
        List<String> lines = Files.readAllLines(linkage);
        assertThat(lines).as("the linkage trace").anyMatch(line -> line.startsWith("linkCallSite"));
        assertThat(lines).as("records' generated methods linked")
                .noneMatch(line -> line.contains("java.lang.runtime.ObjectMethods.bootstrap")
                        && line.contains("io.github.multiprocessing4j"));
        assertThat(Files.readString(classes)).as("the classes the program loaded")
                .contains("io.github.multiprocessing4j.internal.registry.LocalTreeRegistry")
                .doesNotContain("java.util.regex.Pattern ");
    }

    @Test
    void aWarmStartTakesTheSpareBootedAfterThePreviousStartAndIsTheSameKindOfChild() throws Exception {
        bootASpareAfterAWarmStart();

        Set<Long> spares = RuntimeContext.get().spares().readyPids();
        ProcessQueue<String> said = shared.track(new ProcessQueue<>());
        ChildProcess second = ChildProcess.builder(() -> said.put(Multiprocessing.currentProcess().name() + " "
                        + Multiprocessing.currentProcess().pid() + " " + Multiprocessing.parentProcess().orElseThrow().pid()
                        + " " + Multiprocessing.currentProcess().isDaemon()))
                .name("warm one").daemon(true).startMethod(StartMethod.WARM).build();
        second.start();
        assertThat(said.get(WAIT)).isEqualTo("warm one " + second.pid() + " " + ProcessHandle.current().pid() + " true");
        assertThat(second.join(WAIT)).isTrue();
        assertThat(second.exitCode()).hasValue(0);
        assertThat(spares).as("the child is the spare that was ready").containsExactly(second.pid());
    }

    @Test
    void aSpareAfterATargetThatNeededJdkDeserializationPreparesIt() throws Exception {
        java.math.BigDecimal price = new java.math.BigDecimal("1.50"); // no direct encoding (lists have one)
        bootASpareAfterAWarmStart(() -> price.signum());

        long spare = RuntimeContext.get().spares().readyPids().iterator().next();
        List<String> arguments = List.of(ProcessHandle.of(spare).orElseThrow().info().arguments().orElseThrow());
        assertThat(arguments).contains("-Dmp4j.spare.objectStreams=true");
    }

    @Test
    void aSpareAfterATargetThatCapturedOnlyDirectlyEncodedValuesLeavesJdkDeserializationUnprepared() throws Exception {
        ProcessQueue<String> queue = shared.track(new ProcessQueue<>());
        String word = "direct";
        bootASpareAfterAWarmStart(() -> queue.put(word));
        assertThat(queue.get(WAIT)).isEqualTo("direct");

        long spare = RuntimeContext.get().spares().readyPids().iterator().next();
        List<String> arguments = List.of(ProcessHandle.of(spare).orElseThrow().info().arguments().orElseThrow());
        assertThat(arguments).noneMatch(a -> a.startsWith("-Dmp4j.spare.objectStreams"));
        // the handles' classes it initialises all the same, named as they are today
        String warmUp = arguments.stream().filter(a -> a.startsWith("-Dmp4j.spare.warmUp=")).findFirst().orElseThrow();
        assertThat(List.of(warmUp.substring(warmUp.indexOf('=') + 1).split(",")))
                .contains(ProcessQueue.class.getName(), ProcessLock.class.getName(), SharedMemory.class.getName(),
                        io.github.multiprocessing4j.internal.shm.SharedSegment.class.getName())
                .allSatisfy(name -> assertThat(Class.forName(name)).isNotNull());
    }

    @Test
    void aSpareIsOnlyUsedByAChildWithTheSameJvmArguments() throws Exception {
        bootASpareAfterAWarmStart();

        Set<Long> spares = RuntimeContext.get().spares().readyPids();
        ChildProcess other = ChildProcess.builder(() -> { })
                .jvmArgs("-Dmp4j.test.other=1").startMethod(StartMethod.WARM).build();
        other.start();
        assertThat(spares).as("a fresh JVM for other JVM arguments").doesNotContain(other.pid());
        assertThat(other.join(WAIT)).isTrue();

        ChildProcess cold = ChildProcess.builder(() -> { }).startMethod(StartMethod.COLD).build();
        cold.start();
        assertThat(spares).as("a cold start never takes a spare").doesNotContain(cold.pid());
        assertThat(cold.join(WAIT)).isTrue();
        assertThat(RuntimeContext.get().spares().readyPids()).as("the spare is still there").containsAll(spares);
    }

    @Test
    void aConfigurationKeepsAsManySparesAsChildrenRanAtOnceUpToTheProcessors() throws Exception {
        int expected = Math.min(2, Runtime.getRuntime().availableProcessors());
        ProcessEvent release = shared.track(new ProcessEvent());
        ChildProcess a = ChildProcess.builder(release::await).startMethod(StartMethod.WARM).build();
        ChildProcess b = ChildProcess.builder(release::await).startMethod(StartMethod.WARM).build();
        a.start();
        b.start();
        release.set();
        assertThat(a.join(WAIT)).isTrue();
        assertThat(b.join(WAIT)).isTrue();
        TestFiles.awaitCondition(() -> RuntimeContext.get().spares().readyCount() == expected, WAIT, expected + " spares");

        Set<Long> spares = RuntimeContext.get().spares().readyPids();
        ChildProcess c = ChildProcess.builder(() -> { }).startMethod(StartMethod.WARM).build();
        ChildProcess d = ChildProcess.builder(() -> { }).startMethod(StartMethod.WARM).build();
        c.start();
        d.start();
        assertThat(spares).contains(c.pid());
        if (expected == 2) {
            assertThat(spares).contains(d.pid());
        }
        assertThat(c.join(WAIT)).isTrue();
        assertThat(d.join(WAIT)).isTrue();
    }

    @Test
    void aPoolOfWarmWorkersTakesTheSparesThatTheLastPoolLeft() throws Exception {
        System.setProperty(PoolParking.KEEP_ALIVE_PROPERTY, "0"); // the pools' workers end with them: spares follow
        try {
            poolsTakeTheSparesTheLastPoolLeft();
        } finally {
            System.clearProperty(PoolParking.KEEP_ALIVE_PROPERTY);
        }
    }

    private static void poolsTakeTheSparesTheLastPoolLeft() throws Exception {
        int expected = Math.min(2, Runtime.getRuntime().availableProcessors());
        try (ProcessPool first = ProcessPool.builder().processes(2).startMethod(StartMethod.WARM).build()) {
            assertThat(first.map((Integer x) -> x * 2, List.of(1, 2, 3))).containsExactly(2, 4, 6);
        }
        // Twice: the spares a pool takes are all replaced, although its workers start one after
        // the other (the first one's start saw the second spare still ready).
        for (int round = 0; round < 2; round++) {
            TestFiles.awaitCondition(() -> RuntimeContext.get().spares().readyCount() == expected, WAIT, expected + " spares");
            Set<Long> spares = RuntimeContext.get().spares().readyPids();
            try (ProcessPool next = ProcessPool.builder().processes(2).startMethod(StartMethod.WARM).build()) {
                assertThat(next.map((Integer x) -> x * 3, List.of(1, 2, 3))).containsExactly(3, 6, 9);
                if (expected == 2) {
                    assertThat(next.workerPids()).as("workers that were spares").containsExactlyInAnyOrderElementsOf(spares);
                } else {
                    assertThat(next.workerPids()).as("workers that were spares").containsAnyElementsOf(spares);
                }
            }
        }
        try (ProcessPool cold = ProcessPool.builder().processes(1).startMethod(StartMethod.COLD).build()) {
            assertThat(cold.apply(() -> 7)).isEqualTo(7);
        }
    }

    @Test
    void aRunningPoolBootsNoSpareBesideItsWorkersUnlessItReplacesThem() throws Exception {
        try (ProcessPool pool = ProcessPool.builder().processes(2).startMethod(StartMethod.WARM).build()) {
            assertThat(pool.map((Integer x) -> x * 2, List.of(1, 2, 3))).containsExactly(2, 4, 6);
            Thread.sleep(500); // a spare asked for at a worker's start boots once the worker has
            assertThat(RuntimeContext.get().spares().readyCount()).as("spares while the pool runs").isZero();
        }
        Multiprocessing.discardSpares(); // the ones booted for a next pool
        int expected = Math.min(2, Runtime.getRuntime().availableProcessors());
        try (ProcessPool replacing = ProcessPool.builder().processes(2).maxTasksPerChild(1)
                .startMethod(StartMethod.WARM).build()) {
            assertThat(replacing.map((Integer x) -> x * 2, List.of(1, 2, 3), 1)).containsExactly(2, 4, 6);
            TestFiles.awaitCondition(() -> RuntimeContext.get().spares().readyCount() == expected, WAIT,
                    expected + " spares for the replacements");
        }
    }

    @Test
    void sparesBeyondOneEndOnceTheyHaveWaitedTooLongForAStart() throws Exception {
        Assumptions.assumeTrue(Runtime.getRuntime().availableProcessors() >= 2, "two spares after a pool of two");
        System.setProperty(Spares.IDLE_PROPERTY, "3");
        try {
            try (ProcessPool pool = ProcessPool.builder().processes(2).startMethod(StartMethod.WARM).build()) {
                assertThat(pool.map((Integer x) -> x * 2, List.of(1, 2, 3))).containsExactly(2, 4, 6);
            }
            Spares spares = RuntimeContext.get().spares();
            TestFiles.awaitCondition(() -> spares.readyCount() == 2, WAIT, "two spares for a next pool");
            Set<Long> booted = spares.readyPids();
            TestFiles.awaitCondition(() -> spares.readyCount() == 1, WAIT, "one spare left once they waited 3 s");
            Set<Long> left = spares.readyPids();
            assertThat(booted).containsAll(left);
            for (long pid : booted) {
                if (!left.contains(pid)) {
                    TestFiles.awaitCondition(() -> ProcessHandle.of(pid).filter(ProcessHandle::isAlive).isEmpty(), WAIT,
                            "the spare " + pid + " ended");
                }
            }
            Thread.sleep(4_000); // the last one stays, however long it waits
            assertThat(spares.readyPids()).isEqualTo(left);
            assertThat(ProcessHandle.of(left.iterator().next()).filter(ProcessHandle::isAlive)).isPresent();
        } finally {
            System.clearProperty(Spares.IDLE_PROPERTY);
        }
    }

    @Test
    void prestartedSparesStayHoweverLongTheyWait() throws Exception {
        System.setProperty(Spares.IDLE_PROPERTY, "0.5");
        try {
            Multiprocessing.prestart(2);
            Spares spares = RuntimeContext.get().spares();
            TestFiles.awaitCondition(() -> spares.readyCount() == 2, WAIT, "two prestarted spares");
            Set<Long> booted = spares.readyPids();
            Thread.sleep(2_000);
            assertThat(spares.readyPids()).isEqualTo(booted);
        } finally {
            System.clearProperty(Spares.IDLE_PROPERTY);
        }
    }

    @Test
    void aWarmChildFailsAndExitsLikeAColdOne() throws Exception {
        for (int i = 0; i < 3; i++) { // the first is cold, the others warm
            ChildProcess failing = ChildProcess.builder(() -> {
                throw new IllegalStateException("boom");
            }).startMethod(StartMethod.WARM).build();
            failing.start();
            assertThat(failing.join(WAIT)).isTrue();
            assertThat(failing.exitCode()).hasValue(1);
            assertThat(failing.failure()).get().isInstanceOf(IllegalStateException.class);
            ChildProcess exiting = ChildProcess.builder(() -> System.exit(7)).startMethod(StartMethod.WARM).build();
            exiting.start();
            assertThat(exiting.join(WAIT)).isTrue();
            assertThat(exiting.exitCode()).hasValue(7);
        }
    }

    @Test
    void noSpareIsBootedForJvmArgumentsThatStopAJvmFromBooting() throws Exception {
        ChildProcess broken = ChildProcess.builder(() -> { }).jvmArgs("-Xmx1k").startMethod(StartMethod.WARM).build();
        broken.start();
        assertThat(broken.join(WAIT)).isTrue();
        assertThat(broken.exitCode()).hasValue(1);
        Thread.sleep(300); // give a wrongly started refill the time to show up
        assertThat(RuntimeContext.get().spares().readyCount()).isZero();
    }

}
