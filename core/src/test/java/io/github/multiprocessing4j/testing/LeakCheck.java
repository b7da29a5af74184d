package io.github.multiprocessing4j.testing;

import io.github.multiprocessing4j.Multiprocessing;
import io.github.multiprocessing4j.internal.os.Platform;
import io.github.multiprocessing4j.internal.registry.LocalTreeRegistry;
import io.github.multiprocessing4j.internal.registry.ProcessRecord;
import io.github.multiprocessing4j.internal.shm.MachineSegments;
import io.github.multiprocessing4j.internal.shm.SharedSegment;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Fails a test class that leaves a process or a process table behind: any descendant process of
 * the test JVM, any live process recorded in a multiprocessing4j tree of the test JVM (its own
 * tree, or one whose root it started during the class), or such a tree's directory
 * ({@code /dev/shm/mp4j-*}) when it cannot be released (shared segments left open count, those a
 * full {@code /dev/shm} spilled to disk too), or a
 * named shared memory block ({@code /dev/shm/mp4j-named-*}) that this JVM created and nobody
 * unlinked (they belong to no tree, so no tree's end removes them), or a temporary file or
 * directory of this JVM's ({@link TestFiles#tempDirectory}: a fixture's, such as a test server's
 * data) left in {@code java.io.tmpdir}.
 *
 * <p>Registered for every test class through {@code META-INF/services} (JUnit's extension
 * auto-detection, switched on in {@code junit-platform.properties}). Leaked processes are killed
 * by pid, and leaked directories and named blocks removed, so that one leaking class does not fail the next.
 * Processes get a few seconds to finish first: a daemon ends within a second of its parent.
 */
public final class LeakCheck implements BeforeAllCallback, AfterAllCallback {
    private static final long SETTLE_MILLIS = 5_000;
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(LeakCheck.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        context.getStore(NAMESPACE).put("trees", treeIds());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        @SuppressWarnings("unchecked")
        Set<String> before = context.getStore(NAMESPACE).get("trees", Set.class);
        Multiprocessing.discardSpares(); // the warm start method's idle JVMs are the library's, not leaks
        long deadline = System.currentTimeMillis() + SETTLE_MILLIS;
        List<String> leaks = findLeaks(before);
        while (!leaks.isEmpty() && System.currentTimeMillis() < deadline) {
            sleep(50);
            leaks = findLeaks(before);
        }
        if (leaks.isEmpty()) {
            return;
        }
        cleanUp(before);
        throw new AssertionError(context.getDisplayName() + " leaked: " + String.join("; ", leaks));
    }

    private static List<String> findLeaks(Set<String> treesBefore) {
        List<String> leaks = new ArrayList<>();
        Multiprocessing.activeChildren(); // reaps what has finished
        for (ProcessHandle p : descendants()) {
            leaks.add("process " + p.pid() + " (" + p.info().commandLine().orElse("?") + ")");
        }
        long me = Platform.currentPid();
        for (LocalTreeRegistry tree : ownTrees(treesBefore)) {
            for (ProcessRecord r : tree.records()) {
                if (r.pid() != me && LocalTreeRegistry.isAlive(r)) {
                    leaks.add("process " + r.pid() + " (" + r.name() + ") of tree " + tree.treeId());
                }
            }
            if (!tree.releaseIfIdle()) {
                leaks.add("process table " + tree.directory() + " (left in it: " + filesIn(tree.directory())
                        + (java.nio.file.Files.isDirectory(tree.spillDirectory())
                        ? "; spilled to disk: " + filesIn(tree.spillDirectory()) : "") + ")");
            }
        }
        for (String name : MachineSegments.createdHereAndPresent()) {
            leaks.add("named shared memory " + MachineSegments.file(name) + " (never unlinked)");
        }
        for (java.nio.file.Path temp : ownTempFiles()) {
            leaks.add("temporary " + temp + " (never deleted)");
        }
        return leaks;
    }

    /** @return this JVM's temporary files and directories ({@link TestFiles#TEMP_PREFIX}) */
    private static List<java.nio.file.Path> ownTempFiles() {
        List<java.nio.file.Path> own = new ArrayList<>();
        try (java.nio.file.DirectoryStream<java.nio.file.Path> temp = java.nio.file.Files.newDirectoryStream(
                java.nio.file.Path.of(System.getProperty("java.io.tmpdir")), TestFiles.TEMP_PREFIX + "*")) {
            temp.forEach(own::add);
        } catch (java.io.IOException e) {
            // no temp directory: nothing to leave there
        }
        return own;
    }

    /**
     * The trees this test class is answerable for: this JVM's own, and those created during the
     * class whose root is a live descendant of this JVM. Trees of other programs on the machine
     * (another test run, an engineer's demo) are none of its business: it neither reports nor
     * kills them. Trees whose root has died are left to the janitor of the next start.
     */
    private static List<LocalTreeRegistry> ownTrees(Set<String> treesBefore) {
        long me = Platform.currentPid();
        Set<Long> descendants = new HashSet<>();
        for (ProcessHandle p : descendants()) {
            descendants.add(p.pid());
        }
        List<LocalTreeRegistry> own = new ArrayList<>();
        for (LocalTreeRegistry tree : LocalTreeRegistry.allTrees()) {
            long root = tree.rootPid();
            if (root == me || (!treesBefore.contains(tree.treeId()) && descendants.contains(root))) {
                own.add(tree);
            }
        }
        return own;
    }

    private static void cleanUp(Set<String> treesBefore) {
        List<LocalTreeRegistry> own = ownTrees(treesBefore);
        for (ProcessHandle p : descendants()) {
            p.destroyForcibly();
        }
        for (LocalTreeRegistry tree : own) {
            for (ProcessRecord r : tree.records()) {
                if (r.pid() != Platform.currentPid() && LocalTreeRegistry.isAlive(r)) {
                    ProcessHandle.of(r.pid()).ifPresent(ProcessHandle::destroyForcibly);
                }
            }
        }
        sleep(500);
        Multiprocessing.activeChildren();
        for (LocalTreeRegistry tree : own) {
            tree.releaseAtExit(); // as if the tree had ended: removes what it left
        }
        for (String name : MachineSegments.createdHereAndPresent()) {
            SharedSegment.unlink(MachineSegments.SCOPE, name);
        }
        ownTempFiles().forEach(TestFiles::deleteRecursively);
        LocalTreeRegistry.removeDeadTrees();
    }

    private static String filesIn(java.nio.file.Path directory) {
        try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.list(directory)) {
            return files.map(f -> f.getFileName().toString()).sorted().collect(Collectors.joining(", "));
        } catch (java.io.IOException e) {
            return "unreadable: " + e.getMessage();
        }
    }

    private static List<ProcessHandle> descendants() {
        return ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).collect(Collectors.toList());
    }

    private static Set<String> treeIds() {
        Set<String> ids = new HashSet<>();
        LocalTreeRegistry.allTrees().forEach(t -> ids.add(t.treeId()));
        return ids;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
