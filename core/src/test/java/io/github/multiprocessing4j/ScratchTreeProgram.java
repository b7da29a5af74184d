package io.github.multiprocessing4j;

import io.github.multiprocessing4j.internal.os.Platform;
import io.github.multiprocessing4j.internal.process.ProcessContext;
import io.github.multiprocessing4j.internal.process.ScratchTree;
import io.github.multiprocessing4j.internal.registry.LocalTreeRegistry;
import io.github.multiprocessing4j.internal.shm.InstalledTrees;
import io.github.multiprocessing4j.internal.shm.SegmentTrees;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A program for {@link SpareWarmUpTest}: a plain JVM, no process of any tree, as a spare is
 * before its message. {@code ScratchTreeProgram REPORT MODE} runs the spares' queue exercise in a
 * tree of its own ({@link ScratchTree}) and writes what it saw to REPORT as {@code key=value}
 * lines: mode {@code run} the whole exercise, mode {@code stop} an exercise told to stop at its
 * third look, mode {@code hang} a queue made in the tree and then a wait for ever (the test
 * SIGKILLs it there).
 */
public final class ScratchTreeProgram {
    private ScratchTreeProgram() {
    }

    public static void main(String[] args) throws Exception {
        Path report = Path.of(args[0]);
        String mode = args[1];
        Path tree = Platform.sharedMemoryRoot().resolve(
                LocalTreeRegistry.treeIdFor(Platform.currentPid(), Platform.ownStartTicks()));
        List<String> lines = new ArrayList<>();
        lines.add("tree=" + tree);
        ProcessContext.initialised(); // loaded, as a spare's is first thing: it installs the trees of processes
        SegmentTrees before = InstalledTrees.get();
        int[] looks = new int[1];
        ScratchTree.run(() -> {
            if (mode.equals("hang")) {
                ProcessQueue<Object> queue = new ProcessQueue<>(new LocalQueue(0), ProcessUse.ofNew("ProcessQueue"));
                queue.put(1);
                lines.add("during=" + Files.isDirectory(tree));
                Files.write(report, lines);
                Thread.sleep(Long.MAX_VALUE);
            }
            QueueWarmUp.run(() -> ++looks[0] == 3 && mode.equals("stop"));
            lines.add("during=" + Files.isDirectory(tree));
            return null;
        });
        lines.add("looks=" + looks[0]);
        lines.add("after=" + Files.exists(tree));
        lines.add("restored=" + (InstalledTrees.get() == before));
        Files.write(report, lines);
    }
}
