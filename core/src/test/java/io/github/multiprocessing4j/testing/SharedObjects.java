package io.github.multiprocessing4j.testing;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import io.github.multiprocessing4j.Unlinkable;

import java.util.ArrayList;
import java.util.List;

/**
 * The shared objects a test creates, unlinked after each test (ended for every process, as the
 * test means: a close() ends only this process's use, and a shared object that was sent to a child
 * would stay until the tree ends; LeakCheck fails a class that leaves a segment behind):
 *
 * <pre>{@code
 * @RegisterExtension
 * final SharedObjects shared = new SharedObjects();
 * ...
 * ProcessLock lock = shared.track(new ProcessLock());
 * }</pre>
 */
public final class SharedObjects implements AfterEachCallback {
    private final List<AutoCloseable> objects = new ArrayList<>();

    /** @return {@code object}, to be closed after the test */
    public <T extends AutoCloseable> T track(T object) {
        objects.add(object);
        return object;
    }

    /**
     * Ends {@code object} for every process: its {@code unlink()} when it is a shared object
     * ({@link Unlinkable}), else its {@code close()}.
     */
    public static void unlink(AutoCloseable object) throws Exception {
        if (object instanceof Unlinkable shared) {
            shared.unlink();
        } else {
            object.close();
        }
    }

    /** Unlinks every tracked object, the last tracked first, and forgets them; the first failure is thrown. */
    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        Exception first = null;
        for (int i = objects.size() - 1; i >= 0; i--) {
            try {
                unlink(objects.get(i));
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        objects.clear();
        if (first != null) {
            throw first;
        }
    }
}
