package io.github.multiprocessing4j.testing;

import io.github.multiprocessing4j.Multiprocessing;
import io.github.multiprocessing4j.internal.os.Platform;
import io.github.multiprocessing4j.internal.registry.LocalTreeRegistry;
import io.github.multiprocessing4j.internal.registry.ProcessRecord;
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
 * the test JVM, any live process recorded in a multiprocessing4j tree created during the class,
 * or any tree directory ({@code /dev/shm/mp4j-*}) created during the class that still exists.
 *
 * <p>Registered for every test class through {@code META-INF/services} (JUnit's extension
 * auto-detection, switched on in {@code junit-platform.properties}). Leaked processes are killed
 * by pid, and leaked directories removed, so that one leaking class does not fail the next.
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
        for (LocalTreeRegistry tree : LocalTreeRegistry.allTrees()) {
            if (treesBefore.contains(tree.treeId())) {
                continue;
            }
            long me = Platform.currentPid();
            for (ProcessRecord r : tree.records()) {
                if (r.pid() != me && LocalTreeRegistry.isAlive(r)) {
                    leaks.add("process " + r.pid() + " (" + r.name() + ") of tree " + tree.treeId());
                }
            }
            if (!tree.releaseIfIdle()) {
                leaks.add("process table " + tree.directory());
            }
        }
        return leaks;
    }

    private static void cleanUp(Set<String> treesBefore) {
        for (ProcessHandle p : descendants()) {
            p.destroyForcibly();
        }
        for (LocalTreeRegistry tree : LocalTreeRegistry.allTrees()) {
            if (!treesBefore.contains(tree.treeId())) {
                for (ProcessRecord r : tree.records()) {
                    if (r.pid() != Platform.currentPid() && LocalTreeRegistry.isAlive(r)) {
                        ProcessHandle.of(r.pid()).ifPresent(ProcessHandle::destroyForcibly);
                    }
                }
            }
        }
        sleep(500);
        Multiprocessing.activeChildren();
        LocalTreeRegistry.removeDeadTrees();
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
