package io.github.multiprocessing4j;

import io.github.multiprocessing4j.testing.TestFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A child is in the process table from its start, as {@code booting} until its JVM runs, with
 * how it was started. The child's JVM is held at its very start by HotSpot's
 * {@code -XX:+PauseAtStartup}, which waits until its pause file is deleted: the JVM cannot record
 * itself meanwhile, so the booting row is certain to be seen.
 */
class BootingChildTableTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private ChildProcess pausedChild(Path pauseFile, SerializableRunnable target) {
        return ChildProcess.builder(target).name("paused").daemon(true).startMethod(StartMethod.COLD)
                .jvmArgs("-XX:+UnlockDiagnosticVMOptions", "-XX:+PauseAtStartup", "-XX:PauseAtStartupFile=" + pauseFile)
                .build();
    }

    private static Optional<ProcessSnapshot> row(long pid) {
        return Multiprocessing.processTable().stream().filter(s -> s.pid() == pid).findFirst();
    }

    @Test
    void aChildIsListedAsBootingUntilItsJvmRunsThenAsRunningWithItsStartMethod() throws Exception {
        Path pauseFile = dir.resolve("pause");
        String ran = dir.resolve("ran").toString();
        ChildProcess child = pausedChild(pauseFile, () -> {
            TestFiles.write(ran, "yes");
            Thread.sleep(60_000);
        });
        child.start();
        try {
            assertThat(row(child.pid()).map(ProcessSnapshot::state)).as("listed as soon as start() returned, its reaper run or not")
                    .hasValue("booting");
            TestFiles.awaitCondition(() -> Files.exists(pauseFile) && row(child.pid()).isPresent(), WAIT,
                    "the paused child's row");
            ProcessSnapshot booting = row(child.pid()).orElseThrow();
            assertThat(booting.state()).isEqualTo("booting");
            assertThat(booting.name()).isEqualTo("paused");
            assertThat(booting.daemon()).isTrue();
            assertThat(booting.parentPid()).isEqualTo(ProcessHandle.current().pid());
            assertThat(booting.startMethod()).hasValue(StartMethod.COLD);
            assertThat(row(ProcessHandle.current().pid()).orElseThrow().startMethod()).as("the root's").isEmpty();

            Files.delete(pauseFile);
            TestFiles.await(Path.of(ran), WAIT);
            TestFiles.awaitCondition(() -> row(child.pid()).map(s -> s.state().equals("running")).orElse(false), WAIT,
                    "the row to say running");
            assertThat(row(child.pid()).orElseThrow().startMethod()).as("kept when the child recorded itself")
                    .hasValue(StartMethod.COLD);
        } finally {
            Files.deleteIfExists(pauseFile);
            child.kill();
            child.join();
        }
    }

    @Test
    void aChildKilledWhileBootingEndsByTheSignalAndLeavesNoRow() throws Exception {
        Path pauseFile = dir.resolve("pause");
        ChildProcess child = pausedChild(pauseFile, () -> { });
        child.start();
        try {
            TestFiles.awaitCondition(() -> Files.exists(pauseFile) && row(child.pid()).isPresent(), WAIT,
                    "the paused child's row");
            child.kill();
            child.join();

            assertThat(child.exitCode()).hasValue(-9);
            assertThat(row(child.pid())).isEmpty();
        } finally {
            Files.deleteIfExists(pauseFile);
        }
    }
}
