package io.github.multiprocessing4j.internal.shm;

import io.github.multiprocessing4j.internal.runtime.ChildOutput;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Shared segments find where their tree lives through the layer above them, even in a JVM whose
 * first act is to create one (nothing has asked who this process is yet).
 */
class InstalledTreesTest {

    /** A root JVM that creates a segment first thing: exits 0 when the segment works, 2 when trees were installed before. */
    public static void main(String[] args) {
        if (InstalledTrees.present()) {
            System.exit(2); // the test would not test the look-up
        }
        SharedSegment segment = SharedSegment.create("probe", 64);
        segment.putByte(0, (byte) 7);
        byte seen = SharedSegment.attach(segment.treeId(), segment.name()).getByte(0);
        segment.unlink();
        System.exit(seen == 7 ? 0 : 1);
    }

    @Test
    void aJvmWhoseFirstActIsToCreateASegmentFindsItsTreeThroughTheServiceLoader() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process root = ChildOutput.start(new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                InstalledTreesTest.class.getName()));
        assertThat(root.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(root.exitValue()).isZero();
    }
}
