package io.github.multiprocessing4j;

import io.github.multiprocessing4j.internal.launch.ChildCommand;
import io.github.multiprocessing4j.testing.TestFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.ref.Reference;
import java.lang.ref.WeakReference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.stream.Collectors;

import static io.github.multiprocessing4j.testing.TestFiles.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ChildProcessTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void aFailureFileThatADeadNamesakeLeftIsNotTakenForTheFailureOfAChildThatExitedWithZero() throws Exception {
        Path gate = dir.resolve("gate");
        String gatePath = gate.toString();
        ChildProcess p = new ChildProcess(() -> {
            while (!Files.exists(Path.of(gatePath))) {
                Thread.sleep(5);
            }
        });
        p.start();
        // as a process that had this pid and died after writing its failure would have left it
        io.github.multiprocessing4j.internal.process.ProcessContext.current().registry().putFailure(p.pid(),
                io.github.multiprocessing4j.internal.serial.Serialization.serializeFailure(new IllegalStateException("stale")));
        Files.createFile(gate);
        assertThat(p.join(Duration.ofSeconds(60))).isTrue();
        assertThat(p.exitCode()).hasValue(0);
        assertThat(p.failure()).isEmpty();
    }

    @Test
    void aJvmNotStartedByTheLibraryIsTheMainProcessWithoutParent() {
        assertThat(Multiprocessing.currentProcess().name()).isEqualTo("MainProcess");
        assertThat(Multiprocessing.currentProcess().pid()).isEqualTo(ProcessHandle.current().pid());
        assertThat(Multiprocessing.currentProcess().isDaemon()).isFalse();
        assertThat(Multiprocessing.parentProcess()).isEmpty();
        assertThat(Multiprocessing.currentProcess().isAlive()).isTrue();
        assertThat(Multiprocessing.cpuCount()).isEqualTo(Runtime.getRuntime().availableProcessors());
    }

    @Test
    void childKnowsItsPidNameAndParent() throws Exception {
        String out = dir.resolve("who").toString();
        ChildProcess p = new ChildProcess("buyer-1", () -> {
            ProcessInfo me = Multiprocessing.currentProcess();
            ProcessInfo parent = Multiprocessing.parentProcess().orElseThrow();
            TestFiles.write(out, me.pid() + " " + ProcessHandle.current().pid() + " " + me.name() + " "
                    + me.isDaemon() + " " + parent.pid() + " " + parent.name() + " " + parent.isAlive() + " "
                    + ProcessHandle.current().parent().orElseThrow().pid());
        });
        p.start();
        p.join();

        String[] who = Files.readString(Path.of(out)).split(" ");
        long parentPid = ProcessHandle.current().pid();
        assertThat(who).containsExactly(String.valueOf(p.pid()), String.valueOf(p.pid()), "buyer-1", "false",
                String.valueOf(parentPid), "MainProcess", "true", String.valueOf(parentPid));
        assertThat(p.exitCode()).hasValue(0);
        assertThat(p.failure()).isEmpty();
    }

    @Test
    void defaultNamesCountUpFromOnePerParent() {
        ChildProcess first = new ChildProcess(() -> { });
        ChildProcess second = new ChildProcess(() -> { });
        assertThat(first.name()).matches("ChildProcess-\\d+");
        int n = Integer.parseInt(first.name().substring("ChildProcess-".length()));
        assertThat(n).isPositive();
        assertThat(second.name()).isEqualTo("ChildProcess-" + (n + 1));
    }

    @Test
    void exitCodeIsZeroWhenTheTargetReturns() throws Exception {
        assertThat(runToEnd(new ChildProcess(() -> { })).exitCode()).hasValue(0);
    }

    @Test
    void exitCodeIsOneAndTheFailureComesBackWhenTheTargetThrows() throws Exception {
        ChildProcess p = runToEnd(new ChildProcess(() -> {
            throw new java.io.IOException("no ticket left");
        }));
        assertThat(p.exitCode()).hasValue(1);
        assertThat(p.failure().orElseThrow()).isInstanceOf(java.io.IOException.class)
                .hasMessage("no ticket left");
        assertThat(p.failure().get().getStackTrace()[0].getClassName()).isEqualTo(ChildProcessTest.class.getName());
    }

    @Test
    void anExceptionThatCannotBeSerializedComesBackAsAStandIn() throws Exception {
        ChildProcess p = runToEnd(new ChildProcess(ChildProcessTest::throwUnserializable));
        assertThat(p.exitCode()).hasValue(1);
        assertThat(p.failure()).get().extracting(Throwable::getMessage).asString()
                .contains(Unserializable.class.getName()).contains("carries a thread");
    }

    @Test
    void exitCodeIsWhatSystemExitWasGiven() throws Exception {
        assertThat(runToEnd(new ChildProcess(() -> System.exit(7))).exitCode()).hasValue(7);
    }

    @Test
    void systemExit137IsToldApartFromSigkill() throws Exception {
        ChildProcess exited = runToEnd(new ChildProcess(() -> System.exit(137)));
        ChildProcess killed = new ChildProcess(() -> Thread.sleep(60_000));
        killed.start();
        killed.kill();
        killed.join();
        assertThat(exited.exitCode()).hasValue(137);
        assertThat(killed.exitCode()).hasValue(-9);
    }

    @Test
    void haltWithoutShutdownHooksKeepsItsCode() throws Exception {
        assertThat(runToEnd(new ChildProcess(() -> Runtime.getRuntime().halt(3))).exitCode()).hasValue(3);
    }

    @Test
    void terminateEndsTheChildWithMinus15AndIsAliveTurnsFalse() throws Exception {
        String ready = dir.resolve("ready").toString();
        ChildProcess p = new ChildProcess(() -> {
            TestFiles.write(ready, "up");
            Thread.sleep(60_000);
        });
        assertThat(p.isAlive()).isFalse();
        p.start();
        assertThat(p.isAlive()).isTrue();
        await(Path.of(ready), WAIT);
        assertThat(p.join(Duration.ofMillis(50))).isFalse();
        assertThat(p.exitCode()).isEmpty();
        p.terminate();
        assertThat(p.join(WAIT)).isTrue();
        assertThat(p.isAlive()).isFalse();
        assertThat(p.exitCode()).hasValue(-15);
        assertThat(p.failure()).isEmpty();
    }

    @org.junit.jupiter.api.RepeatedTest(10)
    void terminateAtAnyMomentOfTheChildsBootStillReadsAsSigterm() throws Exception {
        ChildProcess p = new ChildProcess(() -> Thread.sleep(60_000));
        p.start();
        Thread.sleep(java.util.concurrent.ThreadLocalRandom.current().nextInt(120));
        p.terminate();
        assertThat(p.join(WAIT)).isTrue();
        assertThat(p.exitCode()).hasValue(-15);
    }

    @Test
    void interruptSendsSigintTheChildRunsItsShutdownHooksAndExitsWithMinus2() throws Exception {
        String ready = dir.resolve("ready").toString();
        String hook = dir.resolve("hook").toString();
        ChildProcess p = new ChildProcess(() -> {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> TestFiles.write(hook, "ran")));
            TestFiles.write(ready, "up");
            Thread.sleep(60_000);
        });
        assertThatThrownBy(p::interrupt).isInstanceOf(IllegalStateException.class);
        p.start();
        await(Path.of(ready), WAIT);
        p.interrupt();
        assertThat(p.join(WAIT)).isTrue();
        assertThat(p.exitCode()).hasValue(-2);
        assertThat(p.failure()).isEmpty();
        assertThat(Files.readString(Path.of(hook))).isEqualTo("ran");
    }

    @Test
    void aProgramStartedWithSigintIgnoredStillInterruptsItsChildren() throws Exception {
        String javaCommand = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process program = new ProcessBuilder("/usr/bin/env", "--ignore-signal=INT", javaCommand, "-cp",
                System.getProperty("java.class.path"), InterruptingProgram.class.getName(), dir.resolve("ready").toString())
                .redirectErrorStream(true).start();
        try {
            String output = new String(program.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(program.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            assertThat(output).contains("the child's exit code: -2");
        } finally {
            program.destroyForcibly();
        }
    }

    /** A program that interrupts its child and says how the child ended; started with SIGINT ignored. */
    public static final class InterruptingProgram {
        public static void main(String[] args) throws Exception {
            String ready = args[0];
            ChildProcess child = new ChildProcess(() -> {
                TestFiles.write(ready, "up");
                Thread.sleep(60_000);
            });
            child.start();
            await(Path.of(ready), WAIT);
            child.interrupt();
            if (!child.join(Duration.ofSeconds(10))) {
                child.kill(); // SIGINT did not reach it
                child.join();
            }
            System.out.println("the child's exit code: " + child.exitCode().orElseThrow());
        }
    }

    @Test
    void terminateAndKillAfterTheEndDoNothing() throws Exception {
        ChildProcess p = runToEnd(new ChildProcess(() -> { }));
        p.interrupt();
        p.terminate();
        p.kill();
        assertThat(p.exitCode()).hasValue(0);
    }

    @Test
    void aStartedProcessDropsItsTargetAndWhatTheTargetCaptured() throws Exception {
        byte[] payload = new byte[1 << 20];
        WeakReference<byte[]> captured = new WeakReference<>(payload);
        ChildProcess p = capturing(payload);
        payload = null; // only the process object holds it now, through its target
        p.start();
        assertThat(p.join(WAIT)).isTrue();
        assertThat(p.exitCode()).hasValue(0);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!captured.refersTo(null) && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(10);
        }
        assertThat(captured.refersTo(null)).as("what the target captured was collected once the process had started"
                + " (CPython drops the target in start())").isTrue();
        assertThat(p.toString()).contains("stopped exitcode=0"); // the process object itself lives on
        Reference.reachabilityFence(p);
    }

    private static ChildProcess capturing(byte[] payload) {
        return new ChildProcess(() -> {
            if (payload.length != 1 << 20) {
                throw new IllegalStateException("the payload came with " + payload.length + " bytes");
            }
        });
    }

    @Test
    void aTargetCapturingSomethingUnserializableFailsAtStartNamingTheClass() {
        Multiprocessing.discardSpares(); // the spares' thread may spawn one for an earlier start at any time
        Unserializable resource = new Unserializable();
        ChildProcess p = new ChildProcess(() -> System.out.println(resource));
        List<Long> childrenBefore = ProcessHandle.current().children().map(ProcessHandle::pid).collect(Collectors.toList());
        assertThatThrownBy(p::start).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(Unserializable.class.getName());
        assertThat(ProcessHandle.current().children().map(ProcessHandle::pid)).as("no process started")
                .containsExactlyInAnyOrderElementsOf(childrenBefore);
        assertThatThrownBy(p::pid).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void misuseGetsIllegalStateException() throws Exception {
        ChildProcess p = new ChildProcess(() -> { });
        assertThatThrownBy(p::pid).isInstanceOf(IllegalStateException.class).hasMessageContaining("not been started");
        assertThatThrownBy(p::join).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(p::terminate).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(p::toHandle).isInstanceOf(IllegalStateException.class);
        p.start();
        assertThatThrownBy(p::start).isInstanceOf(IllegalStateException.class).hasMessageContaining("already started");
        assertThatThrownBy(() -> p.setDaemon(true)).isInstanceOf(IllegalStateException.class);
        p.join();
        assertThat(p.exitCode()).hasValue(0);
    }

    @Test
    void aJvmOptionThatStopsTheChildFromBootingIsReportedWithTheJvmsOwnWords() throws Exception {
        ChildProcess p = runToEnd(ChildProcess.builder(() -> { }).jvmArgs("-XX:+NoSuchOptionAnywhere").build());
        assertThat(p.exitCode()).hasValue(1);
        assertThat(p.failure()).get().extracting(Throwable::getMessage).asString()
                .contains("NoSuchOptionAnywhere").contains("before it could run its target");
    }

    @Test
    void aCollectorChosenInJvmArgsReplacesTheDefaultOne() throws Exception {
        Path log = dir.resolve("gc.log");
        ChildProcess p = runToEnd(ChildProcess.builder(() -> { })
                .jvmArgs("-XX:+UseParallelGC", "-Xlog:gc:file=" + log).startMethod(StartMethod.COLD).build());
        assertThat(p.failure()).isEmpty();
        assertThat(p.exitCode()).hasValue(0);
        assertThat(Files.readString(log)).contains("Using Parallel");
    }

    @Test
    void aChildOfJdk22OrLaterReflectsThroughNativeAccessorsAnd24OrLaterIsAllowedUnsafeUnlessItsOptionsChoose()
            throws Exception {
        // Those JDKs' reflection spins classes at each signature's first call, the JDK's first
        // FileChannel.map among them, and 24 and later warn about Unsafe's memory access unless
        // told to allow it, which the children's queues use (see ChildCommand); a JDK before 23
        // does not know the memory access option
        int jdk = Runtime.version().feature();
        List<String> expected = new ArrayList<>();
        if (jdk >= 22) {
            expected.add("-Djdk.reflect.useNativeAccessorOnly=true");
        }
        if (jdk >= 24) {
            expected.add("--sun-misc-unsafe-memory-access=allow");
        }
        assertThat(choosingOptions("default")).containsExactlyElementsOf(expected);
        List<String> reflectionChosen = new ArrayList<>(expected);
        reflectionChosen.remove("-Djdk.reflect.useNativeAccessorOnly=true");
        reflectionChosen.add("-Djdk.reflect.useNativeAccessorOnly=false"); // the caller's options come last
        assertThat(choosingOptions("reflection chosen", "-Djdk.reflect.useNativeAccessorOnly=false"))
                .containsExactlyElementsOf(reflectionChosen);
        if (jdk >= 23) {
            List<String> accessChosen = new ArrayList<>(expected);
            accessChosen.remove("--sun-misc-unsafe-memory-access=allow");
            accessChosen.add("--sun-misc-unsafe-memory-access=warn");
            assertThat(choosingOptions("memory access chosen", "--sun-misc-unsafe-memory-access=warn"))
                    .containsExactlyElementsOf(accessChosen);
        }
    }

    /** @return the options on a child's command line that choose its reflection's accessors or {@code Unsafe}'s memory access */
    private List<String> choosingOptions(String name, String... jvmArgs) throws Exception {
        Path file = dir.resolve(name.replace(' ', '-') + "-options");
        String path = file.toString();
        ChildProcess p = runToEnd(ChildProcess.builder(() -> Files.write(Path.of(path),
                List.of(ProcessHandle.current().info().arguments().orElseThrow())))
                .jvmArgs(jvmArgs).startMethod(StartMethod.COLD).build());
        assertThat(p.exitCode()).hasValue(0);
        return Files.readAllLines(file).stream().filter(o -> o.startsWith("-Djdk.reflect.useNativeAccessorOnly=")
                || o.startsWith("--sun-misc-unsafe-memory-access")).toList();
    }

    @Test
    void aChildKeepsNoPerformanceDataFileUnlessItsOptionsAskForOne() throws Exception {
        // Its creation and removal cost every short child's start and exit: see ChildCommand
        assertThat(hasPerformanceDataFile("default")).isFalse();
        assertThat(hasPerformanceDataFile("asked", "-XX:+UsePerfData")).isTrue();
    }

    /** @return whether a child's JVM has its performance-data file ({@code jps} finds JVMs by it) while its target runs */
    private boolean hasPerformanceDataFile(String name, String... jvmArgs) throws Exception {
        String file = dir.resolve(name + "-perf-data").toString();
        ChildProcess p = runToEnd(ChildProcess.builder(() -> Files.writeString(Path.of(file), Boolean.toString(
                Files.exists(Path.of("/tmp", "hsperfdata_" + System.getProperty("user.name"),
                        Long.toString(ProcessHandle.current().pid()))))))
                .jvmArgs(jvmArgs).startMethod(StartMethod.COLD).build());
        assertThat(p.exitCode()).hasValue(0);
        return Boolean.parseBoolean(Files.readString(Path.of(file)));
    }

    @Test
    void aChildsYoungGenerationStaysAt16MbUnlessItsOptionsSizeTheHeap() throws Exception {
        // Grown to a third of the heap, a child that allocates touches fresh pages for long: see ChildCommand
        assertThat(largestYoungGeneration("default")).isBetween(1L << 20, 16L << 20);
        assertThat(largestYoungGeneration("sized", "-Xmx1g")).isGreaterThan(64L << 20);
    }

    @Test
    void aChildStartsWithAnInitialHeapOfAFractionOfTheDefaultUnlessItsOptionsSizeTheHeap() throws Exception {
        // A large initial heap is an old generation of fresh pages: see ChildCommand
        long machine = Long.parseLong(Files.readAllLines(Path.of("/proc/meminfo")).get(0).replaceAll("\\D", "")) << 10;
        assertThat(initialHeap("default")).isLessThanOrEqualTo(Math.max(32L << 20, machine / 150));
        assertThat(initialHeap("sized", "-Xms256m")).isGreaterThan(200L << 20); // less a survivor space
    }

    /** @return the heap a child has when its target starts: the initial heap, as nothing has grown it yet */
    private long initialHeap(String name, String... jvmArgs) throws Exception {
        String file = dir.resolve(name + "-initial-heap").toString();
        ChildProcess p = runToEnd(ChildProcess.builder(() -> Files.writeString(Path.of(file),
                Long.toString(Runtime.getRuntime().totalMemory())))
                .jvmArgs(jvmArgs).startMethod(StartMethod.COLD).build());
        assertThat(p.exitCode()).hasValue(0);
        return Long.parseLong(Files.readString(Path.of(file)));
    }

    /**
     * @return the most memory a child's young generation may take, as its collector's exit log
     *     shows it: "def new generation total ..., used ... [start, committed end, reserved end)"
     *     ("DefNew total ..." on later JDKs, 25 among them)
     */
    private long largestYoungGeneration(String name, String... jvmArgs) throws Exception {
        Path log = dir.resolve(name + "-heap.log");
        List<String> options = new ArrayList<>(List.of(jvmArgs));
        options.add("-Xlog:gc*:file=" + log); // the exit's heap lines are gc+heap+exit on JDK 17, gc+exit later
        ChildProcess p = runToEnd(ChildProcess.builder(() -> { }).jvmArgs(options.toArray(String[]::new))
                .startMethod(StartMethod.COLD).build());
        assertThat(p.exitCode()).hasValue(0);
        Matcher young = Pattern
                .compile("(?:def new generation|DefNew) .*\\[0x(\\p{XDigit}+), 0x\\p{XDigit}+, 0x(\\p{XDigit}+)\\)")
                .matcher(Files.readString(log));
        assertThat(young.find()).as("the young generation in %s", log).isTrue();
        return Long.parseLong(young.group(2), 16) - Long.parseLong(young.group(1), 16);
    }

    @Test
    void builderPassesJvmArgsEnvironmentAndWorkingDirectory() throws Exception {
        String out = dir.resolve("env").toString();
        ChildProcess p = ChildProcess.builder(() -> TestFiles.write(out, System.getProperty("ticket.office") + " "
                        + System.getenv("MP4J_TEST_CITY") + " " + Path.of("").toAbsolutePath()))
                .name("configured").jvmArgs("-Dticket.office=central").env("MP4J_TEST_CITY", "Hangzhou")
                .workingDirectory(dir).build();
        runToEnd(p);
        assertThat(Files.readString(Path.of(out))).isEqualTo("central Hangzhou " + dir.toRealPath());
        assertThat(p.name()).isEqualTo("configured");
    }

    @Test
    void noZombieRemainsAfterJoinOrIsAliveOrActiveChildren() throws Exception {
        ChildProcess joined = runToEnd(new ChildProcess(() -> { }));
        assertThat(TestFiles.procState(joined.pid())).isEmpty();

        ChildProcess polled = new ChildProcess(() -> { });
        polled.start();
        TestFiles.awaitCondition(() -> !polled.isAlive(), WAIT, "child to end");
        assertThat(TestFiles.procState(polled.pid())).isEmpty();
        assertThat(polled.exitCode()).hasValue(0);

        String release = dir.resolve("release").toString();
        ChildProcess running = new ChildProcess(() -> {
            while (!Files.exists(Path.of(release))) {
                Thread.sleep(10);
            }
        });
        ChildProcess finished = new ChildProcess(() -> { });
        running.start();
        finished.start();
        TestFiles.awaitCondition(() -> !finished.toHandle().isAlive(), WAIT, "child to end");
        List<ChildProcess> active = Multiprocessing.activeChildren();
        assertThat(active).contains(running).doesNotContain(finished);
        assertThat(TestFiles.procState(finished.pid())).isEmpty();
        TestFiles.write(release, "go");
        running.join();
        assertThat(Multiprocessing.activeChildren()).doesNotContain(running);
    }

    @Test
    void aChildCanStartAndJoinItsOwnChildren() throws Exception {
        String out = dir.resolve("grandchild").toString();
        ChildProcess child = new ChildProcess("middle", () -> {
            ChildProcess grandchild = new ChildProcess(() -> TestFiles.write(out,
                    Multiprocessing.parentProcess().orElseThrow().pid() + " "
                            + Multiprocessing.parentProcess().orElseThrow().name() + " "
                            + Multiprocessing.currentProcess().name()));
            grandchild.start();
            grandchild.join();
            if (grandchild.exitCode().orElse(-1) != 0) {
                throw new IllegalStateException("grandchild failed: " + grandchild.exitCode());
            }
        });
        runToEnd(child);
        assertThat(child.exitCode()).hasValue(0);
        assertThat(Files.readString(Path.of(out))).isEqualTo(child.pid() + " middle ChildProcess-1");
    }

    @Test
    void optionsForEveryChildReachTheWholeTreeBeforeEachBuildersOwn() throws Exception {
        String out = dir.resolve("grandchildren").toString();
        Path logs = Files.createDirectories(dir.resolve("gc"));
        ChildProcess child = ChildProcess.builder(() -> {
            String[] ownOptions = {"-Dticket.window=own", "-Dticket.desk=own"};
            StringBuilder seen = new StringBuilder();
            for (int i = 0; i < ownOptions.length; i++) {
                String report = out + i;
                ChildProcess grandchild = ChildProcess.builder(() -> {
                    ChildProcess greatGrandchild = ChildProcess.builder(() -> { }).startMethod(StartMethod.COLD).build();
                    greatGrandchild.start(); // the collector's log shows that the options reached it too
                    greatGrandchild.join();
                    TestFiles.write(report, System.getProperty("ticket.office") + " " + System.getProperty("ticket.window"));
                }).jvmArgs(ownOptions[i]).startMethod(StartMethod.COLD).build();
                grandchild.start();
                grandchild.join();
                seen.append(Files.readString(Path.of(report))).append(';');
            }
            TestFiles.write(out, seen.toString());
        }).jvmArgs("-D" + ChildCommand.PROGRAM_OPTIONS_PROPERTY + "=-Dticket.office=central -Dticket.window=program "
                + "-XX:+UseParallelGC -Xlog:gc:file=" + logs.resolve("%p.log"))
                .startMethod(StartMethod.COLD).build();
        runToEnd(child);
        assertThat(child.exitCode()).hasValue(0);
        assertThat(Files.readString(Path.of(out))).isEqualTo("central own;central program;");
        // the child itself kept the defaults; its children and theirs (4) chose the parallel collector
        List<Path> logFiles;
        try (Stream<Path> files = Files.list(logs)) {
            logFiles = files.toList();
        }
        assertThat(logFiles).hasSize(4);
        for (Path logFile : logFiles) {
            assertThat(Files.readString(logFile)).contains("Using Parallel");
        }
    }

    private static ChildProcess runToEnd(ChildProcess p) throws InterruptedException {
        p.start();
        if (!p.join(WAIT)) {
            p.kill();
            throw new AssertionError("child did not end in " + WAIT);
        }
        return p;
    }

    private static void throwUnserializable() {
        throw new UnserializableFailure();
    }

    /** An object that cannot travel to a child. */
    static final class Unserializable {
        @Override
        public String toString() {
            return "a resource";
        }
    }

    /** An exception that cannot travel back: it refers to an unserializable object. */
    static final class UnserializableFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;
        @SuppressWarnings("unused")
        private final Unserializable thread = new Unserializable();

        UnserializableFailure() {
            super("carries a thread");
        }
    }
}
