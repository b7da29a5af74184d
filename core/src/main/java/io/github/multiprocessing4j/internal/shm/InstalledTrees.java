package io.github.multiprocessing4j.internal.shm;

import java.util.Objects;
import java.util.ServiceLoader;

/**
 * The {@link SegmentTrees} of this JVM, installed by the layer above that knows who this process
 * is.
 *
 * <p>Implementation notes. The process context installs its trees when its class is loaded,
 * which a child does first thing, a root before it starts a child, and every shared object's
 * constructor before it makes its segments ({@code StaticShared.resolve}). A JVM that maps a
 * segment by another way before any of these finds that layer through {@link ServiceLoader}, the
 * JDK's way for a lower layer to reach an implementation above it (declared in
 * {@code module-info} and in {@code META-INF/services}), which reads the class path's service
 * files (about 9 ms of a new JVM).
 * This holder is a class of its own, without any static initialiser of note, so that installing
 * costs a child's boot nothing: {@link SharedSegment}'s initialiser makes var handles, which
 * takes milliseconds.
 */
public final class InstalledTrees {
    private static volatile SegmentTrees trees;

    private InstalledTrees() {
    }

    /** Installs where the trees' segments live; the last installation wins. */
    public static void install(SegmentTrees installed) {
        trees = Objects.requireNonNull(installed, "trees");
    }

    /** @return whether trees were installed or looked up already, for tests */
    static boolean present() {
        return trees != null;
    }

    /**
     * @return the installed trees, looked up with {@link ServiceLoader} when none is installed yet
     *     (public for a rehearsal that installs others for a while and then these again)
     * @throws IllegalStateException when no implementation can be found
     */
    public static SegmentTrees get() {
        SegmentTrees t = trees;
        if (t == null) {
            synchronized (InstalledTrees.class) {
                if (trees == null) {
                    trees = ServiceLoader.load(SegmentTrees.class, InstalledTrees.class.getClassLoader()).findFirst()
                            .orElseThrow(() -> new IllegalStateException("no " + SegmentTrees.class.getName()
                                    + " is installed: the library's process layer is missing from the class path"));
                }
                t = trees;
            }
        }
        return t;
    }
}
