package io.github.multiprocessing4j;

import io.github.multiprocessing4j.internal.process.ProcessContext;
import io.github.multiprocessing4j.internal.process.ScratchTree;
import io.github.multiprocessing4j.internal.registry.LocalTreeRegistry;
import io.github.multiprocessing4j.internal.serial.Serialization;
import io.github.multiprocessing4j.internal.shm.SharedSegment;
import io.github.multiprocessing4j.testing.TestFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A prepared spare moves items through a queue of its own while it waits, in a tree of its own,
 * when the target of the child before it captured a shared object ({@code SpareWarmUp}): which
 * targets ask for it, that the spare is told, and that the tree it uses is gone afterwards, or
 * left for the janitor when the spare is killed in it.
 */
class SpareWarmUpTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String WARM_UP_OPTION = "-Dmp4j.spare.queueWarmUp=true";

    @TempDir
    Path scratch;

    @Test
    void aTargetCarryingASharedObjectDirectlyOrInsideAnotherObjectWritesASegmentAndOthersDoNot() {
        ProcessQueue<Integer> queue = new ProcessQueue<>();
        ProcessLock lock = new ProcessLock();
        try {
            String word = "word";
            assertThat(writesASegment(() -> queue.put(1))).isTrue();
            assertThat(writesASegment(() -> lock.acquire())).isTrue();
            List<ProcessQueue<Integer>> queues = new ArrayList<>(List.of(queue)); // JDK serialization carries it
            assertThat(writesASegment(() -> queues.size())).isTrue();
            assertThat(writesASegment(() -> word.length())).isFalse();
            assertThat(writesASegment(() -> { })).isFalse();
        } finally {
            queue.unlink();
            lock.unlink();
        }
    }

    /** @return whether serializing {@code target} wrote a shared segment, as a start asks */
    private static boolean writesASegment(SerializableRunnable target) {
        int before = SharedSegment.writtenOnThisThread();
        Serialization.serialize(target, "target");
        return SharedSegment.writtenOnThisThread() != before;
    }

    @Test
    void theSpareAfterAChildWhoseTargetCarriedAQueueIsToldToWarmUpAndNotAfterOneWithout() throws Exception {
        ProcessQueue<Integer> queue = new ProcessQueue<>();
        try {
            assertThat(spareAfter(() -> queue.put(1))).contains(WARM_UP_OPTION);
            queue.get();
            List<ProcessQueue<Integer>> queues = new ArrayList<>(List.of(queue));
            assertThat(spareAfter(() -> queues.get(0).put(2))).contains(WARM_UP_OPTION);
            queue.get();
            String word = "word";
            assertThat(spareAfter(() -> word.length())).doesNotContain(WARM_UP_OPTION);
        } finally {
            queue.unlink();
            Multiprocessing.discardSpares();
        }
    }

    /** @return the command line of the spare booted after a warm start of {@code target} */
    private static String spareAfter(SerializableRunnable target) throws Exception {
        Multiprocessing.discardSpares();
        ChildProcess child = ChildProcess.builder(target).startMethod(StartMethod.WARM).build();
        child.start();
        child.join();
        assertThat(child.exitCode()).hasValue(0);
        String[] spare = new String[1];
        TestFiles.awaitCondition(() -> {
            spare[0] = ProcessHandle.current().children().map(SpareWarmUpTest::commandLine)
                    .filter(line -> line.contains("-Dmp4j.spare=true")).findFirst().orElse(null);
            return spare[0] != null;
        }, WAIT, "a spare after " + child.name());
        return spare[0];
    }

    private static String commandLine(ProcessHandle process) {
        try {
            return Files.readString(Path.of("/proc/" + process.pid() + "/cmdline")).replace('\0', ' ');
        } catch (IOException e) {
            return ""; // it has ended
        }
    }

    @Test
    void theWarmUpRunsInATreeOfItsOwnWhichIsGoneAfterwards() throws Exception {
        List<String> report = runProgram("run");
        assertThat(report).contains("during=true", "looks=" + QueueWarmUp.ROUNDS, "after=false", "restored=true");
    }

    @Test
    void theWarmUpStopsAtTheRoundsEndWhenAsked() throws Exception {
        List<String> report = runProgram("stop");
        assertThat(report).contains("during=true", "looks=3", "after=false", "restored=true");
    }

    @Test
    void aSpareKilledInItsTreeLeavesATreeTheJanitorRemoves() throws Exception {
        killedInItsTree((program, tree) -> LocalTreeRegistry.removeDeadTrees());
    }

    @Test
    void aSpareKilledInItsTreeLeavesATreeItsParentRemovesOnceItIsDead() throws Exception {
        killedInItsTree((program, tree) -> {
            String name = tree.getFileName().toString();
            ScratchTree.removeLeftBy(program.pid(), Long.parseLong(name.substring(name.lastIndexOf('-') + 1)));
        });
    }

    /** Kills the program in its rehearsal (SIGKILL, by pid), checks its tree is left, has {@code remove} remove it. */
    private void killedInItsTree(BiConsumer<Process, Path> remove) throws Exception {
        Path report = scratch.resolve("report");
        Process program = start("hang", report);
        try {
            TestFiles.awaitCondition(() -> Files.exists(report) && read(report).contains("during=true"), WAIT,
                    "the program's queue in its tree");
            Path tree = Path.of(read(report).stream().filter(line -> line.startsWith("tree=")).findFirst().orElseThrow()
                    .substring("tree=".length()));
            program.destroyForcibly(); // nothing of it runs after
            assertThat(program.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(tree).isDirectory();

            remove.accept(program, tree);

            assertThat(tree).doesNotExist();
        } finally {
            program.destroyForcibly().waitFor();
        }
    }

    @Test
    void aJvmThatIsAProcessOfATreeCannotRehearseInATreeOfItsOwn() {
        ProcessContext.current(); // the test JVM is a root: its tree has the name a tree of its own would have

        assertThatThrownBy(() -> ScratchTree.run(() -> null)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("of a tree already");
    }

    private List<String> runProgram(String mode) throws Exception {
        Path report = scratch.resolve("report");
        Process program = start(mode, report);
        try {
            assertThat(program.waitFor(60, TimeUnit.SECONDS)).as("the program ends").isTrue();
            assertThat(program.exitValue()).as(new String(program.getErrorStream().readAllBytes())).isZero();
            return read(report);
        } finally {
            program.destroyForcibly().waitFor();
        }
    }

    private static Process start(String mode, Path report) throws IOException {
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), ScratchTreeProgram.class.getName(), report.toString(), mode);
        return new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }

    private static List<String> read(Path report) {
        try {
            return Files.readAllLines(report);
        } catch (IOException e) {
            return List.of();
        }
    }
}
